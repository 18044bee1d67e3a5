"""What a delivery leaves behind: each record as a row, the file it came in, refused checks.

Tables only refer to milestones and their submissions by foreign key: reading a contract
or a milestone never loads a delivery's records.
"""

from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String
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
