"""Every resource's states and the transitions between them, in one table each.

The services ask these tables before changing a status, the tests read them to try
every illegal action, and nothing else decides what may follow what. Any action not
in a table, from any state, is an InvalidTransition (409) that changes nothing.
"""

import enum
from collections.abc import Mapping

from marketplace.errors import InvalidTransition


class JobStatus(enum.StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CLOSED = "closed"


class BidStatus(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


class ContractStatus(enum.StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class MilestoneStatus(enum.StrEnum):
    PENDING = "pending"
    FUNDING = "funding"
    FUNDED = "funded"
    SUBMITTED = "submitted"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"
    PARTIALLY_APPROVED = "partially_approved"
    DISPUTED = "disputed"
    RESOLVED = "resolved"
    CANCELLED = "cancelled"


class JobAction(enum.StrEnum):
    EDIT = "edit"
    CLOSE = "close"
    ACCEPT_BID = "accept_bid"
    COMPLETE = "complete"
    CANCEL_CONTRACT = "cancel_contract"


class BidAction(enum.StrEnum):
    EDIT = "edit"
    WITHDRAW = "withdraw"
    DECLINE = "decline"
    ACCEPT = "accept"


class ContractAction(enum.StrEnum):
    ADD_MILESTONE = "add_milestone"
    COMPLETE = "complete"
    CANCEL = "cancel"
    REVIEW = "review"


Table = Mapping[tuple[str, str], str]

J, B, C, M = JobStatus, BidStatus, ContractStatus, MilestoneStatus

JA, BA, CA = JobAction, BidAction, ContractAction

JOB: Table = {
    (J.OPEN, JA.EDIT): J.OPEN,
    (J.OPEN, JA.CLOSE): J.CLOSED,
    (J.OPEN, JA.ACCEPT_BID): J.IN_PROGRESS,
    (J.IN_PROGRESS, JA.COMPLETE): J.COMPLETED,
    (J.IN_PROGRESS, JA.CANCEL_CONTRACT): J.CLOSED,
}

BID: Table = {
    (B.PENDING, BA.EDIT): B.PENDING,
    (B.PENDING, BA.WITHDRAW): B.WITHDRAWN,
    (B.PENDING, BA.DECLINE): B.DECLINED,
    (B.PENDING, BA.ACCEPT): B.ACCEPTED,
}

CONTRACT: Table = {
    (C.ACTIVE, CA.ADD_MILESTONE): C.ACTIVE,
    (C.ACTIVE, CA.COMPLETE): C.COMPLETED,
    (C.ACTIVE, CA.CANCEL): C.CANCELLED,
    (C.COMPLETED, CA.REVIEW): C.COMPLETED,
}

# A contract can be cancelled only while none of its milestones holds money.
MONEY_HELD = frozenset(
    {M.FUNDING, M.FUNDED, M.SUBMITTED, M.CHANGES_REQUESTED, M.PARTIALLY_APPROVED, M.DISPUTED}
)
# A contract can be completed only when every milestone is in one of these.
SETTLED = frozenset({M.APPROVED, M.CANCELLED, M.RESOLVED})


# How an action reads in "Cannot ... a milestone", where its name alone does not.
ACTION_PHRASES = {
    "accept_bid": "accept a bid on",
    "cancel_contract": "cancel the contract of",
    "add_milestone": "add a milestone to",
    "request_changes": "request changes on",
    "start_funding": "fund",
    "funding_succeeded": "complete the funding of",
    "funding_failed": "fail the funding of",
    "auto_release": "auto-release",
    "dispute": "open a dispute on",
    "approve_with_rejections": "approve with rejected rows",
    "accept_rejection": "accept the rejection of rows of",
    "refund_held": "refund the held money of",
    "dispute_rejection": "dispute the rejected rows of",
}


def next_status(table: Table, current: str, action: str, what: str = "resource") -> str:
    """The status `action` leads to from `current`, or InvalidTransition."""
    # A table's actions are members of one enum: any other name is a bug, and fails
    # loudly rather than reaching a user as a 409.
    typed = type(next(iter(table))[1])
    if issubclass(typed, enum.Enum) and not isinstance(action, typed):
        raise TypeError(f"{action!r} is not a {typed.__name__}")
    try:
        return table[(current, action)]
    except KeyError:
        raise InvalidTransition(_refusal(table, current, action, what)) from None


def _refusal(table: Table, current: str, action: str, what: str) -> str:
    """E.g. "Cannot approve a milestone whose status is funded (only when submitted)."."""
    phrase = ACTION_PHRASES.get(action, action.replace("_", " "))
    allowed = [str(status) for (status, name) in table if name == action]
    when = ""
    if allowed:
        listed = allowed[0] if len(allowed) == 1 else f"{', '.join(allowed[:-1])} or {allowed[-1]}"
        when = f" (only when {listed})"
    return f"Cannot {phrase} a {what} whose status is {current}{when}."
