"""Use cases of disputes: open, discuss, list, and an admin's split resolution."""

from dataclasses import replace

from sqlalchemy import or_, select

from marketplace import audit
from marketplace.accounts.models import User
from marketplace.contracts import service as contracts
from marketplace.contracts.models import Contract, Milestone
from marketplace.contracts.outbox import contract_parties
from marketplace.database import utcnow
from marketplace.disputes import policy
from marketplace.disputes.models import Dispute, DisputeMessage, DisputeStatus
from marketplace.errors import Conflict, Forbidden, NotFound, ValidationFailed
from marketplace.events import service as outbox
from marketplace.extensions import db
from marketplace.lookup import one_or_404
from marketplace.milestones import engine
from marketplace.milestones import service as payments
from marketplace.milestones.engine import Handler
from marketplace.milestones.models import (
    Chargeback,
    ChargebackStatus,
    EscrowMovement,
    MovementKind,
    MovementStatus,
)
from marketplace.milestones.states import MILESTONE, MilestoneAction
from marketplace.money import format_amount
from marketplace.pagination import SortKey, paginate
from marketplace.payments import events, ledger, operations
from marketplace.states import MilestoneStatus, next_status

NEWEST_FIRST = (SortKey(Dispute.created_at), SortKey(Dispute.id))


def dispute_event(type: str, dispute: Dispute) -> None:
    """Tell both parties (and admins), with the dispute as GET /disputes/{id} shows it."""
    contract_id = dispute.contract_id

    def shape(_role: str) -> dict:
        from marketplace.disputes.schemas import DisputeSchema

        stmt = select(Dispute).where(Dispute.id == dispute.id)
        fresh = db.session.scalars(stmt.execution_options(populate_existing=True)).one()
        return DisputeSchema().dump(fresh)

    outbox.emit(type, lambda: contract_parties(contract_id), shape)


OLDEST_FIRST = (SortKey(Dispute.created_at, False), SortKey(Dispute.id, False))


class OpenDispute(engine.Handler):
    """Either party freezes a milestone's money for an admin to decide."""

    def plan(self, milestone, contract, request):
        milestone.status = next_status(
            MILESTONE, milestone.status, dispute_action(milestone), "milestone"
        )
        dispute = Dispute(
            milestone_id=milestone.id,
            contract_id=contract.id,
            opened_by_id=request["actor_id"],
            reason=request["reason"],
            status=DisputeStatus.OPEN,
        )
        db.session.add(dispute)
        db.session.flush()
        dispute_event("dispute.opened", dispute)
        audit.record(
            request["actor_id"],
            "dispute.opened",
            f"dispute:{dispute.id}",
            milestone_id=milestone.id,
        )
        return None


def dispute_action(milestone: Milestone) -> MilestoneAction:
    """A partially approved milestone's dispute is of the rejected rows' held money."""
    if milestone.status == MilestoneStatus.PARTIALLY_APPROVED:
        return MilestoneAction.DISPUTE_REJECTION
    return MilestoneAction.DISPUTE


def open_dispute(user: User, milestone_id: int, reason: str) -> Dispute:
    """Either party freezes a milestone's money for an admin to decide; a partial
    approval's held money, only the freelancer (the client rejected the rows)."""

    def load():
        milestone, contract = contracts.get_milestone(user, milestone_id, lock=True)
        role = contract.party_role(user.id)
        if role is None:
            raise Forbidden("Only the contract's parties open disputes.")
        if dispute_action(milestone) == MilestoneAction.DISPUTE_REJECTION and role != "freelancer":
            raise Forbidden(
                "Only the freelancer disputes a partial approval: the client rejected the rows."
            )
        return milestone, contract

    milestone = engine.run(
        MilestoneAction.DISPUTE, {"reason": reason, "actor_id": user.id}, load, actor_id=user.id
    )
    latest = db.session.scalars(
        select(Dispute.id)
        .where(Dispute.milestone_id == milestone.id)
        .order_by(Dispute.id.desc())
        .limit(1)
    ).one()
    return get_dispute_row(latest)


