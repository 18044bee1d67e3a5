"""On SQLite a request that only reads never waits for the write lock."""

import sqlite3
import threading
import time
from contextlib import contextmanager

import pytest
from sqlalchemy.engine import make_url

from tests.client import ApiClient
from tests.files import add_file
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


def test_file_records_are_reads_too(api, factory, writer):
    client = api.as_user(factory.client())
    job = post_job(client)
    file = add_file(client, job["id"])

    with writer():
        responses = [client.get(f"/jobs/{job['id']}/files"), client.get(f"/files/{file['id']}")]

    assert [r.status_code for r in responses] == [200, 200]


def test_a_download_takes_the_write_lock_when_it_begins(app, api, factory, database_uri):
    """A download by someone other than the uploader writes its audit row. Begun as a
    read, its transaction could not take the lock after another writer committed (its
    snapshot would be stale: SQLITE_BUSY_SNAPSHOT, a 503): it must wait for the lock first."""
    if not database_uri.startswith("sqlite"):
        pytest.skip("PostgreSQL locks rows, not the database")
    client = api.as_user(factory.client())
    admin = factory.admin()
    file = add_file(client, post_job(client)["id"])
    other = sqlite3.connect(make_url(database_uri).database, isolation_level=None)
    answers = {}
    download = threading.Thread(
        target=lambda: answers.setdefault(
            "download",
            ApiClient(app, token=admin.token).get(
                f"/api/v1/files/{file['id']}/content", expect_5xx=True
            ),
        )
    )
    try:
        other.execute("BEGIN IMMEDIATE")
        download.start()
        time.sleep(0.5)
        waited = download.is_alive()
        other.execute("UPDATE users SET name = name || '.' WHERE id = ?", (admin.id,))
        other.execute("COMMIT")
        download.join(20)
    finally:
        other.close()

    assert waited
    assert answers["download"].status_code == 200
    log = api.as_user(admin).get("/admin/audit-log", query_string={"action": "file.download"})
    assert [entry["target"] for entry in log.json["data"]] == [f"file:{file['id']}"]


def test_only_unsafe_methods_and_views_marked_as_writing_may_write(api, factory):
    client = api.as_user(factory.client())

    assert client.get("/_probe/intent").json == {"may_write": False}
    assert client.get("/_probe/intent-writes").json == {"may_write": True}


def test_a_webhook_holds_no_lock_while_the_provider_answers(app, api, factory, database_uri):
    """A webhook's handler first re-reads its object from the provider; meanwhile other
    requests write (on SQLite, no one holds the database's write lock)."""
    import json
    import threading

    from marketplace.payments.gateway import get_gateway
    from tests.client import ApiClient
    from tests.stripe_fake.webhooks import make_event, sign_payload

    if not database_uri.startswith("sqlite"):
        pytest.skip("PostgreSQL locks rows, not the database")
    client = api.as_user(factory.client())
    with app.app_context():
        gateway = get_gateway()
    reading, go = threading.Event(), threading.Event()

    class SlowReads:
        name = gateway.name

        def __getattr__(self, name):
            return getattr(gateway, name)

        def retrieve_charge(self, intent_id):
            reading.set()
            go.wait(30)  # longer than the busy timeout a held lock would make others wait
            return gateway.retrieve_charge(intent_id)

    app.extensions["payment_gateway"] = SlowReads()
    payload = json.dumps(make_event("payment_intent.succeeded", {"id": "pi_unknown"})).encode()
    headers = {"Stripe-Signature": sign_payload(payload, "whsec_test_localstripe")}
    answers = {}
    webhook = threading.Thread(
        target=lambda: answers.setdefault(
            "webhook",
            ApiClient(app).post(
                "/api/v1/webhooks/stripe",
                data=payload,
                headers=headers,
                content_type="application/json",
                expect_5xx=True,
            ),
        )
    )
    try:
        webhook.start()
        assert reading.wait(10)
        written = post_job(client)  # would wait out the busy timeout behind a held lock
        still_reading = webhook.is_alive()
        go.set()
        webhook.join(10)
    finally:
        go.set()
        app.extensions["payment_gateway"] = gateway
    assert written["id"]
    assert still_reading  # the write did not wait for the provider's answer
    assert answers["webhook"].status_code in (200, 409)
