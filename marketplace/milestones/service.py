"""Use cases of escrow: fund, submit, approve, request changes, refund, auto-release, payouts.

Every money action runs through milestones/engine.py: the milestone is locked, the
state table asked, and each call to the payment provider is written down (with its
idempotency key: the installation's namespace, our ids and the call's parameters,
payments/keys.py) and committed before it is made; what the provider answered, the
status change, the ledger lines and the audit entries commit together after. A call
whose answer was lost is recovered by the next money action on the milestone, the
`recover-operations` command or an admin. A refusal answers a 4xx and changes nothing.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import NoReturn
from urllib.parse import urlencode

from blinker import Namespace
from flask import current_app
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import exists, func, select
from sqlalchemy.orm import lazyload

from marketplace import audit
from marketplace.accounts.eligibility import pays_out_to
from marketplace.accounts.models import Role, User
from marketplace.audit import AuditEntry
from marketplace.contracts import policy as contract_policy
from marketplace.contracts import service as contracts
from marketplace.contracts.models import Contract, Milestone, MilestoneSubmission
from marketplace.database import utcnow
from marketplace.deliveries import gold
from marketplace.deliveries import service as deliveries
from marketplace.errors import (
    Conflict,
    DeliveryRefused,
    DomainError,
    Forbidden,
    GatewayFailed,
    NotFound,
    OperationInProgress,
    PayoutCountryUnsupported,
    TooManyRequests,
    ValidationFailed,
)
from marketplace.events import service as events
from marketplace.extensions import db
from marketplace.jobs.models import Job
from marketplace.milestones import engine
from marketplace.milestones.engine import Handler, Step, register
from marketplace.milestones.models import Chargeback, EscrowMovement, MovementKind, MovementStatus
from marketplace.milestones.states import MILESTONE, MilestoneAction
from marketplace.money import format_amount, payable_errors, platform_fee, pro_rata
from marketplace.payments import keys, ledger, operations
from marketplace.payments.gateway import (
    CardDeclined,
    Charge,
    PayoutAccount,
    PayoutAccountRequest,
    ProviderRefused,
    ProviderUnavailable,
    get_gateway,
)
from marketplace.payments.gateway import Refund as ProviderRefund
from marketplace.payments.keys import ProviderKey
from marketplace.payments.models import LedgerLine
from marketplace.states import MilestoneStatus, next_status

A, K, S = MilestoneAction, MovementKind, MovementStatus

# The action of a refund made outside the marketplace (Stripe's Dashboard, Radar).
OUTSIDE_REFUND = "outside_refund"

# Disputes sit above milestones: a milestone frozen for an admin is announced, and
# disputes opens the platform's dispute in the same transaction.
signals = Namespace()
money_frozen = signals.signal(
    "money-frozen",
    doc="A refund failed, or one was made outside the marketplace, and the milestone is "
    "disputed (the sender: the locked Milestone; `contract` and `reason` as keywords): a "
    "receiver opens the platform's dispute.",
)
log = logging.getLogger(__name__)


def _party(user: User, milestone_id: int, role: str):
    """A loader for engine.run: the milestone, locked, if the user may see it (else
    404) and is its `role` (else 403)."""

    def load() -> tuple[Milestone, Contract]:
        milestone, contract = engine.lock_milestone(milestone_id)
        _check_party(user, contract, role)
        return milestone, contract

    return load


def _check_party(user: User, contract: Contract, role: str) -> None:
    if not contract_policy.can_view_contract(user, contract):
        raise NotFound("No such milestone.")
    if contract.party_role(user.id) != role:
        raise Forbidden(f"Only the contract's {role} may do this.")


def transfer_group(milestone_id: int) -> str:
    return f"milestone-{milestone_id}"


def succeeded_charge(milestone_id: int) -> EscrowMovement | None:
    return db.session.scalar(
        select(EscrowMovement).where(
            EscrowMovement.milestone_id == milestone_id,
            EscrowMovement.kind == K.CHARGE,
            EscrowMovement.status == S.SUCCEEDED,
        )
    )


def current_charge(milestone_id: int) -> EscrowMovement | None:
    """The milestone's latest charge that did not fail (the one funding is waiting on)."""
    return db.session.scalar(
        select(EscrowMovement)
        .where(
            EscrowMovement.milestone_id == milestone_id,
            EscrowMovement.kind == K.CHARGE,
            EscrowMovement.status != S.FAILED,
        )
        .order_by(EscrowMovement.id.desc())
        .limit(1)
    )


# -- funding ----------------------------------------------------------------------------


class Fund(Handler):
    def plan(self, milestone, contract, request):
        next_status(MILESTONE, milestone.status, A.FUND, "milestone")
        method = request.get("payment_method")
        if method is None and get_gateway().name == "local":
            raise ValidationFailed({"payment_method": ["Required with the local payment gateway."]})
        # A milestone made while the platform took its currency (STRIPE_CURRENCIES changed
        # since): refused before anything is charged. Amounts the provider refuses itself.
        errors = payable_errors(current_app.config, milestone.currency, {})
        if errors:
            raise ValidationFailed(errors)
        return Step(
            K.CHARGE,
            milestone.amount,
            {
                "payment_method": method,
                "transfer_group": transfer_group(milestone.id),
                "description": f"Escrow for milestone {milestone.id} of contract {contract.id}",
                "installation": keys.namespace(),
            },
        )

    def book(self, movement, milestone, contract, charge):
        movement.provider_id, movement.charge_id = charge.intent_id, charge.charge_id
        movement.client_secret = charge.client_secret
        movement.context = {**movement.context, "intent_status": charge.status}
        if charge.succeeded:
            book_funding(
                milestone, contract, movement, movement.actor_id, action=A.FUND, charge=charge
            )
            return
        movement.status = S.PROCESSING
        milestone.status = next_status(MILESTONE, milestone.status, A.START_FUNDING, "milestone")
        audit.record(
            movement.actor_id,
            "milestone.funding_started",
            f"milestone:{milestone.id}",
            intent=charge.intent_id,
        )

    def refused(self, movement, milestone, contract, refusal):
        if isinstance(refusal, CardDeclined):
            audit.record(
                movement.actor_id,
                "milestone.funding_declined",
                f"milestone:{milestone.id}",
                code=refusal.code,
            )


def fund_milestone(user: User, milestone_id: int, payment_method: str | None) -> Milestone:
    """Put the milestone's money in escrow: at once with a payment method, else via the app."""
    milestone = engine.run(
        A.FUND,
        {"payment_method": payment_method},
        _party(user, milestone_id, "client"),
        actor_id=user.id,
    )
    if milestone.status == MilestoneStatus.FUNDING:
        charge = current_charge(milestone.id)
        status = "requires_payment_method" if charge is None else "requires_action"
        milestone.payment = {  # type: ignore[attr-defined]  # shown by MilestoneSchema
            "client_secret": charge.client_secret if charge else None,
            "status": (charge.context.get("intent_status") if charge else None) or status,
        }
    return milestone


