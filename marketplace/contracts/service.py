"""Use cases of contracts: accept a bid, milestones, complete, cancel, messages."""

from blinker import Namespace
from flask import current_app
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import joinedload

from marketplace.accounts.models import User
from marketplace.bids import policy as bid_policy
from marketplace.bids import service as bids
from marketplace.contracts import policy
from marketplace.contracts.models import Contract, ContractMessage, Milestone
from marketplace.contracts.outbox import contract_event, message_event
from marketplace.errors import Conflict, Forbidden, NotFound, ValidationFailed
from marketplace.extensions import db
from marketplace.jobs import service as jobs
from marketplace.lookup import one_or_404
from marketplace.money import payable_errors
from marketplace.pagination import SortKey, paginate
from marketplace.states import (
    BID,
    CONTRACT,
    JOB,
    MONEY_HELD,
    SETTLED,
    BidAction,
    ContractAction,
    JobAction,
    next_status,
)

# Payments sits above contracts, so contracts never touches a milestone's money: it
# announces a cancellation and payments answers (a receiver may refuse with an error).
signals = Namespace()
contract_cancel_requested = signals.signal(
    "contract-cancel-requested",
    doc="A contract (the sender: its id) is about to be cancelled; nothing is locked yet, "
    "so a receiver may finish earlier work on its milestones (and commit).",
)
contract_cancelling = signals.signal(
    "contract-cancelling",
    doc="A contract's milestones (the sender: the locked Milestone rows, none holding "
    "money) are to be cancelled; the receiver cancels them, or refuses with an error if "
    "one may still move money.",
)

NEWEST_FIRST = (SortKey(Contract.created_at), SortKey(Contract.id))
OLDEST_FIRST = (SortKey(ContractMessage.created_at, False), SortKey(ContractMessage.id, False))


def contracts_query() -> Select:
    return select(Contract).options(joinedload(Contract.client), joinedload(Contract.freelancer))


def accept_bid(user: User, bid_id: int) -> Contract:
    """Accept a pending bid: one transaction makes the contract and settles the job's bids."""
    bid = bids.get_bid_row(bid_id)
    job = jobs.get_job_row(bid.job_id, lock=True)  # the job first: the lock order everywhere
    if not bid_policy.can_view_bid(user, bid, job):
        raise NotFound("No such bid.")
    if not bid_policy.is_job_client(user, job):
        raise Forbidden("Only the job's client may accept its bids.")
    bid = bids.get_bid_row(bid_id, lock=True)
    next_bid_status = next_status(BID, bid.status, BidAction.ACCEPT, "bid")
    job.status = next_status(JOB, job.status, JobAction.ACCEPT_BID, "job")
    bid.status = next_bid_status
    bids.decline_pending_bids(job.id, except_bid=bid.id)
    plan = bids.plan_of(bid) or [{"title": job.title, "amount": bid.amount}]
    contract = Contract(
        job_id=job.id,
        bid_id=bid.id,
        client_id=job.client_id,
        freelancer_id=bid.freelancer_id,
        currency=bid.currency,
        fee_bps=current_app.config["PLATFORM_FEE_BPS"],
        min_accuracy_bps=job.min_accuracy_bps,
        milestones=[
            Milestone(
                title=m["title"],
                amount=m["amount"],
                unit_price=m.get("unit_price"),
                max_records=m.get("max_records"),
                currency=bid.currency,
                description="",
            )
            for m in plan
        ],
    )
    db.session.add(contract)
    db.session.flush()
    bids.bid_event("bid.accepted", bid.id, bid.freelancer_id, "freelancer")
    contract_event("contract.created", contract.id)
    db.session.commit()
    return get_contract_row(contract.id)


def get_contract_row(contract_id: int, *, lock: bool = False) -> Contract:
    stmt = contracts_query().where(Contract.id == contract_id)
    return one_or_404(stmt, Contract, lock=lock, what="contract")


def get_contract(user: User, contract_id: int, *, lock: bool = False) -> Contract:
    """A contract its parties or an admin may see; to anyone else it does not exist."""
    contract = get_contract_row(contract_id, lock=lock)
    if not policy.can_view_contract(user, contract):
        raise NotFound("No such contract.")
    return contract


def list_contracts(user: User, *, limit: int, cursor: str | None, status=None):
    """The user's contracts (all of them for an admin), newest first."""
    stmt = contracts_query()
    if not user.is_admin:
        stmt = stmt.where(or_(Contract.client_id == user.id, Contract.freelancer_id == user.id))
    if status:
        stmt = stmt.where(Contract.status == status)
    return paginate(db.session, stmt, NEWEST_FIRST, limit=limit, cursor=cursor)


