from typing import Literal

ListContractsStatus = Literal["active", "cancelled", "completed"]

LIST_CONTRACTS_STATUS_VALUES: set[ListContractsStatus] = {
    "active",
    "cancelled",
    "completed",
}


def check_list_contracts_status(value: str) -> ListContractsStatus:
    if value in LIST_CONTRACTS_STATUS_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {LIST_CONTRACTS_STATUS_VALUES!r}")
