"""Jobs that companies post, and the skills they ask for."""

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
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship

from marketplace.accounts.models import User
from marketplace.database import Base, UTCDateTime, in_values, utcnow
from marketplace.states import JobStatus

ACCURACY_DENOMINATOR = 10000


def accuracy(bps: int | None) -> float | None:
    """An accuracy kept in ten-thousandths, as JSON shows it (9800 is 0.98)."""
    return None if bps is None else bps / ACCURACY_DENOMINATOR


class Job(Base):
    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint("budget > 0", name="budget_positive"),
        CheckConstraint("length(currency) = 3", name="currency"),
        CheckConstraint(in_values("status", JobStatus), name="status"),
        CheckConstraint("min_accuracy_bps BETWEEN 0 AND 10000", name="min_accuracy_bps"),
        Index("ix_jobs_status_created_at_id", "status", "created_at", "id"),
        Index("ix_jobs_status_budget_id", "status", "budget", "id"),
        Index("ix_jobs_client_id_created_at", "client_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    budget: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(16), default=JobStatus.OPEN)
    deadline: Mapped[date | None] = mapped_column(Date)
    # The records a delivery must hold: a descriptor as deliveries.record_schema
    # normalises it (None: a note is the delivery). Changed only by
    # jobs.service.change_record_schema.
    record_schema: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    # The least accuracy on gold records a delivery needs, in ten-thousandths (0.98 is
    # 9800): exact, so a delivery's accuracy compares without rounding.
    min_accuracy_bps: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    client: Mapped[User] = relationship(lazy="raise")
    skill_rows: Mapped[list["JobSkill"]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="JobSkill.skill"
    )
    # Filled by the query that loads the job (jobs.service, with the count that bids.service
    # registers): bids not withdrawn.
    bid_count: Mapped[int] = query_expression()

    @property
    def quality(self) -> dict | None:
        return None if self.min_accuracy_bps is None else {"min_accuracy": self.min_accuracy}

    @property
    def min_accuracy(self) -> float | None:
        return accuracy(self.min_accuracy_bps)

    @property
    def skills(self) -> list[str]:
        return [row.skill for row in self.skill_rows]

    @skills.setter
    def skills(self, names: list[str]) -> None:
        self.skill_rows = [JobSkill(skill=name) for name in dict.fromkeys(names)]


class JobSkill(Base):
    """One skill a job asks for; a table of its own so "any of these skills" uses an index."""

    __tablename__ = "job_skills"
    __table_args__ = (Index("ix_job_skills_skill_job_id", "skill", "job_id"),)

    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True)
    skill: Mapped[str] = mapped_column(String(50), primary_key=True)
