from typing import Literal

GetApiV1JobsSort = Literal["budget_desc", "newest", "relevance"]

GET_API_V1_JOBS_SORT_VALUES: set[GetApiV1JobsSort] = {
    "budget_desc",
    "newest",
    "relevance",
}


def check_get_api_v1_jobs_sort(value: str) -> GetApiV1JobsSort:
    if value in GET_API_V1_JOBS_SORT_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {GET_API_V1_JOBS_SORT_VALUES!r}")
