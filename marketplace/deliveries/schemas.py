"""The JSON shapes of record schemas (as a client sends them and as the marketplace shows
them) and of deliveries: records sent, the check's report, records read back."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from flask import has_request_context
from flask_login import current_user
from marshmallow import Schema, ValidationError, fields, pre_dump, validate

from marketplace.deliveries import gold
from marketplace.deliveries.checks import Code
from marketplace.deliveries.record_schema import (
    CONSTRAINT_KEYS,
    MAX_FIELDS,
    MAX_NAME,
    TYPES,
    DescriptorError,
    normalise_descriptor,
)
from marketplace.json_stream import StreamedArray
from marketplace.pagination import PageArgsSchema
from marketplace.spec import SOMETIMES

SOMETIMES_SENT = {SOMETIMES: True}


class RecordConstraintsSchema(Schema):
    required = fields.Boolean(metadata=SOMETIMES_SENT)
    unique = fields.Boolean(metadata=SOMETIMES_SENT)
    pattern = fields.String(
        metadata={
            **SOMETIMES_SENT,
            "description": "String fields: RE2 syntax, matched against the whole value, "
            "in linear time (no backreferences or lookaround).",
        }
    )
    enum = fields.List(
        fields.Raw(),
        metadata={**SOMETIMES_SENT, "description": "Values of the field's type (1 to 1,000)."},
    )
    minimum = fields.Raw(
        metadata={
            **SOMETIMES_SENT,
            "description": "integer, number, date, datetime fields: a value of the field's "
            "type (dates as strings in the field's format).",
        }
    )
    maximum = fields.Raw(metadata={**SOMETIMES_SENT, "description": "As `minimum`."})
    minLength = fields.Integer(metadata={**SOMETIMES_SENT, "description": "String fields."})
    maxLength = fields.Integer(metadata={**SOMETIMES_SENT, "description": "String fields."})


class RecordFieldSchema(Schema):
    name = fields.String(metadata={"description": "The column name deliveries use."})
    type = fields.String(metadata={"enum": list(TYPES)})
    title = fields.String(metadata=SOMETIMES_SENT)
    description = fields.String(metadata=SOMETIMES_SENT)
    format = fields.String(
        metadata={
            **SOMETIMES_SENT,
            "description": "string: `email` or `uri`; date: a strptime pattern such as "
            "`%d/%m/%Y` (else ISO `YYYY-MM-DD`); datetime: a strptime pattern naming day, "
            "month, year, hour and minute, read as UTC (else ISO 8601, no offset meaning "
            "UTC). Left out when `default`.",
        }
    )
    constraints = fields.Nested(RecordConstraintsSchema, metadata=SOMETIMES_SENT)


class RecordSchemaSchema(Schema):
    fields_ = fields.List(fields.Nested(RecordFieldSchema), attribute="fields", data_key="fields")
    primaryKey = fields.String(
        metadata={**SOMETIMES_SENT, "description": "The key field's name (always a string)."}
    )


class RecordConstraintsInputSchema(RecordConstraintsSchema):
    pass


class RecordFieldInputSchema(RecordFieldSchema):
    name = fields.String(
        required=True,
        validate=validate.Length(min=1, max=MAX_NAME),
        metadata={"description": "Unique; no leading or trailing spaces."},
    )
    type = fields.String(required=True, metadata={"enum": list(TYPES)})
    format = fields.String(
        metadata={
            "description": "string: `default`, `email`, `uri`; date: `default` (ISO "
            "`YYYY-MM-DD`) or a strptime pattern naming day, month and year (`%d/%m/%Y`); "
            "datetime: `default` (ISO 8601 `YYYY-MM-DDTHH:MM:SS`, optional fraction, `Z` or "
            "an offset, none meaning UTC) or a strptime pattern naming day, month, year, "
            "hour and minute (`%d/%m/%Y %H:%M`, read as UTC); other types: `default`."
        }
    )
    constraints = fields.Nested(
        RecordConstraintsInputSchema,
        metadata={"description": f"Any of {', '.join(CONSTRAINT_KEYS)}, as the type allows."},
    )


class RecordSchemaInputSchema(RecordSchemaSchema):
    fields_ = fields.List(
        fields.Nested(RecordFieldInputSchema),
        attribute="fields",
        data_key="fields",
        required=True,
        validate=validate.Length(min=1, max=MAX_FIELDS),
    )
    primaryKey = fields.Raw(  # type: ignore[assignment]  # in: a name or a list of one
        metadata={"description": "A field's name, or a list of exactly one field name."}
    )


class RecordSchemaField(fields.Nested):
    """A record schema in, as record_schema.normalise_descriptor takes and returns it.

    Documented as its input schema; checked by normalise_descriptor, whose problems are
    named by their place (`schema.fields.2.type`).
    """

    def __init__(self, **kwargs):
        super().__init__(RecordSchemaInputSchema, **kwargs)

    def _deserialize(self, value, attr, data, partial=None, **kwargs):
        try:
            return normalise_descriptor(value)
        except DescriptorError as refused:
            if "" in refused.errors:
                raise ValidationError(refused.errors[""]) from None
            raise ValidationError(refused.errors) from None


# -- deliveries: records sent, the check's report, records read back ----------------------

MAX_RECORDS_PAGE = 1000
DEFAULT_RECORDS_PAGE = 100


class Records(fields.Field):
    """A list of records, each a JSON object keyed by field names: its values are read
    by the delivery's check, not here (50,000 records must not cost a field each)."""

    def _deserialize(self, value, attr, data, **kwargs):
        # A delivery's body leaves its records to be read as they are checked.
        if isinstance(value, StreamedArray):
            objects = value.objects
        else:
            objects = isinstance(value, list) and all(isinstance(item, dict) for item in value)
        if not objects:
            raise ValidationError("A list of records, each a JSON object of field names.")
        return value

    def _jsonschema_type_mapping(self):
        return {"type": "array", "items": {"type": "object"}}


