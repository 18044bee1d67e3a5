"""Use cases of profiles: a user's public profile, and the reviews that rate them."""

from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from marketplace.accounts.eligibility import payout_eligible
from marketplace.accounts.models import User
from marketplace.contracts import service as contracts
from marketplace.contracts.models import Contract
from marketplace.contracts.outbox import contract_parties
from marketplace.errors import Conflict, NotFound
from marketplace.events import service as events
from marketplace.extensions import db
from marketplace.pagination import SortKey, paginate
from marketplace.payments import ledger
from marketplace.profiles.models import Review
from marketplace.profiles.schemas import ReviewSchema
from marketplace.states import CONTRACT, ContractAction, ContractStatus, next_status

REVIEWS_NEWEST_FIRST = (SortKey(Review.created_at), SortKey(Review.id))


def get_profile(user_id: int) -> dict:
    """A user's public profile, with their rating and completed contracts."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    # Only contracts on which money was released count, so unpaid work cannot earn ratings.
    count, total = db.session.execute(
        select(func.count(Review.id), func.sum(Review.rating)).where(
            Review.subject_id == user.id, ledger.released_on_contract(Review.contract_id)
        )
    ).one()
    completed = db.session.scalar(
        select(func.count(Contract.id)).where(
            or_(Contract.client_id == user.id, Contract.freelancer_id == user.id),
            Contract.status == ContractStatus.COMPLETED,
            ledger.released_on_contract(Contract.id),
        )
    )
    return {
        "id": user.id,
        "role": user.role,
        "name": user.name,
        "country": user.country,
        "skills": user.skills,
        "bio": user.bio,
        "rating": {"average": average_rating(total, count), "count": count},
        "completed_contracts": completed,
        "payout_eligible": payout_eligible(user),
        "created_at": user.created_at,
    }


def average_rating(total: int | None, count: int) -> float | None:
    """The mean rating to 2 places, rounded half up; None without ratings."""
    if not count:
        return None
    mean = (Decimal(int(total or 0)) / count).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return float(mean)


def post_review(user: User, contract_id: int, data: dict) -> Review:
    """Rate the other party of a completed contract on which money was released, once."""
    contract = contracts.party_contract(user, contract_id)
    next_status(CONTRACT, contract.status, ContractAction.REVIEW, "contract")
    # Otherwise a contract whose milestones were all cancelled would buy ratings for free.
    if not db.session.scalar(select(ledger.released_on_contract(contract.id))):
        raise Conflict(
            "Only a contract on which money was released to the freelancer can be reviewed; "
            "none was released on this one."
        )
    subject = contract.freelancer_id if user.id == contract.client_id else contract.client_id
    exists = db.session.scalar(
        select(Review.id).where(Review.contract_id == contract.id, Review.author_id == user.id)
    )
    if exists:
        raise Conflict("You have already reviewed this contract.")
    review = Review(contract_id=contract.id, author_id=user.id, subject_id=subject, **data)
    db.session.add(review)
    db.session.flush()

    def shape(_role: str) -> dict:
        return ReviewSchema().dump(review)

    events.emit("review.created", contract_parties(contract.id), shape)
    db.session.commit()
    return review


def list_reviews(user_id: int, *, limit: int, cursor: str | None):
    """Reviews of a user, newest first: those that count in their rating (money was released)."""
    if db.session.get(User, user_id) is None:
        raise NotFound("No such user.")
    stmt = (
        select(Review)
        .options(joinedload(Review.author))
        .where(Review.subject_id == user_id, ledger.released_on_contract(Review.contract_id))
    )
    return paginate(db.session, stmt, REVIEWS_NEWEST_FIRST, limit=limit, cursor=cursor)
