"""What the payment provider tells us (its webhooks' events), handled once each.

Events may come twice or out of order, so handlers never trust the event's copy of an
object where order matters: they re-read it from the provider and act on what is
true now. An event and the changes it causes commit together with its id, whose
primary key makes a second delivery a no-op. The provider's adapter parses and checks
an event (stripe_gateway.parse_event); this module only acts on it.
"""

import logging

from blinker import Namespace
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from marketplace import audit
from marketplace.accounts.models import User
from marketplace.database import utcnow
from marketplace.errors import DomainError, GatewayFailed, OperationInProgress
from marketplace.extensions import db
from marketplace.milestones import engine, service
from marketplace.milestones.models import (
    Chargeback,
    ChargebackStatus,
    EscrowMovement,
    MovementKind,
    MovementStatus,
)
from marketplace.milestones.states import MILESTONE, MilestoneAction
from marketplace.payments import keys, ledger, operations
from marketplace.payments.gateway import (
    CardDispute,
    ProviderEvent,
    ProviderRefused,
    ProviderUnavailable,
    ReversalRequest,
    get_gateway,
)
from marketplace.payments.models import AccountKind, WebhookEvent
from marketplace.states import MilestoneStatus, next_status

log = logging.getLogger(__name__)

# Disputes sit above payments: a chargeback lost on held money is announced, and
# disputes settles the platform's dispute in the same transaction.
signals = Namespace()
chargeback_lost = signals.signal(
    "chargeback-lost",
    doc="The cardholder won a chargeback on a milestone's held money (the sender: the "
    "locked Milestone; `amount` as keyword): a receiver settles the milestone's dispute "
    "with nothing for the freelancer.",
)


def _charge_movement(intent_id: str, metadata: dict) -> EscrowMovement | None:
    """The charge an intent answers: by its id, else (the fund request died before it
    could store the id) the milestone's pending charge, if the intent is ours.

    The metadata counts only if the intent is this installation's: another database on
    the same Stripe account has milestones with the same ids.
    """
    movement = db.session.scalar(
        select(EscrowMovement).where(
            EscrowMovement.kind == MovementKind.CHARGE, EscrowMovement.provider_id == intent_id
        )
    )
    if movement is not None or metadata.get("installation") != keys.namespace():
        return movement
    milestone_id = str(metadata.get("milestone_id", ""))
    if not milestone_id.isdigit():
        return None
    return db.session.scalar(
        select(EscrowMovement)
        .where(
            EscrowMovement.milestone_id == int(milestone_id),
            EscrowMovement.kind == MovementKind.CHARGE,
            EscrowMovement.status == MovementStatus.PENDING,
        )
        .order_by(EscrowMovement.id.desc())
        .limit(1)
    )


def _own_charge_movement(intent_id: str) -> EscrowMovement | None:
    """The charge movement that made this intent, known by its id only.

    A failure or a cancellation never falls back on the milestone's pending charge, as a
    success may: a late event about an older attempt would end the attempt in flight,
    whose own outcome is not known yet."""
    return db.session.scalar(
        select(EscrowMovement).where(
            EscrowMovement.kind == MovementKind.CHARGE, EscrowMovement.provider_id == intent_id
        )
    )


def _locked(movement: EscrowMovement):
    """The movement's milestone, locked, and the movement re-read under that lock."""
    milestone, contract = engine.lock_milestone(movement.milestone_id)
    db.session.refresh(movement)
    return milestone, contract


def payment_succeeded(obj: dict) -> None:
    """Funding confirmed: the milestone is funded, unless it already is.

    This also books a charge whose fund request died before it could store the answer:
    the movement was written down before the call, so the money is never charged
    without being held.
    """
    charge = get_gateway().retrieve_charge(obj["id"])
    movement = _charge_movement(charge.intent_id, charge.metadata)
    if movement is None or not charge.succeeded:
        return
    milestone, contract = _locked(movement)
    if movement.status not in (MovementStatus.PENDING, MovementStatus.PROCESSING):
        return  # booked already, by the fund request or an earlier delivery
    if charge.amount != movement.amount or charge.currency.upper() != movement.currency:
        log.error("intent %s does not match movement %s", charge.intent_id, movement.id)
        return
    movement.provider_id, movement.charge_id = charge.intent_id, charge.charge_id
    movement.settled_at = utcnow()
    action = (
        MilestoneAction.FUND
        if milestone.status == MilestoneStatus.PENDING
        else MilestoneAction.FUNDING_SUCCEEDED
    )
    service.book_funding(milestone, contract, movement, None, action=action, charge=charge)


