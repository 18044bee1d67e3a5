from typing import Literal

MilestoneStatus = Literal[
    "approved",
    "cancelled",
    "changes_requested",
    "disputed",
    "funded",
    "funding",
    "partially_approved",
    "pending",
    "resolved",
    "submitted",
]

MILESTONE_STATUS_VALUES: set[MilestoneStatus] = {
    "approved",
    "cancelled",
    "changes_requested",
    "disputed",
    "funded",
    "funding",
    "partially_approved",
    "pending",
    "resolved",
    "submitted",
}


def check_milestone_status(value: str) -> MilestoneStatus:
    if value in MILESTONE_STATUS_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {MILESTONE_STATUS_VALUES!r}")
