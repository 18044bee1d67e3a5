"""Which database errors mean "retry later" (503) and which are bugs (500)."""

import sqlite3

import psycopg
from sqlalchemy import exc

from marketplace.errors import is_database_unavailable


def sqlite_error(tmp_path, sql: str, *, locked: bool) -> exc.DBAPIError:
    """The error SQLite itself raises for `sql`, as SQLAlchemy hands it on."""
    path = tmp_path / "x.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE IF NOT EXISTS t (x)")
    if locked:  # another writer holds the lock past the wait
        holder.execute("BEGIN IMMEDIATE")
    other = sqlite3.connect(path, timeout=0)
    try:
        other.execute(sql)
    except sqlite3.Error as error:
        return exc.OperationalError(sql, {}, error)
    finally:
        other.close()
        holder.close()
    raise AssertionError("no error")


def test_a_locked_sqlite_database_is_unavailable(tmp_path):
    assert is_database_unavailable(sqlite_error(tmp_path, "INSERT INTO t VALUES (1)", locked=True))


def test_a_missing_sqlite_table_is_a_bug(tmp_path):
    assert not is_database_unavailable(sqlite_error(tmp_path, "SELECT * FROM nope", locked=False))


def test_postgresql_timeouts_and_lost_connections_are_unavailable():
    for error in (
        psycopg.errors.QueryCanceled("canceling statement due to statement timeout"),
        psycopg.errors.AdminShutdown("terminating connection"),
        psycopg.errors.TooManyConnections("too many clients"),
        psycopg.errors.DeadlockDetected("deadlock detected"),
        psycopg.OperationalError("connection refused"),
    ):
        assert is_database_unavailable(exc.OperationalError("SELECT 1", {}, error)), error


def test_postgresql_statement_errors_are_bugs():
    error = psycopg.errors.UndefinedTable('relation "nope" does not exist')

    assert not is_database_unavailable(exc.ProgrammingError("SELECT 1", {}, error))
    assert is_database_unavailable(exc.TimeoutError("QueuePool limit reached"))
