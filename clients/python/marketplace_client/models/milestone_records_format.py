from typing import Literal

MilestoneRecordsFormat = Literal["csv", "json"]

MILESTONE_RECORDS_FORMAT_VALUES: set[MilestoneRecordsFormat] = {
    "csv",
    "json",
}


def check_milestone_records_format(value: str) -> MilestoneRecordsFormat:
    if value in MILESTONE_RECORDS_FORMAT_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {MILESTONE_RECORDS_FORMAT_VALUES!r}")
