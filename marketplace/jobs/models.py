"""Jobs that companies post, and the skills they ask for."""

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship

from marketplace.accounts.models import User
from marketplace.database import Base, UTCDateTime, in_values, utcnow
from marketplace.states import JobStatus


class Job(Base):
    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint("budget > 0", name="budget_positive"),
        CheckConstraint("length(currency) = 3", name="currency"),
        CheckConstraint(in_values("status", JobStatus), name="status"),
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
    # The records a delivery must hold (a Table Schema descriptor; None: a note is the
    # delivery).
    record_schema: Mapped[dict | None] = mapped_column(JSON)
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
