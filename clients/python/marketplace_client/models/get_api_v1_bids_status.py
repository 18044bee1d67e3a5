from typing import Literal

GetApiV1BidsStatus = Literal["accepted", "declined", "pending", "withdrawn"]

GET_API_V1_BIDS_STATUS_VALUES: set[GetApiV1BidsStatus] = {
    "accepted",
    "declined",
    "pending",
    "withdrawn",
}


def check_get_api_v1_bids_status(value: str) -> GetApiV1BidsStatus:
    if value in GET_API_V1_BIDS_STATUS_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {GET_API_V1_BIDS_STATUS_VALUES!r}")
