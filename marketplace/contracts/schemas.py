"""The JSON shapes of contracts, milestones and messages."""

from marshmallow import Schema, fields, validate

from marketplace.accounts.schemas import UserRefSchema
from marketplace.bids.schemas import PricedSchema
from marketplace.deliveries.schemas import ReportSchema
from marketplace.fields import Trimmed
from marketplace.pagination import PageArgsSchema
from marketplace.states import ContractStatus, MilestoneStatus


class ChangesRequestedSchema(Schema):
    reason = fields.String()
    created_at = fields.DateTime()


class SubmissionSchema(Schema):
    id = fields.Integer()
    note = fields.String()
    report = fields.Nested(
        ReportSchema,
        allow_none=True,
        metadata={"description": "The check of the delivered records; null for a note only."},
    )
    changes_requested = fields.Nested(
        ChangesRequestedSchema,
        allow_none=True,
        metadata={"description": "The client's request for changes to this delivery, if any."},
    )
    created_at = fields.DateTime()


class PaymentStatusSchema(Schema):
    client_secret = fields.String()
    status = fields.String(metadata={"description": "The PaymentIntent's status."})


class RecordCountsSchema(Schema):
    submitted = fields.Integer(metadata={"description": "Rows of the latest delivery."})
    accepted = fields.Integer(metadata={"description": "Set at approval; 0 before."})
    rejected = fields.Integer(metadata={"description": "Set at approval; 0 before."})


class MilestoneSchema(Schema):
    id = fields.Integer()
    contract_id = fields.Integer()
    title = fields.String()
    description = fields.String()
    amount = fields.Integer()
    currency = fields.String()
    unit_price = fields.Integer(
        allow_none=True,
        metadata={"description": "Paid per accepted record; null for a fixed price."},
    )
    max_records = fields.Integer(
        allow_none=True,
        metadata={"description": "Records the amount pays for; null for a fixed price."},
    )
    records = fields.Nested(RecordCountsSchema)
    held = fields.Integer(
        metadata={"description": "Kept in escrow for rejected rows until they are settled."}
    )
    status = fields.String(metadata={"enum": [s.value for s in MilestoneStatus]})
    due_date = fields.Date(allow_none=True)
    submissions = fields.List(fields.Nested(SubmissionSchema))
    auto_release_at = fields.DateTime(
        allow_none=True,
        metadata={
            "description": "When a submitted milestone is approved if the client does not "
            "answer; null in every other state."
        },
    )
    rejection_due_at = fields.DateTime(
        allow_none=True,
        metadata={
            "description": "When held money goes back to the client if the freelancer "
            "neither accepts the rejection nor disputes it; null when nothing is held."
        },
    )
    created_at = fields.DateTime()
    payment = fields.Nested(
        PaymentStatusSchema,
        metadata={
            "description": "Only in a fund response that left the milestone funding.",
            "sometimes": True,
        },
    )


class MilestoneCreateSchema(PricedSchema):
    title = Trimmed(required=True, validate=validate.Length(min=1, max=200))
    description = fields.String(load_default="", validate=validate.Length(max=10000))
    due_date = fields.Date(load_default=None, allow_none=True)


class ContractSchema(Schema):
    id = fields.Integer()
    job_id = fields.Integer()
    bid_id = fields.Integer()
    client = fields.Nested(UserRefSchema)
    freelancer = fields.Nested(UserRefSchema)
    amount = fields.Integer()
    currency = fields.String()
    fee_bps = fields.Integer()
    min_accuracy = fields.Float(
        allow_none=True,
        metadata={"description": "The job's quality bar when the contract was made; or null."},
    )
    status = fields.String(metadata={"enum": [s.value for s in ContractStatus]})
    milestones = fields.List(fields.Nested(MilestoneSchema))
    created_at = fields.DateTime()


class ContractQueryArgsSchema(PageArgsSchema):
    status = fields.String(validate=validate.OneOf([s.value for s in ContractStatus]))


class AuthorSchema(Schema):
    id = fields.Integer()
    name = fields.String()


class MessageCreateSchema(Schema):
    body = Trimmed(required=True, validate=validate.Length(min=1, max=10000))


class MessageSchema(Schema):
    id = fields.Integer()
    author = fields.Nested(AuthorSchema)
    body = fields.String()
    created_at = fields.DateTime()
