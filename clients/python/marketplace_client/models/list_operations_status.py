from typing import Literal

ListOperationsStatus = Literal["failed", "pending", "settled"]

LIST_OPERATIONS_STATUS_VALUES: set[ListOperationsStatus] = {
    "failed",
    "pending",
    "settled",
}


def check_list_operations_status(value: str) -> ListOperationsStatus:
    if value in LIST_OPERATIONS_STATUS_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {LIST_OPERATIONS_STATUS_VALUES!r}")
