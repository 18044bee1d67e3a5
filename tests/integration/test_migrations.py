"""Migrations are code: one head, and upgrade builds exactly the models' schema."""

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from marketplace.database import include_object
from marketplace.extensions import db, migrate
from tests.schema import flask_db


def test_there_is_one_head(app):
    with app.app_context():
        config = migrate.get_config(app.extensions["migrate"].directory)
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


def test_the_migrated_schema_matches_the_models(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": include_object}
        )
        assert compare_metadata(context, db.metadata) == []


@pytest.fixture
def scratch_database(database_uri, tmp_path):
    """An empty database of the same kind as the test database."""
    if not database_uri.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'scratch.db'}"
        return
    name = f"scratch_{uuid.uuid4().hex[:12]}"
    admin = create_engine(database_uri, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(database_uri).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_upgrade_downgrade_upgrade_on_an_empty_database(scratch_database, app):
    flask_db(scratch_database, "upgrade")
    flask_db(scratch_database, "downgrade", "base")

    engine = create_engine(scratch_database)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()

    flask_db(scratch_database, "upgrade")
    engine = create_engine(scratch_database)
    assert set(inspect(engine).get_table_names()) >= set(db.metadata.tables)
    engine.dispose()


def test_upgrading_a_database_with_data_keeps_it(scratch_database, app):
    """Each step from the first revision on, with rows in every table that exists by then."""
    flask_db(scratch_database, "upgrade", "0001")
    engine = create_engine(scratch_database)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO users (id, email, password_hash, role, name, country, skills, bio,"
                " status, payouts_enabled, created_at) VALUES (1, 'a@example.test', 'x',"
                " 'client', 'A', 'US', '[]', '', 'active', false, CURRENT_TIMESTAMP)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO api_tokens (user_id, name, token_hash, created_at)"
                " VALUES (1, 't', 'h', CURRENT_TIMESTAMP)"
            )
        )
    flask_db(scratch_database, "upgrade", "0002")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO jobs (id, client_id, title, description, budget, currency, status,"
                " created_at, updated_at) VALUES (1, 1, 'Invoices', 'Type invoices', 100, 'USD',"
                " 'open', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        )

    flask_db(scratch_database, "upgrade")

    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM users")).scalar() == 1
        assert connection.execute(text("SELECT count(*) FROM api_tokens")).scalar() == 1
        assert connection.execute(text("SELECT count(*) FROM jobs")).scalar() == 1
    engine.dispose()


def test_0006_keeps_the_data_and_clears_stale_auto_release_dates(scratch_database, app):
    flask_db(scratch_database, "upgrade", "0005")
    engine = create_engine(scratch_database)
    now = "CURRENT_TIMESTAMP"
    rows = [
        "INSERT INTO users (id, email, password_hash, role, name, country, skills, bio, status,"
        " payouts_enabled, created_at) VALUES"
        f" (1, 'c@example.test', 'x', 'client', 'C', 'US', '[]', '', 'active', false, {now}),"
        f" (2, 'f@example.test', 'x', 'freelancer', 'F', 'NG', '[]', '', 'active', false, {now})",
        "INSERT INTO jobs (id, client_id, title, description, budget, currency, status,"
        f" created_at, updated_at) VALUES (1, 1, 'Invoices', 'Type', 100, 'USD', 'in_progress',"
        f" {now}, {now})",
        "INSERT INTO bids (id, job_id, freelancer_id, amount, currency, delivery_days,"
        f" cover_letter, status, created_at, updated_at) VALUES (1, 1, 2, 100, 'USD', 3, 'Hi',"
        f" 'accepted', {now}, {now})",
        "INSERT INTO contracts (id, job_id, bid_id, client_id, freelancer_id, currency, fee_bps,"
        f" status, created_at) VALUES (1, 1, 1, 1, 2, 'USD', 1000, 'active', {now})",
        "INSERT INTO milestones (id, contract_id, title, description, amount, currency, status,"
        f" auto_release_at, created_at) VALUES (1, 1, 'A', '', 50, 'USD', 'approved', {now},"
        f" {now}), (2, 1, 'B', '', 50, 'USD', 'submitted', {now}, {now})",
        "INSERT INTO milestone_submissions (milestone_id, note, created_at) VALUES"
        f" (1, 'done', {now}), (2, 'done', {now})",
        "INSERT INTO reviews (contract_id, author_id, subject_id, rating, comment, created_at)"
        f" VALUES (1, 1, 2, 5, 'Good', {now})",
    ]
    with engine.begin() as connection:
        for row in rows:
            connection.execute(text(row))

    flask_db(scratch_database, "upgrade")

    with engine.connect() as connection:
        due = dict(connection.execute(text("SELECT id, auto_release_at FROM milestones")).all())
        assert due[1] is None
        assert due[2] is not None
        assert (
            connection.execute(
                text("SELECT count(*) FROM users WHERE email_notifications")
            ).scalar()
            == 2
        )
        assert (
            connection.execute(
                text(
                    "SELECT count(*) FROM milestone_submissions"
                    " WHERE changes_requested_reason IS NULL AND changes_requested_at IS NULL"
                )
            ).scalar()
            == 2
        )
        assert connection.execute(text("SELECT count(*) FROM reviews")).scalar() == 1
    engine.dispose()


def test_0008_names_the_installation_once_and_keeps_the_journal(scratch_database, app):
    flask_db(scratch_database, "upgrade", "0007")
    engine = create_engine(scratch_database)
    now = "CURRENT_TIMESTAMP"
    old_key = "milestone-1-fund-1" + "x" * 82  # as long as 0005 allowed
    rows = [
        "INSERT INTO users (id, email, password_hash, role, name, country, skills, bio, status,"
        " payouts_enabled, email_notifications, created_at) VALUES"
        f" (1, 'c@example.test', 'x', 'client', 'C', 'US', '[]', '', 'active', false, true,"
        f" {now}), (2, 'f@example.test', 'x', 'freelancer', 'F', 'NG', '[]', '', 'active',"
        f" false, true, {now})",
        "INSERT INTO jobs (id, client_id, title, description, budget, currency, status,"
        f" created_at, updated_at) VALUES (1, 1, 'Invoices', 'Type', 100, 'USD', 'in_progress',"
        f" {now}, {now})",
        "INSERT INTO bids (id, job_id, freelancer_id, amount, currency, delivery_days,"
        f" cover_letter, status, created_at, updated_at) VALUES (1, 1, 2, 100, 'USD', 3, 'Hi',"
        f" 'accepted', {now}, {now})",
        "INSERT INTO contracts (id, job_id, bid_id, client_id, freelancer_id, currency, fee_bps,"
        f" status, created_at) VALUES (1, 1, 1, 1, 2, 'USD', 1000, 'active', {now})",
        "INSERT INTO milestones (id, contract_id, title, description, amount, currency, status,"
        f" created_at) VALUES (1, 1, 'A', '', 100, 'USD', 'pending', {now})",
        "INSERT INTO provider_operations (milestone_id, kind, idempotency_key, amount, detail,"
        f" settled, refusal, created_at) VALUES (1, 'charge', '{old_key}', 100, 'pm_card_visa',"
        f" false, NULL, {now})",
    ]
    with engine.begin() as connection:
        for row in rows:
            connection.execute(text(row))

    flask_db(scratch_database, "upgrade")

    with engine.connect() as connection:
        (first,) = connection.execute(text("SELECT namespace FROM installation")).scalars()
        kept = connection.execute(text("SELECT idempotency_key FROM provider_operations"))
        assert kept.scalars().all() == [old_key]
    with app.app_context():
        assert first != db.session.scalar(text("SELECT namespace FROM installation"))
    assert len(first) == 16
    int(first, 16)
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(
            text(f"INSERT INTO installation (id, namespace, created_at) VALUES (2, 'b', {now})")
        )
    with engine.begin() as connection:  # Stripe's longest key fits the journal now
        connection.execute(
            text(
                "INSERT INTO provider_operations (milestone_id, kind, idempotency_key, amount,"
                f" detail, settled, created_at) VALUES (1, 'refund', '{'k' * 255}', 1, '', true,"
                f" {now})"
            )
        )
        connection.execute(text("DELETE FROM provider_operations WHERE kind = 'refund'"))

    flask_db(scratch_database, "downgrade", "0007")
    assert "installation" not in inspect(engine).get_table_names()
    flask_db(scratch_database, "upgrade")
    with engine.connect() as connection:
        (second,) = connection.execute(text("SELECT namespace FROM installation")).scalars()
    assert second != first
    engine.dispose()