def book_funding(milestone, contract, movement, actor_id, *, action, charge: Charge) -> None:
    """The charge succeeded: the milestone is funded and its money held in escrow; what
    the provider kept of it (its processing fee) is booked as the platform's expense."""
    milestone.status = next_status(MILESTONE, milestone.status, action, "milestone")
    movement.status = S.SUCCEEDED
    settled = charge.settlement
    fees = []
    if settled is not None:
        movement.settlement_currency, movement.settlement_amount = settled.currency, settled.amount
        movement.provider_fee, movement.exchange_rate = settled.fee, settled.exchange_rate
        movement.balance_transaction = settled.id
        fees = ledger.provider_fee(movement.id, milestone.id, settled.currency, settled.fee)
    # One booking of the funding and its fee, after the movement is complete: the
    # booking's statements flush it in one UPDATE.
    ledger.book_funding(milestone, contract.client_id, *fees)
    if settled is not None and settled.currency != milestone.currency:
        # STRIPE_CURRENCIES names a currency the platform does not settle in: the
        # release's transfer (in the milestone's currency) will be refused.
        log.error(
            "milestone %s: charged in %s, settled in %s; check STRIPE_CURRENCIES",
            milestone.id,
            milestone.currency,
            settled.currency,
        )
    audit.record(
        actor_id,
        "milestone.funded",
        f"milestone:{milestone.id}",
        amount=milestone.amount,
        currency=milestone.currency,
        intent=movement.provider_id,
    )


FUNDING_UNANSWERED = (
    "The payment provider did not answer, so whether the payment was cancelled is not "
    "known; the milestone stays `funding`. Repeat the request."
)
FUNDING_PROCESSING = (
    "The payment is being processed by the payment provider and cannot be cancelled now; "
    "the milestone stays `funding` until it succeeds or fails."
)


def leave_funding(
    load: Callable[[], tuple[Milestone, Contract]], action: MilestoneAction, actor_id
) -> Milestone:
    """A `funding` milestone back to `pending`: its PaymentIntent is cancelled first, so
    it can never charge later; one that succeeded meanwhile is booked (funded) instead.

    Like a written-ahead step: checked under the lock, the provider called with no
    transaction open, the answer booked under the lock again (unless a webhook booked
    it meanwhile)."""
    milestone, _contract = load()
    earlier = engine.pending_movement(milestone.id)
    if earlier is not None:  # a fund call unanswered: found out first
        engine.recover(earlier.id)
        milestone, _contract = load()
        if earlier.kind == K.CHARGE and milestone.status == MilestoneStatus.FUNDED:
            db.session.commit()  # it was paid: funded, which is what a cancel answers then
            return milestone
    next_status(MILESTONE, milestone.status, action, "milestone")
    charge = current_charge(milestone.id)
    charge_id = charge.id if charge is not None else None
    intent_id = charge.provider_id if charge is not None else None
    db.session.commit()
    answer = None
    if intent_id is not None:
        try:
            answer = get_gateway().cancel_charge(intent_id)
            if answer is not None and answer.succeeded and answer.settlement is None:
                # Paid meanwhile: read it whole, with what the provider kept of it.
                answer = get_gateway().retrieve_charge(intent_id)
        except ProviderUnavailable:
            raise GatewayFailed(FUNDING_UNANSWERED) from None
        except ProviderRefused as refusal:
            raise operations.refused_problem(refusal, "charge") from None
    milestone, contract = engine.lock_milestone(milestone.id)
    movement = db.session.get(EscrowMovement, charge_id) if charge_id is not None else None
    if movement is not None:
        db.session.refresh(movement)
    if movement is not None and movement.status not in (S.PENDING, S.PROCESSING):
        db.session.commit()  # booked meanwhile (a webhook): the milestone says how
        return milestone
    if answer is not None and answer.succeeded:
        assert movement is not None
        if answer.amount != movement.amount or answer.currency.upper() != movement.currency:
            raise ValueError(f"intent {answer.intent_id} does not match movement {movement.id}")
        movement.charge_id, movement.settled_at = answer.charge_id, utcnow()
        book_funding(milestone, contract, movement, None, action=A.FUNDING_SUCCEEDED, charge=answer)
    elif answer is None or answer.status == "canceled":
        if movement is not None:
            movement.status, movement.settled_at = S.FAILED, utcnow()
            movement.refusal = "expired" if action == A.EXPIRE_FUNDING else "canceled"
        milestone.status = next_status(MILESTONE, milestone.status, action, "milestone")
        audit.record(
            actor_id,
            "milestone.funding_expired"
            if action == A.EXPIRE_FUNDING
            else "milestone.funding_cancelled",
            f"milestone:{milestone.id}",
            intent=intent_id,
        )
    else:
        db.session.rollback()
        raise Conflict(FUNDING_PROCESSING)
    db.session.commit()
    return engine.load_milestone(milestone.id)


def cancel_funding(user: User, milestone_id: int) -> Milestone:
    """The client gives up a funding attempt: the milestone is pending again (or funded,
    if the payment succeeded meanwhile)."""
    return leave_funding(_party(user, milestone_id, "client"), A.CANCEL_FUNDING, user.id)


def expire_funding(now=None) -> list[str]:
    """Funding attempts older than FUNDING_TIMEOUT_HOURS end as the client's cancel does."""
    now = now or utcnow()
    cutoff = now - timedelta(hours=current_app.config["FUNDING_TIMEOUT_HOURS"])
    stale = db.session.scalars(
        select(Milestone.id)
        .join(EscrowMovement, EscrowMovement.milestone_id == Milestone.id)
        .where(
            Milestone.status == MilestoneStatus.FUNDING,
            EscrowMovement.kind == K.CHARGE,
            EscrowMovement.status == S.PROCESSING,
            EscrowMovement.created_at <= cutoff,
        )
        .distinct()
        .order_by(Milestone.id)
    ).all()
    db.session.rollback()
    done = []
    for milestone_id in stale:

        def load(milestone_id=milestone_id):
            return _claim_due(milestone_id, lambda m: m.status == MilestoneStatus.FUNDING)

        try:
            milestone = leave_funding(load, A.EXPIRE_FUNDING, None)
        except _NotDue:
            db.session.rollback()
            continue
        except DomainError as failure:
            db.session.rollback()
            done.append(f"milestone {milestone_id}: funding not ended ({failure.detail})")
            continue
        if milestone.status == MilestoneStatus.FUNDED:
            done.append(f"milestone {milestone_id}: funded (paid before it expired)")
        else:
            done.append(f"milestone {milestone_id}: funding expired; pending again")
    return done