def payment_failed(obj: dict) -> None:
    """A payment failed: the milestone goes back to pending, and the intent is cancelled.

    Cancelling matters: a failed intent can otherwise be confirmed again later, and
    charge the client a second time once the milestone was funded another way.
    """
    gateway = get_gateway()
    charge = gateway.retrieve_charge(obj["id"])
    movement = _own_charge_movement(charge.intent_id)
    if movement is None or charge.succeeded:
        return  # a later success wins over a stale failure; not an attempt we know
    milestone, _contract = _locked(movement)
    if movement.status not in (MovementStatus.PENDING, MovementStatus.PROCESSING):
        return  # not the attempt in flight
    cancelled = gateway.cancel_charge(charge.intent_id)
    if cancelled is not None and cancelled.status != "canceled":
        return  # confirmed again meanwhile: its own success (or failure) event decides
    movement.status, movement.refusal = MovementStatus.FAILED, "payment_failed"
    movement.provider_id, movement.settled_at = charge.intent_id, utcnow()
    if milestone.status == MilestoneStatus.FUNDING:
        milestone.status = next_status(MILESTONE, milestone.status, MilestoneAction.FUNDING_FAILED)
    audit.record(
        None, "milestone.funding_failed", f"milestone:{milestone.id}", intent=charge.intent_id
    )


def _charge_of(charge_id) -> EscrowMovement | None:
    if not charge_id:
        return None
    return db.session.scalar(
        select(EscrowMovement).where(
            EscrowMovement.kind == MovementKind.CHARGE, EscrowMovement.charge_id == charge_id
        )
    )


def charge_refunded(obj: dict) -> None:
    """Refunds seen at the provider: ours are booked as they end (refund.updated); one
    made outside the marketplace (the Dashboard) is booked as it happened and freezes the
    milestone. The charge's refunds are re-read, never taken from the event."""
    charge = _charge_of(obj.get("id"))
    if charge is not None:
        _outside_refunds(charge)


def _outside_refunds(charge: EscrowMovement) -> None:
    """Book the charge's refunds that none of our movements made."""
    if charge.provider_id is None:
        return
    # A refund of ours whose answer was lost is one the provider has and we do not know:
    # found out first, so it is not taken for an outside one.
    unanswered = db.session.scalars(
        select(EscrowMovement.id).where(
            EscrowMovement.milestone_id == charge.milestone_id,
            EscrowMovement.kind == MovementKind.REFUND,
            EscrowMovement.status == MovementStatus.PENDING,
        )
    ).all()
    intent_id, charge_id = charge.provider_id, charge.id
    for movement_id in unanswered:
        engine.recover(movement_id)
    refunds = get_gateway().list_refunds(intent_id)
    charge = db.session.get_one(EscrowMovement, charge_id)
    service.book_outside_refunds(charge, refunds)


def refund_updated(obj: dict) -> None:
    """A refund ended at the provider: ours is booked (succeeded: the action it was for
    goes on; failed: the money stays in escrow and the milestone is frozen for an admin);
    one made outside the marketplace is booked as it happened."""
    refund = get_gateway().retrieve_refund(obj["id"])
    movement = _refund_movement(refund.refund_id)
    if movement is None:
        charge = db.session.scalar(
            select(EscrowMovement).where(
                EscrowMovement.kind == MovementKind.CHARGE,
                EscrowMovement.provider_id == refund.intent_id,
            )
        )
        if charge is None:
            return
        _outside_refunds(charge)  # finds out our unanswered refunds first
        movement = _refund_movement(refund.refund_id)
        if movement is None or movement.action == service.OUTSIDE_REFUND:
            return
    movement_id = movement.id
    if engine.settle_processing(movement_id, refund):
        db.session.commit()
        engine.continue_action(movement_id)


