from typing import Literal

GetApiV1DisputesStatus = Literal["open", "resolved"]

GET_API_V1_DISPUTES_STATUS_VALUES: set[GetApiV1DisputesStatus] = {
    "open",
    "resolved",
}


def check_get_api_v1_disputes_status(value: str) -> GetApiV1DisputesStatus:
    if value in GET_API_V1_DISPUTES_STATUS_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {GET_API_V1_DISPUTES_STATUS_VALUES!r}")
