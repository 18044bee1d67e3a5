"""On SQLite a request that only reads never waits for the write lock."""

import sqlite3
from contextlib import contextmanager

import pytest
from sqlalchemy.engine import make_url

from tests.work import post_job


@pytest.fixture
def writer(database_uri):
    """Another connection that can sit in a write transaction, as a slow writer would."""
    if not database_uri.startswith("sqlite"):
        pytest.skip("PostgreSQL locks rows, not the database")

    @contextmanager
    def holding_the_lock():
        connection = sqlite3.connect(make_url(database_uri).database, isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            connection.rollback()
            connection.close()

    return holding_the_lock


def test_reads_run_beside_a_writer(api, factory, writer):
    client = api.as_user(factory.client())
    job = post_job(client)

    with writer():
        # A read that queued for the lock would wait out the busy timeout and get a 503.
        responses = [
            client.get("/me"),
            client.get("/jobs"),
            client.get(f"/jobs/{job['id']}"),
            client.get("/me/balance"),
            api.get("/healthz"),
        ]

    assert [r.status_code for r in responses] == [200] * 5


def test_only_unsafe_methods_and_views_marked_as_writing_may_write(api, factory):
    client = api.as_user(factory.client())

    assert client.get("/_probe/intent").json == {"may_write": False}
    assert client.get("/_probe/intent-writes").json == {"may_write": True}