def _refund_movement(refund_id: str) -> EscrowMovement | None:
    return db.session.scalar(
        select(EscrowMovement).where(
            EscrowMovement.kind == MovementKind.REFUND, EscrowMovement.provider_id == refund_id
        )
    )


def payment_canceled(obj: dict) -> None:
    """A PaymentIntent was cancelled (by us, the Dashboard, or Stripe after a failed
    attempt): a milestone still waiting for it is pending again."""
    charge = get_gateway().retrieve_charge(obj["id"])
    movement = _own_charge_movement(charge.intent_id)
    if movement is None or charge.status != "canceled":
        return
    milestone, _contract = _locked(movement)
    if movement.status not in (MovementStatus.PENDING, MovementStatus.PROCESSING):
        return  # booked or ended already
    movement.status, movement.refusal = MovementStatus.FAILED, "canceled"
    movement.provider_id, movement.settled_at = charge.intent_id, utcnow()
    if milestone.status == MilestoneStatus.FUNDING:
        milestone.status = next_status(MILESTONE, milestone.status, MilestoneAction.FUNDING_FAILED)
    audit.record(
        None, "milestone.funding_cancelled", f"milestone:{milestone.id}", intent=charge.intent_id
    )


def _chargeback_of(dispute: CardDispute, charge: EscrowMovement) -> Chargeback:
    """Our record of a chargeback, made on the first event about it (any of them: events
    come in any order). Opened on money still held, it freezes the milestone for an
    admin; opened after the money was released, it is told to the admins."""
    found = db.session.scalar(select(Chargeback).where(Chargeback.provider_id == dispute.id))
    if found is not None:
        return found
    milestone, contract = engine.lock_milestone(charge.milestone_id)
    released = db.session.scalar(
        select(EscrowMovement.id).where(
            EscrowMovement.milestone_id == milestone.id,
            EscrowMovement.kind == MovementKind.RELEASE,
        )
    )
    chargeback = Chargeback(
        provider_id=dispute.id,
        milestone_id=milestone.id,
        charge_id=dispute.charge_id,
        amount=dispute.amount,
        currency=dispute.currency,
        reason=dispute.reason[:100],
        status=ChargebackStatus.OPEN,
        funds_withdrawn=False,
        after_release=released is not None,
        reversed_amount=0,
        from_pending=False,
        loss=0,
        fee=0,
    )
    service.freeze(milestone, contract, f"Chargeback {dispute.id}: {dispute.reason or 'unknown'}")
    db.session.add(chargeback)
    audit.record(
        None,
        "milestone.chargeback",
        f"milestone:{milestone.id}",
        dispute=dispute.id,
        reason=dispute.reason,
        amount=dispute.amount,
        currency=dispute.currency,
        after_release=chargeback.after_release,
        status=milestone.status,
    )
    log.warning("chargeback %s on milestone %s: needs an admin", dispute.id, milestone.id)
    db.session.flush()
    return chargeback


