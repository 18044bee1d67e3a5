"""The JSON shapes of jobs."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from marshmallow import Schema, ValidationError, fields, post_load, validate

from marketplace.accounts.schemas import UserRefSchema
from marketplace.deliveries.schemas import RecordSchemaField, RecordSchemaSchema
from marketplace.fields import MAX_AMOUNT, MAX_ID, Amount, CurrencyCode, Skill, Trimmed
from marketplace.jobs.models import ACCURACY_DENOMINATOR, accuracy
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


class MinAccuracy(fields.Float):
    """An accuracy from 0 to 1 with at most 4 decimals, loaded as ten-thousandths (int)."""

    def __init__(self, **kwargs):
        metadata = {
            "minimum": 0,
            "maximum": 1,
            "description": "The least accuracy on the job's gold records a delivery needs, "
            "0 to 1 with at most 4 decimals (0.98).",
        }
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValidationError("Must be a number from 0 to 1.")
        exact = Decimal(repr(value))
        if not exact.is_finite() or not 0 <= exact <= 1:
            raise ValidationError("Must be a number from 0 to 1.")
        bps = exact * ACCURACY_DENOMINATOR
        if bps != bps.to_integral_value():
            raise ValidationError("At most 4 decimals.")
        return int(bps)


class QualityInputSchema(Schema):
    min_accuracy = MinAccuracy(allow_none=True, load_default=None)

    @post_load
    def _bps(self, data, **kwargs) -> int | None:
        return data["min_accuracy"]


class QualitySchema(Schema):
    min_accuracy = fields.Float(metadata={"description": "0 to 1, at most 4 decimals."})


def RecordSchema(**kwargs) -> RecordSchemaField:
    return RecordSchemaField(
        data_key="schema",
        allow_none=True,
        metadata={
            "description": "What each delivered record must look like: a Table Schema "
            "descriptor, restricted as the marketplace takes it; null for none (a note is "
            "the delivery). A bad one is a 422 whose `errors` name the place "
            "(`schema.fields.2.type`). It cannot change once anyone has bid on the job "
            "(409; sending the same schema again is not a change)."
        },
        **kwargs,
    )


def Quality(**kwargs) -> fields.Nested:
    return fields.Nested(
        QualityInputSchema,
        data_key="quality",
        allow_none=True,
        metadata={"description": "The job's quality bar, copied onto its contract; null for none."},
        **kwargs,
    )


class JobCreateSchema(Schema):
    title = Trimmed(required=True, validate=validate.Length(min=3, max=200))
    description = Trimmed(required=True, validate=validate.Length(min=1, max=20000))
    skills = fields.List(Skill(), load_default=list, validate=validate.Length(max=20))
    budget = Amount(required=True)
    currency = CurrencyCode(required=True)
    deadline = Deadline(load_default=None)
    record_schema = RecordSchema(load_default=None)
    min_accuracy_bps = Quality(load_default=None)


class JobUpdateSchema(Schema):
    title = Trimmed(validate=validate.Length(min=3, max=200))
    description = Trimmed(validate=validate.Length(min=1, max=20000))
    skills = fields.List(Skill(), validate=validate.Length(max=20))
    budget = Amount()
    currency = CurrencyCode()
    deadline = Deadline()
    record_schema = RecordSchema()
    min_accuracy_bps = Quality()


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
    record_schema = fields.Nested(
        RecordSchemaSchema,
        data_key="schema",
        allow_none=True,
        metadata={"description": "The record schema deliveries follow, normalised; or null."},
    )
    quality = fields.Nested(QualitySchema, allow_none=True)
    created_at = fields.DateTime()


def job_item(row, skills: list[str]) -> dict:
    """A job of a list as JobSchema dumps it, straight from a row of the list statement.

    Lists are read far more than anything else, and dumping each field of each item
    through marshmallow cost more than the database did. tests/api/test_jobs.py checks
    that every list item equals the job's JobSchema JSON. Columns are read by key from
    the row's mapping: reading them as attributes makes Python raise and format an
    AttributeError for each before SQLAlchemy's fallback finds it.
    """
    values = row._mapping
    deadline = values["deadline"]
    bps = values["min_accuracy_bps"]
    return {
        "id": values["id"],
        "title": values["title"],
        "description": values["description"],
        "skills": skills,
        "budget": values["budget"],
        "currency": values["currency"],
        "status": values["status"],
        "client": {
            "id": values["client_id"],
            "name": values["client_name"],
            "country": values["client_country"],
        },
        "bid_count": values["bid_count"],
        "deadline": None if deadline is None else deadline.isoformat(),
        "schema": values["record_schema"],
        "quality": None if bps is None else {"min_accuracy": accuracy(bps)},
        "created_at": values["created_at"].isoformat(),
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