def open_chargeback_dispute(milestone: Milestone, contract: Contract, reason: str) -> None:
    """A chargeback opens a dispute on the platform's behalf (in the caller's transaction)."""
    already = db.session.scalar(
        select(Dispute).where(
            Dispute.milestone_id == milestone.id, Dispute.status == DisputeStatus.OPEN
        )
    )
    if already is None:
        dispute = Dispute(
            milestone_id=milestone.id,
            contract_id=contract.id,
            opened_by_id=None,
            reason=reason,
            status=DisputeStatus.OPEN,
        )
        db.session.add(dispute)
        db.session.flush()
        dispute_event("dispute.opened", dispute)


@events.chargeback_lost.connect
def _settle_after_a_lost_chargeback(milestone: Milestone, amount: int) -> None:
    """The cardholder won the chargeback: the dispute is settled, nothing for the
    freelancer (in the caller's transaction)."""
    for dispute in db.session.scalars(
        select(Dispute).where(
            Dispute.milestone_id == milestone.id, Dispute.status == DisputeStatus.OPEN
        )
    ):
        dispute.status = DisputeStatus.RESOLVED
        dispute.freelancer_amount, dispute.client_amount = 0, amount
        dispute.resolution_note = "The cardholder won the chargeback: the money went back."
        dispute.resolved_at = utcnow()
        dispute_event("dispute.resolved", dispute)
        audit.record(
            None,
            "dispute.resolved",
            f"dispute:{dispute.id}",
            milestone_id=milestone.id,
            freelancer_amount=0,
            client_amount=amount,
        )


# Every freeze (a chargeback, a refund that failed or was made outside the marketplace)
# opens the platform's dispute.
payments.money_frozen.connect(open_chargeback_dispute)


def get_dispute_row(dispute_id: int, *, lock: bool = False) -> Dispute:
    return one_or_404(
        select(Dispute).where(Dispute.id == dispute_id), Dispute, lock=lock, what="dispute"
    )


def get_dispute(user: User, dispute_id: int) -> Dispute:
    """A dispute its parties or an admin may see; to anyone else it does not exist."""
    dispute = get_dispute_row(dispute_id)
    contract = db.session.get_one(Contract, dispute.contract_id)
    if not policy.can_view_dispute(user, contract):
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
    db.session.flush()

    def shape(_role: str) -> dict:
        from marketplace.disputes.schemas import DisputeMessageSchema

        return DisputeMessageSchema().dump(message)

    outbox.emit("dispute.message", lambda: contract_parties(dispute.contract_id), shape)
    db.session.commit()
    return message


