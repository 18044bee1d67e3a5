from typing import Literal

WebhookEndpointCreateEventsItem = Literal[
    "*",
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

WEBHOOK_ENDPOINT_CREATE_EVENTS_ITEM_VALUES: set[WebhookEndpointCreateEventsItem] = {
    "*",
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


def check_webhook_endpoint_create_events_item(value: str) -> WebhookEndpointCreateEventsItem:
    if value in WEBHOOK_ENDPOINT_CREATE_EVENTS_ITEM_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {WEBHOOK_ENDPOINT_CREATE_EVENTS_ITEM_VALUES!r}")
