"""The JSON shapes of bids."""

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from marketplace.accounts.schemas import UserRefSchema
from marketplace.fields import MAX_AMOUNT, Amount, CurrencyCode, Trimmed
from marketplace.pagination import PageArgsSchema
from marketplace.states import BidStatus

PRICING = (
    "A milestone is priced either at a fixed `amount`, or per record: `unit_price` (paid "
    "for each record the client accepts) and `max_records` (at most "
    "`MAX_RECORDS_PER_DELIVERY`; only on a job with a record schema), whose product is its "
    "`amount`. Both may be sent only when `amount` equals `unit_price` times `max_records`."
)


class PricedSchema(Schema):
    """A milestone's price: a fixed `amount`, or `unit_price` times `max_records`."""

    amount = Amount(metadata={"description": PRICING})
    unit_price = Amount(
        allow_none=True,
        metadata={"description": "Paid per accepted record; null for a fixed price."},
    )
    max_records = fields.Integer(
        strict=True,
        allow_none=True,
        validate=validate.Range(min=1),
        metadata={"description": "The records the amount pays for; null for a fixed price."},
    )

    @validates_schema
    def _one_price(self, data, **_kwargs):
        unit_price, max_records = data.get("unit_price"), data.get("max_records")
        if (unit_price is None) != (max_records is None):
            missing = "max_records" if max_records is None else "unit_price"
            raise ValidationError(
                "A price per record needs both unit_price and max_records.", missing
            )
        if unit_price is None:
            if data.get("amount") is None:
                raise ValidationError(
                    "Missing data for required field (or unit_price and max_records).", "amount"
                )
            return
        total = unit_price * max_records
        if total > MAX_AMOUNT:
            raise ValidationError(
                f"unit_price times max_records must be at most {MAX_AMOUNT}.", "max_records"
            )
        if data.get("amount") is not None and data["amount"] != total:
            raise ValidationError(
                f"Must equal unit_price times max_records ({total}), or be left out.", "amount"
            )

    @post_load
    def _amount(self, data, **_kwargs):
        if data.get("unit_price") is not None:
            data["amount"] = data["unit_price"] * data["max_records"]
        data.setdefault("unit_price", None)
        data.setdefault("max_records", None)
        return data


class BidMilestoneInputSchema(PricedSchema):
    title = Trimmed(required=True, validate=validate.Length(min=1, max=200))


class BidMilestoneSchema(Schema):
    title = fields.String()
    amount = fields.Integer()
    unit_price = fields.Integer(
        allow_none=True,
        metadata={"description": "Paid per accepted record; null for a fixed price."},
    )
    max_records = fields.Integer(
        allow_none=True,
        metadata={"description": "The records the amount pays for; null for a fixed price."},
    )


class BidCreateSchema(Schema):
    amount = Amount(required=True)
    currency = CurrencyCode(required=True)
    delivery_days = fields.Integer(strict=True, required=True, validate=validate.Range(1, 365))
    cover_letter = Trimmed(required=True, validate=validate.Length(min=1, max=10000))
    milestones = fields.List(
        fields.Nested(BidMilestoneInputSchema),
        load_default=list,
        validate=validate.Length(max=50),
    )


class BidUpdateSchema(Schema):
    amount = Amount()
    currency = CurrencyCode()
    delivery_days = fields.Integer(strict=True, validate=validate.Range(1, 365))
    cover_letter = Trimmed(validate=validate.Length(min=1, max=10000))
    milestones = fields.List(
        fields.Nested(BidMilestoneInputSchema), validate=validate.Length(max=50)
    )


class BidSchema(Schema):
    id = fields.Integer()
    job_id = fields.Integer()
    freelancer = fields.Nested(UserRefSchema)
    amount = fields.Integer()
    currency = fields.String()
    delivery_days = fields.Integer()
    cover_letter = fields.String()
    milestones = fields.List(fields.Nested(BidMilestoneSchema))
    status = fields.String(metadata={"enum": [s.value for s in BidStatus]})
    created_at = fields.DateTime()


class BidQueryArgsSchema(PageArgsSchema):
    status = fields.String(validate=validate.OneOf([s.value for s in BidStatus]))
