"""Seed a fresh benchmark database: the schema by the migrations, the rows in bulk.

SQLite: executemany in one big transaction per table, with durability off while
seeding; the full-text index is built once at the end (`rebuild`) rather than row by
row by its trigger, which is faster (see `--sqlite-fts`). PostgreSQL: COPY through
psycopg. Both get ANALYZE (PostgreSQL a VACUUM too, so its visibility map is set as
it would be in a database that autovacuum looks after).
"""

import itertools
import os
import sqlite3
import subprocess
import time
from collections.abc import Iterable
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from benchmarks import data
from marketplace.config import PROJECT_ROOT

BATCH = 50_000
MARKER = "benchmark_seed"
SEQUENCED = ("users", "jobs", "bids", "bid_milestones")


def dialect(url: str) -> str:
    return make_url(url).get_backend_name()


def sqlite_path(url: str) -> Path:
    return Path(make_url(url).database)


def conninfo(url: str) -> str:
    """A SQLAlchemy PostgreSQL URL as libpq takes it."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def stamp_for(url: str):
    """How a UTC datetime is written: SQLAlchemy's own text format on SQLite (naive UTC)."""
    if dialect(url) == "sqlite":
        return lambda moment: moment.isoformat(" ", "microseconds")[:26]
    return lambda moment: moment


class Timer:
    """Wall-clock seconds of each seeding phase, in order."""

    def __init__(self):
        self.phases: dict[str, float] = {}

    @contextmanager
    def phase(self, name: str):
        started = time.perf_counter()
        yield
        self.phases[name] = time.perf_counter() - started

    @property
    def total(self) -> float:
        return sum(self.phases.values())


def seeded_scale(url: str) -> data.Scale | None:
    """The scale the database was seeded at, or None if it was not seeded by this."""
    query = f"SELECT jobs, bids, users FROM {MARKER}"  # noqa: S608 (a constant)
    try:
        if dialect(url) == "sqlite":
            if not sqlite_path(url).exists():
                return None
            with closing(sqlite3.connect(sqlite_path(url))) as connection:
                row = connection.execute(query).fetchone()
        else:
            with psycopg.connect(conninfo(url)) as connection:
                row = connection.execute(query).fetchone()
    except (sqlite3.Error, psycopg.Error):
        return None
    return data.Scale(*row) if row else None


def seed(url: str, scale: data.Scale, *, password_hash, fts: str = "rebuild") -> Timer:
    """Empty the database, migrate it and fill it at `scale`; returns the phases' times.

    `password_hash` is called once, after the migrations, for the hash every user shares.
    """
    timer = Timer()
    with timer.phase("reset"):
        _reset(url)
    with timer.phase("migrations"):
        migrate(url)
    with timer.phase("password hash"):
        hashed = password_hash()
    seeder = data.Seeder(scale, stamp_for(url), datetime.now(UTC))
    if dialect(url) == "sqlite":
        _seed_sqlite(sqlite_path(url), seeder, hashed, fts, timer)
    else:
        _seed_postgresql(conninfo(url), seeder, hashed, timer)
    return timer


