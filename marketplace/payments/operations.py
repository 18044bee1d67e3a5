"""Calls to the payment provider, journalled: refused ones settle, unanswered ones wait.

A money action locks its milestone, then does its work inside `guard()`. Every
provider call goes through `call()`, which journals it. A call ends one of three ways:

- answered: the journal entry is settled and the action books what happened;
- refused (`ProviderRefused`: the provider said no and did nothing): the action's work
  is rolled back, the entry is settled at once with the provider's code, and the caller
  hears a 4xx (`refused_problem`). Nothing is frozen: the next call of that kind on the
  milestone carries a new key, since the provider answers a key it refused with the
  same refusal;
- unanswered (`ProviderUnavailable`): the provider may have acted. The action's work is
  rolled back to the savepoint taken after the lock, but the journal entry is kept and
  committed. From then on the milestone accepts no money action that ends with that
  entry unsettled (`ensure_settled`), so the only way forward is to repeat the same call,
  which the provider answers from its idempotency record, or for a webhook to tell us
  the outcome.
"""

from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

from sqlalchemy import exists, func, select, update

from marketplace.errors import (
    Conflict,
    DomainError,
    GatewayFailed,
    PaymentAmountRefused,
    PaymentDeclined,
    PaymentRefused,
    ValidationFailed,
)
from marketplace.extensions import db
from marketplace.payments.gateway import (
    AmountRefused,
    CardDeclined,
    DestinationRefused,
    KeyReused,
    ProviderRefused,
    ProviderUnavailable,
    UnknownPaymentMethod,
)
from marketplace.payments.keys import ProviderKey
from marketplace.payments.models import ProviderOperation

GATEWAY_FAILED = (
    "The payment provider did not answer, so whether it acted is not known. Nothing was "
    "booked here and the milestone's money stays where it was. Repeat the same request: "
    "it will not charge or pay twice. Until then, other money actions on the milestone "
    "are refused."
)

# What each kind of call does, for the people who hear it was refused.
WHAT = {
    "charge": "the payment",
    "refund": "the refund to the client",
    "transfer": "the transfer to the freelancer's payout account",
    "payout_account": "the request about the freelancer's payout account",
}

T = TypeVar("T")

# The provider calls made inside the current guard().
_in_flight: ContextVar[list[dict] | None] = ContextVar("provider_calls", default=None)


class OperationUnsettled(Conflict):
    slug, title = "provider-operation-unsettled", "A payment operation is unsettled"


class ProviderFailed(GatewayFailed):
    """A provider call failed or went unanswered; carries the journal entry to keep."""

    def __init__(self, operation: dict):
        super().__init__(GATEWAY_FAILED)
        self.operation = operation


def refused_problem(
    refusal: ProviderRefused, kind: str, *, after: tuple[str, ...] = ()
) -> DomainError:
    """The answer to a request whose provider call (of this kind) was refused.

    `after`: the kinds of the calls the same action made before, which did go through.
    """
    if isinstance(refusal, CardDeclined):
        return PaymentDeclined(f"The payment was declined ({refusal.code}).")
    if isinstance(refusal, UnknownPaymentMethod):
        return ValidationFailed({"payment_method": ["Unknown payment method."]})
    detail = (
        f"The payment provider refused {WHAT.get(kind, 'the request')}: "
        f"{refusal.message.rstrip('.')} ({refusal.code})."
    )
    if after:
        done = " and ".join(WHAT.get(k, k) for k in after)
        detail += (
            f" Before it, {done} went through: nothing was booked here, and the milestone "
            "waits for this same request to be repeated."
        )
    else:
        detail += " Nothing was moved and nothing changed here."
    if isinstance(refusal, AmountRefused):
        return PaymentAmountRefused(detail)
    if isinstance(refusal, DestinationRefused):
        detail += (
            " The freelancer's payout account cannot receive money now; try again once it "
            "can (POST /me/payout-account gives the freelancer a link to finish it)."
        )
    return PaymentRefused(detail)


