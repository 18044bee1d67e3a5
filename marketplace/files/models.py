"""A job's source files: the record of each; the bytes are in the file storage."""

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.database import Base, UTCDateTime, utcnow
from marketplace.jobs.models import Job

MAX_NAME_LENGTH = 255


class SourceFile(Base):
    __tablename__ = "source_files"
    __table_args__ = (
        CheckConstraint("size > 0", name="size_positive"),
        # A job's files, oldest first, a page at a time.
        Index("ix_source_files_job_id_created_at_id", "job_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id"))
    uploader_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(MAX_NAME_LENGTH))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    sample: Mapped[bool] = mapped_column(Boolean, default=False)
    # Where the bytes are in the file storage; never shown.
    storage_key: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    job: Mapped[Job] = relationship(lazy="raise")