def migrate(url: str) -> None:
    """`flask --app wsgi db upgrade`, as scripts/serve runs it."""
    env = {**os.environ, "DATABASE_URL": url}
    subprocess.run(
        ["flask", "--app", "wsgi", "db", "upgrade"],  # noqa: S607 (the venv's flask)
        cwd=PROJECT_ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _reset(url: str) -> None:
    if dialect(url) == "sqlite":
        path = sqlite_path(url)
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    with psycopg.connect(conninfo(url), autocommit=True) as connection:
        connection.execute("DROP SCHEMA public CASCADE")
        connection.execute("CREATE SCHEMA public")


def _batches(rows: Iterable[tuple]):
    iterator = iter(rows)
    while batch := list(itertools.islice(iterator, BATCH)):
        yield batch


def _insert_sql(table: str, columns: tuple[str, ...]) -> str:
    marks = ", ".join("?" * len(columns))
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608


# -- SQLite -------------------------------------------------------------------------------
def _seed_sqlite(path: Path, seeder: data.Seeder, hashed: str, fts: str, timer: Timer) -> None:
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        for pragma in (
            "journal_mode = OFF",  # no rollback journal or WAL while seeding: a fresh file
            "synchronous = OFF",
            "locking_mode = EXCLUSIVE",
            "temp_store = MEMORY",
            "cache_size = -262144",  # 256 MiB
        ):
            connection.execute(f"PRAGMA {pragma}")

        def load(table, columns, rows):
            with timer.phase(table):
                connection.execute("BEGIN")
                for batch in _batches(rows):
                    connection.executemany(_insert_sql(table, columns), batch)
                connection.execute("COMMIT")

        load("users", data.USER_COLUMNS, seeder.users(hashed))
        trigger = connection.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'jobs_fts_insert'"
        ).fetchone()[0]
        if fts == "rebuild":
            connection.execute("DROP TRIGGER jobs_fts_insert")
        load("jobs", data.JOB_COLUMNS, seeder.jobs())
        if fts == "rebuild":
            with timer.phase("jobs_fts rebuild"):
                connection.execute(trigger)
                connection.execute("INSERT INTO jobs_fts(jobs_fts) VALUES ('rebuild')")
        load("job_skills", data.JOB_SKILL_COLUMNS, seeder.job_skills())
        load("bids", data.BID_COLUMNS, seeder.bids())
        load("bid_milestones", data.BID_MILESTONE_COLUMNS, seeder.plans)
        with timer.phase("analyze"):
            connection.execute("ANALYZE")
        _mark(connection, seeder.scale, "?")
        connection.execute("PRAGMA locking_mode = NORMAL")
        connection.execute("PRAGMA journal_mode = WAL")
    finally:
        connection.close()


# -- PostgreSQL ---------------------------------------------------------------------------
def _seed_postgresql(info: str, seeder: data.Seeder, hashed: str, timer: Timer) -> None:
    with psycopg.connect(info) as connection:
        # The rows are consistent by construction: no foreign-key trigger per row (a
        # superuser's setting; without it the checks run, which is only slower).
        try:
            connection.execute("SET session_replication_role = replica")
        except psycopg.errors.InsufficientPrivilege:
            connection.rollback()
        connection.execute("SET synchronous_commit = off")

        def load(table, columns, rows):
            with timer.phase(table):
                copy_sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
                with connection.cursor() as cursor, cursor.copy(copy_sql) as copy:
                    for row in rows:
                        copy.write_row(row)
                connection.commit()

        load("users", data.USER_COLUMNS, seeder.users(hashed))
        load("jobs", data.JOB_COLUMNS, seeder.jobs())
        load("job_skills", data.JOB_SKILL_COLUMNS, seeder.job_skills())
        load("bids", data.BID_COLUMNS, seeder.bids())
        load("bid_milestones", data.BID_MILESTONE_COLUMNS, seeder.plans)
        for table in SEQUENCED:
            connection.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"  # noqa: S608
                f" (SELECT max(id) FROM {table}))"
            )
        _mark(connection, seeder.scale, "%s")
        connection.commit()
    with psycopg.connect(info, autocommit=True) as connection, timer.phase("vacuum analyze"):
        connection.execute("VACUUM ANALYZE")


def _mark(connection, scale: data.Scale, mark: str) -> None:
    """Record the scale, so `--reuse` can tell a database seeded at it."""
    connection.execute(
        f"CREATE TABLE {MARKER} (jobs INTEGER NOT NULL, bids INTEGER NOT NULL,"
        " users INTEGER NOT NULL, seeded_at VARCHAR(40) NOT NULL)"
    )
    connection.execute(
        f"INSERT INTO {MARKER} VALUES ({mark}, {mark}, {mark}, {mark})",  # noqa: S608
        (scale.jobs, scale.bids, scale.users, datetime.now(UTC).isoformat(timespec="seconds")),
    )
