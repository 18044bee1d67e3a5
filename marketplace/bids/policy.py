"""Who may see and act on a bid. Freelancers never see each other's bids."""

from marketplace.accounts.models import User
from marketplace.bids.models import Bid
from marketplace.jobs.models import Job


def can_view_bid(user: User, bid: Bid, job: Job) -> bool:
    return user.is_admin or user.id in (bid.freelancer_id, job.client_id)


def is_bidder(user: User, bid: Bid) -> bool:
    return user.id == bid.freelancer_id


def is_job_client(user: User, job: Job) -> bool:
    return user.id == job.client_id
