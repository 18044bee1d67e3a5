from typing import Literal

ListJobsStatus = Literal["closed", "completed", "in_progress", "open"]

LIST_JOBS_STATUS_VALUES: set[ListJobsStatus] = {
    "closed",
    "completed",
    "in_progress",
    "open",
}


def check_list_jobs_status(value: str) -> ListJobsStatus:
    if value in LIST_JOBS_STATUS_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {LIST_JOBS_STATUS_VALUES!r}")
