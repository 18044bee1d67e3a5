"""Disputes over a milestone's money, and the evidence the parties and admins add."""

import enum
from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import User
from marketplace.database import Base, UTCDateTime, in_values, utcnow


class DisputeStatus(enum.StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


OPEN_ONLY = text(f"status = '{DisputeStatus.OPEN}'")


class Dispute(Base):
    __tablename__ = "disputes"
    __table_args__ = (
        CheckConstraint(in_values("status", DisputeStatus), name="status"),
        CheckConstraint(
            "freelancer_amount IS NULL OR (freelancer_amount >= 0 AND client_amount >= 0)",
            name="amounts",
        ),
        # One open dispute per milestone.
        Index("uq_disputes_milestone_id_open", "milestone_id", unique=True,
              postgresql_where=OPEN_ONLY, sqlite_where=OPEN_ONLY),
        Index("ix_disputes_status_created_at_id", "status", "created_at", "id"),
    )  # fmt: skip

    id: Mapped[int] = mapped_column(primary_key=True)
    milestone_id: Mapped[int] = mapped_column(ForeignKey("milestones.id"), index=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    # None when the platform opened it (a chargeback).
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default=DisputeStatus.OPEN)
    freelancer_amount: Mapped[int | None] = mapped_column(BigInteger)
    client_amount: Mapped[int | None] = mapped_column(BigInteger)
    resolution_note: Mapped[str | None] = mapped_column(Text)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    opened_by: Mapped[User | None] = relationship(foreign_keys=[opened_by_id], lazy="joined")
    resolved_by: Mapped[User | None] = relationship(foreign_keys=[resolved_by_id], lazy="joined")
    messages: Mapped[list["DisputeMessage"]] = relationship(
        lazy="selectin", order_by="DisputeMessage.id"
    )

    @property
    def resolution(self) -> dict | None:
        if self.status != DisputeStatus.RESOLVED:
            return None
        return {
            "freelancer_amount": self.freelancer_amount,
            "client_amount": self.client_amount,
            "note": self.resolution_note,
            "resolved_by": self.resolved_by,
            "resolved_at": self.resolved_at,
        }


class DisputeMessage(Base):
    __tablename__ = "dispute_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    dispute_id: Mapped[int] = mapped_column(ForeignKey("disputes.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User] = relationship(lazy="selectin")
