"""Migrations are code: one head, and upgrade builds exactly the models' schema."""

import re
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from marketplace import create_app
from marketplace.database import include_object
from marketplace.extensions import db, migrate
from marketplace.milestones.models import EscrowMovement
from marketplace.payments.gateway import (
    ChargeRequest,
    PayoutAccountRequest,
    RefundRequest,
    TransferRequest,
)
from marketplace.payments.ledger import verify_ledger
from marketplace.payments.local_gateway import LocalGateway
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
        *PARTIES,
        "INSERT INTO milestones (id, contract_id, title, description, amount, currency, status,"
        f" created_at) VALUES (1, 1, 'A', '', 100, 'USD', 'pending', {now})",
        "INSERT INTO provider_operations (milestone_id, kind, idempotency_key, amount, detail,"
        f" settled, refusal, created_at) VALUES (1, 'charge', '{old_key}', 100, 'pm_card_visa',"
        f" false, NULL, {now})",
    ]
    with engine.begin() as connection:
        for row in rows:
            connection.execute(text(row))

    flask_db(scratch_database, "upgrade", "0008")

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
        # The unsettled call outlives the journal: a pending movement, with its key.
        pending = connection.execute(
            text("SELECT kind, status, amount, idempotency_key FROM escrow_movements")
        ).all()
    assert second != first
    assert [tuple(row) for row in pending] == [("charge", "pending", 100, old_key)]
    engine.dispose()


NOW = "CURRENT_TIMESTAMP"

# A client (1), a freelancer (2) with a payout account, an admin (3); a job, its
# accepted bid and their contract (1), fee 10 %.
PARTIES = [
    "INSERT INTO users (id, email, password_hash, role, name, country, skills, bio, status,"
    " payouts_enabled, email_notifications, created_at) VALUES"
    f" (1, 'c@example.test', 'x', 'client', 'C', 'US', '[]', '', 'active', false, true, {NOW}),"
    f" (2, 'f@example.test', 'x', 'freelancer', 'F', 'NG', '[]', '', 'active', false, true,"
    f" {NOW}), (3, 'a@example.test', 'x', 'admin', 'A', 'US', '[]', '', 'active', false, true,"
    f" {NOW})",
    "INSERT INTO jobs (id, client_id, title, description, budget, currency, status,"
    f" created_at, updated_at) VALUES (1, 1, 'Invoices', 'Type', 100, 'USD', 'in_progress',"
    f" {NOW}, {NOW})",
    "INSERT INTO bids (id, job_id, freelancer_id, amount, currency, delivery_days,"
    f" cover_letter, status, created_at, updated_at) VALUES (1, 1, 2, 100, 'USD', 3, 'Hi',"
    f" 'accepted', {NOW}, {NOW})",
    "INSERT INTO contracts (id, job_id, bid_id, client_id, freelancer_id, currency, fee_bps,"
    f" status, created_at) VALUES (1, 1, 1, 1, 2, 'USD', 1000, 'active', {NOW})",
]


def _book(connection, reference, milestone_id, *lines):
    """A ledger transaction as the code before 0009 booked it: (account key, type, amount)."""
    kind = reference.split(":")[0]
    connection.execute(
        text(
            "INSERT INTO ledger_transactions (reference, kind, milestone_id, created_at)"
            f" VALUES ('{reference}', '{kind}', {milestone_id}, {NOW})"
        )
    )
    transaction = connection.execute(
        text(f"SELECT id FROM ledger_transactions WHERE reference = '{reference}'")
    ).scalar()
    for key, line_type, amount in lines:
        account = connection.execute(
            text(f"SELECT id FROM ledger_accounts WHERE key = '{key}'")
        ).scalar()
        if account is None:
            kind = key.split(":")[0]
            user = key.split(":u")[1].split(":")[0] if ":u" in key else "NULL"
            milestone = key.split(":m")[1] if kind == "escrow" else "NULL"
            connection.execute(
                text(
                    "INSERT INTO ledger_accounts (key, kind, user_id, milestone_id, currency)"
                    f" VALUES ('{key}', '{kind}', {user}, {milestone}, 'USD')"
                )
            )
            account = connection.execute(
                text(f"SELECT id FROM ledger_accounts WHERE key = '{key}'")
            ).scalar()
        connection.execute(
            text(
                "INSERT INTO ledger_lines (transaction_id, account_id, type, amount, currency,"
                f" milestone_id, created_at) VALUES ({transaction}, {account}, '{line_type}',"
                f" {amount}, 'USD', {milestone_id}, {NOW})"
            )
        )


