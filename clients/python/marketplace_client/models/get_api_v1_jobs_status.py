from typing import Literal

GetApiV1JobsStatus = Literal["closed", "completed", "in_progress", "open"]

GET_API_V1_JOBS_STATUS_VALUES: set[GetApiV1JobsStatus] = {
    "closed",
    "completed",
    "in_progress",
    "open",
}


def check_get_api_v1_jobs_status(value: str) -> GetApiV1JobsStatus:
    if value in GET_API_V1_JOBS_STATUS_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {GET_API_V1_JOBS_STATUS_VALUES!r}")
