"""Write-ahead provider calls: a milestone's money moves in steps that survive a crash.

A money action on a milestone runs as a loop of steps (`run`). Each step:

1. **Tx 1**: the milestone is locked and the action's handler `plan`s the next step
   from what is true now. Either it finishes the action in this transaction (nothing
   to ask the provider: a release while payouts are off, say), or it names one call
   to the provider, which is written down as a pending `EscrowMovement` (kind, exact
   parameters, idempotency key) and committed.
2. **The call**, with no transaction open and no lock held.
3. **Tx 2**: the milestone is locked again and the movement settled: if the provider
   answered, the handler `book`s it (the ledger transaction, the status change, the
   audit entries) together with the movement's outcome; a refusal settles it as
   failed, nothing moved. An unanswered call leaves it pending.

A pending movement is never a dead end. The next money action on the milestone first
**recovers** it: the same call is made again with the same key and parameters, so
the provider answers what it did the first time (or does it now, if the first call
never reached it), and that answer is booked as above. `recover_pending` does the
same from the CLI (`recover-operations`) and the admin API. Two recoveries at once
are harmless: both send the same key, and only the first to settle books.

What a movement books depends only on the row itself (its `action`, `context` and
the answer), never on the request that made it, so whoever recovers it books the same.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import cast

from flask import current_app
from sqlalchemy import CursorResult, and_, func, or_, select, update
from sqlalchemy.orm import joinedload, lazyload

from marketplace.contracts.models import Contract, Milestone
from marketplace.database import utcnow
from marketplace.errors import (
    Conflict,
    DomainError,
    GatewayFailed,
    NotFound,
    OperationInProgress,
)
from marketplace.extensions import db
from marketplace.milestones.models import EscrowMovement, MovementKind, MovementStatus
from marketplace.payments import keys
from marketplace.payments.gateway import (
    Charge,
    ChargeRequest,
    KeyReused,
    MovementLookup,
    PaymentGateway,
    ProviderRefused,
    ProviderUnavailable,
    Refund,
    RefundRequest,
    Transfer,
    TransferRequest,
    get_gateway,
)
from marketplace.payments.operations import refused_problem

log = logging.getLogger(__name__)

# More steps than any action takes (a split: a refund, then a transfer), so a bug in a
# handler that keeps asking is an error rather than a loop.
MAX_STEPS = 6

UNANSWERED = (
    "The payment provider did not answer, so whether it acted is not known. It is "
    "written down here and will be found out: repeat the request (it cannot charge or pay "
    "twice), or an admin recovers it. Until then the milestone's money stays where it was."
)
IN_PROGRESS = (
    "A payment operation on this milestone is being made right now; this request changed "
    "nothing. Repeat it in a few seconds."
)
EARLIER_UNANSWERED = (
    "An earlier payment operation on this milestone is still unanswered by the payment "
    "provider, so this request changed nothing. Repeat it later: the earlier operation is "
    "found out first."
)
REFUND_WAITING = (
    "A refund of this milestone's money is pending at the payment provider; until it "
    "succeeds or fails the milestone stays as it is and no other action may start."
)


@dataclass(frozen=True)
class Step:
    """One call to the provider that an action needs next."""

    kind: MovementKind
    amount: int
    params: dict
    context: dict = field(default_factory=dict)
    fee: int = 0
    freelancer_id: int | None = None
    # A transfer's release, when the release was booked before it (a payout).
    release_id: int | None = None
    # The action is done once this call is answered and booked.
    final: bool = True


@dataclass
class Outcome:
    """What became of a call: `result` (answered), `refusal`, or neither (unknown)."""

    result: object | None = None
    refusal: ProviderRefused | None = None

    @property
    def answered(self) -> bool:
        return self.result is not None


class Handler:
    """What one action does; subclasses say how it plans and books."""

    # Whether a recovery (`recover_pending`) that booked one of its steps goes on with
    # the next ones, as the request would have: an approval's release after its refund of
    # unused capacity. A ruling waits for the admin to repeat it instead.
    continues_after_recovery = False

    def plan(self, milestone: Milestone, contract: Contract, request: dict) -> Step | None:
        """The next call, or None once the action is done (booked in this transaction).

        Raises a DomainError when the action may not happen (nothing is written)."""
        raise NotImplementedError

    def book(self, movement: EscrowMovement, milestone: Milestone, contract: Contract, result):
        """The provider answered `movement`'s call: book what it did."""
        raise NotImplementedError

    def refused(self, movement, milestone, contract, refusal: ProviderRefused) -> None:
        """The provider refused `movement`'s call (nothing moved): record what must be."""

    def problem(self, movement: EscrowMovement, refusal: ProviderRefused) -> DomainError:
        """What the user hears when the call was refused."""
        return refused_problem(refusal, movement.kind)


