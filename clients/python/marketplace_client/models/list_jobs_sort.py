from typing import Literal

ListJobsSort = Literal["budget_desc", "newest", "relevance"]

LIST_JOBS_SORT_VALUES: set[ListJobsSort] = {
    "budget_desc",
    "newest",
    "relevance",
}


def check_list_jobs_sort(value: str) -> ListJobsSort:
    if value in LIST_JOBS_SORT_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {LIST_JOBS_SORT_VALUES!r}")
