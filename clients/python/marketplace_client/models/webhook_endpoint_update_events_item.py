from typing import Literal

WebhookEndpointUpdateEventsItem = Literal[
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

WEBHOOK_ENDPOINT_UPDATE_EVENTS_ITEM_VALUES: set[WebhookEndpointUpdateEventsItem] = {
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


def check_webhook_endpoint_update_events_item(value: str) -> WebhookEndpointUpdateEventsItem:
    if value in WEBHOOK_ENDPOINT_UPDATE_EVENTS_ITEM_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {WEBHOOK_ENDPOINT_UPDATE_EVENTS_ITEM_VALUES!r}")
