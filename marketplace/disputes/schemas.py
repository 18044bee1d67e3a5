"""The JSON shapes of disputes."""

from marshmallow import Schema, fields, validate

from marketplace.fields import Trimmed
from marketplace.pagination import PageArgsSchema


class PersonSchema(Schema):
    id = fields.Integer()
    name = fields.String()


class DisputeMessageSchema(Schema):
    id = fields.Integer()
    author = fields.Nested(PersonSchema)
    body = fields.String()
    created_at = fields.DateTime()


class ResolutionSchema(Schema):
    freelancer_amount = fields.Integer()
    client_amount = fields.Integer()
    note = fields.String()
    resolved_by = fields.Nested(
        PersonSchema,
        allow_none=True,
        metadata={"description": "`null` when the platform settled it (a lost chargeback)"},
    )
    resolved_at = fields.DateTime()


class DisputeSchema(Schema):
    id = fields.Integer()
    milestone_id = fields.Integer()
    contract_id = fields.Integer()
    opened_by = fields.Nested(
        PersonSchema,
        allow_none=True,
        metadata={"description": "null when the platform opened it (a chargeback)"},
    )
    reason = fields.String()
    status = fields.String(metadata={"enum": ["open", "resolved"]})
    resolution = fields.Nested(ResolutionSchema, allow_none=True)
    messages = fields.List(fields.Nested(DisputeMessageSchema))
    created_at = fields.DateTime()


class DisputeCreateSchema(Schema):
    reason = Trimmed(required=True, validate=validate.Length(min=1, max=10000))


class DisputeMessageCreateSchema(Schema):
    body = Trimmed(required=True, validate=validate.Length(min=1, max=10000))


class ResolveSchema(Schema):
    freelancer_amount = fields.Integer(
        strict=True, required=True, validate=validate.Range(min=0, max=10**12)
    )
    note = Trimmed(required=True, validate=validate.Length(min=1, max=10000))


class DisputeQueryArgsSchema(PageArgsSchema):
    status = fields.String(validate=validate.OneOf(["open", "resolved"]))
