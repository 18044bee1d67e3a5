"""Every feature's models, so that the metadata (and Alembic) sees all tables."""

from marketplace.accounts.models import ApiToken, BrowserSession, User
from marketplace.audit import AuditEntry
from marketplace.bids.models import Bid, BidMilestone
from marketplace.contracts.models import (
    Contract,
    ContractMessage,
    Milestone,
    MilestoneSubmission,
)
from marketplace.database import Base
from marketplace.deliveries.models import DeliveryFile, DeliveryRecord, DeliveryRefusal
from marketplace.disputes.models import Dispute, DisputeMessage
from marketplace.events.models import (
    Event,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookFanout,
)
from marketplace.files.models import SourceFile
from marketplace.idempotency import IdempotencyRecord
from marketplace.jobs.models import Job, JobSkill
from marketplace.milestones.models import Chargeback, EscrowMovement
from marketplace.payments.models import (
    Installation,
    LedgerAccount,
    LedgerLine,
    LedgerTransaction,
    WebhookEvent,
)
from marketplace.profiles.models import Review

__all__ = [
    "ApiToken",
    "AuditEntry",
    "Base",
    "Bid",
    "BidMilestone",
    "BrowserSession",
    "Chargeback",
    "Contract",
    "ContractMessage",
    "DeliveryFile",
    "DeliveryRecord",
    "DeliveryRefusal",
    "Dispute",
    "DisputeMessage",
    "EscrowMovement",
    "Event",
    "IdempotencyRecord",
    "Installation",
    "Job",
    "JobSkill",
    "LedgerAccount",
    "LedgerLine",
    "LedgerTransaction",
    "Milestone",
    "MilestoneSubmission",
    "Review",
    "SourceFile",
    "User",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookEvent",
    "WebhookFanout",
]