def party_contract(user: User, contract_id: int, role: str | None = None) -> Contract:
    """The contract, locked, if the user is a party (of `role`, when given)."""
    contract = get_contract(user, contract_id, lock=True)
    party = contract.party_role(user.id)
    if party is None or (role is not None and party != role):
        raise Forbidden(f"Only the contract's {role or 'parties'} may do this.")
    return contract


def add_milestone(user: User, contract_id: int, data: dict) -> Milestone:
    """Add a pending milestone to an active contract (its client only)."""
    contract = party_contract(user, contract_id, "client")
    next_status(CONTRACT, contract.status, ContractAction.ADD_MILESTONE, "contract")
    errors = payable_errors(current_app.config, contract.currency, {"amount": data["amount"]})
    if data.get("max_records") is not None:
        job = jobs.get_job_row(contract.job_id)
        refusal = bids.per_record_refusal(data, job)
        if refusal:
            errors["max_records"] = [refusal[0].upper() + refusal[1:]]
    if errors:
        raise ValidationFailed(errors)
    milestone = Milestone(contract_id=contract.id, currency=contract.currency, **data)
    db.session.add(milestone)
    db.session.commit()
    return milestone


def get_milestone(user: User, milestone_id: int, *, lock: bool = False):
    """A milestone and its contract, if the user may see the contract."""
    stmt = select(Milestone).where(Milestone.id == milestone_id)
    milestone = one_or_404(stmt, Milestone, lock=lock, what="milestone")
    contract = get_contract(user, milestone.contract_id)
    return milestone, contract


def complete_contract(user: User, contract_id: int) -> Contract:
    """Complete a contract whose milestones are all settled; its job completes too."""
    contract = party_contract(user, contract_id, "client")
    job = jobs.get_job_row(contract.job_id, lock=True)
    target = next_status(CONTRACT, contract.status, ContractAction.COMPLETE, "contract")
    unsettled = [m.id for m in contract.milestones if m.status not in SETTLED]
    if unsettled:
        raise Conflict("Every milestone must be approved, cancelled or resolved first.")
    contract.status = target
    job.status = next_status(JOB, job.status, JobAction.COMPLETE, "job")
    contract_event("contract.completed", contract.id)
    db.session.commit()
    return get_contract_row(contract.id)


def cancel_contract(user: User, contract_id: int) -> Contract:
    """Cancel a contract no milestone of which holds money; its job closes."""
    contract = party_contract(user, contract_id)
    contract_cancel_requested.send(contract.id)
    contract = party_contract(user, contract_id)
    job = jobs.get_job_row(contract.job_id, lock=True)
    target = next_status(CONTRACT, contract.status, ContractAction.CANCEL, "contract")
    # Lock the milestones too, so none can be funded between this check and the update.
    milestones = db.session.scalars(
        select(Milestone)
        .where(Milestone.contract_id == contract.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    if any(m.status in MONEY_HELD for m in milestones):
        raise Conflict("A milestone still holds money: settle it first.")
    contract_cancelling.send(milestones)  # milestones cancels the unfunded ones
    contract.status = target
    job.status = next_status(JOB, job.status, JobAction.CANCEL_CONTRACT, "job")
    contract_event("contract.cancelled", contract.id)
    db.session.commit()
    return get_contract_row(contract.id)


def list_messages(user: User, contract_id: int, *, limit: int, cursor: str | None):
    """The contract's messages, oldest first."""
    contract = get_contract(user, contract_id)
    stmt = (
        select(ContractMessage)
        .options(joinedload(ContractMessage.author))
        .where(ContractMessage.contract_id == contract.id)
    )
    return paginate(db.session, stmt, OLDEST_FIRST, limit=limit, cursor=cursor)


def post_message(user: User, contract_id: int, body: str) -> ContractMessage:
    """Write to the other party (parties and admins)."""
    contract = get_contract(user, contract_id)
    message = ContractMessage(contract_id=contract.id, author_id=user.id, body=body)
    db.session.add(message)
    db.session.flush()
    message_event(message)
    db.session.commit()
    return db.session.scalars(
        select(ContractMessage)
        .options(joinedload(ContractMessage.author))
        .where(ContractMessage.id == message.id)
    ).one()
