"""Two databases beside one payment provider never share an idempotency key.

Each database has its own installation namespace (made by its migration), which starts
every key and is in the metadata of every charge. Here two fresh databases, whose first
users, contracts and milestones have the same ids, share one local gateway store, as
staging and production share a Stripe test account.
"""

import uuid

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from marketplace import create_app
from marketplace.extensions import db
from marketplace.payments.keys import ProviderKey, digest, namespace
from marketplace.payments.local_gateway import LocalGateway, objects
from marketplace.payments.models import Installation
from tests.client import ApiClient
from tests.factories import Factory
from tests.integration.test_stripe_gateway import deliver, stripe_mode
from tests.money import balance, contract_with, failing_gateway, fund, key_parts
from tests.stripe_fake.webhooks import make_event

__all__ = ["failing_gateway", "stripe_mode"]

# What the test app sets that another app of the suite needs too.
SHARED_SETTINGS = (
    "SECRET_KEY",
    "PASSWORD_HASH_PROFILE",
    "AUTH_RATE_LIMIT",
    "LOGIN_FAILURES_BEFORE_DELAY",
    "LOGIN_FAILURES_BEFORE_EMAIL_DELAY",
    "RATELIMIT_STORAGE_URI",
    "SESSION_COOKIE_SECURE",
    "SQLALCHEMY_ENGINE_OPTIONS",
)


