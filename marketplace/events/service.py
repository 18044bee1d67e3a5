"""Writing events with the change they describe, and reading a user's feed of them.

Features call `emit` while they change things; the events are written when their
transaction commits, in the same transaction, so an event exists exactly when its
change does. Every feature sits above this package: it passes the recipients and a
function that shapes the resource for a recipient's role, as the resource's own endpoint
would show it to them.
"""

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace
from typing import cast

from sqlalchemy import Table, delete, event, insert, or_, select, text
from sqlalchemy.orm import Session

from marketplace.accounts.models import Role, User
from marketplace.database import rowcount, utcnow
from marketplace.events.models import Event
from marketplace.extensions import db
from marketplace.lookup import one_or_404
from marketplace.pagination import Page, SortKey, decode_cursor, encode_cursor, paginate

OLDEST_FIRST = (SortKey(Event.id, descending=False),)
EVENTS = cast(Table, Event.__table__)

# Held from writing a transaction's events until it commits (PostgreSQL): event ids are
# then given in commit order, so a feed read from an id never skips an event committed
# later with a smaller id. SQLite has one writer at a time anyway.
EVENT_ORDER_LOCK = 0x6576656E7473  # "events"

_PENDING = "pending_events"


Recipients = Mapping[int, str]


@dataclass(frozen=True)
class _Pending:
    type: str
    recipients: Recipients | Callable[[], Recipients]
    shape: Callable[[str], dict]
    by_role: bool


def emit(
    type: str,
    recipients: Recipients | Callable[[], Recipients],
    shape: Callable[[str], dict],
    *,
    by_role: bool = False,
) -> None:
    """Record that `type` happened to the users `recipients` (id -> role), and to admins.

    `shape(role)` gives the resource as its endpoint shows it to a caller of that role:
    called once per role `by_role`, else once for all. Both run when the transaction
    commits (`recipients` may be a function too), so they see the final state.
    """
    pending = db.session.info.setdefault(_PENDING, [])
    pending.append(_Pending(type, recipients, shape, by_role))


def _rows(pending: Iterable[_Pending]) -> list[dict]:
    now = utcnow()
    rows = []
    for item in pending:
        shaped: dict[str, dict] = {}
        recipients = item.recipients() if callable(item.recipients) else item.recipients
        for user_id, role in (*recipients.items(), (None, Role.ADMIN)):
            key = role if item.by_role else ""
            if key not in shaped:
                shaped[key] = item.shape(role)
            row = {"user_id": user_id, "type": item.type, "data": shaped[key], "created_at": now}
            rows.append(row)
    return rows


# On PostgreSQL one statement takes the lock and writes the rows: every row the INSERT
# gets (and so every id it draws) comes out of the join with the lock's one row.
_LOCKED_INSERT = text(
    "INSERT INTO events (user_id, type, data, created_at) "
    "SELECT r.user_id, r.type, r.data, r.created_at "
    "FROM (SELECT pg_advisory_xact_lock(:key)) AS lock, "
    "json_to_recordset(CAST(:rows AS json)) "
    "AS r(user_id integer, type text, data json, created_at timestamptz)"
)


@event.listens_for(Session, "before_commit")
def _write_pending(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    rows = _rows(pending)
    if session.get_bind().dialect.name == "postgresql":
        for row in rows:
            row["created_at"] = row["created_at"].isoformat()
        session.execute(_LOCKED_INSERT, {"key": EVENT_ORDER_LOCK, "rows": json.dumps(rows)})
    else:
        # Core, not ORM, bulk insert: the admins' row (no user) goes in the same statement.
        session.execute(insert(EVENTS), rows)


@event.listens_for(Session, "after_transaction_end")
def _forget_pending(session: Session, transaction) -> None:
    # Events of a transaction that rolled back were never written: drop them with it.
    if transaction.parent is None:
        session.info.pop(_PENDING, None)


def _audience(user: User):
    if user.role == Role.ADMIN:
        return or_(Event.user_id.is_(None), Event.user_id == user.id)
    return Event.user_id == user.id


_START = encode_cursor(OLDEST_FIRST, SimpleNamespace(id=0))


def list_events(user: User, *, limit: int, cursor: str | None, type=None) -> Page:
    """The caller's events, oldest first; the cursor always given, to poll from."""
    stmt = select(Event).where(_audience(user))
    if type:
        stmt = stmt.where(Event.type.in_(type))
    page = paginate(db.session, stmt, OLDEST_FIRST, limit=limit, cursor=cursor)
    if page.next_cursor is None:
        if page.data:
            page.next_cursor = encode_cursor(OLDEST_FIRST, page.data[-1])
        elif cursor is not None:
            decode_cursor(OLDEST_FIRST, cursor)  # checked by paginate already
            page.next_cursor = cursor
        else:
            page.next_cursor = _START
    return page


def get_event(user: User, event_id: int) -> Event:
    """One event, for its recipient; admins may read any recipient's copy."""
    stmt = select(Event).where(Event.id == event_id)
    if user.role != Role.ADMIN:
        stmt = stmt.where(Event.user_id == user.id)
    return one_or_404(stmt, Event, what="event")


def purge_expired(days: int, now=None) -> int:
    """Delete events older than the retention period; returns how many."""
    cutoff = (now or utcnow()) - timedelta(days=days)
    deleted = rowcount(db.session.execute(delete(Event).where(Event.created_at < cutoff)))
    db.session.commit()
    return deleted


def event_json(event: Event) -> dict:
    """An event as the feed and webhooks show it."""
    from marketplace.events.schemas import EventSchema

    return EventSchema().dump(event)
