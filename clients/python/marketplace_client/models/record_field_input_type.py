from typing import Literal

RecordFieldInputType = Literal["boolean", "date", "datetime", "integer", "number", "string"]

RECORD_FIELD_INPUT_TYPE_VALUES: set[RecordFieldInputType] = {
    "boolean",
    "date",
    "datetime",
    "integer",
    "number",
    "string",
}


def check_record_field_input_type(value: str) -> RecordFieldInputType:
    if value in RECORD_FIELD_INPUT_TYPE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {RECORD_FIELD_INPUT_TYPE_VALUES!r}")
