from typing import Literal

GetApiV1ContractsStatus = Literal["active", "cancelled", "completed"]

GET_API_V1_CONTRACTS_STATUS_VALUES: set[GetApiV1ContractsStatus] = {
    "active",
    "cancelled",
    "completed",
}


def check_get_api_v1_contracts_status(value: str) -> GetApiV1ContractsStatus:
    if value in GET_API_V1_CONTRACTS_STATUS_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {GET_API_V1_CONTRACTS_STATUS_VALUES!r}")