class DeliveryUploadSchema(Schema):
    """A delivery of records as a file (multipart/form-data)."""

    file = fields.Raw(
        required=True,
        metadata={
            "type": "string",
            "format": "binary",
            "description": "CSV (UTF-8, with or without a BOM) or XLSX (its first sheet), told "
            "apart by their bytes; a header row naming the schema's fields, in any order.",
        },
    )
    note = fields.String(metadata={"description": "Optional, 1 to 10,000 characters."})


class ReportErrorSchema(Schema):
    row = fields.Integer(
        allow_none=True,
        metadata={
            "description": "The data row, counted from 1 below the header (as a spreadsheet "
            "shows it, less one); null for an error about the whole delivery."
        },
    )
    field = fields.String(
        allow_none=True,
        metadata={"description": "The field (column) concerned; null when not one field."},
    )
    code = fields.String(metadata={"enum": [code.value for code in Code]})
    message = fields.String()


class GoldDifferenceSchema(Schema):
    row = fields.Integer(metadata={"description": "The delivery's row (data rows from 1)."})
    field = fields.String()
    expected = fields.Raw(
        allow_none=True,
        metadata={
            "description": "The gold record's value, typed as the schema says (dates as ISO "
            "text; text over 100 characters cut, ending with `…`)."
        },
    )
    delivered = fields.Raw(allow_none=True, metadata={"description": "The delivery's, alike."})


class GoldReportSchema(Schema):
    rows = fields.Integer(
        metadata={
            **SOMETIMES_SENT,
            "description": "Client and admins only: the delivered rows whose key is a gold "
            "record's.",
        }
    )
    fields_ = fields.Integer(
        data_key="fields",
        attribute="fields",
        metadata={
            **SOMETIMES_SENT,
            "description": "Client and admins only: the fields compared (each field but the "
            "key, in each of those rows).",
        },
    )
    correct = fields.Integer(
        metadata={
            **SOMETIMES_SENT,
            "description": "Client and admins only: the fields compared that matched, text "
            "trimmed and with inner whitespace collapsed, numbers as numbers, dates as "
            "dates; an empty gold value expects an empty one.",
        }
    )
    accuracy = fields.Float(
        metadata={
            "description": "correct / fields, half up: to 4 decimals for the client and "
            "admins, to 2 for the freelancer."
        }
    )
    differences = fields.List(
        fields.Nested(GoldDifferenceSchema),
        metadata={
            **SOMETIMES_SENT,
            "description": "Client and admins only: the first 100 fields that differed, "
            "in row order.",
        },
    )


