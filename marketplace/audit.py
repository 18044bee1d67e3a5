"""The audit log: every admin action and every money movement, append-only.

Entries are added to the caller's transaction, so an action and its audit entry
commit together or not at all.
"""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import User
from marketplace.database import Base, UTCDateTime, utcnow
from marketplace.extensions import db


class AuditEntry(Base):
    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_created_at_id", "created_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(60), index=True)
    target: Mapped[str] = mapped_column(String(60), index=True)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped[User | None] = relationship(lazy="raise")


@event.listens_for(AuditEntry, "before_update")
@event.listens_for(AuditEntry, "before_delete")
def _append_only(_mapper, _connection, target):
    raise RuntimeError(f"audit entry {target.id} is append-only")


def record(actor_id: int | None, action: str, target: str, **data) -> None:
    """Add an entry (actor None is the system) to the current transaction."""
    db.session.add(AuditEntry(actor_id=actor_id, action=action, target=target, data=data))
