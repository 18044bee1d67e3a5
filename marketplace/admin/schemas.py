"""The JSON shapes of the admin tools."""

from marshmallow import Schema, fields, validate

from marketplace.accounts.models import Role, UserStatus
from marketplace.disputes.schemas import PersonSchema
from marketplace.fields import MAX_ID, Trimmed
from marketplace.pagination import PageArgsSchema
from marketplace.payments.reconcile import WHAT


class AdminUserSchema(Schema):
    id = fields.Integer()
    email = fields.String()
    role = fields.String()
    name = fields.String()
    country = fields.String()
    status = fields.String()
    suspended_reason = fields.String(allow_none=True)
    payouts_enabled = fields.Boolean()
    created_at = fields.DateTime()


class UserQueryArgsSchema(PageArgsSchema):
    q = fields.String(
        validate=validate.Length(min=1, max=100),
        metadata={"description": "Part of the name or email."},
    )
    role = fields.String(validate=validate.OneOf([r.value for r in Role]))
    status = fields.String(validate=validate.OneOf([s.value for s in UserStatus]))


class SuspendSchema(Schema):
    reason = Trimmed(required=True, validate=validate.Length(min=1, max=2000))


class AuditEntrySchema(Schema):
    id = fields.Integer()
    actor = fields.Nested(PersonSchema, allow_none=True)
    action = fields.String()
    target = fields.String()
    data = fields.Dict()
    created_at = fields.DateTime()


class AuditQueryArgsSchema(PageArgsSchema):
    actor_id = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))
    action = fields.String(validate=validate.Length(min=1, max=60))
    target = fields.String(
        validate=validate.Length(min=1, max=60),
        metadata={"description": "type:id, e.g. milestone:12"},
    )


class LedgerCheckSchema(Schema):
    ok = fields.Boolean()
    transactions = fields.Integer()
    problems = fields.List(fields.String())


OPERATION_STATUSES = ("pending", "settled", "failed")


class OperationSchema(Schema):
    """A call to the payment provider, as written down before it was made."""

    id = fields.Integer()
    milestone_id = fields.Integer()
    kind = fields.String(metadata={"description": "`charge`, `refund` or `transfer`"})
    action = fields.String(metadata={"description": "what it was made for: `fund`, `approve`…"})
    status = fields.String(
        validate=validate.OneOf(OPERATION_STATUSES),
        metadata={
            "description": "`pending`: the provider's answer is not known yet; `settled`: "
            "answered and booked; `failed`: refused, nothing moved"
        },
    )
    amount = fields.Integer()
    currency = fields.String()
    idempotency_key = fields.String()
    provider_id = fields.String(allow_none=True)
    refusal = fields.String(allow_none=True)
    created_at = fields.DateTime()
    settled_at = fields.DateTime(allow_none=True)


class OperationQueryArgsSchema(PageArgsSchema):
    status = fields.String(validate=validate.OneOf(OPERATION_STATUSES))
    milestone_id = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))


class ReconciliationDifferenceSchema(Schema):
    milestone_id = fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "null: money of this installation tied to no milestone."},
    )
    what = fields.String(required=True, metadata={"enum": list(WHAT)})
    currency = fields.String(required=True)
    ledger = fields.Integer(
        required=True, metadata={"description": "What the ledger booked, in minor units."}
    )
    provider = fields.Integer(
        required=True,
        metadata={"description": "What the payment provider moved, in minor units."},
    )


class PlatformLossSchema(Schema):
    currency = fields.String(required=True)
    amount = fields.Integer(required=True, metadata={"description": "Minor units."})


class ReconciliationSchema(Schema):
    ok = fields.Boolean(required=True)
    checked = fields.Integer(
        required=True, metadata={"description": "Milestones with money on either side."}
    )
    differences = fields.List(fields.Nested(ReconciliationDifferenceSchema), required=True)
    losses = fields.List(
        fields.Nested(PlatformLossSchema),
        required=True,
        metadata={"description": "The platform's booked losses, per currency."},
    )
