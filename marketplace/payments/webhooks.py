"""Stripe's webhooks: signature always checked, each event handled once, state re-read.

Events may come twice or out of order, so handlers never trust the event's copy of an
object where order matters: they re-read it from the provider and act on what is
true now. An event and the changes it causes commit together with its id, whose
primary key makes a second delivery a no-op.
"""

import hashlib
import hmac
import json
import logging
import time

from flask import current_app, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from marketplace import audit
from marketplace.accounts.auth import public
from marketplace.accounts.models import User
from marketplace.contracts.models import Contract, Milestone
from marketplace.disputes.service import open_chargeback_dispute
from marketplace.errors import DomainError, GatewayFailed
from marketplace.extensions import Blueprint, db
from marketplace.idempotency import exempt
from marketplace.inputs import raw_body
from marketplace.payments import keys, operations, service
from marketplace.payments.gateway import ProviderRefused, ProviderUnavailable
from marketplace.payments.models import EscrowPayment, WebhookEvent
from marketplace.payments.schemas import WebhookReceiptSchema
from marketplace.states import MILESTONE, MilestoneStatus, next_status

log = logging.getLogger(__name__)

blp = Blueprint("webhooks", __name__, url_prefix="/api/v1", description="Provider webhooks")

TOLERANCE_SECONDS = 300


class BadSignature(DomainError):
    status, slug, title = 400, "bad-signature", "Webhook signature invalid"


def verify_signature(payload: bytes, header: str, secret: str, now: float | None = None):
    """Stripe's scheme: t=<unix time>,v1=<HMAC-SHA256 of "t.payload">, fresh within 5 minutes."""
    if not secret:
        raise BadSignature("No webhook secret is configured, so no event can be trusted.")
    parts = [item.split("=", 1) for item in header.split(",") if "=" in item]
    timestamps = [value for key, value in parts if key == "t"]
    signatures = [value for key, value in parts if key == "v1"]
    if len(timestamps) != 1 or not timestamps[0].isdigit() or not signatures:
        raise BadSignature("The Stripe-Signature header is missing or malformed.")
    signed = f"{timestamps[0]}.".encode() + payload
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    if not any(hmac.compare_digest(expected, s) for s in signatures):
        raise BadSignature("The signature does not match the payload.")
    if abs((now or time.time()) - int(timestamps[0])) > TOLERANCE_SECONDS:
        raise BadSignature("The event is older than 5 minutes.")


def _milestone_id_for(intent_id: str, metadata: dict) -> int | None:
    """Which milestone an intent pays for: by our record of it, else by its metadata.

    The metadata counts only if the intent is this installation's: another database on
    the same Stripe account has milestones with the same ids. (Intents made before
    installations were named carry none, and are taken as ours.)
    """
    milestone_id = db.session.scalar(
        select(EscrowPayment.milestone_id).where(EscrowPayment.intent_id == intent_id)
    )
    installation = metadata.get("installation")
    if installation is not None and installation != keys.namespace():
        return milestone_id
    if milestone_id is None and str(metadata.get("milestone_id", "")).isdigit():
        milestone_id = int(metadata["milestone_id"])
    return milestone_id