HANDLERS: dict[str, Handler] = {}


def register(action: str, handler: Handler) -> None:
    HANDLERS[action] = handler


def lock_milestone(milestone_id: int) -> tuple[Milestone, Contract]:
    """The milestone, locked and read afresh, with its submissions, and its contract
    (without its milestones).

    One statement: the contract and the submissions (which the answer shows) are read
    in the same round trip as the lock, and are not locked themselves."""
    found = (
        db.session.execute(
            select(Milestone, Contract)
            .join(Contract, Contract.id == Milestone.contract_id)
            .where(Milestone.id == milestone_id)
            .options(joinedload(Milestone.submissions), lazyload(Contract.milestones))
            .with_for_update(of=Milestone)
            .execution_options(populate_existing=True)
        )
        .unique()
        .first()
    )
    if found is None:
        raise NotFound("No such milestone.")
    milestone, contract = found
    return milestone, contract


def open_movements(milestone_id: int) -> tuple[EscrowMovement | None, bool]:
    """The milestone's first pending movement, and whether a refund of it is processing:
    what `run` must wait for or find out before an action, read in one statement."""
    waiting = db.session.scalars(
        select(EscrowMovement)
        .where(
            EscrowMovement.milestone_id == milestone_id,
            or_(
                EscrowMovement.status == MovementStatus.PENDING,
                and_(
                    EscrowMovement.kind == MovementKind.REFUND,
                    EscrowMovement.status == MovementStatus.PROCESSING,
                ),
            ),
        )
        .order_by(EscrowMovement.id)
    ).all()
    pending = next((m for m in waiting if m.status == MovementStatus.PENDING), None)
    return pending, any(m.status == MovementStatus.PROCESSING for m in waiting)


def commit_keeping(milestone: Milestone) -> Milestone:
    """Commit, keeping the milestone and its submissions as committed, for the answer.

    The submissions are read in the transaction; nothing needs reading again after it.
    Every other object is expired as a commit expires it, so what the request reads of
    them next comes from the database."""
    kept = {id(milestone), *(id(s) for s in milestone.submissions)}
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True
    for instance in list(session.identity_map.values()):
        if id(instance) not in kept:
            session.expire(instance)
    return milestone


def pending_movement(milestone_id: int) -> EscrowMovement | None:
    return db.session.scalar(
        select(EscrowMovement)
        .where(
            EscrowMovement.milestone_id == milestone_id,
            EscrowMovement.status == MovementStatus.PENDING,
        )
        .order_by(EscrowMovement.id)
        .limit(1)
    )


def run(
    action: str,
    request: dict,
    load: Callable[[], tuple[Milestone, Contract]],
    *,
    actor_id: int | None,
) -> Milestone:
    """Do `action` on the milestone `load()` locks (after its access checks), step by step.

    Returns the milestone as the action left it. Raises the handler's 4xx when the action
    may not happen or the provider refused, GatewayFailed (502) when the provider did not
    answer: what was called stays written down, to be recovered.
    """
    handler = HANDLERS[action]
    for _ in range(MAX_STEPS):
        milestone, contract = load()
        earlier, refund_processing = open_movements(milestone.id)
        if earlier is not None:
            mine = earlier.action == action and earlier.context.get("request") == request
            outcome, movement = _finish(earlier)
            milestone_id = movement.milestone_id
            if outcome.refusal is not None and mine:
                raise _refusal_problem(movement, outcome.refusal)
            if not outcome.answered and outcome.refusal is None:
                raise GatewayFailed(UNANSWERED if mine else EARLIER_UNANSWERED)
            if mine and (movement.context.get("final") or not _succeeded(movement.id)):
                return load_milestone(milestone_id)
            continue
        if refund_processing:
            db.session.rollback()
            raise Conflict(REFUND_WAITING)
        step = handler.plan(milestone, contract, request)
        if step is None:
            return commit_keeping(milestone)
        milestone_id = milestone.id
        movement = _write_ahead(milestone, action, request, step, actor_id)
        outcome, movement = _finish(movement, claimed=True)
        if outcome.refusal is not None:
            raise _refusal_problem(movement, outcome.refusal)
        if not outcome.answered:
            raise GatewayFailed(UNANSWERED)
        if step.final:
            # Settled under the milestone's lock (`settle` keeps it as it committed it).
            return milestone
        if not _succeeded(movement.id):
            # Waiting for the provider (a pending refund) or for an admin.
            return load_milestone(milestone_id)
    raise RuntimeError(f"{action} on milestone {milestone.id} took more than {MAX_STEPS} steps")


