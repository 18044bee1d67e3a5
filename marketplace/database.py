"""The declarative base and column types shared by every model. Imports no Flask."""

import sqlite3
import time
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import cast

from sqlalchemy import CursorResult, DateTime, MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.pool import Pool
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# Made by the migrations for full-text search (see jobs/search.py), not by the models.
OUTSIDE_MODELS = ("jobs_fts", "search_vector", "ix_jobs_search_vector")


def include_object(_object, name, _type, reflected, compare_to) -> bool:
    """For Alembic's comparisons: leave alone what the models do not describe."""
    return not (reflected and compare_to is None and str(name).startswith(OUTSIDE_MODELS))


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def in_values(column: str, values) -> str:
    """SQL for a CHECK constraint: the column holds one of these (enum) values."""
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"


def rowcount(result) -> int:
    """How many rows an INSERT, UPDATE or DELETE touched (a CursorResult's rowcount)."""
    return cast(CursorResult, result).rowcount


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp that is always timezone-aware UTC in Python, on every database.

    SQLite keeps no time zone, so values are stored as naive UTC there and made aware
    again on the way out.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    @property
    def python_type(self) -> type:
        return datetime

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, _record):
    """SQLite enforces foreign keys only when asked, and waits for locks only when told."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        # Let SQLAlchemy, not the driver, begin transactions (see _begin_immediate).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA busy_timeout = 15000")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()


# Whether the work running now may write. Requests that only read say so (see
# marketplace/transactions.py); everything else (writes, CLI commands) may.
may_write: ContextVar[bool] = ContextVar("may_write", default=True)


@event.listens_for(Engine, "begin")
def _begin_immediate(connection):
    """On SQLite every transaction that may write takes the write lock when it begins.

    SQLite has no row locks: two transactions that read a row and then both try to
    change it would otherwise fail with "database is locked" instead of one waiting
    for the other. Taking the lock up front serialises them, so the second sees the
    first one's result (and, say, gets a 409). PostgreSQL locks rows instead. Work that
    only reads begins a plain (deferred) transaction: in WAL mode it reads beside the
    one writer and never queues behind it.
    """
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE" if may_write.get() else "BEGIN")


# A pooled connection unused for this long is tested before use (see _ping_after_idle).
IDLE_BEFORE_PING = 10.0


@event.listens_for(Pool, "checkin")
def _note_idle_since(_dbapi_connection, record):
    if record is not None:
        record.info["idle_since"] = time.monotonic()


@event.listens_for(Pool, "checkout")
def _ping_after_idle(dbapi_connection, record, _proxy):
    """Test a connection that sat idle in the pool; hand out a busy one as it is.

    A connection goes stale when the database restarts or a firewall drops it, which
    happens while it sits idle. Testing every checkout (pool_pre_ping) would add a
    round trip to every request under load, when connections are reused within
    milliseconds. A connection that fails its test is replaced: the pool retries with
    a new one. One that breaks mid-use is a 503 to retry, and SQLAlchemy then retires
    every connection made before the break.
    """
    idle_since = record.info.get("idle_since")
    if idle_since is None or time.monotonic() - idle_since < IDLE_BEFORE_PING:
        return
    try:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("SELECT 1")
        finally:
            cursor.close()
        dbapi_connection.rollback()
    except Exception as error:
        raise DisconnectionError("the pooled connection is gone") from error
