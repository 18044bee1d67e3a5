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
from datetime import timedelta

from flask import current_app
from sqlalchemy import exists, select

from marketplace import audit
from marketplace.accounts.models import Role, User
from marketplace.contracts import policy as contract_policy
from marketplace.contracts import service as contracts
from marketplace.contracts.models import Contract, Milestone, MilestoneSubmission
from marketplace.database import utcnow
from marketplace.errors import (
    DomainError,
    Forbidden,
    GatewayFailed,
    NotFound,
    ValidationFailed,
)
from marketplace.extensions import db
from marketplace.milestones import engine
from marketplace.milestones.engine import Handler, Step, register
from marketplace.milestones.models import EscrowMovement, MovementKind, MovementStatus
from marketplace.milestones.states import MILESTONE, MilestoneAction
from marketplace.money import format_amount, payable_errors, platform_fee
from marketplace.payments import keys, ledger, operations
from marketplace.payments.gateway import (
    CardDeclined,
    Charge,
    PayoutAccountRequest,
    ProviderRefused,
    ProviderUnavailable,
    get_gateway,
)
from marketplace.payments.keys import ProviderKey
from marketplace.states import MilestoneStatus, next_status

A, K, S = MilestoneAction, MovementKind, MovementStatus

log = logging.getLogger(__name__)


def _party(user: User, milestone_id: int, role: str):
    """A loader for engine.run: the milestone, locked, if the user may see it (else
    404) and is its `role` (else 403)."""

    def load() -> tuple[Milestone, Contract]:
        milestone, contract = engine.lock_milestone(milestone_id)
        if not contract_policy.can_view_contract(user, contract):
            raise NotFound("No such milestone.")
        if contract.party_role(user.id) != role:
            raise Forbidden(f"Only the contract's {role} may do this.")
        return milestone, contract

    return load


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
    ledger.book_funding(milestone, contract.client_id)
    settled = charge.settlement
    if settled is not None:
        movement.settlement_currency, movement.settlement_amount = settled.currency, settled.amount
        movement.provider_fee, movement.exchange_rate = settled.fee, settled.exchange_rate
        movement.balance_transaction = settled.id
        ledger.book_provider_fee(movement.id, milestone.id, settled.currency, settled.fee)
        if settled.currency != milestone.currency:
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


class Submit(Handler):
    """The freelancer delivers; the client has the review period to answer."""

    def plan(self, milestone, contract, request):
        milestone.status = next_status(MILESTONE, milestone.status, A.SUBMIT, "milestone")
        days = current_app.config["REVIEW_PERIOD_DAYS"]
        milestone.auto_release_at = utcnow() + timedelta(days=days)
        db.session.add(MilestoneSubmission(milestone_id=milestone.id, note=request["note"]))
        audit.record(request["actor_id"], "milestone.submitted", f"milestone:{milestone.id}")
        return None


def submit_milestone(user: User, milestone_id: int, note: str) -> Milestone:
    """The freelancer delivers; the client has the review period to answer."""
    milestone = engine.run(
        A.SUBMIT,
        {"note": note, "actor_id": user.id},
        _party(user, milestone_id, "freelancer"),
        actor_id=user.id,
    )
    db.session.refresh(milestone)
    return milestone


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
    ledger.book_release(
        milestone, contract.freelancer_id, gross, fee, reference=f"release:m{milestone.id}"
    )
    audit.record(
        actor_id,
        "milestone.released",
        f"milestone:{milestone.id}",
        gross=gross,
        fee=fee,
        currency=milestone.currency,
    )
    if transfer is not None:
        book_payout(transfer)
    return release


def book_payout(transfer: EscrowMovement) -> None:
    """A transfer the provider made: the freelancer's pending money is paid out."""
    transfer.status = S.SUCCEEDED
    if transfer.freelancer_id is None:
        raise ValueError(f"transfer {transfer.id} names no freelancer")
    ledger.book_payout(
        transfer.milestone_id,
        transfer.freelancer_id,
        transfer.currency,
        transfer.amount,
        reference=f"payout:mv{transfer.id}",
    )
    audit.record(
        None,
        "payout.sent",
        f"milestone:{transfer.milestone_id}",
        amount=transfer.amount,
        currency=transfer.currency,
        transfer=transfer.provider_id,
    )


def refund_step(milestone, amount: int, context: dict | None = None) -> Step:
    charge = succeeded_charge(milestone.id)
    if charge is None or amount > ledger.escrow_balance(milestone.id):
        raise ValueError(f"milestone {milestone.id}: refund of {amount} exceeds its escrow")
    return Step(K.REFUND, amount, {"intent_id": charge.provider_id}, context=context or {})


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


class Approve(Handler):
    """The client approves (or the review period ends): the money goes to the freelancer."""

    def __init__(self, action: MilestoneAction):
        self.action = action

    def plan(self, milestone, contract, request):
        next_status(MILESTONE, milestone.status, self.action, "milestone")
        freelancer = lock_freelancer(contract)
        step = transfer_step(milestone, contract, freelancer, milestone.amount, {})
        if step is None:
            self._approve(milestone, contract, request.get("actor_id"))
        return step

    def book(self, movement, milestone, contract, transfer):
        movement.provider_id = transfer.transfer_id
        self._approve(milestone, contract, movement.actor_id, transfer=movement)

    def _approve(self, milestone, contract, actor_id, transfer=None):
        milestone.status = next_status(MILESTONE, milestone.status, self.action, "milestone")
        book_release(milestone, contract, milestone.amount, actor_id=actor_id, transfer=transfer)


