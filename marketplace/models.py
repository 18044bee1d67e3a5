"""Every feature's models, so that the metadata (and Alembic) sees all tables."""

from marketplace.accounts.models import ApiToken, BrowserSession, User
from marketplace.bids.models import Bid, BidMilestone
from marketplace.contracts.models import (
    Contract,
    ContractMessage,
    Milestone,
    MilestoneSubmission,
    Review,
)
from marketplace.database import Base
from marketplace.idempotency import IdempotencyRecord
from marketplace.jobs.models import Job, JobSkill

__all__ = [
    "ApiToken",
    "Base",
    "Bid",
    "BidMilestone",
    "BrowserSession",
    "Contract",
    "ContractMessage",
    "IdempotencyRecord",
    "Job",
    "JobSkill",
    "Milestone",
    "MilestoneSubmission",
    "Review",
    "User",
]