class ReportSchema(Schema):
    rows = fields.Integer(
        metadata={"description": "Data rows in the delivery (blank rows left out)."}
    )
    valid = fields.Integer(metadata={"description": "Rows without any error."})
    error_count = fields.Integer(metadata={"description": "Every error found."})
    errors = fields.List(
        fields.Nested(ReportErrorSchema),
        metadata={
            "description": "The first 100 errors: those about the whole delivery first, "
            "then rows in order."
        },
    )
    gold = fields.Nested(
        GoldReportSchema,
        allow_none=True,
        metadata={
            "description": "Accuracy on the job's gold records (known answers), measured "
            "only on a delivery without errors; null when none of their keys was "
            "delivered. The contract's client and admins see the counts and the "
            "differences; the freelancer only `accuracy`, to two decimals."
        },
    )
    passed = fields.Boolean(
        metadata={
            "description": "No errors and, when the contract has a `min_accuracy` and "
            "`gold` is not null, an exact accuracy at least that."
        }
    )

    @pre_dump
    def _for_the_reader(self, report: dict, **kwargs) -> dict:
        # Stored in full; cut to what the caller may see whenever it is shown.
        return gold.shaped(report, full=_reader_sees_gold())


# The role a report is shown to when it is shaped for someone other than the caller
# (an event written for each of its recipients).
_reader_role: ContextVar[str | None] = ContextVar("report_reader_role", default=None)


@contextmanager
def reading_as(role: str) -> Iterator[None]:
    """Shape reports dumped inside for a reader of `role`, whoever the caller is."""
    token = _reader_role.set(role)
    try:
        yield
    finally:
        _reader_role.reset(token)


def _reader_sees_gold() -> bool:
    """Whether the reader may see a report's comparison in full: the role it is shaped for,
    else the signed-in caller (outside a request, or for anyone but a client or an
    admin: no)."""
    role = _reader_role.get()
    if role is not None:
        return gold.sees_gold(role)
    if not has_request_context() or not current_user.is_authenticated:
        return False
    return gold.sees_gold(current_user.role)


class DeliveryProblemSchema(Schema):
    """A delivery refused by its check: a problem with the check's report."""

    type = fields.String()
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={
            "sometimes": True,
            "description": "Field errors, when the request itself was invalid.",
        },
    )
    report = fields.Nested(
        ReportSchema,
        metadata={
            SOMETIMES: True,
            "description": "The check's report (`/problems/delivery-refused`); nothing was "
            "stored and the milestone is unchanged.",
        },
    )


class DeliveredRecordSchema(Schema):
    row = fields.Integer()
    values = fields.Dict(
        keys=fields.String(),
        values=fields.Raw(allow_none=True),
        metadata={
            "description": "Field name to value, typed as the schema says (dates as ISO text)."
        },
    )
    rejected = fields.String(
        allow_none=True,
        metadata={"description": "Why the client rejected this row; null when not rejected."},
    )


class RecordsQueryArgsSchema(PageArgsSchema):
    format = fields.String(load_default="csv", validate=validate.OneOf(["csv", "json"]))
    limit = fields.Integer(
        load_default=None,
        validate=validate.Range(min=1, max=MAX_RECORDS_PAGE),
        metadata={
            "description": f"format=json only: records per page (default {DEFAULT_RECORDS_PAGE})."
        },
    )


# -- gold records ---------------------------------------------------------------------------

RECORDS_ARRAY = {"type": "array", "items": {"type": "object"}}


class GoldRecordsSchema(Schema):
    """A gold set sent as JSON (or send it as CSV: see the request body)."""

    records = Records(
        metadata={
            **RECORDS_ARRAY,
            "description": "Required in a JSON body: the gold records, each a JSON object "
            "keyed by the schema's field names, checked as a delivery's records are "
            "(at most `MAX_RECORDS_PER_DELIVERY`).",
        }
    )


class GoldSummarySchema(Schema):
    rows = fields.Integer(metadata={"description": "Gold records now held: the set sent."})
    fields_ = fields.Integer(
        data_key="fields",
        attribute="fields",
        metadata={"description": "Fields of the job's record schema."},
    )


class GoldSetSchema(Schema):
    rows = fields.Integer(metadata={"description": "Gold records held."})
    records = Records(
        metadata={
            **RECORDS_ARRAY,
            "description": "The gold records in the order they were sent, each keyed by "
            "the schema's field names, values typed as the schema says (dates as ISO text, "
            "as the JSON records of a delivery).",
        }
    )


class GoldProblemSchema(Schema):
    """A gold set refused: the job cannot have one, or its rows failed their check."""

    type = fields.String()
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={
            "sometimes": True,
            "description": "Field errors, when the request itself was invalid.",
        },
    )
    report = fields.Nested(
        ReportSchema,
        metadata={
            SOMETIMES: True,
            "description": "The check's report, as a delivery's (`/problems/gold-refused` "
            "for rows that failed); absent when the job's schema cannot have gold records "
            "(no primaryKey, or no field besides it). The gold set is unchanged.",
        },
    )
