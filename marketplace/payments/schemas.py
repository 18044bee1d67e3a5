"""The JSON shapes of money: fund and delivery requests, balances, statements."""

from marshmallow import Schema, ValidationError, fields, validate

from marketplace.deliveries.schemas import Records
from marketplace.fields import Trimmed
from marketplace.pagination import PageArgsSchema
from marketplace.payments.models import STATEMENT_LINE_TYPES


class FundSchema(Schema):
    payment_method = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(min=1, max=255),
        metadata={"description": "A payment method id, e.g. Stripe's test pm_card_visa."},
    )


class SubmitSchema(Schema):
    note = Trimmed(
        validate=validate.Length(min=1, max=10000),
        metadata={
            "description": "Required on a job without a record schema (the note is "
            "the delivery); optional beside records."
        },
    )
    records = Records(
        metadata={
            "description": "Only on a job with a record schema, and required there (unless "
            "the records come as a multipart `file`): objects keyed by the schema's field "
            "names; a missing key is an empty cell, an unknown key an `unknown_column` error."
        }
    )


class RejectedRowSchema(Schema):
    row = fields.Integer(
        strict=True,
        required=True,
        validate=validate.Range(min=1),
        metadata={"description": "The row's number in the latest delivery (data rows from 1)."},
    )
    reason = Trimmed(required=True, validate=validate.Length(min=1, max=500))


def _rows_once(rows: list[dict]) -> None:
    seen: set[int] = set()
    twice: set[int] = set()
    for item in rows:
        (twice if item["row"] in seen else seen).add(item["row"])
    if twice:
        listed = ", ".join(str(n) for n in sorted(twice)[:20])
        raise ValidationError(f"Each row at most once: {listed}.")


class ApproveSchema(Schema):
    rejected_rows = fields.List(
        fields.Nested(RejectedRowSchema),
        load_default=list,
        validate=_rows_once,
        metadata={
            "description": "Rows of the latest delivery the client does not accept, each "
            "with its reason (only on a milestone delivered as records). Their share of the "
            "money is held: the milestone is `partially_approved` until the freelancer "
            "accepts the rejection (refunded to the client), disputes it, or "
            "`rejection_due_at` passes (refunded)."
        },
    )


class RequestChangesSchema(Schema):
    reason = Trimmed(required=True, validate=validate.Length(min=1, max=10000))


class BalanceSchema(Schema):
    currency = fields.String()
    in_escrow = fields.Integer()
    pending_payout = fields.Integer()
    paid_out = fields.Integer()
    refunded = fields.Integer()
    fees = fields.Integer()


class BalancesSchema(Schema):
    balances = fields.List(fields.Nested(BalanceSchema))


class TransactionSchema(Schema):
    id = fields.Integer()
    type = fields.String(metadata={"enum": STATEMENT_LINE_TYPES})
    amount = fields.Integer(
        metadata={"description": "Signed, as booked on the caller's own account."}
    )
    currency = fields.String()
    milestone_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()


class TransactionQueryArgsSchema(PageArgsSchema):
    type = fields.String(validate=validate.OneOf(STATEMENT_LINE_TYPES))
    currency = fields.String(validate=validate.Length(equal=3))


class PayoutAccountSchema(Schema):
    onboarding_url = fields.String(allow_none=True)
    payouts_enabled = fields.Boolean()


class PayoutCountrySchema(Schema):
    country = fields.String(metadata={"description": "ISO 3166-1 alpha-2."})
    currencies = fields.List(
        fields.String(),
        metadata={
            "description": "The currencies payouts there arrive in (the provider converts); "
            "empty when not known."
        },
    )


class PayoutCountriesSchema(Schema):
    platform_country = fields.String()
    countries = fields.List(
        fields.Nested(PayoutCountrySchema),
        metadata={"description": "Where freelancers can be paid out, by country code."},
    )


class OnboardingRefreshArgsSchema(Schema):
    token = fields.String(
        required=True,
        metadata={"description": "The signed token of the refresh link given to the provider."},
    )


class WebhookReceiptSchema(Schema):
    received = fields.Boolean()
    handled = fields.Boolean(
        metadata={
            "sometimes": True,
            "description": "Whether the marketplace acts on this type of event.",
        }
    )
    duplicate = fields.Boolean(
        metadata={
            "sometimes": True,
            "description": "This event id was received before; nothing was done again.",
        }
    )
