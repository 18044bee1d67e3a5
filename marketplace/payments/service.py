"""Use cases of escrow: fund, submit, approve, request changes, refund, auto-release, payouts.

Each money action is one database transaction: the milestone row is locked first,
the state table is asked, the gateway is called with an idempotency key made of the
installation's namespace, our own ids and the call's parameters (payments/keys.py),
and the status change, the ledger lines and the audit entries commit
together. A refusal from the provider rolls all of it back and answers a 4xx; a call
left unanswered rolls it back but the journal of the provider calls
(payments/operations.py): the retry sends the same keys, so the provider does not act
twice, and until then no other money action may touch the milestone.
"""

from dataclasses import replace
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from marketplace import audit
from marketplace.accounts.models import Role, User
from marketplace.contracts import service as contracts
from marketplace.contracts.models import Contract, Milestone, MilestoneSubmission
from marketplace.database import utcnow
from marketplace.errors import (
    DomainError,
    Forbidden,
    GatewayFailed,
    ValidationFailed,
)
from marketplace.extensions import db
from marketplace.money import format_amount, platform_fee
from marketplace.payments import keys, ledger, operations
from marketplace.payments.gateway import (
    CardDeclined,
    ChargeRequest,
    PaymentGateway,
    PayoutAccountRequest,
    ProviderRefused,
    ProviderUnavailable,
    RefundRequest,
    TransferRequest,
)
from marketplace.payments.keys import ProviderKey
from marketplace.payments.models import EscrowPayment
from marketplace.states import MILESTONE, MilestoneStatus, next_status


def get_gateway() -> PaymentGateway:
    """The app's payment gateway, built on first use from its settings."""
    extensions = current_app.extensions
    if "payment_gateway" not in extensions:
        config = current_app.config
        if config["PAYMENT_GATEWAY"] == "stripe":
            from marketplace.payments.stripe_gateway import StripeGateway

            extensions["payment_gateway"] = StripeGateway.from_config(config)
        else:
            from marketplace.payments.local_gateway import LocalGateway

            extensions["payment_gateway"] = LocalGateway(config["LOCAL_GATEWAY_PATH"])
    return extensions["payment_gateway"]


def _party_milestone(user: User, milestone_id: int, role: str) -> tuple[Milestone, Contract]:
    """The milestone, locked, if the user may see it (else 404) and is its `role` (else 403)."""
    milestone, contract = contracts.get_milestone(user, milestone_id, lock=True)
    if contract.party_role(user.id) != role:
        raise Forbidden(f"Only the contract's {role} may do this.")
    return milestone, contract


def payment_record(milestone: Milestone) -> EscrowPayment:
    """The milestone's escrow record, created on first use."""
    payment = db.session.scalar(
        select(EscrowPayment).where(EscrowPayment.milestone_id == milestone.id)
    )
    if payment is None:
        payment = EscrowPayment(
            milestone_id=milestone.id,
            amount=milestone.amount,
            currency=milestone.currency,
            attempt=1,
            refunded_amount=0,
            released_amount=0,
            fee_amount=0,
        )
        db.session.add(payment)
        db.session.flush()
    return payment


def fund_milestone(user: User, milestone_id: int, payment_method: str | None) -> Milestone:
    """Put the milestone's money in escrow: at once with a payment method, else via the app."""
    milestone, contract = _party_milestone(user, milestone_id, "client")
    next_status(MILESTONE, milestone.status, "fund", "milestone")
    gateway = get_gateway()
    if payment_method is None and gateway.name == "local":
        raise ValidationFailed({"payment_method": ["Required with the local payment gateway."]})
    payment = payment_record(milestone)
    key = ProviderKey(
        "charge",
        f"m{milestone.id}.a{payment.attempt}",
        {"amount": milestone.amount, "currency": milestone.currency, "method": payment_method},
    )
    request = ChargeRequest(
        amount=milestone.amount,
        currency=milestone.currency,
        idempotency_key="",
        milestone_id=milestone.id,
        transfer_group=f"milestone-{milestone.id}",
        payment_method=payment_method,
        description=f"Escrow for milestone {milestone.id} of contract {contract.id}",
        installation=keys.namespace(),
    )
    declined = None
    with operations.guard():
        try:
            charge = operations.call(
                milestone.id,
                "charge",
                key,
                milestone.amount,
                payment_method or "",
                lambda sent: gateway.charge(replace(request, idempotency_key=sent)),
            )
        except CardDeclined as error:
            declined = error
        else:
            payment.intent_id = charge.intent_id
            payment.intent_status = charge.status
            payment.client_secret = charge.client_secret
            payment.charge_id = charge.charge_id
            if charge.succeeded:
                book_funding(milestone, contract, payment, user.id, action="fund")
            else:
                milestone.status = next_status(
                    MILESTONE, milestone.status, "start_funding", "milestone"
                )
                audit.record(
                    user.id,
                    "milestone.funding_started",
                    f"milestone:{milestone.id}",
                    intent=charge.intent_id,
                )
    if declined is not None:
        # The decline is journalled as a refusal, so the next attempt gets a new key.
        audit.record(
            user.id, "milestone.funding_declined", f"milestone:{milestone.id}", code=declined.code
        )
        db.session.commit()
        raise operations.refused_problem(declined, "charge")
    operations.ensure_settled(milestone.id)
    db.session.commit()
    if milestone.status == MilestoneStatus.FUNDING:
        milestone.payment = {"client_secret": charge.client_secret, "status": charge.status}
    return milestone


