"""Use cases of disputes: open, discuss, list, and an admin's split resolution."""

from sqlalchemy import or_, select

from marketplace import audit
from marketplace.accounts.models import User
from marketplace.contracts import service as contracts
from marketplace.contracts.models import Contract, Milestone
from marketplace.database import utcnow
from marketplace.disputes import policy
from marketplace.disputes.models import Dispute, DisputeMessage, DisputeStatus
from marketplace.errors import Conflict, Forbidden, NotFound, ValidationFailed
from marketplace.extensions import db
from marketplace.lookup import one_or_404
from marketplace.money import format_amount
from marketplace.pagination import SortKey, paginate
from marketplace.payments import operations
from marketplace.payments import service as payments
from marketplace.states import MILESTONE, next_status

NEWEST_FIRST = (SortKey(Dispute.created_at), SortKey(Dispute.id))
OLDEST_FIRST = (SortKey(Dispute.created_at, False), SortKey(Dispute.id, False))


def open_dispute(user: User, milestone_id: int, reason: str) -> Dispute:
    """Either party freezes a milestone's money for an admin to decide."""
    milestone, contract = contracts.get_milestone(user, milestone_id, lock=True)
    if contract.party_role(user.id) is None:
        raise Forbidden("Only the contract's parties open disputes.")
    milestone.status = next_status(MILESTONE, milestone.status, "dispute", "milestone")
    operations.ensure_settled(milestone.id)
    dispute = Dispute(
        milestone_id=milestone.id,
        contract_id=contract.id,
        opened_by_id=user.id,
        reason=reason,
        status=DisputeStatus.OPEN,
    )
    db.session.add(dispute)
    db.session.flush()
    audit.record(user.id, "dispute.opened", f"dispute:{dispute.id}", milestone_id=milestone.id)
    db.session.commit()
    return get_dispute_row(dispute.id)


def open_chargeback_dispute(milestone: Milestone, contract: Contract, reason: str) -> None:
    """A chargeback opens a dispute on the platform's behalf (in the caller's transaction)."""
    already = db.session.scalar(
        select(Dispute).where(
            Dispute.milestone_id == milestone.id, Dispute.status == DisputeStatus.OPEN
        )
    )
    if already is None:
        db.session.add(
            Dispute(
                milestone_id=milestone.id,
                contract_id=contract.id,
                opened_by_id=None,
                reason=reason,
                status=DisputeStatus.OPEN,
            )
        )


def get_dispute_row(dispute_id: int, *, lock: bool = False) -> Dispute:
    return one_or_404(
        select(Dispute).where(Dispute.id == dispute_id), Dispute, lock=lock, what="dispute"
    )


def get_dispute(user: User, dispute_id: int) -> Dispute:
    """A dispute its parties or an admin may see; to anyone else it does not exist."""
    dispute = get_dispute_row(dispute_id)
    if not policy.can_view_dispute(user, db.session.get(Contract, dispute.contract_id)):
        raise NotFound("No such dispute.")
    return dispute


def list_disputes(user: User, *, limit: int, cursor: str | None, status=None):
    """Admins: every dispute, oldest first (a work queue). Parties: their own, newest first."""
    stmt = select(Dispute)
    if user.is_admin:
        order = OLDEST_FIRST
    else:
        order = NEWEST_FIRST
        stmt = stmt.join(Contract, Contract.id == Dispute.contract_id).where(
            or_(Contract.client_id == user.id, Contract.freelancer_id == user.id)
        )
    if status:
        stmt = stmt.where(Dispute.status == status)
    return paginate(db.session, stmt, order, limit=limit, cursor=cursor)


def add_message(user: User, dispute_id: int, body: str) -> DisputeMessage:
    """Evidence or discussion from a party or an admin."""
    dispute = get_dispute(user, dispute_id)
    message = DisputeMessage(dispute_id=dispute.id, author_id=user.id, body=body)
    db.session.add(message)
    db.session.commit()
    return message


def resolve(user: User, dispute_id: int, freelancer_amount: int, note: str) -> Dispute:
    """An admin splits the milestone: part released to the freelancer, the rest refunded."""
    if not user.is_admin:
        raise Forbidden("Only admins resolve disputes.")
    dispute = get_dispute_row(dispute_id, lock=True)
    milestone = one_or_404(
        select(Milestone).where(Milestone.id == dispute.milestone_id),
        Milestone,
        lock=True,
        what="milestone",
    )
    if dispute.status != DisputeStatus.OPEN:
        raise Conflict("This dispute is resolved already.")
    if freelancer_amount > milestone.amount:
        raise ValidationFailed(
            {
                "freelancer_amount": [
                    f"At most the milestone's amount, {milestone.amount} "
                    f"({format_amount(milestone.amount, milestone.currency)})."
                ]
            }
        )
    contract = db.session.get(Contract, milestone.contract_id)
    client_amount = milestone.amount - freelancer_amount
    # Each half has its own idempotency key at the provider and its own journal entry: a
    # retry after one half went unanswered repeats it, and a different split is refused.
    with operations.guard():
        milestone.status = next_status(MILESTONE, milestone.status, "resolve", "milestone")
        if client_amount:
            payments.refund_escrow(milestone, contract, client_amount, actor_id=user.id)
        if freelancer_amount:
            payments.release_escrow(milestone, contract, freelancer_amount, actor_id=user.id)
    operations.ensure_settled(milestone.id)
    dispute.status = DisputeStatus.RESOLVED
    dispute.freelancer_amount, dispute.client_amount = freelancer_amount, client_amount
    dispute.resolution_note, dispute.resolved_by_id = note, user.id
    dispute.resolved_at = utcnow()
    audit.record(
        user.id,
        "dispute.resolved",
        f"dispute:{dispute.id}",
        milestone_id=milestone.id,
        freelancer_amount=freelancer_amount,
        client_amount=client_amount,
    )
    db.session.commit()
    return get_dispute_row(dispute.id)
