"""The JSON shapes of jobs."""

from marshmallow import Schema, fields, validate

from marketplace.accounts.schemas import UserRefSchema
from marketplace.fields import MAX_AMOUNT, MAX_ID, Amount, CurrencyCode, Skill, Trimmed
from marketplace.pagination import PageArgsSchema
from marketplace.states import JobStatus

Skills = fields.List(Skill(), validate=validate.Length(max=20))


class JobCreateSchema(Schema):
    title = Trimmed(required=True, validate=validate.Length(min=3, max=200))
    description = Trimmed(required=True, validate=validate.Length(min=1, max=20000))
    skills = fields.List(Skill(), load_default=list, validate=validate.Length(max=20))
    budget = Amount(required=True)
    currency = CurrencyCode(required=True)
    deadline = fields.Date(load_default=None, allow_none=True)


class JobUpdateSchema(Schema):
    title = Trimmed(validate=validate.Length(min=3, max=200))
    description = Trimmed(validate=validate.Length(min=1, max=20000))
    skills = fields.List(Skill(), validate=validate.Length(max=20))
    budget = Amount()
    currency = CurrencyCode()
    deadline = fields.Date(allow_none=True)


class JobSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    description = fields.String()
    skills = fields.List(fields.String())
    budget = fields.Integer()
    currency = fields.String()
    status = fields.String(metadata={"enum": [s.value for s in JobStatus]})
    client = fields.Nested(UserRefSchema)
    bid_count = fields.Integer()
    deadline = fields.Date(allow_none=True)
    created_at = fields.DateTime()


class JobQueryArgsSchema(PageArgsSchema):
    q = fields.String(validate=validate.Length(min=1, max=200))
    skill = fields.List(Skill(), validate=validate.Length(max=20))
    currency = CurrencyCode()
    min_budget = fields.Integer(validate=validate.Range(min=0, max=MAX_AMOUNT))
    max_budget = fields.Integer(validate=validate.Range(min=0, max=MAX_AMOUNT))
    status = fields.String(
        load_default=JobStatus.OPEN.value, validate=validate.OneOf([s.value for s in JobStatus])
    )
    client_id = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))
    sort = fields.String(validate=validate.OneOf(["newest", "budget_desc", "relevance"]))