def chargeback_event(obj: dict, *, withdrawn: bool | None = None) -> None:
    """Any event about a chargeback: the dispute is re-read and our record brought to
    what is true now; a close (won or lost) is final and booked once."""
    dispute = get_gateway().retrieve_dispute(obj["id"])
    charge = _charge_of(dispute.charge_id)
    if charge is None:
        return
    milestone, contract = engine.lock_milestone(charge.milestone_id)
    chargeback = _chargeback_of(dispute, charge)
    if withdrawn is not None and chargeback.funds_withdrawn != withdrawn:
        chargeback.funds_withdrawn = withdrawn
        audit.record(
            None,
            "chargeback.funds_withdrawn" if withdrawn else "chargeback.funds_reinstated",
            f"milestone:{milestone.id}",
            dispute=dispute.id,
            amount=dispute.amount,
        )
    if chargeback.status != ChargebackStatus.OPEN or not (dispute.won or dispute.lost):
        return
    if dispute.won:
        chargeback.closed_at = utcnow()
        chargeback.status = ChargebackStatus.WON
        audit.record(None, "chargeback.won", f"milestone:{milestone.id}", dispute=dispute.id)
        return
    from_payout = 0
    if chargeback.after_release:
        from_payout = _take_back_from_payout(chargeback, milestone.id)
        milestone, contract = engine.lock_milestone(charge.milestone_id)
        db.session.refresh(chargeback)
        if chargeback.status != ChargebackStatus.OPEN:
            return  # booked meanwhile, by another delivery of the event
    chargeback.closed_at = utcnow()
    chargeback.status = ChargebackStatus.LOST
    chargeback.fee = dispute.fee
    ledger.book_dispute_fee(chargeback.id, milestone.id, chargeback.currency, dispute.fee)
    if chargeback.after_release:
        _book_lost_after_release(chargeback, milestone, contract, from_payout=from_payout)
    else:
        _book_lost_while_held(chargeback, milestone, contract)


def _take_back_from_payout(chargeback: Chargeback, milestone_id: int) -> int:
    """Reverse the milestone's transfer as far as the freelancer's payout account allows;
    returns what came back. Written ahead: the amount to reverse is committed on the
    chargeback before Stripe is asked, and a delivery again repeats that same reversal
    (same key, same amount), so a lost answer is never a second reversal nor a reversal
    left unbooked. Commits; the caller locks the milestone again."""
    transfers = db.session.scalars(
        select(EscrowMovement).where(
            EscrowMovement.milestone_id == milestone_id,
            EscrowMovement.kind == MovementKind.TRANSFER,
            EscrowMovement.status != MovementStatus.FAILED,
        )
    ).all()
    if any(t.status != MovementStatus.SUCCEEDED for t in transfers):
        service.wait_for_calls_in_flight(milestone_id)
        raise OperationInProgress(
            "The milestone's payout is still being made; deliver the event again later.",
            retry_after=30,
        )
    paid = [t.provider_id for t in transfers if t.provider_id]
    if not paid:
        return 0
    transfer_id = paid[0]
    gateway = get_gateway()
    if chargeback.reversal_planned is None:
        try:
            reversible = gateway.reversible(transfer_id)
        except ProviderRefused:
            reversible = 0  # the account is gone or closed to the platform
        # What the escrow still holds (a partial approval's held money) goes back first.
        owed = max(0, chargeback.amount - ledger.escrow_balance(milestone_id))
        chargeback.reversal_planned = min(owed, reversible)
    planned, provider_id = chargeback.reversal_planned, chargeback.provider_id
    db.session.commit()  # the plan is written down, and no lock is held while Stripe works
    if planned <= 0:
        return 0
    key = keys.ProviderKey("reversal", f"cb.{provider_id}", {"amount": planned}).render()
    return gateway.reverse_transfer(ReversalRequest(transfer_id, planned, key)).amount


def _book_lost_while_held(chargeback: Chargeback, milestone, contract) -> None:
    """The cardholder has the money back before any of it was released: from the escrow
    as far as it still holds it (a milestone refunded already holds nothing, and then
    the bank paid the client twice: the platform's loss). A disputed milestone and its
    dispute are settled with nothing for the freelancer."""
    from_escrow = max(0, min(chargeback.amount, ledger.escrow_balance(milestone.id)))
    chargeback.loss = chargeback.amount - from_escrow
    ledger.book_chargeback(
        milestone,
        contract.client_id,
        chargeback.amount,
        from_escrow=from_escrow,
        reference=f"chargeback:{chargeback.id}",
    )
    if (milestone.status, MilestoneAction.CHARGEBACK_LOST) in MILESTONE:
        milestone.status = next_status(MILESTONE, milestone.status, MilestoneAction.CHARGEBACK_LOST)
        milestone.held = 0
        chargeback_lost.send(milestone, amount=chargeback.amount)
    audit.record(
        None,
        "chargeback.lost",
        f"milestone:{milestone.id}",
        dispute=chargeback.provider_id,
        amount=chargeback.amount,
        currency=chargeback.currency,
    )


