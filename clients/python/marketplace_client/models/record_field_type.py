from typing import Literal

RecordFieldType = Literal["boolean", "date", "datetime", "integer", "number", "string"]

RECORD_FIELD_TYPE_VALUES: set[RecordFieldType] = {
    "boolean",
    "date",
    "datetime",
    "integer",
    "number",
    "string",
}


def check_record_field_type(value: str) -> RecordFieldType:
    if value in RECORD_FIELD_TYPE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {RECORD_FIELD_TYPE_VALUES!r}")