def _succeeded(movement_id: int) -> bool:
    status = db.session.scalar(
        select(EscrowMovement.status).where(EscrowMovement.id == movement_id)
    )
    return status == MovementStatus.SUCCEEDED


def load_milestone(milestone_id: int) -> Milestone:
    return db.session.scalars(
        select(Milestone)
        .where(Milestone.id == milestone_id)
        .execution_options(populate_existing=True)
    ).one()


def _refusal_problem(movement: EscrowMovement, refusal: ProviderRefused) -> DomainError:
    return HANDLERS[movement.action].problem(movement, refusal)


def _write_ahead(milestone, action, request, step: Step, actor_id) -> EscrowMovement:
    """The pending row for the step's call, with the key the call (and any repeat) sends."""
    earlier = db.session.scalars(
        select(func.count())
        .select_from(EscrowMovement)
        .where(EscrowMovement.milestone_id == milestone.id, EscrowMovement.kind == step.kind)
    ).one()
    params = {**step.params, "amount": step.amount, "currency": milestone.currency}
    key = keys.ProviderKey(str(step.kind), f"m{milestone.id}.{earlier + 1}", params).render()
    now = utcnow()
    movement = EscrowMovement(
        milestone_id=milestone.id,
        kind=step.kind,
        action=action,
        status=MovementStatus.PENDING,
        amount=step.amount,
        currency=milestone.currency,
        fee=step.fee,
        idempotency_key=key,
        params=params,
        context={**step.context, "request": request, "final": step.final},
        freelancer_id=step.freelancer_id,
        release_id=step.release_id,
        actor_id=actor_id,
        in_flight_until=now + _lease(),
        called_at=now,
    )
    db.session.add(movement)
    db.session.flush()
    return movement


def _forgotten(movement: EscrowMovement, gateway: PaymentGateway) -> bool:
    """Whether the provider may have forgotten the movement's key (Stripe: after 24 hours),
    so that a repeat could be taken as a new call. An hour's margin."""
    lifetime = gateway.key_lifetime
    if lifetime is None:
        return False
    return movement.created_at < utcnow() - lifetime + timedelta(hours=1)


# Our clock against the provider's, and a call that starts late in its lease: a lookup's
# window is this much wider on each side (a few more objects read, none missed).
LOOKUP_MARGIN = timedelta(minutes=15)

NOT_FOUND = (
    "The payment provider has no record of this call: it never reached the provider, "
    "and nothing moved."
)
NOT_CHARGED = "The payment provider's record of this call shows it charged nothing."


def find_at_provider(movement: EscrowMovement, gateway: PaymentGateway) -> Outcome:
    """What became of a call whose key the provider may have forgotten, from the
    provider's own records of what that call can have made (`find_movement`: a few
    objects read with the provider's filters, never its whole account): the charge,
    refund or transfer of that amount that no other movement of ours accounts for,
    booked as the call's answer. None found: the call never reached the provider (or
    did nothing), and is settled as failed. A lookup the provider does not answer
    leaves the movement pending."""
    known = set(
        db.session.scalars(
            select(EscrowMovement.provider_id).where(
                EscrowMovement.milestone_id == movement.milestone_id,
                EscrowMovement.provider_id.is_not(None),
            )
        )
    )
    lookup = _lookup(movement, gateway)
    db.session.rollback()
    try:
        found = [
            record
            for record in gateway.find_movement(lookup)
            if _provider_id(record) not in known and record.amount == movement.amount
        ]
        if movement.kind == MovementKind.CHARGE:
            return _found_charge(movement, gateway, found)
    except ProviderRefused as refusal:
        log.error("movement %s: the provider refused its lookup: %s", movement.id, refusal)
        return Outcome()
    except ProviderUnavailable:
        return Outcome()
    if found:
        return Outcome(result=found[0])
    return Outcome(refusal=ProviderRefused("not_found", NOT_FOUND))


