from typing import Literal

OperationStatus = Literal["failed", "pending", "settled"]

OPERATION_STATUS_VALUES: set[OperationStatus] = {
    "failed",
    "pending",
    "settled",
}


def check_operation_status(value: str) -> OperationStatus:
    if value in OPERATION_STATUS_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {OPERATION_STATUS_VALUES!r}")
