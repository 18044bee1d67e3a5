"""The JSON shapes of a record schema: as a client sends it, and as the marketplace shows it."""

from marshmallow import Schema, ValidationError, fields, validate

from marketplace.deliveries.record_schema import (
    CONSTRAINT_KEYS,
    MAX_FIELDS,
    MAX_NAME,
    TYPES,
    DescriptorError,
    normalise_descriptor,
)
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