def _funding(connection, m, amount):
    _book(
        connection,
        f"funding:m{m}",
        m,
        ("client_funds:u1:USD", "funding", -amount),
        (f"escrow:m{m}", "funding", amount),
    )


def _release(connection, m, gross, fee):
    _book(
        connection,
        f"release:m{m}",
        m,
        (f"escrow:m{m}", "release", -gross),
        ("pending_payout:u2:USD", "release", gross),
        ("pending_payout:u2:USD", "fee", -fee),
        ("platform_fees:USD", "fee", fee),
    )


def _refund(connection, m, amount):
    _book(
        connection,
        f"refund:m{m}",
        m,
        (f"escrow:m{m}", "refund", -amount),
        ("client_funds:u1:USD", "refund", amount),
    )


def _payout(connection, m, net):
    _book(
        connection,
        f"payout:m{m}",
        m,
        ("pending_payout:u2:USD", "payout", -net),
        ("paid_out:u2:USD", "payout", net),
    )


def _escrow_payment(connection, m, amount, **fields):
    row = {
        "milestone_id": m,
        "amount": amount,
        "currency": "'USD'",
        "attempt": 1,
        "refunded_amount": 0,
        "released_amount": 0,
        "fee_amount": 0,
        "created_at": NOW,
        **{k: f"'{v}'" if isinstance(v, str) and v != NOW else v for k, v in fields.items()},
    }
    connection.execute(
        text(
            f"INSERT INTO escrow_payments ({', '.join(row)})"
            f" VALUES ({', '.join(str(v) for v in row.values())})"
        )
    )


def _migrated_app(url, store, app):
    from tests.integration.test_installations import SHARED_SETTINGS

    return create_app(
        {
            **{setting: app.config[setting] for setting in SHARED_SETTINGS},
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": url,
            "LOCAL_GATEWAY_PATH": str(store),
        }
    )