class Submit(Handler):
    """The freelancer delivers; the client has the review period to answer.

    On a job with a record schema the delivery is records, checked by `submit_milestone`
    before the milestone is locked. Under the lock, the milestone must still take a
    delivery, against the same schema and limit: then the records that passed are
    written from their spool and committed with the submission. A refused check counts
    against the milestone's daily allowance, under the same lock: counted and committed
    before the 422 is raised, so that it counts although the request fails, or, when
    the allowance was used up meanwhile, a 429 like any delivery past it.
    """

    def plan(self, milestone, contract, request):
        status = next_status(MILESTONE, milestone.status, A.SUBMIT, "milestone")
        # The job's record schema alone: its skills and text are not needed here. Its row
        # is held (FOR KEY SHARE) until the submission commits, so that the job's client
        # cannot replace the gold set while this delivery is measured on it.
        descriptor = db.session.scalar(
            select(Job.record_schema)
            .where(Job.id == contract.job_id)
            .with_for_update(read=True, key_share=True)
        )
        _delivery_rules(descriptor, request)
        checked: CheckedDelivery | None = request.get("checked")
        report = None
        if descriptor is not None:
            assert checked is not None  # submit_milestone checks every delivery of records
            if checked.descriptor != descriptor or checked.max_records != delivery_limit(milestone):
                raise Conflict(CHANGED_WHILE_CHECKED)
            comparison = None
            if checked.result.passed:
                comparison = gold.comparison_for(descriptor, contract.job_id)
                if comparison is not None:
                    for rows in checked.spool.batches():
                        comparison.compare(rows)
            report = gold.judged(checked.result, comparison, contract.min_accuracy_bps)
            if not report["passed"]:
                _refuse_delivery(milestone.id, checked.result, report, request["sees_gold"])
        submission = MilestoneSubmission(note=request["note"] or "")
        # On the loaded list, so that the answer shows it without reading the list again.
        milestone.submissions.append(submission)
        if descriptor is not None and checked is not None:
            db.session.flush()  # its records refer to it
            deliveries.write_records(descriptor, submission.id, checked.spool)
            submission.report = report  # in full: shaped for each reader when shown
            submission.record_count = checked.result.rows
            if checked.kept is not None:
                deliveries.file_row(submission.id, checked.kept)
        milestone.status = status
        # The counts describe the latest delivery's approval: a new delivery has none yet.
        milestone.records_accepted = milestone.records_rejected = 0
        days = current_app.config["REVIEW_PERIOD_DAYS"]
        milestone.auto_release_at = utcnow() + timedelta(days=days)
        audit.record(request["actor_id"], "milestone.submitted", f"milestone:{milestone.id}")
        return None


CHANGED_WHILE_CHECKED = (
    "The milestone's record schema or its max_records changed while the delivery was "
    "checked; nothing was stored. Send the delivery again."
)


@dataclass
class CheckedDelivery:
    """A delivery checked before the milestone was locked, and what the check took."""

    descriptor: dict
    max_records: int | None
    result: deliveries.Checked
    spool: deliveries.RowSpool
    # The file in storage, once the delivery passed (its row is written with the records).
    kept: deliveries.KeptFile | None = None


def _delivery_rules(descriptor: dict | None, request: dict) -> None:
    """What a submit must carry: records on a job with a record schema (as JSON or a
    file), a note on a job without one."""
    delivery: deliveries.Delivery | None = request["delivery"]
    if descriptor is None and delivery is not None:
        raise ValidationFailed(
            {"records": ["This job has no record schema: its delivery is a note alone."]}
        )
    if descriptor is None and not request["note"]:
        raise ValidationFailed({"note": ["Missing data for required field."]})
    if descriptor is not None and delivery is None:
        raise ValidationFailed(
            {
                "records": [
                    "This job's delivery is records: send them as `records` (JSON) "
                    "or as a CSV or XLSX `file` (multipart)."
                ]
            }
        )


def _refused_checks_limit(milestone_id: int) -> None:
    """429 once the milestone has had its allowance of refused checks in 24 hours."""
    wait = deliveries.refused_checks_wait(milestone_id)
    if wait is not None:
        raise TooManyRequests(
            f"This milestone had {current_app.config['DELIVERY_CHECKS_PER_DAY']} "
            "deliveries refused in the last 24 hours: the next one is checked in "
            f"{wait} seconds.",
            retry_after=wait,
        )


def _refuse_delivery(
    milestone_id: int, checked: deliveries.Checked, report: dict, sees_gold: bool
) -> NoReturn:
    """Count the refused check (under the milestone's lock, which the caller holds, so
    that refusals at once cannot count past the allowance) and answer with the report as
    the caller may see it (a freelancer: the accuracy alone, not which rows were gold);
    past the allowance, a 429 without it."""
    try:
        _refused_checks_limit(milestone_id)
    except TooManyRequests:
        db.session.rollback()
        raise
    deliveries.count_refusal(milestone_id)
    db.session.commit()
    count = checked.error_count
    if count:
        why = f"The delivery has {count} error{'s' if count != 1 else ''}"
    else:
        why = "The delivery's accuracy on known answers is under the contract's min_accuracy"
    raise DeliveryRefused(
        f"{why}: see `report`. Nothing was stored and the milestone is unchanged.",
        report=gold.shaped(report, full=sees_gold),
    )


def _check_before_locking(user: User, milestone_id: int, request: dict) -> CheckedDelivery | None:
    """Check a delivery of records before the milestone is locked.

    What the check needs (the job's record schema, the milestone's max_records) and
    whether the delivery may be made at all are read first, in a short transaction that
    ends before the check: a check of 50,000 rows holds no row lock and, on SQLite, not
    the database's write lock, so other requests write meanwhile. The file goes to
    storage too, once the delivery passed. None when the job has no record schema (the
    locked action refuses the delivery).
    """
    milestone, contract = _visible_to(user, milestone_id, "freelancer")
    next_status(MILESTONE, milestone.status, A.SUBMIT, "milestone")
    descriptor = db.session.scalar(select(Job.record_schema).where(Job.id == contract.job_id))
    _delivery_rules(descriptor, request)
    if descriptor is None:
        return None
    _refused_checks_limit(milestone_id)
    limit = delivery_limit(milestone)
    db.session.rollback()  # nothing is read or locked while the delivery is checked
    delivery: deliveries.Delivery = request["delivery"]
    spool = deliveries.RowSpool(descriptor)
    try:
        result = deliveries.check_delivery(descriptor, delivery, milestone_limit=limit, spool=spool)
        checked = CheckedDelivery(descriptor, limit, result, spool)
        if result.passed:
            checked.kept = deliveries.keep_file(milestone_id, delivery)
    except BaseException:
        spool.close()
        raise
    return checked


def _visible_to(user: User, milestone_id: int, role: str) -> tuple[Milestone, Contract]:
    """The milestone and its contract, not locked, if the user may see it (else 404)
    and is its `role` (else 403)."""
    found = db.session.execute(
        select(Milestone, Contract)
        .join(Contract, Contract.id == Milestone.contract_id)
        .where(Milestone.id == milestone_id)
        .options(lazyload(Milestone.submissions), lazyload(Contract.milestones))
    ).first()
    if found is None:
        raise NotFound("No such milestone.")
    milestone, contract = found
    _check_party(user, contract, role)
    return milestone, contract


def submit_milestone(
    user: User, milestone_id: int, note: str | None, delivery: deliveries.Delivery | None = None
) -> Milestone:
    """The freelancer delivers (records, on a job with a record schema); the client has
    the review period to answer."""
    request: dict = {
        "note": note,
        "actor_id": user.id,
        "delivery": delivery,
        "sees_gold": gold.sees_gold(user.role),
    }
    try:
        if delivery is not None:
            request["checked"] = _check_before_locking(user, milestone_id, request)
        milestone = engine.run(
            A.SUBMIT, request, _party(user, milestone_id, "freelancer"), actor_id=user.id
        )
    except BaseException:
        # The file was kept but its row never committed: it must not stay behind.
        checked = request.get("checked")
        if checked is not None and checked.kept is not None:
            deliveries.forget_file(checked.kept.key)
        raise
    finally:
        if request.get("checked") is not None:
            request["checked"].spool.close()
    return milestone