def call(
    milestone_id: int,
    kind: str,
    provider_key: ProviderKey,
    amount: int,
    detail: str,
    perform: Callable[[str], T],
) -> T:
    """Make one provider call, journalled under its idempotency key.

    The key counts the provider's refusals of calls of this kind on this milestone, so
    that the attempt after a refusal is a new call at the provider (which answers a key
    it refused with the same refusal). `perform` is given the key to send.
    """
    refused = db.session.scalar(
        select(func.count())
        .select_from(ProviderOperation)
        .where(
            ProviderOperation.milestone_id == milestone_id,
            ProviderOperation.kind == kind,
            ProviderOperation.refusal.is_not(None),
        )
    )
    key = provider_key.render(refused)
    operation = db.session.scalar(
        select(ProviderOperation).where(ProviderOperation.idempotency_key == key)
    )
    waiting = operation is not None and not operation.settled
    if operation is None:
        # A new movement may not start while an earlier one's outcome is unknown.
        ensure_settled(milestone_id)
        operation = ProviderOperation(
            milestone_id=milestone_id,
            kind=kind,
            idempotency_key=key,
            amount=amount,
            detail=detail,
            settled=False,
        )
        db.session.add(operation)
        db.session.flush()
    elif waiting and (operation.amount, operation.detail) != (amount, detail):
        raise OperationUnsettled(_unsettled_detail(operation))
    entry = {
        "milestone_id": milestone_id,
        "kind": kind,
        "idempotency_key": key,
        "amount": amount,
        "detail": detail,
    }
    journal = _in_flight.get()
    if journal is not None:
        journal.append(entry)
    try:
        result = perform(key)
    except ProviderRefused as refusal:
        if isinstance(refusal, KeyReused) and waiting:
            # Our earlier call under this key may have acted: it stays unsettled.
            raise ProviderFailed(entry) from None
        operation.settled, operation.refusal = True, refusal.code  # nothing moved
        entry["refusal"] = refusal.code
        raise
    except ProviderUnavailable:
        raise ProviderFailed(entry) from None
    operation.settled = True
    return result


@contextmanager
def guard():
    """Run a money action's work; if a provider call was refused or went unanswered, keep
    only the journal.

    Unanswered: every call made inside is journalled as unsettled, since the unanswered
    one may have acted, and the ones answered before it did act, though their bookings
    roll back. Only a repeat of the same calls can settle them. Refused: the refused
    call is journalled as settled (it did nothing) and the request answers a 4xx; calls
    answered before it in the same action did act, so they wait for a repeat as above.
    """
    savepoint = db.session.begin_nested()
    token = _in_flight.set([])
    try:
        yield
    except ProviderFailed:
        _keep_journal(savepoint)
        raise
    except ProviderRefused as refusal:
        refused, acted = _keep_journal(savepoint)
        kind = refused["kind"] if refused else "request"
        raise refused_problem(refusal, kind, after=tuple(e["kind"] for e in acted)) from None
    finally:
        _in_flight.reset(token)
    if savepoint.is_active:
        savepoint.commit()


def _keep_journal(savepoint) -> tuple[dict | None, list[dict]]:
    """Roll the action back but its journal, and commit that.

    Returns the call that was refused, if one was, and those left unsettled.
    """
    made = _in_flight.get() or []
    savepoint.rollback()
    refused, unsettled = None, []
    for entry in made:
        refusal = entry.get("refusal")
        if refusal is not None:
            refused = entry
        else:
            unsettled.append(entry)
        known = db.session.scalar(
            select(ProviderOperation).where(
                ProviderOperation.idempotency_key == entry["idempotency_key"]
            )
        )
        if known is None:
            known = ProviderOperation(**{k: v for k, v in entry.items() if k != "refusal"})
            db.session.add(known)
        known.settled, known.refusal = refusal is not None, refusal
    db.session.commit()
    return refused, unsettled


def ensure_settled(milestone_id: int) -> None:
    """Refuse to finish a money action while a provider call on the milestone is unsettled."""
    operation = db.session.scalar(
        select(ProviderOperation).where(
            ProviderOperation.milestone_id == milestone_id, ProviderOperation.settled.is_(False)
        )
    )
    if operation is not None:
        raise OperationUnsettled(_unsettled_detail(operation))


def has_unsettled(milestone_id: int) -> bool:
    return db.session.scalar(
        select(
            exists().where(
                ProviderOperation.milestone_id == milestone_id, ProviderOperation.settled.is_(False)
            )
        )
    )


def settle(milestone_id: int, kind: str) -> None:
    """The provider told us (a webhook) how its calls of this kind ended."""
    db.session.execute(
        update(ProviderOperation)
        .where(ProviderOperation.milestone_id == milestone_id, ProviderOperation.kind == kind)
        .values(settled=True)
    )


def _unsettled_detail(operation: ProviderOperation) -> str:
    what = f"a {operation.kind} of {operation.amount}"
    if operation.detail:
        what += f" ({operation.detail})"
    return (
        f"The payment provider never answered {what} on this milestone. Repeat that "
        "request exactly before anything else can happen to its money."
    )
