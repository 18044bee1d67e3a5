"""Bids that freelancers place on jobs, with the milestone plans they propose."""

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import User
from marketplace.database import Base, UTCDateTime, in_values, utcnow
from marketplace.states import BidStatus

PENDING_ONLY = text(f"status = '{BidStatus.PENDING}'")


class Bid(Base):
    __tablename__ = "bids"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("delivery_days > 0", name="delivery_days_positive"),
        CheckConstraint("length(currency) = 3", name="currency"),
        CheckConstraint(in_values("status", BidStatus), name="status"),
        # One pending bid per freelancer per job.
        Index(
            "uq_bids_job_id_freelancer_id_pending",
            "job_id",
            "freelancer_id",
            unique=True,
            postgresql_where=PENDING_ONLY,
            sqlite_where=PENDING_ONLY,
        ),
        Index("ix_bids_job_id_created_at_id", "job_id", "created_at", "id"),
        # A job's bid count (jobs' JSON, on every list page) reads this index alone:
        # ix_bids_job_id_created_at_id lacks the status, so each bid's row was read.
        Index("ix_bids_job_id_status", "job_id", "status"),
        Index("ix_bids_freelancer_id_created_at_id", "freelancer_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id"))
    freelancer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    delivery_days: Mapped[int] = mapped_column(Integer)
    cover_letter: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=BidStatus.PENDING)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    freelancer: Mapped[User] = relationship(lazy="raise")
    milestones: Mapped[list["BidMilestone"]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="BidMilestone.position"
    )


class BidMilestone(Base):
    """One step of the plan a bid proposes; becomes a contract milestone on acceptance."""

    __tablename__ = "bid_milestones"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("unit_price > 0", name="unit_price_positive"),
        CheckConstraint("max_records > 0", name="max_records_positive"),
        CheckConstraint("(unit_price IS NULL) = (max_records IS NULL)", name="per_record_pricing"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    bid_id: Mapped[int] = mapped_column(ForeignKey("bids.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    amount: Mapped[int] = mapped_column(BigInteger)
    # Per-record pricing (amount = unit_price * max_records); None for a fixed price.
    unit_price: Mapped[int | None] = mapped_column(BigInteger)
    max_records: Mapped[int | None] = mapped_column(Integer)
