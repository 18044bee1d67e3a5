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
from marketplace.errors import DomainError, GatewayFailed
from marketplace.extensions import db
from marketplace.milestones import engine, service
from marketplace.milestones.models import EscrowMovement, MovementKind, MovementStatus
from marketplace.milestones.states import MILESTONE, MilestoneAction
from marketplace.payments import keys, operations
from marketplace.payments.gateway import (
    ProviderEvent,
    ProviderRefused,
    ProviderUnavailable,
    get_gateway,
)
from marketplace.payments.models import WebhookEvent
from marketplace.states import MilestoneStatus, next_status

log = logging.getLogger(__name__)

# Disputes sit above payments: a chargeback is announced, and disputes opens the
# platform's dispute in the same transaction.
signals = Namespace()
chargeback_opened = signals.signal(
    "chargeback-opened",
    doc="A chargeback froze a milestone (the sender: the locked Milestone; `contract` and "
    "`reason` as keywords): a receiver opens the platform's dispute.",
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
    movement = _charge_movement(charge.intent_id, charge.metadata)
    if movement is None or charge.succeeded:
        return  # a later success wins over a stale failure
    milestone, _contract = _locked(movement)
    if movement.status not in (MovementStatus.PENDING, MovementStatus.PROCESSING):
        return  # not the attempt in flight
    gateway.cancel_charge(charge.intent_id)
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
    """A refund seen at the provider: ours are booked already; anything else is flagged."""
    charge = _charge_of(obj.get("id"))
    if charge is None:
        return
    booked = sum(
        db.session.scalars(
            select(EscrowMovement.amount).where(
                EscrowMovement.milestone_id == charge.milestone_id,
                EscrowMovement.kind == MovementKind.REFUND,
                EscrowMovement.status == MovementStatus.SUCCEEDED,
            )
        )
    )
    refunded = int(obj.get("amount_refunded") or 0)
    if refunded != booked:
        audit.record(
            None,
            "charge.refund_mismatch",
            f"milestone:{charge.milestone_id}",
            provider_refunded=refunded,
            booked=booked,
        )


def charge_disputed(obj: dict) -> None:
    """A chargeback on a funding charge freezes the milestone for an admin."""
    charge = _charge_of(obj.get("charge"))
    if charge is None:
        return
    milestone, contract = engine.lock_milestone(charge.milestone_id)
    if (milestone.status, MilestoneAction.DISPUTE) in MILESTONE:
        milestone.status = next_status(MILESTONE, milestone.status, MilestoneAction.DISPUTE)
    if milestone.status == MilestoneStatus.DISPUTED:
        chargeback_opened.send(
            milestone,
            contract=contract,
            reason=f"Chargeback {obj.get('id')}: {obj.get('reason') or 'unknown'}",
        )
    audit.record(
        None,
        "milestone.chargeback",
        f"milestone:{milestone.id}",
        dispute=obj.get("id"),
        reason=obj.get("reason"),
        status=milestone.status,
    )
    log.warning("chargeback %s on milestone %s: needs an admin", obj.get("id"), milestone.id)


def account_updated(obj: dict) -> None:
    """A freelancer's payout account can now receive transfers: pay out what waits.

    Each payout is its own written-ahead step; one that is refused or unanswered stays
    for `recover-operations` or the freelancer's next POST /me/payout-account."""
    user = db.session.scalar(
        select(User).where(User.payout_account_id == obj.get("id")).with_for_update()
    )
    if user is None or user.payouts_enabled:
        return
    account = get_gateway().retrieve_payout_account(obj["id"])
    if account.transfers_active:
        try:
            service.enable_payouts(user)
        except DomainError as failure:
            db.session.rollback()
            log.warning("paying out to user %s after enabling: %s", user.id, failure.detail)


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
    "account.updated": account_updated,
    "transfer.reversed": transfer_reversed,
}


def handle(event: ProviderEvent) -> dict:
    """Act on an event once: its changes and its id commit together."""
    if db.session.get(WebhookEvent, event.id) is not None:
        return {"received": True, "duplicate": True}
    handler = HANDLERS.get(event.type)
    try:
        if handler is not None:
            handler(event.object)
        db.session.add(WebhookEvent(id=event.id, type=event.type))
        db.session.commit()
    except ProviderUnavailable:
        db.session.rollback()
        raise GatewayFailed("Could not re-read the object from the provider; retry.") from None
    except ProviderRefused as refusal:  # re-reading the object, or a payout
        db.session.rollback()
        raise operations.refused_problem(refusal, "request") from None
    except IntegrityError:
        db.session.rollback()  # the same event, handled meanwhile by another delivery
        return {"received": True, "duplicate": True}
    return {"received": True, "handled": handler is not None}