def _book_lost_after_release(
    chargeback: Chargeback, milestone, contract, *, from_payout: int
) -> None:
    """The cardholder has the money back after it went to the freelancer: what the
    transfer reversal took back (`from_payout`), or, when the release was never paid out,
    this milestone's release still waiting for the freelancer's payout account (which is
    then never paid out); the rest is the platform's loss."""
    # Money still in escrow (the held part of a partially approved milestone) goes back
    # to the cardholder first; then the released part is taken back from the freelancer.
    from_escrow = max(0, min(chargeback.amount, ledger.escrow_balance(milestone.id)))
    owed = chargeback.amount - from_escrow
    from_pending = 0
    if from_payout == 0 and chargeback.reversal_planned is None:
        unpaid = sum(
            release.amount - release.fee
            for release in db.session.scalars(
                service.waiting_releases(contract.freelancer_id).where(
                    EscrowMovement.milestone_id == milestone.id
                )
            )
        )
        waiting = ledger.account_balance(
            AccountKind.PENDING_PAYOUT, milestone.currency, contract.freelancer_id
        )
        from_pending = max(0, min(owed, unpaid, waiting))
    chargeback.reversed_amount = from_payout or from_pending
    chargeback.from_pending = from_pending > 0
    chargeback.loss = owed - from_payout - from_pending
    ledger.book_chargeback_after_release(
        milestone.id,
        contract.client_id,
        contract.freelancer_id,
        milestone.currency,
        chargeback.amount,
        from_payout=from_payout,
        from_pending=from_pending,
        from_escrow=from_escrow,
        reference=f"chargeback:{chargeback.id}",
    )
    if (milestone.status, MilestoneAction.CHARGEBACK_LOST) in MILESTONE:
        # Disputed over held money: none is left to rule on.
        milestone.status = next_status(MILESTONE, milestone.status, MilestoneAction.CHARGEBACK_LOST)
        milestone.held = 0
        chargeback_lost.send(milestone, amount=from_escrow)
    audit.record(
        None,
        "chargeback.lost_after_release",
        f"milestone:{milestone.id}",
        dispute=chargeback.provider_id,
        amount=chargeback.amount,
        taken_back=chargeback.reversed_amount,
        loss=chargeback.loss,
        currency=chargeback.currency,
    )


def charge_disputed(obj: dict) -> None:
    """A chargeback on a funding charge: held money is frozen for an admin."""
    chargeback_event(obj)


def dispute_funds_withdrawn(obj: dict) -> None:
    chargeback_event(obj, withdrawn=True)


def dispute_funds_reinstated(obj: dict) -> None:
    chargeback_event(obj, withdrawn=False)


