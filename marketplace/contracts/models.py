"""Contracts made from accepted bids, their milestones and messages."""

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from marketplace.accounts.models import User
from marketplace.database import Base, UTCDateTime, in_values, utcnow
from marketplace.jobs.models import accuracy
from marketplace.states import ContractStatus, MilestoneStatus


class Contract(Base):
    __tablename__ = "contracts"
    __table_args__ = (
        CheckConstraint("fee_bps BETWEEN 0 AND 10000", name="fee_bps"),
        CheckConstraint("min_accuracy_bps BETWEEN 0 AND 10000", name="min_accuracy_bps"),
        CheckConstraint("length(currency) = 3", name="currency"),
        CheckConstraint(in_values("status", ContractStatus), name="status"),
        CheckConstraint("client_id <> freelancer_id", name="two_parties"),
        Index("ix_contracts_client_id_created_at_id", "client_id", "created_at", "id"),
        Index("ix_contracts_freelancer_id_created_at_id", "freelancer_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Unique: a job gets at most one contract, however many accepts race.
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id"), unique=True)
    bid_id: Mapped[int] = mapped_column(ForeignKey("bids.id"), unique=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    freelancer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    currency: Mapped[str] = mapped_column(String(3))
    fee_bps: Mapped[int] = mapped_column(Integer)
    # The job's quality bar when the contract was made (jobs.models.Job.min_accuracy_bps).
    min_accuracy_bps: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default=ContractStatus.ACTIVE)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    client: Mapped[User] = relationship(foreign_keys=[client_id], lazy="raise")
    freelancer: Mapped[User] = relationship(foreign_keys=[freelancer_id], lazy="raise")
    milestones: Mapped[list["Milestone"]] = relationship(
        lazy="selectin", order_by="Milestone.id", back_populates="contract"
    )

    @property
    def amount(self) -> int:
        return sum(m.amount for m in self.milestones)

    @property
    def min_accuracy(self) -> float | None:
        return accuracy(self.min_accuracy_bps)

    def party_role(self, user_id: int) -> str | None:
        if user_id == self.client_id:
            return "client"
        if user_id == self.freelancer_id:
            return "freelancer"
        return None


class Milestone(Base):
    __tablename__ = "milestones"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("length(currency) = 3", name="currency"),
        CheckConstraint(in_values("status", MilestoneStatus), name="status"),
        CheckConstraint("unit_price > 0", name="unit_price_positive"),
        CheckConstraint("max_records > 0", name="max_records_positive"),
        CheckConstraint("(unit_price IS NULL) = (max_records IS NULL)", name="per_record_pricing"),
        CheckConstraint("held >= 0", name="held_not_negative"),
        Index("ix_milestones_status_auto_release_at", "status", "auto_release_at"),
        Index("ix_milestones_status_rejection_due_at", "status", "rejection_due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(20), default=MilestoneStatus.PENDING)
    due_date: Mapped[date | None] = mapped_column(Date)
    auto_release_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    contract: Mapped[Contract] = relationship(back_populates="milestones", lazy="raise")
    submissions: Mapped[list["MilestoneSubmission"]] = relationship(
        lazy="selectin", order_by="MilestoneSubmission.id"
    )

    # Per-record pricing: the price of one accepted record and how many the amount pays
    # for (amount = unit_price * max_records); both None for a fixed price.
    unit_price: Mapped[int | None] = mapped_column(BigInteger)
    max_records: Mapped[int | None] = mapped_column(Integer)
    # The latest delivery's rows as the client's approval judged them (0 before it).
    records_accepted: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    records_rejected: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # What rejected rows kept in escrow, from a partial approval until it is settled (the
    # freelancer accepts the rejection, the rejection period ends, or a ruling).
    held: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    rejection_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def records(self) -> dict:
        """Rows of the latest delivery; accepted and rejected ones once it is approved."""
        latest = self.submissions[-1] if self.submissions else None
        return {
            "submitted": (latest.record_count or 0) if latest else 0,
            "accepted": self.records_accepted,
            "rejected": self.records_rejected,
        }

    @validates("status")
    def _stop_review_clock(self, _key, status: str) -> str:
        # Only a submitted milestone can be auto-released; in any other state there is no
        # date at which it will be, so none is kept (or shown).
        if status != MilestoneStatus.SUBMITTED:
            self.auto_release_at = None
        # Likewise only a partially approved milestone's held money is refunded when due.
        if status != MilestoneStatus.PARTIALLY_APPROVED:
            self.rejection_due_at = None
        return status


class MilestoneSubmission(Base):
    """A delivery the freelancer makes when submitting a milestone, and the client's answer."""

    __tablename__ = "milestone_submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    milestone_id: Mapped[int] = mapped_column(ForeignKey("milestones.id"), index=True)
    note: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A delivery of records: how many rows it holds, and the report of its check (both
    # None for a note-only delivery).
    record_count: Mapped[int | None] = mapped_column(Integer)
    report: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    # Set when the client sends this delivery back, so the freelancer reads why.
    changes_requested_reason: Mapped[str | None] = mapped_column(Text)
    changes_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def changes_requested(self) -> dict | None:
        if self.changes_requested_at is None:
            return None
        return {"reason": self.changes_requested_reason, "created_at": self.changes_requested_at}


class ContractMessage(Base):
    __tablename__ = "contract_messages"
    __table_args__ = (
        Index("ix_contract_messages_contract_id_created_at_id", "contract_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User] = relationship(lazy="raise")