@pytest.fixture
def installation(app, database_uri, tmp_path):
    """Makes marketplaces on fresh databases of the test database's kind, all paying
    through one local gateway store."""
    store = tmp_path / "shared_gateway.db"
    made: list[tuple] = []

    def make():
        n = len(made)
        if database_uri.startswith("postgresql"):
            name = f"installation_{uuid.uuid4().hex[:12]}"
            admin = create_engine(database_uri, isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
            admin.dispose()
            url = make_url(database_uri).set(database=name).render_as_string(hide_password=False)
        else:
            name, url = None, f"sqlite:///{tmp_path / f'installation{n}.db'}"
        other = create_app(
            {
                **{setting: app.config[setting] for setting in SHARED_SETTINGS},
                "TESTING": True,
                "SQLALCHEMY_DATABASE_URI": url,
                "LOCAL_GATEWAY_PATH": str(store),
            }
        )
        with other.app_context():
            upgrade()
        made.append((other, name))
        return other

    yield make
    for other, name in made:
        with other.app_context():
            db.engine.dispose()
        if name is not None:
            admin = create_engine(database_uri, isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


def paid_milestone(marketplace):
    """Client 1 funds milestone 1 of contract 1; freelancer 2 sets up payouts and is paid."""
    factory, api = Factory(marketplace), ApiClient(marketplace)
    company, freelancer = api.as_user(factory.client()), api.as_user(factory.freelancer())
    milestone = contract_with(company, freelancer, 25_000)["milestones"][0]["id"]
    setup = freelancer.post("/me/payout-account")
    assert setup.status_code == 200, setup.json
    assert fund(company, milestone).json["status"] == "funded"
    freelancer.post(f"/milestones/{milestone}/submit", json={"note": "done"})
    assert company.post(f"/milestones/{milestone}/approve").json["status"] == "approved"
    return milestone, balance(freelancer)["paid_out"]


def own_namespace(marketplace):
    with marketplace.app_context():
        return namespace()


def test_two_fresh_databases_beside_one_gateway_store_each_pay_their_own(installation):
    first, second = installation(), installation()

    assert paid_milestone(first) == (1, 22_500)
    # Same ids, same amounts, same card: without its own namespace the second database
    # would be answered with the first one's account (a 502: another email) and charge.
    assert paid_milestone(second) == (1, 22_500)

    with first.app_context():
        store = LocalGateway(first.config["LOCAL_GATEWAY_PATH"])
    charges, transfers = store.records("charge"), store.records("transfer")
    assert len(store.records("account")) == 2
    assert len(charges) == 2
    assert len(transfers) == 2
    assert len({c["intent_id"] for c in charges}) == 2
    spaces = {own_namespace(first), own_namespace(second)}
    assert len(spaces) == 2
    assert {c["metadata"]["installation"] for c in charges} == spaces
    assert {t["idempotency_key"].split(":")[0] for t in transfers} == spaces


def test_every_key_is_namespace_what_ids_digest(app, api, factory):
    worker = factory.freelancer()
    company, freelancer = api.as_user(factory.client()), api.as_user(worker)
    milestone = contract_with(company, freelancer, 25_000)["milestones"][0]["id"]
    freelancer.post("/me/payout-account")
    fund(company, milestone, "pm_card_chargeDeclined")
    fund(company, milestone)
    freelancer.post(f"/milestones/{milestone}/submit", json={"note": "done"})
    company.post(f"/milestones/{milestone}/approve")

    with app.app_context():
        store = LocalGateway(app.config["LOCAL_GATEWAY_PATH"])
    with store.engine.connect() as connection:
        sent = connection.execute(
            select(objects.c.idempotency_key).order_by(objects.c.created_at)
        ).scalars()
        parts = [key_parts(app, key)[:2] for key in sent]
    assert parts == [
        ("account", f"u{worker.id}"),
        ("charge", f"m{milestone}.1"),
        ("charge", f"m{milestone}.2"),  # after a refusal, a new call
        ("transfer", f"m{milestone}.1"),
    ]


def test_the_digest_is_of_the_parameters_and_only_them(app):
    visa = {"amount": 25_000, "currency": "USD", "method": "pm_card_visa"}
    with app.app_context():
        key = ProviderKey("charge", "m7.1", visa).render()
        same = ProviderKey("charge", "m7.1", dict(reversed(visa.items()))).render()
        other_card = ProviderKey("charge", "m7.1", {**visa, "method": "pm_card_amex"}).render()
        other_amount = ProviderKey("charge", "m7.1", {**visa, "amount": 25_001}).render()
        after_refusal = ProviderKey("charge", "m7.1", visa).render(2)
        huge = ProviderKey("transfer", f"m{10**30}", {"destination": "acct_" + "x" * 60})

        assert key == same
        assert len({key, other_card, other_amount, after_refusal}) == 4
        assert after_refusal.split(":")[2] == "m7.1.r2"
        assert key.split(":")[3] == digest(visa)
        assert len(huge.render(999)) <= 255
        with pytest.raises(ValueError, match="longer than 255"):
            ProviderKey("transfer", "m" + "9" * 250).render()


def test_a_charge_of_another_installation_is_not_booked_by_its_webhook(
    app, api, factory, stripe_mode
):
    """Both installations receive every event of the Stripe account they share."""
    company, freelancer = api.as_user(factory.client()), api.as_user(factory.freelancer())
    contract = contract_with(company, freelancer, 30_000)
    milestone = contract["milestones"][0]["id"]
    client = app.extensions["payment_gateway"].client
    theirs = client.v1.payment_intents.create(
        {
            "amount": 30_000,
            "currency": "usd",
            "payment_method": "pm_card_visa",
            "confirm": True,
            "payment_method_types": ["card"],
            "metadata": {"milestone_id": str(milestone), "installation": "0123456789abcdef"},
        }
    )

    event = make_event("payment_intent.succeeded", {"id": theirs.id, "object": "payment_intent"})
    assert deliver(api, event).status_code == 200

    status = company.get(f"/contracts/{contract['id']}").json["milestones"][0]["status"]
    assert status == "pending"
    assert balance(company)["in_escrow"] == 0
    assert fund(company, milestone).json["status"] == "funded"


def test_a_copy_gets_a_namespace_of_its_own_unless_a_call_is_unsettled(
    app, api, factory, failing_gateway
):
    company, freelancer = api.as_user(factory.client()), api.as_user(factory.freelancer())
    milestone = contract_with(company, freelancer, 25_000)["milestones"][0]["id"]
    failing_gateway.fail("charge", "after")
    fund(company, milestone, expect_5xx=True)
    runner = app.test_cli_runner()
    before = own_namespace(app)

    refused = runner.invoke(args=["marketplace", "new-installation-namespace"])
    assert fund(company, milestone).json["status"] == "funded"  # the same key, answered
    renewed = runner.invoke(args=["marketplace", "new-installation-namespace"])

    assert refused.exit_code == 1
    assert "unsettled" in refused.output
    assert renewed.exit_code == 0, renewed.output
    after = own_namespace(app)
    assert after != before
    assert f"{before} replaced by {after}" in renewed.output
    with app.app_context():
        assert db.session.scalars(select(Installation.namespace)).all() == [after]
