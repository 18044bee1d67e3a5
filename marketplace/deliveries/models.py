"""What a delivery leaves behind: each record as a row, the file it came in, refused checks;
and the gold records a delivery is measured against.

Tables only refer to jobs, milestones and submissions by foreign key: reading a job, a
contract or a milestone never loads a delivery's records or a job's gold records.
"""

from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.database import Base, UTCDateTime, utcnow


class DeliveryRecord(Base):
    """One record of a delivery that passed its check: its row number and typed values."""

    __tablename__ = "delivery_records"

    submission_id: Mapped[int] = mapped_column(
        ForeignKey("milestone_submissions.id", ondelete="CASCADE"), primary_key=True
    )
    # The row as the freelancer's spreadsheet numbers it (data rows from 1).
    row: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    # {field name: value}, values typed as the schema says (dates as ISO text).
    values: Mapped[dict] = mapped_column("record_values", JSON)
    # Why the client rejected the row when it approved the delivery; None if not rejected.
    rejection: Mapped[str | None] = mapped_column(Text)


class DeliveryFile(Base):
    """The file a delivery came in (the JSON body, for records sent as JSON), as stored."""

    __tablename__ = "delivery_files"

    submission_id: Mapped[int] = mapped_column(
        ForeignKey("milestone_submissions.id", ondelete="CASCADE"), primary_key=True
    )
    storage_key: Mapped[str] = mapped_column(String(300), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))


class DeliveryRefusal(Base):
    """A delivery checked and refused: they are counted per milestone over 24 hours, so
    that the checks cannot be used to find the gold records by trial."""

    __tablename__ = "delivery_refusals"
    __table_args__ = (
        Index("ix_delivery_refusals_milestone_id_created_at", "milestone_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    milestone_id: Mapped[int] = mapped_column(ForeignKey("milestones.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class GoldRecord(Base):
    """One of a job's gold records (known answers): typed values, keyed by the job and
    its primary key's value. Replaced whole by the job's client; gone with a new schema."""

    __tablename__ = "gold_records"
    # The set is read back in the order it was sent, a batch at a time.
    __table_args__ = (Index("ix_gold_records_job_id_row", "job_id", "row", unique=True),)

    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True)
    # The primary key's value as a delivery's rows are matched on it (gold.key_matcher):
    # its text, trimmed and with inner whitespace collapsed; a longer one than fits here
    # as a space and its digest.
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    # The row of the set as it was sent (data rows from 1): the order it is read back in.
    row: Mapped[int] = mapped_column(Integer)
    # {field name: value}, typed as the schema says (dates as ISO text), as DeliveryRecord.
    values: Mapped[dict] = mapped_column("record_values", JSON)