def test_0009_moves_escrow_records_and_unsettled_calls_into_movements(
    scratch_database, app, tmp_path
):
    """Each kind of escrow record an earlier version left, and its unsettled calls.

    Milestone 1 funded; 2 released and paid out; 3 refunded; 4 split by a dispute ruling
    (its release waits for a payout); 5 pending, its charge made at the provider but the
    answer lost; 6 disputed, a ruling's refund and transfer made but both answers lost
    (the code before 0009 rolled the ruling back and kept both calls unsettled).
    """
    flask_db(scratch_database, "upgrade", "0008")
    engine = create_engine(scratch_database)
    with engine.connect() as connection:
        namespace = connection.execute(text("SELECT namespace FROM installation")).scalar()
    # The provider (a local gateway store) already did what the unsettled calls asked.
    store = LocalGateway(tmp_path / "gateway.db")
    account = store.create_payout_account(
        PayoutAccountRequest(2, "f@example.test", "NG", f"{namespace}:account:u2:d", namespace)
    ).account_id

    def old_charge(m, amount, key):
        return store.charge(
            ChargeRequest(
                amount=amount,
                currency="USD",
                idempotency_key=key,
                milestone_id=m,
                transfer_group=f"milestone-{m}",
                payment_method="pm_card_visa",
                description=f"Escrow for milestone {m} of contract 1",
                installation=namespace,
            )
        )

    lost_charge_key = f"{namespace}:charge:m5.a1:{'c' * 24}"
    lost_charge = old_charge(5, 50_000, lost_charge_key)
    disputed = old_charge(6, 60_000, f"{namespace}:charge:m6.a1:{'6' * 24}")
    refund_key = f"{namespace}:refund:m6:{'r' * 24}"
    store.refund(RefundRequest(disputed.intent_id, 20_000, refund_key))
    transfer_key = f"{namespace}:transfer:m6:{'t' * 24}"
    store.transfer(
        TransferRequest(36_000, "USD", account, disputed.charge_id, "milestone-6", transfer_key)
    )
    with engine.begin() as connection:
        for row in PARTIES:
            connection.execute(text(row))
        connection.execute(
            text(f"UPDATE users SET payout_account_id = '{account}', payouts_enabled = true"
                 " WHERE id = 2")
        )  # fmt: skip
        connection.execute(
            text(
                "INSERT INTO milestones (id, contract_id, title, description, amount, currency,"
                f" status, created_at) VALUES (1, 1, 'A', '', 10000, 'USD', 'funded', {NOW}),"
                f" (2, 1, 'B', '', 20000, 'USD', 'approved', {NOW}),"
                f" (3, 1, 'C', '', 30000, 'USD', 'cancelled', {NOW}),"
                f" (4, 1, 'D', '', 40000, 'USD', 'resolved', {NOW}),"
                f" (5, 1, 'E', '', 50000, 'USD', 'pending', {NOW}),"
                f" (6, 1, 'F', '', 60000, 'USD', 'disputed', {NOW})"
            )
        )
        connection.execute(
            text(
                "INSERT INTO disputes (id, milestone_id, contract_id, opened_by_id, reason,"
                " status, freelancer_amount, client_amount, resolution_note, resolved_by_id,"
                f" resolved_at, created_at) VALUES (1, 4, 1, 1, 'Half done', 'resolved', 25000,"
                f" 15000, 'Split', 3, {NOW}, {NOW}), (2, 6, 1, 1, 'Late', 'open', NULL, NULL,"
                f" NULL, NULL, NULL, {NOW})"
            )
        )
        paid = {"intent_status": "succeeded", "client_secret": "secret"}
        _escrow_payment(connection, 1, 10_000, intent_id="pi_1", charge_id="ch_1", **paid)
        _funding(connection, 1, 10_000)
        _escrow_payment(
            connection, 2, 20_000, intent_id="pi_2", charge_id="ch_2", released_amount=20_000,
            fee_amount=2_000, freelancer_id=2, transfer_id="tr_2", paid_out_at=NOW, **paid,
        )  # fmt: skip
        _funding(connection, 2, 20_000)
        _release(connection, 2, 20_000, 2_000)
        _payout(connection, 2, 18_000)
        _escrow_payment(
            connection, 3, 30_000, intent_id="pi_3", charge_id="ch_3", refund_id="re_3",
            refunded_amount=30_000, **paid,
        )  # fmt: skip
        _funding(connection, 3, 30_000)
        _refund(connection, 3, 30_000)
        _escrow_payment(
            connection, 4, 40_000, intent_id="pi_4", charge_id="ch_4", refund_id="re_4",
            refunded_amount=15_000, released_amount=25_000, fee_amount=2_500, freelancer_id=2,
            **paid,
        )  # fmt: skip
        _funding(connection, 4, 40_000)
        _refund(connection, 4, 15_000)
        _release(connection, 4, 25_000, 2_500)
        _escrow_payment(connection, 5, 50_000)  # the fund request's row, rolled back to this
        _escrow_payment(
            connection, 6, 60_000, intent_id=disputed.intent_id, charge_id=disputed.charge_id,
            **paid,
        )  # fmt: skip
        _funding(connection, 6, 60_000)
        for m, kind, key, amount, detail, settled in [
            (5, "charge", lost_charge_key, 50_000, "pm_card_visa", False),
            (6, "refund", refund_key, 20_000, "", False),
            (6, "transfer", transfer_key, 36_000, account, False),
            (2, "transfer", f"{namespace}:transfer:m2:{'x' * 24}", 18_000, account, True),
        ]:
            connection.execute(
                text(
                    "INSERT INTO provider_operations (milestone_id, kind, idempotency_key,"
                    " amount, detail, settled, created_at) VALUES"
                    f" ({m}, '{kind}', '{key}', {amount}, '{detail}', {str(settled).lower()},"
                    f" {NOW})"
                )
            )

    flask_db(scratch_database, "upgrade")

    if engine.dialect.name == "sqlite":  # stored as the app stores them: naive UTC
        with engine.connect() as connection:
            stored = connection.execute(text("SELECT created_at FROM escrow_movements"))
            for value in stored.scalars():
                assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}", value), value
    marketplace = _migrated_app(scratch_database, store.engine.url.database, app)
    with marketplace.app_context():
        assert verify_ledger()["ok"], verify_ledger()["problems"]
        moved = db.session.scalars(
            select(EscrowMovement).order_by(EscrowMovement.milestone_id, EscrowMovement.id)
        ).all()
        rows = [
            (m.milestone_id, m.kind, m.action, m.status, m.amount, m.fee, m.provider_id)
            for m in moved
        ]
        assert rows == [
            (1, "charge", "fund", "succeeded", 10_000, 0, "pi_1"),
            (2, "charge", "fund", "succeeded", 20_000, 0, "pi_2"),
            (2, "release", "release", "succeeded", 20_000, 2_000, None),
            (2, "transfer", "payout", "succeeded", 18_000, 2_000, "tr_2"),
            (3, "charge", "fund", "succeeded", 30_000, 0, "pi_3"),
            (3, "refund", "refund", "succeeded", 30_000, 0, "re_3"),
            (4, "charge", "fund", "succeeded", 40_000, 0, "pi_4"),
            (4, "refund", "resolve", "succeeded", 15_000, 0, "re_4"),
            (4, "release", "release", "succeeded", 25_000, 2_500, None),
            (5, "charge", "fund", "pending", 50_000, 0, None),
            (6, "charge", "fund", "succeeded", 60_000, 0, disputed.intent_id),
            (6, "refund", "resolve", "pending", 20_000, 0, None),
            (6, "transfer", "resolve", "pending", 36_000, 0, None),
        ]
        by_row = {(m.milestone_id, m.kind): m for m in moved}
        assert by_row[1, "charge"].charge_id == "ch_1"
        assert by_row[4, "refund"].context == {"dispute_id": 1}
        assert by_row[4, "release"].freelancer_id == 2
        assert by_row[5, "charge"].idempotency_key == lost_charge_key
        assert by_row[6, "refund"].idempotency_key == refund_key
        assert by_row[6, "transfer"].idempotency_key == transfer_key
        assert {m.idempotency_key for m in moved if m.status != "pending"} == {None}
        assert all(m.settled_at is not None for m in moved if m.status != "pending")
        db.session.rollback()
        tables = set(inspect(db.engine).get_table_names())
        assert not tables & {"escrow_payments", "provider_operations"}

        # A pending movement is recovered like any other: the same call, the same key and
        # parameters, so the provider answers what it did; nothing is charged or paid twice.
        result = marketplace.test_cli_runner().invoke(args=["marketplace", "recover-operations"])

        assert result.exit_code == 0, result.output
        assert "3 pending operation(s) looked at, 0 still unanswered" in result.output
        statuses = dict(db.session.execute(text("SELECT id, status FROM milestones")).all())
        assert (statuses[5], statuses[6]) == ("funded", "resolved"), result.output
        dispute = db.session.execute(
            text("SELECT status, freelancer_amount, client_amount FROM disputes WHERE id = 2")
        ).one()
        assert tuple(dispute) == ("resolved", 40_000, 20_000)
        assert by_row[5, "charge"].provider_id is None  # read before the recovery
        db.session.rollback()
        charge = db.session.get(EscrowMovement, by_row[5, "charge"].id)
        assert (charge.status, charge.provider_id) == ("succeeded", lost_charge.intent_id)
        assert verify_ledger()["ok"], verify_ledger()["problems"]
        db.session.rollback()
        db.engine.dispose()
    assert len(store.records("charge")) == 2
    assert len(store.records("refund")) == 1
    assert len(store.records("transfer")) == 1
    engine.dispose()
