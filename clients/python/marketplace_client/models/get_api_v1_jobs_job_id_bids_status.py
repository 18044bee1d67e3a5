from typing import Literal

GetApiV1JobsJobIdBidsStatus = Literal["accepted", "declined", "pending", "withdrawn"]

GET_API_V1_JOBS_JOB_ID_BIDS_STATUS_VALUES: set[GetApiV1JobsJobIdBidsStatus] = {
    "accepted",
    "declined",
    "pending",
    "withdrawn",
}


def check_get_api_v1_jobs_job_id_bids_status(value: str) -> GetApiV1JobsJobIdBidsStatus:
    if value in GET_API_V1_JOBS_JOB_ID_BIDS_STATUS_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {GET_API_V1_JOBS_JOB_ID_BIDS_STATUS_VALUES!r}")
