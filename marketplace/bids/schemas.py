"""The JSON shapes of bids."""

from marshmallow import Schema, fields, validate

from marketplace.accounts.schemas import UserRefSchema
from marketplace.fields import Amount, CurrencyCode, Trimmed
from marketplace.pagination import PageArgsSchema
from marketplace.states import BidStatus


class BidMilestoneSchema(Schema):
    title = Trimmed(required=True, validate=validate.Length(min=1, max=200))
    amount = Amount(required=True)


class BidCreateSchema(Schema):
    amount = Amount(required=True)
    currency = CurrencyCode(required=True)
    delivery_days = fields.Integer(strict=True, required=True, validate=validate.Range(1, 365))
    cover_letter = Trimmed(required=True, validate=validate.Length(min=1, max=10000))
    milestones = fields.List(
        fields.Nested(BidMilestoneSchema), load_default=list, validate=validate.Length(max=50)
    )


class BidUpdateSchema(Schema):
    amount = Amount()
    currency = CurrencyCode()
    delivery_days = fields.Integer(strict=True, validate=validate.Range(1, 365))
    cover_letter = Trimmed(validate=validate.Length(min=1, max=10000))
    milestones = fields.List(fields.Nested(BidMilestoneSchema), validate=validate.Length(max=50))


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
