from typing import Literal

ContractStatus = Literal["active", "cancelled", "completed"]

CONTRACT_STATUS_VALUES: set[ContractStatus] = {
    "active",
    "cancelled",
    "completed",
}


def check_contract_status(value: str) -> ContractStatus:
    if value in CONTRACT_STATUS_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {CONTRACT_STATUS_VALUES!r}")
