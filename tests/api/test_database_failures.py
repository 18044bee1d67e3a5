"""When the database fails: clients hear 503 and may retry; logs never carry secrets."""

import logging
import re
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, event
from sqlalchemy.pool import NullPool

from marketplace import database
from marketplace.extensions import db
from tests.client import assert_problem

# What a secret looks like in a log line: an argon2 hash, one of our tokens, a SHA-256
# (token and session hashes), a card number.
SECRET_PATTERNS = [
    re.compile(r"\$argon2"),
    re.compile(r"mkt_[A-Za-z0-9_-]{20,}"),
    re.compile(r"\b[0-9a-f]{64}\b"),
    re.compile(r"\b\d{13,19}\b"),
]


@contextmanager
def failing_statements(app, table: str, verb: str = "INSERT INTO"):
    """Every INSERT into `table` goes to a table that does not exist: a real database error."""

    def rewrite(conn, cursor, statement, parameters, context, executemany):
        return statement.replace(f"{verb} {table} ", f"{verb} no_such_table "), parameters

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", rewrite, retval=True)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", rewrite)


@contextmanager
def database_unreachable(app):
    """New connections go to an address where no database listens, as in an outage."""

    def elsewhere(dialect, conn_rec, cargs, cparams):
        if dialect.name == "postgresql":
            cparams.update(host="127.0.0.1", port=1)
        else:
            cargs[:] = ["/nonexistent-directory/marketplace.db"]

    with app.app_context():
        engine = db.engine
    engine.dispose()
    event.listen(engine, "do_connect", elsewhere)
    try:
        yield
    finally:
        event.remove(engine, "do_connect", elsewhere)
        engine.dispose()


def assert_no_secrets(text: str):
    for pattern in SECRET_PATTERNS:
        assert not pattern.search(text), f"{pattern.pattern} found in the logs"


def test_a_database_error_on_register_logs_no_password_hash(api, app, caplog):
    caplog.set_level(logging.DEBUG)
    body = {
        "email": "jane@example.test",
        "password": "long enough pw",
        "role": "client",
        "name": "Jane",
        "country": "US",
    }

    with failing_statements(app, "users"):
        response = api.post("/auth/register", json=body, expect_5xx=True)

    assert_problem(response, 500)
    assert "database error" in caplog.text
    assert "no_such_table" in caplog.text  # where it failed is still there to find
    assert_no_secrets(caplog.text)
    assert "long enough pw" not in caplog.text


def test_a_database_error_on_token_and_login_logs_no_token_or_session(api, app, factory, caplog):
    caplog.set_level(logging.DEBUG)
    user = factory.client()
    credentials = {"email": user.email, "password": user.password}

    with failing_statements(app, "api_tokens"):
        token = api.post("/auth/tokens", json={**credentials, "name": "x"}, expect_5xx=True)
    with failing_statements(app, "browser_sessions"):
        login = api.post("/auth/login", json=credentials, expect_5xx=True)

    assert_problem(token, 500)
    assert_problem(login, 500)
    assert caplog.text.count("database error") == 2
    assert_no_secrets(caplog.text)
    assert user.token not in caplog.text


def test_a_database_outage_is_a_503_to_retry_and_the_app_recovers(api, app, factory, caplog):
    caplog.set_level(logging.DEBUG)
    user = api.as_user(factory.client())

    with database_unreachable(app):
        reads = user.get("/jobs", expect_5xx=True)
        writes = api.post(
            "/auth/register",
            json={
                "email": "a@example.test",
                "password": "long enough pw",
                "role": "client",
                "name": "A",
                "country": "US",
            },
            expect_5xx=True,
        )
        health = api.get("/healthz", expect_5xx=True)

    for response in (reads, writes):
        body = assert_problem(response, 503)
        assert int(response.headers["Retry-After"]) > 0
        assert body["type"] == "/problems/database-unavailable"
    assert health.status_code == 503
    assert int(health.headers["Retry-After"]) > 0
    assert_no_secrets(caplog.text)
    assert user.get("/jobs").status_code == 200
    assert api.get("/healthz").json["database"] == "ok"


def test_the_work_is_answered_even_if_its_idempotent_response_cannot_be_stored(
    api, app, factory, caplog
):
    client = api.as_user(factory.client())
    body = {
        "title": "Key in 200 invoices",
        "description": "Totals and dates.",
        "skills": [],
        "budget": 10_000,
        "currency": "USD",
    }

    with failing_statements(app, "idempotency_records", "UPDATE"):
        response = client.post("/jobs", json=body, headers={"Idempotency-Key": "job-1"})

    assert response.status_code == 201
    assert client.get(f"/jobs/{response.json['id']}").status_code == 200
    assert "could not store the response" in caplog.text
    assert_no_secrets(caplog.text)


def terminate_the_apps_connections(app):
    """The database ends every session of the app's pool, as a restart would."""
    with app.app_context():
        url = db.engine.url
    admin = create_engine(url, poolclass=NullPool)
    with admin.connect() as connection:
        connection.exec_driver_sql(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    admin.dispose()


@pytest.fixture
def postgresql_only(app):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("SQLite connections to a file do not go stale")


def test_connections_idle_through_a_restart_are_replaced_unseen(
    api, app, factory, postgresql_only, monkeypatch
):
    user = api.as_user(factory.client())
    assert user.get("/jobs").status_code == 200
    monkeypatch.setattr(database, "IDLE_BEFORE_PING", 0.0)  # every pooled one counts as idle

    terminate_the_apps_connections(app)

    assert user.get("/jobs").status_code == 200


def test_a_restart_under_load_costs_one_503_then_the_pool_renews(
    api, app, factory, postgresql_only
):
    user = api.as_user(factory.client())
    assert user.get("/jobs").status_code == 200

    terminate_the_apps_connections(app)  # busy connections are not tested before use

    assert_problem(user.get("/jobs", expect_5xx=True), 503)
    assert user.get("/jobs").status_code == 200
