from typing import Literal

ListMyBidsStatus = Literal["accepted", "declined", "pending", "withdrawn"]

LIST_MY_BIDS_STATUS_VALUES: set[ListMyBidsStatus] = {
    "accepted",
    "declined",
    "pending",
    "withdrawn",
}


def check_list_my_bids_status(value: str) -> ListMyBidsStatus:
    if value in LIST_MY_BIDS_STATUS_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {LIST_MY_BIDS_STATUS_VALUES!r}")