def book_funding(milestone, contract, payment, actor_id, *, action) -> None:
    """The charge succeeded: the milestone is funded and its money held in escrow."""
    milestone.status = next_status(MILESTONE, milestone.status, action, "milestone")
    ledger.book_funding(milestone, contract.client_id)
    audit.record(
        actor_id,
        "milestone.funded",
        f"milestone:{milestone.id}",
        amount=milestone.amount,
        currency=milestone.currency,
        intent=payment.intent_id,
    )


def submit_milestone(user: User, milestone_id: int, note: str) -> Milestone:
    """The freelancer delivers; the client has the review period to answer."""
    milestone, _contract = _party_milestone(user, milestone_id, "freelancer")
    milestone.status = next_status(MILESTONE, milestone.status, "submit", "milestone")
    days = current_app.config["REVIEW_PERIOD_DAYS"]
    milestone.auto_release_at = utcnow() + timedelta(days=days)
    db.session.add(MilestoneSubmission(milestone_id=milestone.id, note=note))
    audit.record(user.id, "milestone.submitted", f"milestone:{milestone.id}")
    db.session.commit()
    db.session.refresh(milestone)
    return milestone


def request_changes(user: User, milestone_id: int, reason: str) -> Milestone:
    """The client sends the delivery back with a reason; the review clock stops."""
    milestone, _contract = _party_milestone(user, milestone_id, "client")
    milestone.status = next_status(MILESTONE, milestone.status, "request_changes", "milestone")
    # The reason goes on the delivery it answers, where the freelancer reads it.
    delivery = milestone.submissions[-1]
    delivery.changes_requested_reason, delivery.changes_requested_at = reason, utcnow()
    audit.record(user.id, "milestone.changes_requested", f"milestone:{milestone.id}", reason=reason)
    db.session.commit()
    return milestone


def approve_milestone(user: User, milestone_id: int) -> Milestone:
    """The client accepts the delivery: the money goes to the freelancer, less the fee."""
    milestone, contract = _party_milestone(user, milestone_id, "client")
    with operations.guard():
        milestone.status = next_status(MILESTONE, milestone.status, "approve", "milestone")
        release_escrow(milestone, contract, milestone.amount, actor_id=user.id)
    operations.ensure_settled(milestone.id)
    db.session.commit()
    return milestone


def refund_milestone(user: User, milestone_id: int) -> Milestone:
    """The freelancer gives the client all its money back; the milestone is cancelled."""
    milestone, contract = _party_milestone(user, milestone_id, "freelancer")
    with operations.guard():
        milestone.status = next_status(MILESTONE, milestone.status, "refund", "milestone")
        refund_escrow(milestone, contract, milestone.amount, actor_id=user.id)
    operations.ensure_settled(milestone.id)
    db.session.commit()
    return milestone


