"""The JSON shapes of jobs."""

from datetime import UTC, date, datetime, timedelta

from marshmallow import Schema, ValidationError, fields, validate

from marketplace.accounts.schemas import UserRefSchema
from marketplace.fields import MAX_AMOUNT, MAX_ID, Amount, CurrencyCode, Skill, Trimmed
from marketplace.pagination import PageArgsSchema
from marketplace.states import JobStatus

Skills = fields.List(Skill(), validate=validate.Length(max=20))

# A deadline is in the past once that date is over everywhere on earth, so a client
# still on yesterday in their time zone may name their today.
LATEST_TIME_ZONE = timedelta(hours=-12)


def not_past(deadline: date | None) -> None:
    if deadline is not None and deadline < (datetime.now(UTC) + LATEST_TIME_ZONE).date():
        raise ValidationError("Must not be in the past.")


def Deadline(**kwargs) -> fields.Date:
    """The job's deadline date: today or later (in some time zone), or null."""
    return fields.Date(
        allow_none=True,
        validate=not_past,
        metadata={"description": "Not in the past (a date still current somewhere on earth)."},
        **kwargs,
    )


class JobCreateSchema(Schema):
    title = Trimmed(required=True, validate=validate.Length(min=3, max=200))
    description = Trimmed(required=True, validate=validate.Length(min=1, max=20000))
    skills = fields.List(Skill(), load_default=list, validate=validate.Length(max=20))
    budget = Amount(required=True)
    currency = CurrencyCode(required=True)
    deadline = Deadline(load_default=None)


class JobUpdateSchema(Schema):
    title = Trimmed(validate=validate.Length(min=3, max=200))
    description = Trimmed(validate=validate.Length(min=1, max=20000))
    skills = fields.List(Skill(), validate=validate.Length(max=20))
    budget = Amount()
    currency = CurrencyCode()
    deadline = Deadline()


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


def job_item(row, skills: list[str]) -> dict:
    """A job of a list as JobSchema dumps it, straight from a row of the list statement.

    Lists are read far more than anything else, and dumping each field of each item
    through marshmallow cost more than the database did. tests/api/test_jobs.py checks
    that every list item equals the job's JobSchema JSON (GET /jobs/{id}).
    """
    deadline = row.deadline
    return {
        "id": row.id,
        "title": row.title,
        "description": row.description,
        "skills": skills,
        "budget": row.budget,
        "currency": row.currency,
        "status": row.status,
        "client": {"id": row.client_id, "name": row.client_name, "country": row.client_country},
        "bid_count": row.bid_count,
        "deadline": None if deadline is None else deadline.isoformat(),
        "created_at": row.created_at.isoformat(),
    }


class JobQueryArgsSchema(PageArgsSchema):
    q = fields.String(validate=validate.Length(min=1, max=200))
    skill = fields.List(Skill(), validate=validate.Length(max=20))
    currency = CurrencyCode(
        metadata={"description": "Jobs in this currency (an offered ISO 4217 code, any case)."}
    )
    min_budget = fields.Integer(validate=validate.Range(min=0, max=MAX_AMOUNT))
    max_budget = fields.Integer(validate=validate.Range(min=0, max=MAX_AMOUNT))
    status = fields.String(
        load_default=JobStatus.OPEN.value, validate=validate.OneOf([s.value for s in JobStatus])
    )
    client_id = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))
    sort = fields.String(
        validate=validate.OneOf(["newest", "budget_desc", "relevance"]),
        metadata={
            "description": (
                "`newest` (the default without `q`), `budget_desc`, or `relevance` (the "
                "default with `q`). Relevance ranks the most recent matches only, at most "
                "1,000 of them (the server's `SEARCH_RANK_CANDIDATES`), so that words found "
                "in many jobs rank in bounded time; `newest` with `q` lists every match."
            )
        },
    )