def _lookup(movement: EscrowMovement, gateway: PaymentGateway) -> MovementLookup:
    """Where the movement's call can have left a record: made from the row's creation to
    its last call's lease (a row from before calls were timed: to the key's lifetime,
    after which it was never repeated), with a margin for clocks."""
    last_call = movement.called_at or movement.created_at + (gateway.key_lifetime or timedelta())
    params = movement.params
    return MovementLookup(
        kind=str(movement.kind),
        installation=keys.namespace(),
        milestone_id=movement.milestone_id,
        made_from=movement.created_at - LOOKUP_MARGIN,
        made_until=last_call + _lease() + LOOKUP_MARGIN,
        intent_id=params.get("intent_id"),
        transfer_group=params.get("transfer_group"),
        destination=params.get("destination"),
        source_charge_id=params.get("source_charge_id"),
    )


def _provider_id(record: Charge | Refund | Transfer) -> str:
    if isinstance(record, Charge):
        return record.intent_id
    if isinstance(record, Refund):
        return record.refund_id
    return record.transfer_id


def _found_charge(movement: EscrowMovement, gateway: PaymentGateway, found: list) -> Outcome:
    """The answer a charge call had, from the PaymentIntents found for it.

    One that succeeded is booked. One still under way (processing, waiting for the
    client's authentication) may yet charge, so it is never settled as failed: it is
    booked as the call's answer, as a live answer would have been (the milestone is
    `funding` until the provider's event says how it ended). One whose payment failed
    (it waits for another payment method after ours was tried) is cancelled first, so
    that it can never charge later. Cancelled ones charged nothing: the call is settled
    as failed, as when nothing is found.
    """
    currency = movement.currency
    intents = [c for c in found if isinstance(c, Charge) and c.currency.upper() == currency]
    tried = bool(movement.params.get("payment_method"))
    failed = [c for c in intents if c.status == "requires_payment_method" and tried]
    under_way = [
        c for c in intents if c.status != "canceled" and c not in failed and not c.succeeded
    ]
    answer = next(iter([c for c in intents if c.succeeded] + under_way), None)
    if answer is not None:
        return Outcome(result=answer)
    for charge in failed:
        ended = gateway.cancel_charge(charge.intent_id)
        if ended.succeeded:  # paid meanwhile: read whole, with its settlement
            return Outcome(result=gateway.retrieve_charge(charge.intent_id))
        if ended.status != "canceled":
            return Outcome(result=ended)
    if intents:
        return Outcome(refusal=ProviderRefused("not_charged", NOT_CHARGED))
    return Outcome(refusal=ProviderRefused("not_found", NOT_FOUND))


def call_provider(movement: EscrowMovement) -> Outcome:
    """Make (or repeat) the movement's call; no transaction may be open.

    A call the provider may have forgotten the key of is not repeated but looked up."""
    gateway = get_gateway()
    if _forgotten(movement, gateway):
        try:
            return find_at_provider(movement, gateway)
        except ProviderUnavailable:
            return Outcome()
    params, key = movement.params, movement.idempotency_key
    if key is None:
        raise ValueError(f"movement {movement.id} ({movement.kind}) has no provider call")
    result: object
    try:
        if movement.kind == MovementKind.CHARGE:
            result = gateway.charge(
                ChargeRequest(
                    amount=params["amount"],
                    currency=params["currency"],
                    idempotency_key=key,
                    milestone_id=movement.milestone_id,
                    transfer_group=params["transfer_group"],
                    payment_method=params.get("payment_method"),
                    description=params.get("description", ""),
                    installation=params.get("installation", ""),
                )
            )
        elif movement.kind == MovementKind.REFUND:
            result = gateway.refund(RefundRequest(params["intent_id"], params["amount"], key))
        elif movement.kind == MovementKind.TRANSFER:
            result = gateway.transfer(
                TransferRequest(
                    amount=params["amount"],
                    currency=params["currency"],
                    destination=params["destination"],
                    source_charge_id=params.get("source_charge_id"),
                    transfer_group=params["transfer_group"],
                    idempotency_key=key,
                )
            )
        else:
            raise ValueError(f"a {movement.kind} is not a provider call")
    except ProviderRefused as refusal:
        return Outcome(refusal=refusal)
    except ProviderUnavailable as error:
        log.warning("movement %s (%s): no answer: %s", movement.id, movement.kind, error)
        return Outcome()
    return Outcome(result=result)


def _lease() -> timedelta:
    return timedelta(seconds=current_app.config["PROVIDER_CALL_SECONDS"])


