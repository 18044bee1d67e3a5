"""Use cases of bids: place, list, edit, withdraw, decline."""

from flask import current_app
from sqlalchemy import Select, exists, func, select, update
from sqlalchemy.orm import joinedload

from marketplace.accounts.models import Role, User
from marketplace.bids import policy
from marketplace.bids.models import Bid, BidMilestone
from marketplace.database import rowcount, utcnow
from marketplace.errors import Conflict, Forbidden, NotFound, ValidationFailed
from marketplace.events import service as events
from marketplace.extensions import db
from marketplace.jobs import service as jobs
from marketplace.jobs.models import Job
from marketplace.lookup import one_or_404
from marketplace.money import format_amount, payable_errors, under_minimum
from marketplace.pagination import SortKey, paginate
from marketplace.states import BID, BidAction, BidStatus, JobStatus, next_status

NEWEST_FIRST = (SortKey(Bid.created_at), SortKey(Bid.id))

# The bid count every job's JSON shows: bids that are not withdrawn. count(*), not
# count(bids.id): then ix_bids_job_id_status (job_id, status) holds all the statement
# reads, and PostgreSQL answers from the index without visiting each bid's row.
BID_COUNT = (
    select(func.count())
    .select_from(Bid)
    .where(Bid.job_id == Job.id, Bid.status != BidStatus.WITHDRAWN)
    .correlate(Job)
    .scalar_subquery()
)
jobs.register_bid_count(BID_COUNT)


def bids_query() -> Select:
    return select(Bid).options(joinedload(Bid.freelancer))


def bid_event(type: str, bid_id: int, recipient_id: int, role: str) -> None:
    """Tell one user (and admins) that a bid changed, with the bid as GET /bids/{id} shows it."""

    def shape(_role: str) -> dict:
        from marketplace.bids.schemas import BidSchema

        return BidSchema().dump(get_bid_row(bid_id))

    events.emit(type, {recipient_id: role}, shape)


def _check_plan(amount: int, currency: str, job: Job, milestones: list[dict]) -> None:
    errors = {}
    if currency != job.currency:
        errors["currency"] = [f"Bids on this job must be in {job.currency}."]
    else:
        # Each milestone is charged on its own: each must be a charge the gateway takes.
        errors.update(payable_errors(current_app.config, currency, {"amount": amount}))
        small = [
            f"Milestone {n} ({m['title']}): {refusal}"
            for n, m in enumerate(milestones, 1)
            if (refusal := under_minimum(m["amount"], currency))
        ]
        if small and "currency" not in errors:
            errors["milestones"] = small
    priced = [
        f"Milestone {n} ({m['title']}): {refusal}"
        for n, m in enumerate(milestones, 1)
        if (refusal := per_record_refusal(m, job))
    ]
    if priced:
        errors.setdefault("milestones", []).extend(priced)
    planned = sum(m["amount"] for m in milestones)
    if milestones and planned != amount:
        errors.setdefault("milestones", []).append(
            f"The milestone amounts must add up to the bid amount: they make "
            f"{format_amount(planned, currency)}, the bid is {format_amount(amount, currency)}."
        )
    if errors:
        raise ValidationFailed(errors)


def per_record_refusal(milestone: dict, job: Job) -> str | None:
    """Why a milestone priced per record may not be on this job, or None."""
    max_records = milestone.get("max_records")
    if max_records is None:
        return None
    if job.record_schema is None:
        return (
            "a price per record needs a job with a record schema (its delivery is records); "
            "this job's delivery is a note: give an amount."
        )
    limit = current_app.config["MAX_RECORDS_PER_DELIVERY"]
    if max_records > limit:
        return f"max_records must be at most {limit:,} (the most rows a delivery may hold)."
    return None


def plan_of(bid: Bid) -> list[dict]:
    """The bid's proposed milestones, as its input gave them."""
    return [
        {
            "title": m.title,
            "amount": m.amount,
            "unit_price": m.unit_price,
            "max_records": m.max_records,
        }
        for m in bid.milestones
    ]


def _plan(milestones: list[dict]) -> list[BidMilestone]:
    return [
        BidMilestone(
            position=i,
            title=m["title"],
            amount=m["amount"],
            unit_price=m.get("unit_price"),
            max_records=m.get("max_records"),
        )
        for i, m in enumerate(milestones)
    ]


def place_bid(user: User, job_id: int, data: dict) -> Bid:
    """Bid on an open job (freelancers only; one pending bid per job)."""
    if user.role != Role.FREELANCER:
        raise Forbidden("Only freelancers bid on jobs.")
    job = jobs.get_job_row(job_id, lock=True)
    if job.status != JobStatus.OPEN:
        raise Conflict("This job is not open for bids.")
    _check_plan(data["amount"], data["currency"], job, data["milestones"])
    pending = exists().where(
        Bid.job_id == job.id, Bid.freelancer_id == user.id, Bid.status == BidStatus.PENDING
    )
    if db.session.scalar(select(pending)):
        raise Conflict("You already have a pending bid on this job; edit it instead.")
    bid = Bid(
        job_id=job.id,
        freelancer_id=user.id,
        amount=data["amount"],
        currency=data["currency"],
        delivery_days=data["delivery_days"],
        cover_letter=data["cover_letter"],
        status=BidStatus.PENDING,
        milestones=_plan(data["milestones"]),
    )
    db.session.add(bid)
    db.session.flush()
    bid_event("bid.created", bid.id, job.client_id, Role.CLIENT)
    db.session.commit()
    return get_bid_row(bid.id)


