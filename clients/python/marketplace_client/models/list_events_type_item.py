from typing import Literal

ListEventsTypeItem = Literal[
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

LIST_EVENTS_TYPE_ITEM_VALUES: set[ListEventsTypeItem] = {
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


def check_list_events_type_item(value: str) -> ListEventsTypeItem:
    if value in LIST_EVENTS_TYPE_ITEM_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {LIST_EVENTS_TYPE_ITEM_VALUES!r}")