class Resolve(Handler):
    """An admin's ruling: the client's part refunded, then the freelancer's released.

    Each part that goes through the provider is its own step, written down before it is
    made: the refund first (booked on its own once answered), then the release with its
    transfer, which also records the ruling. A repeat of the ruling after a refund went
    through continues from there; a ruling with another client part is refused.
    """

    def plan(self, milestone, contract, request):
        dispute = get_dispute_row(request["dispute_id"], lock=True)
        if dispute.status != DisputeStatus.OPEN:
            raise Conflict("This dispute is resolved already.")
        held = db.session.scalar(
            select(Chargeback.provider_id).where(
                Chargeback.milestone_id == milestone.id,
                Chargeback.status == ChargebackStatus.OPEN,
            )
        )
        if held is not None:
            raise Conflict(
                f"The card network holds this milestone's money (chargeback {held}): no "
                "ruling may release or refund it until the chargeback is won."
            )
        freelancer_amount = request["freelancer_amount"]
        available = _available(milestone)
        if freelancer_amount > available:
            raise ValidationFailed(
                {
                    "freelancer_amount": [
                        f"At most the money this dispute is about (the milestone's "
                        f"amount, or what a partial approval held, less what was "
                        f"refunded outside the marketplace), {available} "
                        f"({format_amount(available, milestone.currency)})."
                    ]
                }
            )
        next_status(MILESTONE, milestone.status, MilestoneAction.RESOLVE, "milestone")
        client_amount = available - freelancer_amount
        refunded = _refunded_under(dispute.id)
        held_now = ledger.escrow_balance(milestone.id)
        if freelancer_amount + max(0, client_amount - refunded) > held_now:
            raise Conflict(
                f"The milestone's escrow holds {format_amount(held_now, milestone.currency)} "
                "now, less than this ruling moves: a payment on it is still being made, or "
                "was refunded meanwhile. Look at GET /admin/operations, then rule again."
            )
        if refunded and refunded != client_amount:
            raise Conflict(
                f"{format_amount(refunded, milestone.currency)} was refunded to the client "
                "under an earlier ruling on this dispute, whose transfer to the freelancer "
                f"did not go through: rule again with freelancer_amount "
                f"{available - refunded}."
            )
        context = {"dispute_id": dispute.id}
        transfer = None
        if freelancer_amount:
            freelancer = payments.lock_freelancer(contract)
            transfer = payments.transfer_step(
                milestone, contract, freelancer, freelancer_amount, context
            )
        if client_amount > refunded:
            step = payments.refund_step(milestone, client_amount, context)
            return replace(step, final=transfer is None)
        if transfer is not None:
            return transfer
        self._complete(milestone, contract, request, transfer=None)
        return None

    def book(self, movement, milestone, contract, result):
        request = movement.context["request"]
        if movement.kind == MovementKind.REFUND:
            if not payments.refund_answered(movement, milestone, contract, result):
                return  # pending at the provider, or failed: the ruling waits
            if movement.context.get("final"):
                self._complete(milestone, contract, request, transfer=None)
            return
        movement.provider_id = result.transfer_id
        self._complete(milestone, contract, request, transfer=movement)

    def problem(self, movement, refusal):
        after = ("refund",) if _refunded_under(movement.context["dispute_id"]) else ()
        return operations.refused_problem(refusal, movement.kind, after=after)

    def _complete(self, milestone, contract, request, *, transfer):
        dispute = get_dispute_row(request["dispute_id"], lock=True)
        freelancer_amount = request["freelancer_amount"]
        client_amount = _available(milestone) - freelancer_amount
        milestone.status = next_status(
            MILESTONE, milestone.status, MilestoneAction.RESOLVE, "milestone"
        )
        if freelancer_amount:
            payments.book_release(
                milestone,
                contract,
                freelancer_amount,
                actor_id=request["actor_id"],
                transfer=transfer,
            )
        milestone.held = 0
        dispute.status = DisputeStatus.RESOLVED
        dispute.freelancer_amount, dispute.client_amount = freelancer_amount, client_amount
        dispute.resolution_note, dispute.resolved_by_id = request["note"], request["actor_id"]
        dispute.resolved_at = utcnow()
        dispute_event("dispute.resolved", dispute)
        audit.record(
            request["actor_id"],
            "dispute.resolved",
            f"dispute:{dispute.id}",
            milestone_id=milestone.id,
            freelancer_amount=freelancer_amount,
            client_amount=client_amount,
        )


def _available(milestone: Milestone) -> int:
    """What a ruling splits: the milestone's amount, or, disputed from a partial approval,
    the money it held for the rejected rows; less refunds made outside the marketplace
    (booked already) and a per-record milestone's unused capacity refunded by an approval
    that did not go through."""
    outside = payments.outside_refunded(milestone.id)
    if milestone.held:
        return milestone.held - outside
    return milestone.amount - outside - payments.refunded_part(milestone.id, payments.CAPACITY)


def _refunded_under(dispute_id: int) -> int:
    """What refunds made for a ruling on this dispute gave back."""
    amounts = db.session.scalars(
        select(EscrowMovement).where(
            EscrowMovement.kind == MovementKind.REFUND,
            EscrowMovement.status == MovementStatus.SUCCEEDED,
            EscrowMovement.action == MilestoneAction.RESOLVE,
        )
    ).all()
    return sum(m.amount for m in amounts if m.context.get("dispute_id") == dispute_id)


def resolve(user: User, dispute_id: int, freelancer_amount: int, note: str) -> Dispute:
    """An admin splits the milestone: part released to the freelancer, the rest refunded."""
    if not user.is_admin:
        raise Forbidden("Only admins resolve disputes.")
    dispute = get_dispute_row(dispute_id)
    milestone_id = dispute.milestone_id
    request = {
        "dispute_id": dispute.id,
        "freelancer_amount": freelancer_amount,
        "note": note,
        "actor_id": user.id,
    }
    engine.run(
        MilestoneAction.RESOLVE,
        request,
        lambda: engine.lock_milestone(milestone_id),
        actor_id=user.id,
    )
    return get_dispute_row(dispute_id)


engine.register(MilestoneAction.DISPUTE, OpenDispute())
engine.register(MilestoneAction.RESOLVE, Resolve())