def get_bid_row(bid_id: int, *, lock: bool = False) -> Bid:
    return one_or_404(bids_query().where(Bid.id == bid_id), Bid, lock=lock, what="bid")


def get_bid(user: User, bid_id: int, *, lock: bool = False) -> tuple[Bid, Job]:
    """A bid and its job, if the user may see the bid; otherwise not found."""
    bid = get_bid_row(bid_id, lock=lock)
    job = db.session.get_one(Job, bid.job_id)
    if not policy.can_view_bid(user, bid, job):
        raise NotFound("No such bid.")
    return bid, job


def list_job_bids(user: User, job_id: int, *, limit: int, cursor: str | None, status=None):
    """A job's bids: all of them for its client, only their own for a freelancer."""
    job = jobs.get_job_row(job_id)
    stmt = bids_query().where(Bid.job_id == job.id)
    if not policy.is_job_client(user, job):
        if user.role != Role.FREELANCER:
            raise Forbidden("Only the job's client and bidders see its bids.")
        stmt = stmt.where(Bid.freelancer_id == user.id)
    if status:
        stmt = stmt.where(Bid.status == status)
    return paginate(db.session, stmt, NEWEST_FIRST, limit=limit, cursor=cursor)


def list_my_bids(user: User, *, limit: int, cursor: str | None, status=None):
    """The freelancer's own bids, newest first."""
    if user.role != Role.FREELANCER:
        raise Forbidden("Only freelancers have bids.")
    stmt = bids_query().where(Bid.freelancer_id == user.id)
    if status:
        stmt = stmt.where(Bid.status == status)
    return paginate(db.session, stmt, NEWEST_FIRST, limit=limit, cursor=cursor)


def _bidders_bid(user: User, bid_id: int) -> tuple[Bid, Job]:
    bid, job = get_bid(user, bid_id, lock=True)
    if not policy.is_bidder(user, bid):
        raise Forbidden("Only the bidder may do this.")
    return bid, job


def update_bid(user: User, bid_id: int, changes: dict) -> Bid:
    """Change a pending bid (the bidder only)."""
    bid, job = _bidders_bid(user, bid_id)
    next_status(BID, bid.status, BidAction.EDIT, "bid")
    amount = changes.get("amount", bid.amount)
    milestones = changes.get("milestones")
    if milestones is None:
        milestones = plan_of(bid)
    _check_plan(amount, changes.get("currency", bid.currency), job, milestones)
    for field in ("amount", "delivery_days", "cover_letter"):
        if field in changes:
            setattr(bid, field, changes[field])
    if "milestones" in changes:
        bid.milestones = _plan(changes["milestones"])
    db.session.commit()
    return get_bid_row(bid.id)


def withdraw_bid(user: User, bid_id: int) -> Bid:
    """Take back a pending bid (the bidder only)."""
    bid, _job = _bidders_bid(user, bid_id)
    bid.status = next_status(BID, bid.status, BidAction.WITHDRAW, "bid")
    db.session.commit()
    return get_bid_row(bid.id)


def decline_bid(user: User, bid_id: int) -> Bid:
    """Turn down a pending bid (the job's client only)."""
    bid, job = get_bid(user, bid_id, lock=True)
    if not policy.is_job_client(user, job):
        raise Forbidden("Only the job's client may decline its bids.")
    bid.status = next_status(BID, bid.status, BidAction.DECLINE, "bid")
    bid_event("bid.declined", bid.id, bid.freelancer_id, Role.FREELANCER)
    db.session.commit()
    return get_bid_row(bid.id)


def decline_pending_bids(job_id: int, *, except_bid: int | None = None) -> None:
    """Decline the job's pending bids but `except_bid` (in the caller's transaction)."""
    declined = next_status(BID, BidStatus.PENDING, BidAction.DECLINE, "bid")
    stmt = update(Bid).where(Bid.job_id == job_id, Bid.status == BidStatus.PENDING)
    if except_bid is not None:
        stmt = stmt.where(Bid.id != except_bid)
    stmt = stmt.values(status=declined, updated_at=utcnow()).returning(Bid.id, Bid.freelancer_id)
    for bid_id, freelancer_id in db.session.execute(stmt).all():
        bid_event("bid.declined", bid_id, freelancer_id, Role.FREELANCER)


def withdraw_pending_bids_of(freelancer_id: int) -> int:
    """Withdraw a freelancer's pending bids (in the caller's transaction); returns how many."""
    withdrawn = next_status(BID, BidStatus.PENDING, BidAction.WITHDRAW, "bid")
    return rowcount(
        db.session.execute(
            update(Bid)
            .where(Bid.freelancer_id == freelancer_id, Bid.status == BidStatus.PENDING)
            .values(status=withdrawn, updated_at=utcnow())
        )
    )


@jobs.job_closing.connect
def _decline_bids_of_closing_job(job_id: int) -> None:
    decline_pending_bids(job_id)


@jobs.job_currency_changing.connect
def _refuse_currency_change_under_pending_bids(job_id: int) -> None:
    pending = exists().where(Bid.job_id == job_id, Bid.status == BidStatus.PENDING)
    if db.session.scalar(select(pending)):
        raise Conflict("The currency cannot change once the job has pending bids.")


@jobs.job_schema_changing.connect
def _refuse_schema_change_once_bid_on(job_id: int) -> None:
    # A bidder priced the work as the schema described it; a withdrawn bid was priced too.
    if db.session.scalar(select(exists().where(Bid.job_id == job_id))):
        raise Conflict(
            "The record schema cannot change once anyone has bid on the job (withdrawn bids count)."
        )