def milestone_records(user: User, milestone_id: int):
    """The latest delivery of a milestone the user may see, with its job's record schema:
    (descriptor, submission id). 404 before any delivery of records."""
    milestone = db.session.get(Milestone, milestone_id, options=[lazyload(Milestone.submissions)])
    if milestone is None:
        raise NotFound("No such milestone.")
    contract = db.session.get(
        Contract, milestone.contract_id, options=[lazyload(Contract.milestones)]
    )
    assert contract is not None
    if not contract_policy.can_view_contract(user, contract):
        raise NotFound("No such milestone.")
    latest = db.session.scalar(
        select(MilestoneSubmission)
        .where(MilestoneSubmission.milestone_id == milestone_id)
        .order_by(MilestoneSubmission.id.desc())
        .limit(1)
    )
    job = db.session.get(Job, contract.job_id)
    assert job is not None
    if latest is None or latest.record_count is None or job.record_schema is None:
        raise NotFound("This milestone has no delivery of records yet.")
    return job.record_schema, latest.id


class RequestChanges(Handler):
    """The client sends the delivery back with a reason; the review clock stops."""

    def plan(self, milestone, contract, request):
        milestone.status = next_status(MILESTONE, milestone.status, A.REQUEST_CHANGES, "milestone")
        # The reason goes on the delivery it answers, where the freelancer reads it.
        delivery = milestone.submissions[-1]
        delivery.changes_requested_reason = request["reason"]
        delivery.changes_requested_at = utcnow()
        audit.record(
            request["actor_id"],
            "milestone.changes_requested",
            f"milestone:{milestone.id}",
            reason=request["reason"],
        )
        return None


def request_changes(user: User, milestone_id: int, reason: str) -> Milestone:
    """The client sends the delivery back with a reason; the review clock stops."""
    return engine.run(
        A.REQUEST_CHANGES,
        {"reason": reason, "actor_id": user.id},
        _party(user, milestone_id, "client"),
        actor_id=user.id,
    )


class Cancel(Handler):
    """The client cancels a milestone not funded yet (no money to move)."""

    def plan(self, milestone, contract, request):
        milestone.status = next_status(MILESTONE, milestone.status, A.CANCEL, "milestone")
        return None


def cancel_milestone(user: User, milestone_id: int) -> Milestone:
    """Cancel a pending (unfunded) milestone (the client only).

    A charge written down and not yet answered is found out first: it may have gone
    through, and then the milestone is funded, not cancellable."""
    return engine.run(A.CANCEL, {}, _party(user, milestone_id, "client"), actor_id=user.id)


@contracts.contract_cancel_requested.connect
def _recover_before_cancelling(contract_id: int) -> None:
    """Find out what became of the calls in flight on the contract's milestones."""
    pending = db.session.scalars(
        select(EscrowMovement.id)
        .join(Milestone, Milestone.id == EscrowMovement.milestone_id)
        .where(Milestone.contract_id == contract_id, EscrowMovement.status == S.PENDING)
    ).all()
    for movement_id in pending:
        engine.recover(movement_id)


@contracts.contract_cancelling.connect
def _cancel_with_the_contract(milestones: list[Milestone]) -> None:
    """The contract's unfunded milestones are cancelled with it (the caller holds their
    locks and commits). A call written down meanwhile may still move money: the cancel
    waits for it."""
    for milestone in milestones:
        engine.ensure_none_pending(milestone.id)
    for milestone in milestones:
        if milestone.status == MilestoneStatus.PENDING:
            milestone.status = next_status(MILESTONE, milestone.status, A.CANCEL, "milestone")


# -- releasing and refunding --------------------------------------------------------------


