from typing import Literal

EventType = Literal[
    "account.reinstated",
    "account.suspended",
    "bid.accepted",
    "bid.created",
    "bid.declined",
    "contract.cancelled",
    "contract.completed",
    "contract.created",
    "dispute.message",
    "dispute.opened",
    "dispute.resolved",
    "endpoint.disabled",
    "message.created",
    "milestone.approved",
    "milestone.changes_requested",
    "milestone.funded",
    "milestone.partially_approved",
    "milestone.refunded",
    "milestone.resolved",
    "milestone.submitted",
    "payout.paid",
    "review.created",
]

EVENT_TYPE_VALUES: set[EventType] = {
    "account.reinstated",
    "account.suspended",
    "bid.accepted",
    "bid.created",
    "bid.declined",
    "contract.cancelled",
    "contract.completed",
    "contract.created",
    "dispute.message",
    "dispute.opened",
    "dispute.resolved",
    "endpoint.disabled",
    "message.created",
    "milestone.approved",
    "milestone.changes_requested",
    "milestone.funded",
    "milestone.partially_approved",
    "milestone.refunded",
    "milestone.resolved",
    "milestone.submitted",
    "payout.paid",
    "review.created",
}


def check_event_type(value: str) -> EventType:
    if value in EVENT_TYPE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {EVENT_TYPE_VALUES!r}")
