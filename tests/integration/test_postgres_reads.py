"""On PostgreSQL a request that only reads runs without a transaction of its own."""

import pytest
from sqlalchemy import event

from marketplace.extensions import db
from tests.work import post_job


@pytest.fixture
def autocommit_seen(app, database_uri):
    """For each statement the app runs: whether its connection was outside a transaction."""
    if not database_uri.startswith("postgresql"):
        pytest.skip("SQLite reads begin a deferred transaction (test_sqlite_reads.py)")
    seen: list[bool] = []

    def note(conn, _cursor, _statement, *_args):
        seen.append(conn.connection.dbapi_connection.autocommit)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", note)
    yield seen
    event.remove(engine, "before_cursor_execute", note)


def test_reads_send_no_begin_and_writes_keep_their_transaction(api, factory, autocommit_seen):
    client = api.as_user(factory.client())
    job = post_job(client)

    autocommit_seen.clear()
    for path in ("/me", "/jobs", f"/jobs/{job['id']}"):
        assert client.get(path).status_code == 200
    reads = list(autocommit_seen)

    autocommit_seen.clear()
    assert client.patch(f"/jobs/{job['id']}", json={"title": "Renamed batch"}).status_code == 200
    writes = list(autocommit_seen)

    assert reads
    assert all(reads)
    assert writes
    assert not any(writes)