def release_escrow(milestone: Milestone, contract: Contract, gross: int, *, actor_id) -> None:
    """Book `gross` of the milestone's escrow to the freelancer, and pay it out if possible."""
    # The freelancer's row is locked first, so a release and the switching on of payouts
    # serialise: either this release sees payouts on, or the switch sees this release.
    freelancer = db.session.scalar(
        select(User)
        .where(User.id == contract.freelancer_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    payment = payment_record(milestone)
    fee = platform_fee(gross, contract.fee_bps)
    if payment.released_amount or gross > payment.amount - payment.refunded_amount:
        raise ValueError(f"milestone {milestone.id}: release of {gross} exceeds its escrow")
    payment.released_amount, payment.fee_amount = gross, fee
    payment.freelancer_id = contract.freelancer_id
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
    if freelancer.payouts_enabled:
        _pay_out(payment, freelancer)


def refund_escrow(milestone: Milestone, contract: Contract, amount: int, *, actor_id) -> None:
    payment = payment_record(milestone)
    if amount > payment.amount - payment.refunded_amount - payment.released_amount:
        raise ValueError(f"milestone {milestone.id}: refund of {amount} exceeds its escrow")
    key = ProviderKey("refund", f"m{milestone.id}", {"intent": payment.intent_id, "amount": amount})
    refund = operations.call(
        milestone.id,
        "refund",
        key,
        amount,
        "",
        lambda sent: get_gateway().refund(RefundRequest(payment.intent_id, amount, sent)),
    )
    payment.refund_id = refund.refund_id
    payment.refunded_amount += amount
    ledger.book_refund(milestone, contract.client_id, amount, reference=f"refund:m{milestone.id}")
    audit.record(
        actor_id,
        "milestone.refunded",
        f"milestone:{milestone.id}",
        amount=amount,
        currency=milestone.currency,
        refund=refund.refund_id,
    )


def _pay_out(payment: EscrowPayment, freelancer: User) -> None:
    """Send one release (less its fee) to the freelancer's payout account."""
    net = payment.net_release
    if net > 0:
        request = TransferRequest(
            amount=net,
            currency=payment.currency,
            destination=freelancer.payout_account_id,
            source_charge_id=payment.charge_id,
            transfer_group=f"milestone-{payment.milestone_id}",
            idempotency_key="",
        )
        key = ProviderKey(
            "transfer",
            f"m{payment.milestone_id}",
            {
                "amount": net,
                "currency": payment.currency,
                "destination": request.destination,
                "source": request.source_charge_id,
            },
        )
        transfer = operations.call(
            payment.milestone_id,
            "transfer",
            key,
            net,
            freelancer.payout_account_id,
            lambda sent: get_gateway().transfer(replace(request, idempotency_key=sent)),
        )
        payment.transfer_id = transfer.transfer_id
        ledger.book_payout(payment.milestone_id, freelancer.id, payment.currency, net)
        audit.record(
            None,
            "payout.sent",
            f"milestone:{payment.milestone_id}",
            amount=net,
            currency=payment.currency,
            transfer=transfer.transfer_id,
        )
    payment.paid_out_at = utcnow()


def pay_out_pending(freelancer: User) -> int:
    """Pay out every release still waiting for this freelancer; returns how many."""
    waiting = db.session.scalars(
        select(EscrowPayment)
        .where(
            EscrowPayment.freelancer_id == freelancer.id,
            EscrowPayment.released_amount > 0,
            EscrowPayment.paid_out_at.is_(None),
        )
        .order_by(EscrowPayment.id)
        .with_for_update()
    ).all()
    for payment in waiting:
        _pay_out(payment, freelancer)
    return len(waiting)


def enable_payouts(freelancer: User) -> None:
    """Payouts are on: from now releases are paid out at once, and what waited goes now."""
    freelancer.payouts_enabled = True
    audit.record(None, "payouts.enabled", f"user:{freelancer.id}")
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
    user = db.session.scalar(
        select(User)
        .where(User.id == user.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
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
    if account.transfers_active and not user.payouts_enabled:
        with operations.guard():
            enable_payouts(user)
    db.session.commit()
    return {"onboarding_url": url, "payouts_enabled": user.payouts_enabled}


def release_due(now=None) -> list[str]:
    """Approve every submitted milestone past its auto_release_at; one transaction each.

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
            db.session.rollback()
            continue
        contract = db.session.get(Contract, milestone.contract_id)
        try:
            with operations.guard():
                milestone.status = next_status(
                    MILESTONE, milestone.status, "auto_release", "milestone"
                )
                release_escrow(milestone, contract, milestone.amount, actor_id=None)
            operations.ensure_settled(milestone.id)
            db.session.commit()
        except DomainError as failure:  # unanswered, unsettled or refused
            db.session.rollback()
            done.append(
                f"milestone {milestone_id}: not released ({failure.detail}); the next run retries"
            )
            continue
        released = format_amount(milestone.amount, milestone.currency)
        done.append(f"milestone {milestone_id}: released {released}")
    return done
