from typing import Literal

ListJobBidsStatus = Literal["accepted", "declined", "pending", "withdrawn"]

LIST_JOB_BIDS_STATUS_VALUES: set[ListJobBidsStatus] = {
    "accepted",
    "declined",
    "pending",
    "withdrawn",
}


def check_list_job_bids_status(value: str) -> ListJobBidsStatus:
    if value in LIST_JOB_BIDS_STATUS_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {LIST_JOB_BIDS_STATUS_VALUES!r}")
