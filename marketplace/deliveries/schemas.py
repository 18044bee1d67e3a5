"""The JSON shapes of deliveries: records sent, the check's report, records read back."""

from marshmallow import Schema, ValidationError, fields, validate

from marketplace.deliveries.checks import Code
from marketplace.pagination import PageArgsSchema

MAX_RECORDS_PAGE = 1000
DEFAULT_RECORDS_PAGE = 100


class Records(fields.Field):
    """A list of records, each a JSON object keyed by field names: its values are read
    by the delivery's check, not here (50,000 records must not cost a field each)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
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
    gold = fields.Dict(
        allow_none=True,
        metadata={"description": "Accuracy on the job's gold records: null (none compared)."},
    )
    passed = fields.Boolean()


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
            "sometimes": True,
            "description": "The check's report (`/problems/delivery-refused`); nothing was "
            "stored and the milestone is unchanged.",
        },
    )


class RecordSchema(Schema):
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
