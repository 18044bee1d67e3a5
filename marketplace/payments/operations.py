"""Calls to the payment provider whose outcome we may not learn.

A money action locks its milestone, then does its work inside `guard()`. Every
provider call goes through `call()`, which journals it. If the provider's answer is
lost, the action's work is rolled back to the savepoint taken after the lock, but the
journal entry is kept and committed: the provider may have acted. From then on the
milestone accepts no money action that ends with that entry unsettled
(`ensure_settled`), so the only way forward is to repeat the same call, which the
provider answers from its idempotency record, or for a webhook to tell us the outcome.
"""

from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

from sqlalchemy import exists, select, update

from marketplace.errors import Conflict, GatewayFailed
from marketplace.extensions import db
from marketplace.payments.gateway import CardDeclined, GatewayError, UnknownPaymentMethod
from marketplace.payments.models import ProviderOperation

GATEWAY_FAILED = (
    "The payment provider did not answer; nothing was changed here. Repeat the same "
    "request: it will not charge or pay twice."
)

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


def call(
    milestone_id: int, kind: str, key: str, amount: int, detail: str, perform: Callable[[], T]
) -> T:
    """Make one provider call, journalled under its idempotency key."""
    operation = db.session.scalar(
        select(ProviderOperation).where(ProviderOperation.idempotency_key == key)
    )
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
    elif not operation.settled and (operation.amount, operation.detail) != (amount, detail):
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
        result = perform()
    except (CardDeclined, UnknownPaymentMethod):
        operation.settled = True  # a definite answer: nothing moved
        raise
    except GatewayError:
        raise ProviderFailed(
            {
                "milestone_id": milestone_id,
                "kind": kind,
                "idempotency_key": key,
                "amount": amount,
                "detail": detail,
            }
        ) from None
    operation.settled = True
    return result


@contextmanager
def guard():
    """Run a money action's work; if a provider call went unanswered, keep only the journal.

    Every call made inside is journalled as unsettled then: the unanswered one may have
    acted, and the ones answered before it did act, though their bookings roll back.
    Only a repeat of the same calls can settle them.
    """
    savepoint = db.session.begin_nested()
    token = _in_flight.set([])
    try:
        yield
    except ProviderFailed:
        made = _in_flight.get()
        savepoint.rollback()
        for entry in made:
            known = db.session.scalar(
                select(ProviderOperation).where(
                    ProviderOperation.idempotency_key == entry["idempotency_key"]
                )
            )
            if known is None:
                db.session.add(ProviderOperation(**entry, settled=False))
            else:
                known.settled = False
        db.session.commit()
        raise
    finally:
        _in_flight.reset(token)
    if savepoint.is_active:
        savepoint.commit()


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
