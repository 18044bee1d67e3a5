"""A milestone's state table: the only place that says which action may follow which.

Every status change of a milestone goes through it (next_status), from the actions in
milestones/service.py and the handlers other packages register with the engine (a
dispute's opening and ruling), and the tests read it to try every illegal action.
"""

import enum

from marketplace.states import MilestoneStatus as M
from marketplace.states import Table


class MilestoneAction(enum.StrEnum):
    """What may happen to a milestone: the only names its state table takes."""

    FUND = "fund"
    START_FUNDING = "start_funding"
    FUNDING_SUCCEEDED = "funding_succeeded"
    FUNDING_FAILED = "funding_failed"
    CANCEL_FUNDING = "cancel_funding"
    EXPIRE_FUNDING = "expire_funding"
    CANCEL = "cancel"
    SUBMIT = "submit"
    APPROVE = "approve"
    APPROVE_WITH_REJECTIONS = "approve_with_rejections"
    ACCEPT_REJECTION = "accept_rejection"
    REFUND_HELD = "refund_held"
    DISPUTE_REJECTION = "dispute_rejection"
    AUTO_RELEASE = "auto_release"
    REQUEST_CHANGES = "request_changes"
    REFUND = "refund"
    DISPUTE = "dispute"
    RESOLVE = "resolve"
    CHARGEBACK_LOST = "chargeback_lost"


MA = MilestoneAction

MILESTONE: Table = {
    (M.PENDING, MA.FUND): M.FUNDED,
    (M.PENDING, MA.START_FUNDING): M.FUNDING,
    (M.FUNDING, MA.FUNDING_SUCCEEDED): M.FUNDED,
    (M.FUNDING, MA.FUNDING_FAILED): M.PENDING,
    (M.FUNDING, MA.CANCEL_FUNDING): M.PENDING,
    (M.FUNDING, MA.EXPIRE_FUNDING): M.PENDING,
    (M.PENDING, MA.CANCEL): M.CANCELLED,
    (M.FUNDED, MA.SUBMIT): M.SUBMITTED,
    (M.CHANGES_REQUESTED, MA.SUBMIT): M.SUBMITTED,
    (M.SUBMITTED, MA.APPROVE): M.APPROVED,
    # Rejected rows' money held until the freelancer accepts, the period ends, or a ruling.
    (M.SUBMITTED, MA.APPROVE_WITH_REJECTIONS): M.PARTIALLY_APPROVED,
    (M.PARTIALLY_APPROVED, MA.ACCEPT_REJECTION): M.APPROVED,
    (M.PARTIALLY_APPROVED, MA.REFUND_HELD): M.APPROVED,
    # Only the freelancer disputes a rejection: the client has had its say.
    (M.PARTIALLY_APPROVED, MA.DISPUTE_REJECTION): M.DISPUTED,
    (M.SUBMITTED, MA.AUTO_RELEASE): M.APPROVED,
    (M.SUBMITTED, MA.REQUEST_CHANGES): M.CHANGES_REQUESTED,
    (M.FUNDED, MA.REFUND): M.CANCELLED,
    (M.SUBMITTED, MA.REFUND): M.CANCELLED,
    (M.CHANGES_REQUESTED, MA.REFUND): M.CANCELLED,
    (M.FUNDED, MA.DISPUTE): M.DISPUTED,
    (M.SUBMITTED, MA.DISPUTE): M.DISPUTED,
    (M.CHANGES_REQUESTED, MA.DISPUTE): M.DISPUTED,
    (M.DISPUTED, MA.RESOLVE): M.RESOLVED,
    # The cardholder won a chargeback on money still held: nothing is left to rule on.
    (M.DISPUTED, MA.CHARGEBACK_LOST): M.RESOLVED,
}
