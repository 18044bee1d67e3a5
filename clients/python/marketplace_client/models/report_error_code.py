from typing import Literal

ReportErrorCode = Literal[
    "constraint",
    "empty",
    "missing_column",
    "required",
    "too_many_rows",
    "type",
    "unique",
    "unknown_column",
    "unreadable",
]

REPORT_ERROR_CODE_VALUES: set[ReportErrorCode] = {
    "constraint",
    "empty",
    "missing_column",
    "required",
    "too_many_rows",
    "type",
    "unique",
    "unknown_column",
    "unreadable",
}


def check_report_error_code(value: str) -> ReportErrorCode:
    if value in REPORT_ERROR_CODE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {REPORT_ERROR_CODE_VALUES!r}")
