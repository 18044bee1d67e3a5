"""The event types, and who hears of each (API.md, Events and webhooks)."""

# Each type goes to the users it concerns, and a copy shaped for admins to every admin.
EVENT_TYPES = (
    "bid.created",  # to the job's client
    "bid.accepted",  # to the bidder
    "bid.declined",  # to the bidder
    "contract.created",  # to both parties (so do contract.*, milestone.*, dispute.*)
    "contract.completed",
    "contract.cancelled",
    "milestone.funded",
    "milestone.submitted",
    "milestone.changes_requested",
    "milestone.approved",  # also when held money is refunded after a partial approval
    "milestone.partially_approved",
    "milestone.refunded",
    "milestone.resolved",
    "dispute.opened",
    "dispute.message",
    "dispute.resolved",
    "message.created",  # to both parties of the contract
    "payout.paid",  # to the freelancer paid
    "review.created",  # to both parties of the contract
    "account.suspended",  # to the user
    "account.reinstated",  # to the user
    "endpoint.disabled",  # to the endpoint's owner
)

# Sent only to the endpoint being tested; never in the feed.
PING = "ping"