def _locked_milestone(milestone_id: int) -> tuple[Milestone | None, Contract | None]:
    milestone = db.session.scalar(
        select(Milestone)
        .where(Milestone.id == milestone_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if milestone is None:
        return None, None
    return milestone, db.session.get(Contract, milestone.contract_id)


def payment_succeeded(obj: dict) -> None:
    """Funding confirmed: the milestone is funded, unless it already is.

    This also books a charge whose fund request died before it could commit: the intent
    carries the milestone's id, so the money is never charged without being held.
    """
    charge = service.get_gateway().retrieve_charge(obj["id"])
    milestone_id = _milestone_id_for(charge.intent_id, charge.metadata)
    if milestone_id is None or not charge.succeeded:
        return
    milestone, contract = _locked_milestone(milestone_id)
    if milestone is None or milestone.status not in (
        MilestoneStatus.FUNDING,
        MilestoneStatus.PENDING,
    ):
        return  # booked already, by the fund request or an earlier delivery
    if charge.amount != milestone.amount or charge.currency.upper() != milestone.currency:
        log.error("intent %s does not match milestone %s", charge.intent_id, milestone.id)
        return
    payment = service.payment_record(milestone)
    operations.settle(milestone.id, "charge")
    payment.intent_id, payment.intent_status = charge.intent_id, charge.status
    payment.charge_id = charge.charge_id
    if milestone.status == MilestoneStatus.PENDING:
        # The intent was made, but the fund request that made it never committed.
        milestone.status = next_status(MILESTONE, milestone.status, "start_funding")
    service.book_funding(milestone, contract, payment, None, action="funding_succeeded")


def payment_failed(obj: dict) -> None:
    """A payment failed: the milestone goes back to pending, and the intent is cancelled.

    Cancelling matters: a failed intent can otherwise be confirmed again later, and
    charge the client a second time once the milestone was funded another way.
    """
    gateway = service.get_gateway()
    charge = gateway.retrieve_charge(obj["id"])
    milestone_id = _milestone_id_for(charge.intent_id, charge.metadata)
    if milestone_id is None or charge.succeeded:
        return  # a later success wins over a stale failure
    milestone, _contract = _locked_milestone(milestone_id)
    if milestone is None:
        return
    gateway.cancel_charge(charge.intent_id)
    payment = service.payment_record(milestone)
    if milestone.status == MilestoneStatus.FUNDING and payment.intent_id == charge.intent_id:
        milestone.status = next_status(MILESTONE, milestone.status, "funding_failed")
    elif not (
        milestone.status == MilestoneStatus.PENDING and operations.has_unsettled(milestone.id)
    ):
        return  # not the attempt in flight
    operations.settle(milestone.id, "charge")
    payment.attempt += 1
    payment.intent_id = payment.client_secret = None
    audit.record(
        None, "milestone.funding_failed", f"milestone:{milestone.id}", intent=charge.intent_id
    )


def charge_refunded(obj: dict) -> None:
    """A refund seen at the provider: ours are booked already; anything else is flagged."""
    payment = db.session.scalar(
        select(EscrowPayment).where(EscrowPayment.charge_id == obj.get("id"))
    )
    refunded = int(obj.get("amount_refunded") or 0)
    if payment is not None and refunded != payment.refunded_amount:
        audit.record(
            None,
            "charge.refund_mismatch",
            f"milestone:{payment.milestone_id}",
            provider_refunded=refunded,
            booked=payment.refunded_amount,
        )


def charge_disputed(obj: dict) -> None:
    """A chargeback on a funding charge freezes the milestone for an admin."""
    payment = db.session.scalar(
        select(EscrowPayment).where(EscrowPayment.charge_id == obj.get("charge"))
    )
    if payment is None:
        return
    milestone, contract = _locked_milestone(payment.milestone_id)
    if milestone is None:
        return
    if (milestone.status, "dispute") in MILESTONE:
        milestone.status = next_status(MILESTONE, milestone.status, "dispute")
    if milestone.status == MilestoneStatus.DISPUTED:
        open_chargeback_dispute(
            milestone, contract, f"Chargeback {obj.get('id')}: {obj.get('reason') or 'unknown'}"
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
    """A freelancer's payout account can now receive transfers: pay out what waits."""
    user = db.session.scalar(
        select(User).where(User.payout_account_id == obj.get("id")).with_for_update()
    )
    if user is None or user.payouts_enabled:
        return
    account = service.get_gateway().retrieve_payout_account(obj["id"])
    if account.transfers_active:
        with operations.guard():  # a transfer whose answer is lost is journalled
            service.enable_payouts(user)


def transfer_reversed(obj: dict) -> None:
    """A payout came back: recorded for an admin to settle with the freelancer."""
    payment = db.session.scalar(
        select(EscrowPayment).where(EscrowPayment.transfer_id == obj.get("id"))
    )
    audit.record(
        None,
        "payout.reversed",
        f"milestone:{payment.milestone_id}" if payment else f"transfer:{obj.get('id')}",
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


@blp.post("/webhooks/stripe")
@blp.doc(
    parameters=[
        {
            "name": "Stripe-Signature",
            "in": "header",
            "required": True,
            "description": '`t=<unix time>,v1=<HMAC-SHA256 of "t.body">`, Stripe\'s scheme.',
            "schema": {"type": "string"},
        }
    ],
    requestBody={
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "description": "A Stripe event, exactly as Stripe signed it.",
                    "required": ["id", "type", "data"],
                    "properties": {
                        "id": {"type": "string"},
                        "type": {"type": "string"},
                        "data": {
                            "type": "object",
                            "required": ["object"],
                            "properties": {"object": {"type": "object"}},
                        },
                    },
                }
            }
        },
    },
)
@blp.response(200, WebhookReceiptSchema)
@public
@exempt
@raw_body
def stripe_webhook():
    """Receive a signed Stripe event (each event id is handled once)."""
    payload = request.get_data(cache=True)
    verify_signature(
        payload,
        request.headers.get("Stripe-Signature", ""),
        current_app.config["STRIPE_WEBHOOK_SECRET"],
    )
    try:
        event = json.loads(payload)
        event_id, event_type = str(event["id"]), str(event["type"])
        obj = event["data"]["object"]
        if not isinstance(obj, dict) or not isinstance(obj.get("id"), str):
            raise TypeError("an event's object has an id")
    except (ValueError, KeyError, TypeError):
        raise BadSignature("The event is not a Stripe event.") from None
    if db.session.get(WebhookEvent, event_id) is not None:
        return {"received": True, "duplicate": True}
    handler = HANDLERS.get(event_type)
    try:
        if handler is not None:
            handler(obj)
        db.session.add(WebhookEvent(id=event_id, type=event_type))
        db.session.commit()
    except ProviderUnavailable:
        db.session.rollback()
        raise GatewayFailed("Could not re-read the object from the provider; retry.") from None
    except ProviderRefused as refusal:  # re-reading the object (a transfer's is the guard's)
        db.session.rollback()
        raise operations.refused_problem(refusal, "request") from None
    except IntegrityError:
        db.session.rollback()  # the same event, handled meanwhile by another delivery
        return {"received": True, "duplicate": True}
    return {"received": True, "handled": handler is not None}