def lock_freelancer(contract: Contract) -> User:
    """The freelancer's row, locked: a release and the switching on of payouts serialise,
    so either the release sees payouts on, or the switch sees the release."""
    return db.session.scalars(
        select(User)
        .where(User.id == contract.freelancer_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def transfer_step(milestone, contract, freelancer: User, gross: int, context: dict) -> Step | None:
    """The transfer that pays a release of `gross` out at once, if payouts are on."""
    fee = platform_fee(gross, contract.fee_bps)
    if not freelancer.payouts_enabled or gross - fee <= 0:
        return None
    charge = succeeded_charge(milestone.id)
    return Step(
        K.TRANSFER,
        gross - fee,
        {
            "destination": freelancer.payout_account_id,
            "source_charge_id": charge.charge_id if charge else None,
            "transfer_group": transfer_group(milestone.id),
        },
        context={**context, "gross": gross},
        fee=fee,
        freelancer_id=freelancer.id,
    )


def book_release(milestone, contract, gross: int, *, actor_id, transfer=None) -> EscrowMovement:
    """Book `gross` of the milestone's escrow to the freelancer, less the fee; and its
    payout, if `transfer` (a movement the provider answered) paid it out."""
    fee = platform_fee(gross, contract.fee_bps)
    held = ledger.escrow_balance(milestone.id)
    if gross > held:
        raise ValueError(f"milestone {milestone.id}: release of {gross} exceeds its escrow {held}")
    release = EscrowMovement(
        milestone_id=milestone.id,
        kind=K.RELEASE,
        action=transfer.action if transfer is not None else "release",
        status=S.SUCCEEDED,
        amount=gross,
        currency=milestone.currency,
        fee=fee,
        freelancer_id=contract.freelancer_id,
        actor_id=actor_id,
        settled_at=utcnow(),
    )
    db.session.add(release)
    db.session.flush()
    # A milestone released in two parts (a partial approval, then a ruling on what it
    # held, which is still held when the ruling's part is booked) books each under its
    # own reference.
    reference = f"release:m{milestone.id}" + (".2" if milestone.held else "")
    ledger.book_release(milestone, contract.freelancer_id, gross, fee, reference=reference)
    audit.record(
        actor_id,
        "milestone.released",
        f"milestone:{milestone.id}",
        gross=gross,
        fee=fee,
        currency=milestone.currency,
    )
    if transfer is not None:
        transfer.release_id = release.id
        book_payout(transfer)
    return release


def book_payout(transfer: EscrowMovement) -> None:
    """A transfer the provider made: the freelancer's pending money is paid out."""
    transfer.status = S.SUCCEEDED
    if transfer.freelancer_id is None:
        raise ValueError(f"transfer {transfer.id} names no freelancer")
    reference = f"payout:mv{transfer.id}"
    ledger.book_payout(
        transfer.milestone_id,
        transfer.freelancer_id,
        transfer.currency,
        transfer.amount,
        reference=reference,
    )
    _payout_event(transfer.freelancer_id, reference)
    audit.record(
        None,
        "payout.sent",
        f"milestone:{transfer.milestone_id}",
        amount=transfer.amount,
        currency=transfer.currency,
        transfer=transfer.provider_id,
    )


def _payout_event(freelancer_id: int, reference: str) -> None:
    """Tell the freelancer (and admins), with the payout line as GET /me/transactions shows it."""

    def shape(_role: str) -> dict:
        from marketplace.payments.models import LedgerTransaction
        from marketplace.payments.schemas import TransactionSchema

        line = db.session.scalars(
            ledger.user_lines_query(freelancer_id)
            .join(LedgerTransaction, LedgerTransaction.id == LedgerLine.transaction_id)
            .where(LedgerTransaction.reference == reference)
        ).one()
        return TransactionSchema().dump(line)

    events.emit("payout.paid", {freelancer_id: Role.FREELANCER}, shape)


def refund_step(milestone, amount: int, context: dict | None = None) -> Step:
    charge = succeeded_charge(milestone.id)
    if charge is None or amount > ledger.escrow_balance(milestone.id):
        raise ValueError(f"milestone {milestone.id}: refund of {amount} exceeds its escrow")
    return Step(K.REFUND, amount, {"intent_id": charge.provider_id}, context=context or {})


def refund_answered(movement: EscrowMovement, milestone, contract, refund) -> bool:
    """Book what the provider answered to a refund: True once it succeeded (booked).

    Pending at the provider, the movement is processing and the money stays in escrow;
    failed, the money stays there too and the milestone is frozen for an admin."""
    movement.provider_id = refund.refund_id
    if refund.waiting:
        movement.status = S.PROCESSING
        audit.record(
            movement.actor_id,
            "milestone.refund_pending",
            f"milestone:{milestone.id}",
            amount=movement.amount,
            currency=milestone.currency,
            refund=refund.refund_id,
        )
        return False
    if refund.failed:
        movement.status, movement.refusal = S.FAILED, f"refund_{refund.status}"
        movement.settled_at = movement.settled_at or utcnow()
        amount = format_amount(movement.amount, milestone.currency)
        freeze(
            milestone,
            contract,
            f"The refund of {amount} ({refund.refund_id}) {refund.status} at the payment "
            "provider: the money is still in escrow, for an admin to decide.",
        )
        audit.record(
            None,
            "milestone.refund_failed",
            f"milestone:{milestone.id}",
            amount=movement.amount,
            currency=milestone.currency,
            refund=refund.refund_id,
            status=refund.status,
        )
        return False
    book_refund(movement, milestone, contract, refund)
    return True


def wait_for_calls_in_flight(milestone_id: int) -> None:
    """A provider call on the milestone is in flight (written down, not yet booked): an
    event that would freeze the milestone or take its money back waits for it, answered
    409 so the provider delivers it again, since a call that went through must be booked
    as what it was for (an approval's transfer) first."""
    if engine.pending_movement(milestone_id) is not None:
        raise OperationInProgress(
            "A payment call on this milestone is in flight; deliver the event again later.",
            retry_after=30,
        )


def freeze(milestone, contract, reason: str) -> None:
    """Put the milestone in `disputed` (unless it is already, or its money is gone) and
    have the platform's dispute opened, so an admin decides (a chargeback, a refund that
    failed, one made outside the marketplace)."""
    wait_for_calls_in_flight(milestone.id)
    action = (
        A.DISPUTE_REJECTION if milestone.status == MilestoneStatus.PARTIALLY_APPROVED else A.DISPUTE
    )
    if (milestone.status, action) in MILESTONE:
        milestone.status = next_status(MILESTONE, milestone.status, action, "milestone")
    if milestone.status == MilestoneStatus.DISPUTED:
        money_frozen.send(milestone, contract=contract, reason=reason)


def outside_refunded(milestone_id: int) -> int:
    """What refunds made outside the marketplace took from the milestone's escrow."""
    return sum(
        db.session.scalars(
            select(EscrowMovement.amount).where(
                EscrowMovement.milestone_id == milestone_id,
                EscrowMovement.kind == K.REFUND,
                EscrowMovement.action == OUTSIDE_REFUND,
                EscrowMovement.status == S.SUCCEEDED,
            )
        )
    )


def book_outside_refunds(charge: EscrowMovement, refunds: list[ProviderRefund]) -> None:
    """Refunds of the milestone's charge that none of our movements made: each that
    succeeded is booked as it happened (a refund movement and its ledger lines), and the
    milestone is frozen for an admin. Does not commit; books each refund once."""
    milestone, contract = engine.lock_milestone(charge.milestone_id)
    known = set(
        db.session.scalars(
            select(EscrowMovement.provider_id).where(
                EscrowMovement.milestone_id == milestone.id,
                EscrowMovement.kind == K.REFUND,
                EscrowMovement.provider_id.is_not(None),
            )
        )
    )
    unknown = [r for r in refunds if r.refund_id not in known and not r.failed]
    if not unknown:
        return
    for refund in unknown:
        if not refund.succeeded:
            continue  # booked when it succeeds (refund.updated, charge.refunded)
        amount = min(refund.amount, ledger.escrow_balance(milestone.id))
        if amount < refund.amount:
            audit.record(
                None,
                "milestone.refund_beyond_escrow",
                f"milestone:{milestone.id}",
                refund=refund.refund_id,
                amount=refund.amount,
                escrow=amount,
                currency=milestone.currency,
            )
        if amount <= 0:
            continue
        movement = EscrowMovement(
            milestone_id=milestone.id,
            kind=K.REFUND,
            action=OUTSIDE_REFUND,
            status=S.SUCCEEDED,
            amount=amount,
            currency=milestone.currency,
            provider_id=refund.refund_id,
            settled_at=utcnow(),
        )
        db.session.add(movement)
        db.session.flush()
        ledger.book_refund(
            milestone, contract.client_id, amount, reference=f"refund:mv{movement.id}"
        )
        audit.record(
            None,
            "milestone.refunded_outside",
            f"milestone:{milestone.id}",
            amount=amount,
            currency=milestone.currency,
            refund=refund.refund_id,
        )
    ids = ", ".join(r.refund_id for r in unknown)
    freeze(
        milestone,
        contract,
        f"Refunded outside the marketplace ({ids}): booked as it happened; an admin "
        "decides what becomes of the rest.",
    )


def book_refund(movement: EscrowMovement, milestone, contract, refund) -> None:
    movement.provider_id, movement.status = refund.refund_id, S.SUCCEEDED
    ledger.book_refund(
        milestone, contract.client_id, movement.amount, reference=f"refund:mv{movement.id}"
    )
    audit.record(
        movement.actor_id,
        "milestone.refunded",
        f"milestone:{milestone.id}",
        amount=movement.amount,
        currency=milestone.currency,
        refund=refund.refund_id,
    )


@dataclass(frozen=True)
class Split:
    """What an approval of the latest delivery does with the milestone's money."""

    delivered: int  # rows of the latest delivery (0 for a note)
    rejected: int  # rows the client rejected
    released: int  # to the freelancer (less the fee)
    held: int  # kept in escrow for the rejected rows
    unused: int  # a per-record milestone's capacity not delivered: back to the client

    @property
    def accepted(self) -> int:
        return self.delivered - self.rejected


def split_of(milestone: Milestone, rejected: int) -> Split:
    """Per record: each accepted row earns unit_price, each rejected one's is held, and
    rows not delivered are refunded. Fixed price: the accepted rows' share of the amount
    (rounded half up) is released and the rest held."""
    latest = milestone.submissions[-1] if milestone.submissions else None
    delivered = (latest.record_count or 0) if latest is not None else 0
    if milestone.unit_price is not None and milestone.max_records is not None:
        price = milestone.unit_price
        return Split(
            delivered,
            rejected,
            released=price * (delivered - rejected),
            held=price * rejected,
            unused=price * (milestone.max_records - delivered),
        )
    if rejected == 0:
        return Split(delivered, 0, released=milestone.amount, held=0, unused=0)
    released = pro_rata(milestone.amount, delivered - rejected, delivered)
    return Split(delivered, rejected, released, milestone.amount - released, unused=0)


# The parts of a milestone's money an approval or a rejection refunds: the capacity a
# per-record milestone did not use, and the rejected rows' held money.
CAPACITY, HELD = "capacity", "held"


def refunded_part(milestone_id: int, part: str) -> int:
    """What succeeded refunds of that part gave back to the client."""
    refunds = db.session.scalars(
        select(EscrowMovement).where(
            EscrowMovement.milestone_id == milestone_id,
            EscrowMovement.kind == K.REFUND,
            EscrowMovement.status == S.SUCCEEDED,
        )
    ).all()
    return sum(m.amount for m in refunds if m.context.get("part") == part)


def delivery_limit(milestone: Milestone) -> int | None:
    """The most rows a delivery may hold: a per-record milestone's max_records, less the
    records whose money went back already (an approval refunded the unused capacity,
    then did not go through, and the client asked for changes)."""
    if milestone.unit_price is None or milestone.max_records is None:
        return milestone.max_records
    gone = refunded_part(milestone.id, CAPACITY) // milestone.unit_price
    return max(0, milestone.max_records - gone)


NOT_RECORDS = "This milestone's delivery is a note, not records: there are no rows to reject."


def _check_rejected_rows(milestone: Milestone, rows: list[dict]) -> None:
    """The rejected rows name rows of the latest delivery (422 otherwise)."""
    if not rows:
        return
    latest = milestone.submissions[-1] if milestone.submissions else None
    if latest is None or latest.record_count is None:
        raise ValidationFailed({"rejected_rows": [NOT_RECORDS]})
    wanted = [r["row"] for r in rows]
    found: set[int] = set()
    for start in range(0, len(wanted), 500):
        found.update(deliveries.rows_present(latest.id, wanted[start : start + 500]))
    unknown = [n for n in wanted if n not in found]
    if unknown:
        listed = ", ".join(str(n) for n in unknown[:20]) + (", ..." if len(unknown) > 20 else "")
        raise ValidationFailed(
            {
                "rejected_rows": [
                    f"Not rows of the latest delivery ({latest.record_count} rows): {listed}."
                ]
            }
        )


class Approve(Handler):
    """The client approves (or the review period ends): the money goes to the freelancer.

    With rejected rows, their share stays in escrow (`held`) and the milestone is
    partially approved. A per-record milestone's unused capacity goes back to the client
    first, as its own provider call (so that an approved milestone never waits on a
    refund with money in escrow); then the accepted part is released. Each step is
    planned afresh from what is booked, so a repeat or a recovery goes on from there.
    """

    continues_after_recovery = True

    def __init__(self, action: MilestoneAction):
        self.action = action

    def plan(self, milestone, contract, request):
        next_status(MILESTONE, milestone.status, self.action, "milestone")
        rows = request.get("rejected_rows") or []
        _check_rejected_rows(milestone, rows)
        split = split_of(milestone, len(rows))
        unused = split.unused and split.unused - refunded_part(milestone.id, CAPACITY)
        if unused > 0:
            refund = refund_step(milestone, unused, {"part": CAPACITY})
            return replace(refund, final=False)
        freelancer = lock_freelancer(contract)
        step: Step | None = None
        if split.released:
            step = transfer_step(milestone, contract, freelancer, split.released, {})
        if step is None:
            self._approve(milestone, contract, request, transfer=None)
        return step

    def book(self, movement, milestone, contract, result):
        request = movement.context["request"]
        if movement.kind == K.REFUND:
            refund_answered(movement, milestone, contract, result)
            return  # the release is the next step (or, pending or failed, the milestone waits)
        movement.provider_id = result.transfer_id
        self._approve(milestone, contract, request, transfer=movement)

    def _approve(self, milestone, contract, request, transfer=None):
        rows = request.get("rejected_rows") or []
        split = split_of(milestone, len(rows))
        action = A.APPROVE_WITH_REJECTIONS if split.held else self.action
        milestone.status = next_status(MILESTONE, milestone.status, action, "milestone")
        actor_id = request.get("actor_id")
        if split.released:
            book_release(milestone, contract, split.released, actor_id=actor_id, transfer=transfer)
        if split.delivered:
            milestone.records_accepted, milestone.records_rejected = split.accepted, split.rejected
        if rows:
            deliveries.reject_rows(milestone.submissions[-1].id, rows)
        milestone.held = split.held
        if split.held:
            days = current_app.config["REJECTION_PERIOD_DAYS"]
            milestone.rejection_due_at = utcnow() + timedelta(days=days)
            audit.record(
                actor_id,
                "milestone.partially_approved",
                f"milestone:{milestone.id}",
                released=split.released,
                held=split.held,
                rejected_rows=split.rejected,
                currency=milestone.currency,
            )


def approve_milestone(user: User, milestone_id: int, rejected_rows: list[dict] | None = None):
    """The client accepts the delivery (all of it, or all but the rejected rows): the
    accepted part goes to the freelancer, less the fee."""
    request: dict = {"actor_id": user.id}
    if rejected_rows:
        request["rejected_rows"] = [{"row": r["row"], "reason": r["reason"]} for r in rejected_rows]
    return engine.run(A.APPROVE, request, _party(user, milestone_id, "client"), actor_id=user.id)


class RefundHeld(Handler):
    """The rejected rows' held money goes back to the client (the freelancer accepts the
    rejection, or the rejection period ends): the milestone is approved."""

    def __init__(self, action: MilestoneAction):
        self.action = action

    def plan(self, milestone, contract, request):
        next_status(MILESTONE, milestone.status, self.action, "milestone")
        held = milestone.held - refunded_part(milestone.id, HELD)
        if held <= 0:  # refunded, then not booked as approved: a bug, never a second refund
            raise ValueError(f"milestone {milestone.id} is partially approved holding nothing")
        return refund_step(milestone, held, {"part": HELD})

    def book(self, movement, milestone, contract, refund):
        if not refund_answered(movement, milestone, contract, refund):
            return  # pending at the provider, or failed: the milestone waits
        if (milestone.status, self.action) in MILESTONE:  # not frozen meanwhile
            milestone.status = next_status(MILESTONE, milestone.status, self.action, "milestone")
            milestone.held = 0


def accept_rejection(user: User, milestone_id: int) -> Milestone:
    """The freelancer accepts the rejected rows: their held money goes back to the client."""
    return engine.run(
        A.ACCEPT_REJECTION, {}, _party(user, milestone_id, "freelancer"), actor_id=user.id
    )


class Refund(Handler):
    """The freelancer gives the client all its money back; the milestone is cancelled."""

    def plan(self, milestone, contract, request):
        next_status(MILESTONE, milestone.status, A.REFUND, "milestone")
        return refund_step(milestone, ledger.escrow_balance(milestone.id))

    def book(self, movement, milestone, contract, refund):
        if not refund_answered(movement, milestone, contract, refund):
            return  # pending at the provider, or failed: the milestone waits
        if (milestone.status, A.REFUND) in MILESTONE:  # not frozen meanwhile
            milestone.status = next_status(MILESTONE, milestone.status, A.REFUND, "milestone")


def refund_milestone(user: User, milestone_id: int) -> Milestone:
    """The freelancer gives the client all its money back; the milestone is cancelled."""
    return engine.run(A.REFUND, {}, _party(user, milestone_id, "freelancer"), actor_id=user.id)


# -- payouts ----------------------------------------------------------------------------


def waiting_releases(freelancer_id: int):
    """Releases to the freelancer not yet paid out (no transfer made or in flight), and
    not taken back by a lost chargeback before they could be."""
    transfer = EscrowMovement.__table__.alias("transfer")
    return (
        select(EscrowMovement)
        .where(
            EscrowMovement.freelancer_id == freelancer_id,
            EscrowMovement.kind == K.RELEASE,
            EscrowMovement.amount > EscrowMovement.fee,
            ~exists().where(
                transfer.c.release_id == EscrowMovement.id,
                transfer.c.kind == K.TRANSFER,
                transfer.c.status != S.FAILED,
            ),
            ~exists().where(
                Chargeback.milestone_id == EscrowMovement.milestone_id,
                Chargeback.from_pending.is_(True),
            ),
        )
        .order_by(EscrowMovement.id)
    )


class Payout(Handler):
    """Pay out a milestone's release that waited for the freelancer's payout account."""

    continues_after_recovery = True

    def plan(self, milestone, contract, request):
        release = db.session.scalar(
            waiting_releases(contract.freelancer_id).where(
                EscrowMovement.milestone_id == milestone.id
            )
        )
        freelancer = lock_freelancer(contract)
        if release is None or not freelancer.payouts_enabled:
            return None
        charge = succeeded_charge(milestone.id)
        return Step(
            K.TRANSFER,
            release.amount - release.fee,
            {
                "destination": freelancer.payout_account_id,
                "source_charge_id": charge.charge_id if charge else None,
                "transfer_group": transfer_group(milestone.id),
            },
            fee=release.fee,
            freelancer_id=freelancer.id,
            release_id=release.id,
            # A milestone released in parts has a release per part: the next is planned
            # once this one is paid out.
            final=False,
        )

    def book(self, movement, milestone, contract, transfer):
        movement.provider_id = transfer.transfer_id
        book_payout(movement)


def pay_out_pending(freelancer: User) -> int:
    """Pay out every release still waiting for this freelancer; returns how many.

    Each is its own step (a transfer written ahead, made, booked), so a crash or a lost
    answer halfway leaves the rest waiting and the one in flight pending, to recover.
    Raises the first refusal or lost answer, after the others were tried.
    """
    in_flight = db.session.scalars(
        select(EscrowMovement.milestone_id).where(
            EscrowMovement.freelancer_id == freelancer.id,
            EscrowMovement.action == "payout",
            EscrowMovement.status == S.PENDING,
        )
    ).all()
    waiting = sorted(
        set(in_flight)
        | set(
            db.session.scalars(
                waiting_releases(freelancer.id).with_only_columns(EscrowMovement.milestone_id)
            )
        )
    )
    db.session.commit()
    failure = None
    for milestone_id in waiting:
        try:
            engine.run("payout", {}, _locker(milestone_id), actor_id=None)
        except DomainError as error:
            db.session.rollback()
            failure = failure or error
    if failure is not None:
        raise failure
    return len(waiting)


def _locker(milestone_id: int) -> Callable[[], tuple[Milestone, Contract]]:
    return lambda: engine.lock_milestone(milestone_id)


def enable_payouts(freelancer: User) -> None:
    """Payouts are on: from now releases are paid out at once, and what waited goes now."""
    freelancer.payouts_enabled = True
    audit.record(None, "payouts.enabled", f"user:{freelancer.id}")
    db.session.commit()
    pay_out_pending(freelancer)


PAYOUT_ACCOUNT_UNANSWERED = (
    "The payment provider did not answer, so whether it made or changed the payout "
    "account is not known; nothing was changed here. Repeat the request: it will not "
    "make a second account."
)


def disable_payouts(freelancer: User, reason: str) -> None:
    """Payouts are off (the account cannot receive transfers now): from now releases
    wait as pending_payout, until payouts are on again."""
    freelancer.payouts_enabled = False
    audit.record(None, "payouts.disabled", f"user:{freelancer.id}", reason=reason)


def disconnect_payout_account(freelancer: User, reason: str) -> None:
    """The account holder disconnected the payout account from the platform (or it is
    gone): it is never paid again; the freelancer sets up a new one."""
    account_id, freelancer.payout_account_id = freelancer.payout_account_id, None
    freelancer.payouts_enabled = False
    audit.record(
        None,
        "payout_account.disconnected",
        f"user:{freelancer.id}",
        account=account_id,
        reason=reason,
    )


def sync_payouts(freelancer: User, account: PayoutAccount, reason: str) -> None:
    """Payouts follow what the provider says of the (locked) freelancer's account now:
    off while it cannot receive transfers, on (and what waited paid out) when it can."""
    if freelancer.payout_account_id != account.account_id:
        return  # an account the freelancer no longer uses
    if not account.connected:
        disconnect_payout_account(freelancer, reason)
    elif account.transfers_active and not freelancer.payouts_enabled:
        enable_payouts(freelancer)
    elif not account.transfers_active and freelancer.payouts_enabled:
        disable_payouts(freelancer, reason)


def _account_key(user: User) -> str:
    """The idempotency key of the user's payout account: a new one after each account
    that was disconnected (the provider would answer the old key with the old account)."""
    params: dict = {"email": user.email, "country": user.country}
    disconnected = db.session.scalar(
        select(func.count())
        .select_from(AuditEntry)
        .where(
            AuditEntry.action == "payout_account.disconnected",
            AuditEntry.target == f"user:{user.id}",
        )
    )
    if disconnected:
        params["setup"] = disconnected + 1
    return ProviderKey("account", f"u{user.id}", params).render()


# How long the refresh link given to the provider with an onboarding link stays good.
ONBOARDING_REFRESH_MAX_AGE = timedelta(days=30)


def _onboarding_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="payout-onboarding")


def _onboarding_urls(user: User) -> tuple[str, str]:
    """Where the provider sends the freelancer when the onboarding link expired (a
    signed link of ours that mints a fresh one) and when onboarding is done."""
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    token = _onboarding_serializer().dumps({"user": user.id, "account": user.payout_account_id})
    return (
        f"{base}/api/v1/payout-account/onboarding?{urlencode({'token': token})}",
        f"{base}/payouts/onboarding/done",
    )


def _check_country(user: User) -> None:
    if not pays_out_to(user.country):
        raise PayoutCountryUnsupported(
            f"Payouts do not reach {user.country}: the marketplace cannot pay freelancers "
            "there (see GET /payout-countries)."
        )


def _lock_user(user_id: int) -> User | None:
    return db.session.scalars(
        select(User)
        .where(User.id == user_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()


def set_up_payout_account(user: User) -> dict:
    """Create (once) the freelancer's payout account and return where to finish onboarding."""
    if user.role != Role.FREELANCER:
        raise Forbidden("Only freelancers receive payouts.")
    _check_country(user)  # before any call: the provider would refuse the account
    locked = _lock_user(user.id)
    if locked is None:
        raise NotFound("No such user.")
    user = locked
    gateway = get_gateway()
    try:
        account = None
        if user.payout_account_id is not None:
            account = gateway.retrieve_payout_account(user.payout_account_id)
            if not account.connected:
                disconnect_payout_account(user, "setting up payouts")
                account = None
        if account is None:
            account = gateway.create_payout_account(
                PayoutAccountRequest(
                    user.id, user.email, user.country, _account_key(user), keys.namespace()
                )
            )
            user.payout_account_id = account.account_id
        url = None
        if not account.transfers_active:
            url = gateway.onboarding_link(account.account_id, *_onboarding_urls(user))
    except ProviderRefused as refusal:
        raise operations.refused_problem(refusal, "payout_account") from None
    except ProviderUnavailable:
        # Creating an account moves no money, and its idempotency key makes a retry safe.
        raise GatewayFailed(PAYOUT_ACCOUNT_UNANSWERED) from None
    if account.transfers_active and not user.payouts_enabled:
        enable_payouts(user)
    else:
        if not account.transfers_active and user.payouts_enabled:
            disable_payouts(user, "account cannot receive transfers")
        db.session.commit()
        if user.payouts_enabled:
            pay_out_pending(user)  # what a refusal or a lost answer left waiting
    return {"onboarding_url": url, "payouts_enabled": account.transfers_active}


def refresh_onboarding(token: str) -> str:
    """The URL to send a freelancer to whose onboarding link expired: a fresh link for
    the same account, or the return page if there is nothing left to do there.

    The token is the one signed into the link's refresh_url; it names the user and the
    account, and is refused once the freelancer uses another account."""
    stale = NotFound(
        "This onboarding link is no longer valid: set up payouts again from the marketplace."
    )
    try:
        data = _onboarding_serializer().loads(
            token, max_age=int(ONBOARDING_REFRESH_MAX_AGE.total_seconds())
        )
        user_id, account_id = int(data["user"]), str(data["account"])
    except (BadData, KeyError, TypeError, ValueError):
        raise stale from None
    user = db.session.get(User, user_id)
    if user is None or user.payout_account_id != account_id or user.role != Role.FREELANCER:
        raise stale
    _check_country(user)
    refresh_url, return_url = _onboarding_urls(user)
    gateway = get_gateway()
    try:
        account = gateway.retrieve_payout_account(account_id)
        url = None
        if account.connected and not account.transfers_active:
            url = gateway.onboarding_link(account_id, refresh_url, return_url)
    except ProviderRefused as refusal:
        raise operations.refused_problem(refusal, "payout_account") from None
    except ProviderUnavailable:
        raise GatewayFailed("The payment provider did not answer; try the link again.") from None
    db.session.commit()  # no lock was held while the provider answered
    if not account.connected:
        user = _lock_user(user_id)
        if user is not None and user.payout_account_id == account_id:
            disconnect_payout_account(user, "onboarding link refreshed")
        db.session.commit()
        raise stale
    return url or return_url


class _NotDue(Exception):
    """The milestone is held by another host, or no longer due."""


def _claim_due(milestone_id: int, still_due: Callable[[Milestone], bool]):
    """A loader for a timed job (release-due): the milestone, locked unless another host
    holds it (FOR UPDATE SKIP LOCKED on PostgreSQL), and re-checked once held; _NotDue
    otherwise."""
    milestone = db.session.scalar(
        select(Milestone)
        .where(Milestone.id == milestone_id)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )
    if milestone is None or not still_due(milestone):
        raise _NotDue()
    return milestone, db.session.get_one(Contract, milestone.contract_id)


def release_due(now=None) -> list[str]:
    """Approve every submitted milestone past its auto_release_at, each its own action
    (and first end funding attempts past FUNDING_TIMEOUT_HOURS).

    Safe on several hosts at once: each milestone is claimed with FOR UPDATE SKIP LOCKED
    on PostgreSQL (SQLite runs one writer at a time anyway), and re-checked once held.
    """
    now = now or utcnow()
    expired = expire_funding(now)
    due = db.session.scalars(
        select(Milestone.id)
        .where(Milestone.status == MilestoneStatus.SUBMITTED, Milestone.auto_release_at <= now)
        .order_by(Milestone.auto_release_at, Milestone.id)
    ).all()
    db.session.rollback()
    done = []
    for milestone_id in due:

        def load(milestone_id=milestone_id):
            return _claim_due(
                milestone_id,
                lambda m: m.status == MilestoneStatus.SUBMITTED and m.auto_release_at <= now,
            )

        try:
            milestone = engine.run(A.AUTO_RELEASE, {"actor_id": None}, load, actor_id=None)
        except _NotDue:
            db.session.rollback()
            continue
        except DomainError as failure:  # unanswered or refused
            db.session.rollback()
            done.append(
                f"milestone {milestone_id}: not released ({failure.detail}); the next run retries"
            )
            continue
        released = format_amount(milestone.amount, milestone.currency)
        done.append(f"milestone {milestone_id}: released {released}")
    return expired + done + refund_held_due(now)


def refund_held_due(now) -> list[str]:
    """Partially approved milestones past their rejection_due_at: the freelancer neither
    accepted the rejection nor disputed it, so the held money goes back to the client."""
    due = db.session.scalars(
        select(Milestone.id)
        .where(
            Milestone.status == MilestoneStatus.PARTIALLY_APPROVED,
            Milestone.rejection_due_at <= now,
        )
        .order_by(Milestone.rejection_due_at, Milestone.id)
    ).all()
    db.session.rollback()
    done = []
    for milestone_id in due:

        def load(milestone_id=milestone_id):
            return _claim_due(
                milestone_id,
                lambda m: (
                    m.status == MilestoneStatus.PARTIALLY_APPROVED
                    and m.rejection_due_at is not None
                    and m.rejection_due_at <= now
                ),
            )

        try:
            held = engine.run(A.REFUND_HELD, {}, load, actor_id=None)
        except _NotDue:
            db.session.rollback()
            continue
        except DomainError as failure:  # unanswered, refused, or a refund still pending
            db.session.rollback()
            done.append(
                f"milestone {milestone_id}: held money not refunded ({failure.detail}); "
                "the next run retries"
            )
            continue
        done.append(f"milestone {milestone_id}: held money refunded; {held.status}")
    return done


register(A.FUND, Fund())
register(A.SUBMIT, Submit())
register(A.REQUEST_CHANGES, RequestChanges())
register(A.CANCEL, Cancel())
register(A.APPROVE, Approve(A.APPROVE))
register(A.AUTO_RELEASE, Approve(A.AUTO_RELEASE))
register(A.REFUND, Refund())
register(A.ACCEPT_REJECTION, RefundHeld(A.ACCEPT_REJECTION))
register(A.REFUND_HELD, RefundHeld(A.REFUND_HELD))
register("payout", Payout())