def _lock_payee(account_id) -> User | None:
    """The freelancer whose payout account this is, locked (None: no one's now)."""
    if not account_id:
        return None
    return db.session.scalar(
        select(User)
        .where(User.payout_account_id == account_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def _sync_payouts(account_id, reason: str) -> None:
    """Payouts follow the account as the provider has it now (re-read: events come out of
    order): off while it cannot receive transfers, releases meanwhile waiting as
    pending_payout; on again, what waited is paid out. Each payout is its own
    written-ahead step; one that is refused or unanswered stays for
    `recover-operations` or the freelancer's next POST /me/payout-account."""
    user = _lock_payee(account_id)
    if user is None:
        return
    account = get_gateway().retrieve_payout_account(account_id)
    try:
        service.sync_payouts(user, account, reason)
    except DomainError as failure:
        db.session.rollback()
        log.warning("paying out to user %s after enabling: %s", user.id, failure.detail)


def account_updated(obj: dict) -> None:
    """A freelancer's payout account changed: payouts on or off to match it."""
    _sync_payouts(obj.get("id"), "account.updated")


def capability_updated(obj: dict) -> None:
    """A capability of a connected account changed; only `transfers` matters here."""
    if obj.get("id") == "transfers":
        _sync_payouts(obj.get("account"), "capability.updated")


def connect_event(handler):
    """A handler of a connected account's event: it is given the account's id too."""
    handler.connect = True
    return handler


@connect_event
def account_deauthorized(_obj: dict, account: str | None) -> None:
    """The freelancer disconnected their payout account from the platform: payouts off,
    and the account is never used again (they set up a new one). Re-read, so a late
    delivery after they reconnected does not undo it."""
    user = _lock_payee(account)
    if user is None or account is None:
        return
    payout_account = get_gateway().retrieve_payout_account(account)
    if not payout_account.connected:
        service.disconnect_payout_account(user, "account.application.deauthorized")


@connect_event
def payout_failed(obj: dict, account: str | None) -> None:
    """A payout from a freelancer's connected account to their bank failed: the money
    is back in their Stripe balance, which no milestone holds; recorded for the admins
    (and Stripe asks the freelancer for a working bank account)."""
    if account is None:
        return  # the platform's own payout
    user = _lock_payee(account)
    audit.record(
        None,
        "payout.failed",
        f"user:{user.id}" if user is not None else f"account:{account}",
        payout=obj.get("id"),
        amount=obj.get("amount"),
        currency=str(obj.get("currency") or "").upper(),
        failure_code=obj.get("failure_code"),
        failure_message=obj.get("failure_message"),
    )
    log.warning("payout %s of %s failed: %s", obj.get("id"), account, obj.get("failure_code"))


def transfer_reversed(obj: dict) -> None:
    """A payout came back: recorded for an admin to settle with the freelancer."""
    transfer = db.session.scalar(
        select(EscrowMovement).where(
            EscrowMovement.kind == MovementKind.TRANSFER,
            EscrowMovement.provider_id == obj.get("id"),
        )
    )
    audit.record(
        None,
        "payout.reversed",
        f"milestone:{transfer.milestone_id}" if transfer else f"transfer:{obj.get('id')}",
        amount_reversed=obj.get("amount_reversed"),
    )


HANDLERS = {
    "payment_intent.succeeded": payment_succeeded,
    "payment_intent.payment_failed": payment_failed,
    "charge.refunded": charge_refunded,
    "charge.dispute.created": charge_disputed,
    "charge.dispute.updated": chargeback_event,
    "charge.dispute.closed": chargeback_event,
    "charge.dispute.funds_withdrawn": dispute_funds_withdrawn,
    "charge.dispute.funds_reinstated": dispute_funds_reinstated,
    "account.updated": account_updated,
    "transfer.reversed": transfer_reversed,
    "capability.updated": capability_updated,
    "account.application.deauthorized": account_deauthorized,
    "payout.failed": payout_failed,
    "payment_intent.canceled": payment_canceled,
    "refund.updated": refund_updated,
    "refund.failed": refund_updated,
    "charge.refund.updated": refund_updated,
}


def handle(event: ProviderEvent) -> dict:
    """Act on an event once: its changes and its id commit together.

    The look for the event's id ends its transaction at once: a handler first re-reads
    the object from the provider, and no lock (on SQLite, the database's write lock) may
    be held while the provider answers."""
    if db.session.get(WebhookEvent, event.id) is not None:
        return {"received": True, "duplicate": True}
    db.session.rollback()
    handler = HANDLERS.get(event.type)
    try:
        if handler is not None and getattr(handler, "connect", False):
            handler(event.object, event.account)
        elif handler is not None:
            handler(event.object)
        db.session.add(WebhookEvent(id=event.id, type=event.type))
        db.session.commit()
    except ProviderUnavailable:
        db.session.rollback()
        raise GatewayFailed("Could not re-read the object from the provider; retry.") from None
    except ProviderRefused as refusal:  # re-reading the object, or a payout
        db.session.rollback()
        raise operations.refused_problem(refusal, "request") from None
    except IntegrityError as error:
        db.session.rollback()
        if "webhook_events" not in str(error.orig):
            raise  # not this event's id twice: a bug, and the provider delivers it again
        return {"received": True, "duplicate": True}  # handled meanwhile by another delivery
    return {"received": True, "handled": handler is not None}