def _claim(movement_id: int, *, repeat: bool) -> bool:
    """Take a pending movement to call the provider for it, unless another caller has.

    One conditional UPDATE, so two hosts never both hold it; a crashed caller's claim
    runs out by itself. `repeat`: the call is to be made again (not looked up), and
    its time kept, since what it makes at the provider is made from then on."""
    now = utcnow()
    claimed = db.session.execute(
        update(EscrowMovement)
        .where(
            EscrowMovement.id == movement_id,
            EscrowMovement.status == MovementStatus.PENDING,
            or_(EscrowMovement.in_flight_until.is_(None), EscrowMovement.in_flight_until < now),
        )
        .values(in_flight_until=now + _lease(), **({"called_at": now} if repeat else {}))
        .execution_options(synchronize_session=False)
    )
    return cast(CursorResult, claimed).rowcount == 1


def _finish(movement: EscrowMovement, *, claimed: bool = False) -> tuple[Outcome, EscrowMovement]:
    """Call the provider for a pending movement and settle what it answers (Tx 2).

    `claimed`: the caller wrote the movement with its claim (Tx 1, which this commits);
    otherwise it is claimed here, or OperationInProgress if another caller holds it.
    Returns the outcome and the movement as it was called (detached: read it, do not
    change it).
    """
    repeat = not _forgotten(movement, get_gateway())
    if not claimed and not _claim(movement.id, repeat=repeat):
        movement_id = movement.id
        db.session.rollback()
        raise OperationInProgress(IN_PROGRESS, retry_after=_retry_after(movement_id))
    db.session.expunge(movement)  # kept readable, with no transaction open
    db.session.commit()  # no transaction, and no lock, while the provider is asked
    outcome = call_provider(movement)
    if not claimed and isinstance(outcome.refusal, KeyReused):
        # A repeat refused for its key: the provider holds that key with other
        # parameters, so what the first call did is not said. It may have moved money:
        # the movement stays pending for an admin, never settled as failed.
        log.error(
            "movement %s (%s): the provider refused its own key on a repeat: %s",
            movement.id,
            movement.kind,
            outcome.refusal.message,
        )
        outcome = Outcome()
    if not outcome.answered and outcome.refusal is None:
        # Unanswered: let the next caller (a retry, a recovery) ask again at once.
        db.session.execute(
            update(EscrowMovement)
            .where(EscrowMovement.id == movement.id)
            .values(in_flight_until=None)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
    else:
        settle(movement.id, movement.milestone_id, outcome)
    return outcome, movement


def _retry_after(movement_id: int) -> int:
    until = db.session.scalar(
        select(EscrowMovement.in_flight_until).where(EscrowMovement.id == movement_id)
    )
    db.session.rollback()
    if until is None:
        return 1
    return max(1, min(int((until - utcnow()).total_seconds()) + 1, 60))


def settle(movement_id: int, milestone_id: int, outcome: Outcome) -> None:
    """Book an answer for a movement, once: under the milestone's lock, if still pending.

    Commits. An unknown outcome changes nothing.
    """
    if not outcome.answered and outcome.refusal is None:
        return
    milestone, contract = lock_milestone(milestone_id)
    movement = db.session.scalar(
        select(EscrowMovement)
        .where(EscrowMovement.id == movement_id)
        .execution_options(populate_existing=True)
    )
    assert movement is not None  # movements are never deleted
    if movement.status != MovementStatus.PENDING:
        commit_keeping(milestone)  # settled meanwhile, by a recovery or a webhook
        return
    handler = HANDLERS[movement.action]
    movement.settled_at = utcnow()
    if outcome.refusal is not None:
        movement.status, movement.refusal = MovementStatus.FAILED, outcome.refusal.code
        handler.refused(movement, milestone, contract, outcome.refusal)
    else:
        handler.book(movement, milestone, contract, outcome.result)
        if movement.status == MovementStatus.PENDING:
            movement.status = MovementStatus.SUCCEEDED
    commit_keeping(milestone)


def recover(movement_id: int) -> EscrowMovement:
    """Find out what became of a pending movement and book it; returns it as it ends."""
    movement = db.session.get(EscrowMovement, movement_id)
    if movement is None:
        raise NotFound("No such operation.")
    if movement.status == MovementStatus.PENDING:
        outcome, _called = _finish(movement)
        if not outcome.answered and outcome.refusal is None:
            raise GatewayFailed(
                "The payment provider still did not answer; the operation stays pending."
            )
    ended = db.session.get(EscrowMovement, movement_id)
    assert ended is not None
    return ended


def recover_pending(limit: int = 1000) -> list[str]:
    """Recover every pending movement older than a running request could be.

    Safe on many hosts at once: a movement is settled once, under its milestone's lock,
    and both hosts' calls send the same key.
    """
    ids = db.session.scalars(
        select(EscrowMovement.id)
        .where(EscrowMovement.status == MovementStatus.PENDING)
        .order_by(EscrowMovement.id)
        .limit(limit)
    ).all()
    db.session.rollback()
    done = []
    for movement_id in ids:
        try:
            movement = recover(movement_id)
            if _goes_on(movement):
                continue_action(movement_id)
        except OperationInProgress:
            done.append(f"operation {movement_id}: being made by another request; left to it")
            continue
        except GatewayFailed:
            db.session.rollback()
            done.append(f"operation {movement_id}: no answer from the provider; still pending")
            continue
        done.append(
            f"operation {movement_id} ({movement.kind} of {movement.amount} "
            f"{movement.currency} on milestone {movement.milestone_id}): {movement.status}"
            + (f" ({movement.refusal})" if movement.refusal else "")
        )
    return done + poll_processing(limit)


def _goes_on(movement: EscrowMovement) -> bool:
    """Whether the action the recovered movement was a step of has steps left to make."""
    return (
        movement.status == MovementStatus.SUCCEEDED
        and not movement.context.get("final")
        and HANDLERS[movement.action].continues_after_recovery
    )


def settle_processing(movement_id: int, refund: Refund) -> bool:
    """A processing refund's answer from the provider (a webhook, a poll), booked once
    under the milestone's lock by the action it was for: succeeded, the action goes on;
    failed, its handler records that. Does not commit. Returns whether the action has
    a further step to make (`continue_action`, after a commit)."""
    movement = db.session.get(EscrowMovement, movement_id)
    if movement is None:
        raise NotFound("No such operation.")
    milestone, contract = lock_milestone(movement.milestone_id)
    db.session.refresh(movement)
    if movement.status != MovementStatus.PROCESSING or refund.waiting:
        return False
    movement.settled_at = utcnow()
    HANDLERS[movement.action].book(movement, milestone, contract, refund)
    return movement.status == MovementStatus.SUCCEEDED and not movement.context.get("final")


def continue_action(movement_id: int) -> None:
    """Run the rest of the action a movement was a step of (a ruling's transfer after its
    refund succeeded). A refusal or a lost answer is logged and left as `run` leaves it."""
    movement = db.session.get(EscrowMovement, movement_id)
    assert movement is not None
    action, request = movement.action, movement.context["request"]
    milestone_id, actor_id = movement.milestone_id, movement.actor_id
    db.session.rollback()
    try:
        run(action, request, lambda: lock_milestone(milestone_id), actor_id=actor_id)
    except DomainError as failure:
        db.session.rollback()
        log.warning("%s on milestone %s did not go on: %s", action, milestone_id, failure.detail)


def poll_processing(limit: int = 1000) -> list[str]:
    """Ask the provider about refunds it took and has not done yet, and book those done."""
    waiting = db.session.execute(
        select(EscrowMovement.id, EscrowMovement.provider_id)
        .where(
            EscrowMovement.kind == MovementKind.REFUND,
            EscrowMovement.status == MovementStatus.PROCESSING,
            EscrowMovement.provider_id.is_not(None),
        )
        .order_by(EscrowMovement.id)
        .limit(limit)
    ).all()
    db.session.rollback()
    done = []
    for movement_id, refund_id in waiting:
        try:
            refund = get_gateway().retrieve_refund(str(refund_id))
        except (ProviderRefused, ProviderUnavailable) as error:
            done.append(f"operation {movement_id}: refund {refund_id} not read: {error}")
            continue
        if refund.waiting:
            done.append(
                f"operation {movement_id}: refund {refund_id} is {refund.status} at the "
                "provider; booked when it ends"
            )
            continue
        go_on = settle_processing(movement_id, refund)
        db.session.commit()
        if go_on:
            continue_action(movement_id)
        done.append(f"operation {movement_id}: refund {refund_id} {refund.status}")
    return done


def ensure_none_pending(milestone_id: int) -> None:
    """For actions that move no money themselves (cancel, dispute): refuse while a call
    on the milestone is unanswered, since it may have moved money."""
    if pending_movement(milestone_id) is not None:
        raise GatewayFailed(EARLIER_UNANSWERED)