def approve_milestone(user: User, milestone_id: int) -> Milestone:
    """The client accepts the delivery: the money goes to the freelancer, less the fee."""
    return engine.run(
        A.APPROVE, {"actor_id": user.id}, _party(user, milestone_id, "client"), actor_id=user.id
    )


class Refund(Handler):
    """The freelancer gives the client all its money back; the milestone is cancelled."""

    def plan(self, milestone, contract, request):
        next_status(MILESTONE, milestone.status, A.REFUND, "milestone")
        return refund_step(milestone, ledger.escrow_balance(milestone.id))

    def book(self, movement, milestone, contract, refund):
        milestone.status = next_status(MILESTONE, milestone.status, A.REFUND, "milestone")
        book_refund(movement, milestone, contract, refund)


def refund_milestone(user: User, milestone_id: int) -> Milestone:
    """The freelancer gives the client all its money back; the milestone is cancelled."""
    return engine.run(A.REFUND, {}, _party(user, milestone_id, "freelancer"), actor_id=user.id)


# -- payouts ----------------------------------------------------------------------------


def waiting_releases(freelancer_id: int):
    """Releases to the freelancer not yet paid out (no transfer made or in flight)."""
    transfer = EscrowMovement.__table__.alias("transfer")
    return (
        select(EscrowMovement)
        .where(
            EscrowMovement.freelancer_id == freelancer_id,
            EscrowMovement.kind == K.RELEASE,
            EscrowMovement.amount > EscrowMovement.fee,
            ~exists().where(
                transfer.c.milestone_id == EscrowMovement.milestone_id,
                transfer.c.kind == K.TRANSFER,
                transfer.c.status != S.FAILED,
            ),
        )
        .order_by(EscrowMovement.id)
    )


class Payout(Handler):
    """Pay out a milestone's release that waited for the freelancer's payout account."""

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


def set_up_payout_account(user: User) -> dict:
    """Create (once) the freelancer's payout account and return where to finish onboarding."""
    if user.role != Role.FREELANCER:
        raise Forbidden("Only freelancers receive payouts.")
    user = db.session.scalars(
        select(User)
        .where(User.id == user.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    gateway = get_gateway()
    try:
        if user.payout_account_id is None:
            params = {"email": user.email, "country": user.country}
            key = ProviderKey("account", f"u{user.id}", params)
            account = gateway.create_payout_account(
                PayoutAccountRequest(
                    user.id, user.email, user.country, key.render(), keys.namespace()
                )
            )
            user.payout_account_id = account.account_id
        else:
            account = gateway.retrieve_payout_account(user.payout_account_id)
        url = None
        if not account.transfers_active:
            url = gateway.onboarding_link(user.payout_account_id)
    except ProviderRefused as refusal:
        raise operations.refused_problem(refusal, "payout_account") from None
    except ProviderUnavailable:
        # Creating an account moves no money, and its idempotency key makes a retry safe.
        raise GatewayFailed(PAYOUT_ACCOUNT_UNANSWERED) from None
    enabled = bool(account.transfers_active or user.payouts_enabled)
    if account.transfers_active and not user.payouts_enabled:
        enable_payouts(user)
    else:
        db.session.commit()
        if user.payouts_enabled:
            pay_out_pending(user)  # what a refusal or a lost answer left waiting
    return {"onboarding_url": url, "payouts_enabled": enabled}


class _NotDue(Exception):
    """The milestone is held by another host, or no longer due."""


def release_due(now=None) -> list[str]:
    """Approve every submitted milestone past its auto_release_at; each its own action.

    Safe on several hosts at once: each milestone is claimed with FOR UPDATE SKIP LOCKED
    on PostgreSQL (SQLite runs one writer at a time anyway), and re-checked once held.
    """
    now = now or utcnow()
    due = db.session.scalars(
        select(Milestone.id)
        .where(Milestone.status == MilestoneStatus.SUBMITTED, Milestone.auto_release_at <= now)
        .order_by(Milestone.auto_release_at, Milestone.id)
    ).all()
    db.session.rollback()
    done = []
    for milestone_id in due:

        def load(milestone_id=milestone_id):
            milestone = db.session.scalar(
                select(Milestone)
                .where(Milestone.id == milestone_id)
                .with_for_update(skip_locked=True)
                .execution_options(populate_existing=True)
            )
            if (
                milestone is None
                or milestone.status != MilestoneStatus.SUBMITTED
                or milestone.auto_release_at > now
            ):
                raise _NotDue()
            return milestone, db.session.get(Contract, milestone.contract_id)

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
    return done


register(A.FUND, Fund())
register(A.SUBMIT, Submit())
register(A.REQUEST_CHANGES, RequestChanges())
register(A.CANCEL, Cancel())
register(A.APPROVE, Approve(A.APPROVE))
register(A.AUTO_RELEASE, Approve(A.AUTO_RELEASE))
register(A.REFUND, Refund())
register("payout", Payout())
