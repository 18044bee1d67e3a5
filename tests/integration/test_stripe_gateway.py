"""The Stripe adapter through the whole API, against localstripe and a fake Connect layer.

The real stripe SDK encodes and parses every request; localstripe keeps PaymentIntents,
charges and refunds; the fake Connect layer serves accounts, links and transfers,
honours idempotency keys and fails on demand.
"""

import pytest
from sqlalchemy import select

from marketplace import payout_countries
from marketplace.audit import AuditEntry
from marketplace.extensions import db
from marketplace.milestones.models import EscrowMovement
from marketplace.payments.keys import namespace
from marketplace.payments.stripe_gateway import StripeGateway
from tests.client import assert_problem
from tests.money import assert_ledger_ok, balance, contract_with, fund, key_parts, provider_key
from tests.stripe_fake.fixtures import TEST_API_KEY, TEST_WEBHOOK_SECRET
from tests.stripe_fake.webhooks import make_event, signed_event


@pytest.fixture
def stripe_mode(app, localstripe_server, fake_stripe):
    """The app's gateway is Stripe for this test."""
    config = {
        **app.config,
        "STRIPE_SECRET_KEY": TEST_API_KEY,
        "STRIPE_API_BASE": localstripe_server.base_url,
        "STRIPE_HTTP_CLIENT": fake_stripe,
        "STRIPE_MAX_NETWORK_RETRIES": 0,
    }
    config_before = dict(app.config)
    local = app.extensions.pop("payment_gateway", None)
    app.extensions["payment_gateway"] = StripeGateway.from_config(config)
    # A platform Stripe enabled for payouts to Nigeria (most tests pay a Nigerian
    # freelancer), beside the regions it reaches by default.
    app.config.update(
        PAYMENT_GATEWAY="stripe",
        STRIPE_WEBHOOK_SECRET=TEST_WEBHOOK_SECRET,
        PAYOUT_COUNTRIES=payout_countries.REGIONS | {"NG"},
    )
    yield fake_stripe
    app.extensions.pop("payment_gateway")
    if local is not None:
        app.extensions["payment_gateway"] = local
    app.config.clear()
    app.config.update(config_before)


@pytest.fixture
def deal(api, factory, stripe_mode):
    class Deal:
        company = api.as_user(factory.client())
        freelancer = api.as_user(factory.freelancer(country="NG"))
        admin = api.as_user(factory.admin())
        fake = stripe_mode

    Deal.contract = contract_with(Deal.company, Deal.freelancer, 30_000, 10_000)
    Deal.first, Deal.second = (m["id"] for m in Deal.contract["milestones"])
    return Deal


def deliver(api, event):
    body, headers = signed_event(event, TEST_WEBHOOK_SECRET)
    return api.post(
        "/api/v1/webhooks/stripe", data=body, headers=headers, content_type="application/json"
    )


def milestone_status(deal, milestone_id):
    contract = deal.company.get(f"/contracts/{deal.contract['id']}").json
    return next(m["status"] for m in contract["milestones"] if m["id"] == milestone_id)


def intent_calls(fake):
    return fake.calls("POST", "/v1/payment_intents")


def operations(admin, milestone_id, status=None):
    """The provider calls written down for the milestone, oldest first (GET /admin/operations)."""
    query = {"milestone_id": milestone_id, "limit": 100}
    if status is not None:
        query["status"] = status
    response = admin.get("/admin/operations", query_string=query)
    assert response.status_code == 200, response.json
    return list(reversed(response.json["data"]))


def approve(deal, milestone_id):
    deal.freelancer.post(f"/milestones/{milestone_id}/submit", json={"note": "done"})
    return deal.company.post(f"/milestones/{milestone_id}/approve")


def test_funding_with_a_card_is_a_payment_intent_confirmed_at_once(app, deal):
    response = fund(deal.company, deal.first)

    assert response.json["status"] == "funded"
    (call,) = intent_calls(deal.fake)
    with app.app_context():
        installation = namespace()
    assert key_parts(app, call.idempotency_key)[:2] == ("charge", f"m{deal.first}.1")
    assert call.idempotency_key == provider_key(
        app,
        "charge",
        f"m{deal.first}.1",
        amount=30_000,
        currency="USD",
        payment_method="pm_card_visa",
        transfer_group=f"milestone-{deal.first}",
        description=f"Escrow for milestone {deal.first} of contract {deal.contract['id']}",
        installation=installation,
    )
    # Written down before it was made, with the key it sent, and settled with its answer.
    (operation,) = operations(deal.admin, deal.first)
    assert operation["idempotency_key"] == call.idempotency_key
    assert (operation["kind"], operation["action"]) == ("charge", "fund")
    assert (operation["status"], operation["amount"]) == ("settled", 30_000)
    assert operation["provider_id"].startswith("pi_")
    assert call.params["metadata"] == {
        "milestone_id": str(deal.first),
        "installation": installation,
    }
    assert call.params["transfer_group"] == f"milestone-{deal.first}"
    assert call.params["payment_method_types"] == ["card"]
    assert call.params["amount"] == "30000"
    assert balance(deal.company)["in_escrow"] == 30_000
    assert_ledger_ok(app)


@pytest.mark.parametrize(
    "method",
    [
        "pm_card_chargeDeclined",
        "pm_card_chargeCustomerFail",
        "pm_card_chargeDeclinedInsufficientFunds",
    ],
)
def test_a_decline_books_nothing_and_the_next_try_is_a_new_intent(app, deal, method):
    assert_problem(fund(deal.company, deal.first, method), 402)
    assert milestone_status(deal, deal.first) == "pending"
    assert balance(deal.company)["in_escrow"] == 0

    assert fund(deal.company, deal.first).json["status"] == "funded"
    declined, paid = (key_parts(app, c.idempotency_key) for c in intent_calls(deal.fake))
    assert declined[1] == f"m{deal.first}.1"
    assert paid[1] == f"m{deal.first}.2"  # after a refusal, a new call
    assert paid[2] != declined[2]  # another card
    refused, settled = operations(deal.admin, deal.first)
    assert (refused["status"], settled["status"]) == ("failed", "settled")
    assert refused["refusal"] in ("card_declined", "insufficient_funds")
    assert_ledger_ok(app)


def test_without_a_card_the_app_confirms_and_the_webhook_funds(app, api, deal, stripe_client):
    response = deal.company.post(f"/milestones/{deal.first}/fund", json={})

    assert response.json["status"] == "funding"
    payment = response.json["payment"]
    assert payment["status"] == "requires_payment_method"
    assert payment["client_secret"]
    intent_id = payment["client_secret"].split("_secret_")[0]
    # The client app confirms with the client secret; here, the SDK does it for it.
    intent = stripe_client.v1.payment_intents.confirm(intent_id, {"payment_method": "pm_card_visa"})
    assert intent.status == "succeeded"
    assert milestone_status(deal, deal.first) == "funding"

    event = make_event("payment_intent.succeeded", {"id": intent_id, "object": "payment_intent"})
    assert deliver(api, event).status_code == 200
    assert deliver(api, event).json["duplicate"] is True
    late_failure = make_event("payment_intent.payment_failed", {"id": intent_id})
    assert deliver(api, late_failure).status_code == 200

    assert milestone_status(deal, deal.first) == "funded"
    assert balance(deal.company)["in_escrow"] == 30_000
    assert_ledger_ok(app)


def test_a_failed_app_payment_returns_the_milestone_to_pending(app, api, deal, stripe_client):
    payment = deal.company.post(f"/milestones/{deal.first}/fund", json={}).json["payment"]
    intent_id = payment["client_secret"].split("_secret_")[0]
    with pytest.raises(Exception, match="declined"):
        stripe_client.v1.payment_intents.confirm(
            intent_id, {"payment_method": "pm_card_chargeDeclined"}
        )

    deliver(api, make_event("payment_intent.payment_failed", {"id": intent_id}))

    assert milestone_status(deal, deal.first) == "pending"
    # The failed intent is cancelled, so the app cannot confirm it later for a 2nd charge.
    assert stripe_client.v1.payment_intents.retrieve(intent_id).status == "canceled"
    with pytest.raises(Exception):  # noqa: B017, PT011
        stripe_client.v1.payment_intents.confirm(intent_id, {"payment_method": "pm_card_visa"})
    assert fund(deal.company, deal.first).json["status"] == "funded"
    assert_ledger_ok(app)


def test_releases_wait_for_onboarding_then_transfer_from_the_charge(app, api, deal):
    fund(deal.company, deal.first)
    approve(deal, deal.first)
    assert balance(deal.freelancer)["pending_payout"] == 27_000

    setup = deal.freelancer.post("/me/payout-account").json
    assert setup["payouts_enabled"] is False
    assert setup["onboarding_url"].startswith("http")
    (account_call,) = deal.fake.calls("POST", "/v1/accounts")
    assert account_call.params["country"] == "NG"
    assert account_call.params["tos_acceptance"] == {"service_agreement": "recipient"}
    assert account_call.params["capabilities"] == {"transfers": {"requested": "true"}}
    account_id = next(iter(deal.fake.accounts))
    assert deal.fake.transfers == {}

    deal.fake.activate_account(account_id)
    update = make_event("account.updated", {"id": account_id, "object": "account"})
    assert deliver(api, update).status_code == 200

    assert deal.freelancer.get("/me").json["payouts_enabled"] is True
    (transfer,) = deal.fake.transfers.values()
    charge_id = _charge_of(app, deal.first)
    assert transfer["amount"] == 27_000
    assert transfer["destination"] == account_id
    assert transfer["source_transaction"] == charge_id
    (transfer_call,) = deal.fake.calls("POST", "/v1/transfers")
    assert transfer_call.idempotency_key == provider_key(
        app,
        "transfer",
        f"m{deal.first}.1",
        amount=27_000,
        currency="USD",
        destination=account_id,
        source_charge_id=charge_id,
        transfer_group=f"milestone-{deal.first}",
    )
    assert balance(deal.freelancer)["paid_out"] == 27_000

    fund(deal.company, deal.second)
    approve(deal, deal.second)  # payouts on: paid out in the same request
    assert len(deal.fake.transfers) == 2
    assert balance(deal.freelancer)["paid_out"] == 27_000 + 9_000
    assert_ledger_ok(app)


def _charge_of(app, milestone_id):
    """The charge behind the milestone's funding (what its transfer is made from)."""
    with app.app_context():
        return db.session.scalar(
            select(EscrowMovement.charge_id).where(
                EscrowMovement.milestone_id == milestone_id,
                EscrowMovement.kind == "charge",
                EscrowMovement.status == "succeeded",
            )
        )


def test_a_domestic_freelancer_gets_no_recipient_agreement(api, factory, stripe_mode):
    freelancer = api.as_user(factory.freelancer(country="US"))

    freelancer.post("/me/payout-account")

    (call,) = stripe_mode.calls("POST", "/v1/accounts")
    assert "tos_acceptance" not in call.params


def test_a_refund_is_a_refund_on_the_intent(app, deal):
    fund(deal.company, deal.second)

    assert deal.freelancer.post(f"/milestones/{deal.second}/refund").json["status"] == ("cancelled")

    (call,) = deal.fake.calls("POST", "/v1/refunds")
    assert key_parts(app, call.idempotency_key)[:2] == ("refund", f"m{deal.second}.1")
    assert call.params["amount"] == "10000"
    assert balance(deal.company)["refunded"] == 10_000
    assert_problem(deal.freelancer.post(f"/milestones/{deal.second}/refund"), 409)
    assert len(deal.fake.calls("POST", "/v1/refunds")) == 1
    assert_ledger_ok(app)


@pytest.mark.parametrize("when", ["before", "after"])
def test_a_lost_funding_answer_is_retried_without_a_second_charge(app, deal, when):
    deal.fake.fail_next("/v1/payment_intents", when)

    assert_problem(fund(deal.company, deal.first, expect_5xx=True), 502)
    assert milestone_status(deal, deal.first) == "pending"
    assert fund(deal.company, deal.first).json["status"] == "funded"

    calls = intent_calls(deal.fake)
    (key,) = {c.idempotency_key for c in calls}
    assert key_parts(app, key)[:2] == ("charge", f"m{deal.first}.1")
    # After a lost answer Stripe had made the intent: the retry got it back, not a new one.
    expected = ["failed_before", "forwarded"] if when == "before" else ["failed_after", "replayed"]
    assert [c.outcome for c in calls] == expected
    (operation,) = operations(deal.admin, deal.first)  # the retry repeated it, not a new one
    assert (operation["idempotency_key"], operation["status"]) == (key, "settled")
    assert balance(deal.company)["in_escrow"] == 30_000
    assert_ledger_ok(app)


@pytest.mark.parametrize("when", ["before", "after"])
def test_a_lost_transfer_answer_is_retried_without_a_second_transfer(app, api, deal, when):
    deal.freelancer.post("/me/payout-account")
    account_id = next(iter(deal.fake.accounts))
    deal.fake.activate_account(account_id)
    deliver(api, make_event("account.updated", {"id": account_id}))
    fund(deal.company, deal.first)
    deal.freelancer.post(f"/milestones/{deal.first}/submit", json={"note": "done"})
    deal.fake.fail_next("/v1/transfers", when)

    response = deal.company.post(f"/milestones/{deal.first}/approve", expect_5xx=True)

    assert_problem(response, 502)
    assert milestone_status(deal, deal.first) == "submitted"
    assert balance(deal.freelancer)["pending_payout"] == 0
    (pending,) = operations(deal.admin, deal.first, "pending")
    assert [pending[k] for k in ("kind", "action", "amount")] == ["transfer", "approve", 27_000]
    assert deal.company.post(f"/milestones/{deal.first}/approve").json["status"] == "approved"
    assert operations(deal.admin, deal.first, "pending") == []
    assert len(deal.fake.transfers) == 1
    assert balance(deal.freelancer)["paid_out"] == 27_000
    assert_ledger_ok(app)


def test_a_chargeback_freezes_the_milestone(app, api, deal):
    fund(deal.company, deal.first)
    charge_id = _charge_of(app, deal.first)

    dispute = deal.fake.open_dispute(charge_id, 30_000, reason="fraudulent")
    assert deliver(api, make_event("charge.dispute.created", dispute)).status_code == 200

    assert milestone_status(deal, deal.first) == "disputed"
    assert_problem(deal.freelancer.post(f"/milestones/{deal.first}/refund"), 409)
    (dispute,) = deal.company.get("/disputes").json["data"]
    assert dispute["opened_by"] is None
    assert dispute["milestone_id"] == deal.first
    assert "fraudulent" in dispute["reason"]
    again = deal.fake.open_dispute(charge_id, 30_000)
    assert deliver(api, make_event("charge.dispute.created", again)).status_code == 200
    assert len(deal.company.get("/disputes").json["data"]) == 1
    with app.app_context():
        actions = db.session.scalars(select(AuditEntry.action)).all()
    assert "milestone.chargeback" in actions
    assert_ledger_ok(app)


def test_a_reversed_transfer_is_recorded_for_an_admin(app, api, deal):
    deal.freelancer.post("/me/payout-account")
    account_id = next(iter(deal.fake.accounts))
    deal.fake.activate_account(account_id)
    deliver(api, make_event("account.updated", {"id": account_id}))
    fund(deal.company, deal.first)
    approve(deal, deal.first)
    (transfer_id,) = deal.fake.transfers

    deliver(api, make_event("transfer.reversed", {"id": transfer_id, "amount_reversed": 27_000}))

    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "payout.reversed"))
    assert entry.target == f"milestone:{deal.first}"


def test_a_charge_whose_fund_request_died_is_booked_by_its_webhook(app, api, deal, stripe_client):
    deal.fake.fail_next("/v1/payment_intents", "after")
    assert_problem(fund(deal.company, deal.first, expect_5xx=True), 502)
    assert milestone_status(deal, deal.first) == "pending"
    (intent,) = [
        pi
        for pi in stripe_client.v1.payment_intents.list().data
        if pi.metadata.to_dict().get("milestone_id") == str(deal.first)
    ]

    event = make_event("payment_intent.succeeded", {"id": intent.id, "object": "payment_intent"})
    assert deliver(api, event).status_code == 200

    assert milestone_status(deal, deal.first) == "funded"
    assert balance(deal.company)["in_escrow"] == 30_000
    assert_problem(fund(deal.company, deal.first), 409)
    assert_ledger_ok(app)


# ---------------------------------------------------------------- reconciliation


def paid_out_and_refunded(api, deal):
    """The first milestone paid out, the second refunded; Stripe lists read 2 a page."""
    deal.freelancer.post("/me/payout-account")
    account_id = next(iter(deal.fake.accounts))
    deal.fake.activate_account(account_id)
    deliver(api, make_event("account.updated", {"id": account_id}))
    fund(deal.company, deal.first)
    assert approve(deal, deal.first).json["status"] == "approved"
    fund(deal.company, deal.second)
    assert deal.freelancer.post(f"/milestones/{deal.second}/refund").status_code == 200
    return account_id


@pytest.fixture
def small_pages(app, stripe_mode):
    app.extensions["payment_gateway"].page_size = 2


def test_reconciliation_on_stripe_is_clean_and_ignores_other_installations(
    app, api, factory, deal, stripe_client, small_pages
):
    account_id = paid_out_and_refunded(api, deal)
    # Another installation on the same Stripe account, with milestones of the same ids.
    theirs = stripe_client.v1.payment_intents.create(
        params={
            "amount": 55_500,
            "currency": "usd",
            "payment_method": "pm_card_visa",
            "confirm": True,
            "payment_method_types": ["card"],
            "metadata": {"milestone_id": str(deal.first), "installation": "staging"},
            "transfer_group": f"milestone-{deal.first}",
        }
    )
    stripe_client.v1.refunds.create(params={"payment_intent": theirs.id, "amount": 500})
    transfer = {"currency": "usd", "destination": account_id}
    stripe_client.v1.transfers.create(
        params={**transfer, "amount": 5_000, "source_transaction": theirs.latest_charge}
    )
    stripe_client.v1.transfers.create(
        params={**transfer, "amount": 700, "transfer_group": f"milestone-{deal.second}"}
    )
    admin = api.as_user(factory.admin())

    result = admin.get("/admin/reconciliation").json

    assert result == {"ok": True, "checked": 2, "differences": [], "losses": []}
    cli = app.test_cli_runner().invoke(args=["marketplace", "reconcile"])
    assert (cli.exit_code, cli.output) == (0, "2 milestone(s) checked against the provider: ok.\n")
    pages = deal.fake.calls("GET", "/v1/payment_intents")
    assert [c.params.get("starting_after") is None for c in pages[:2]] == [True, False]


def test_reconciliation_on_stripe_finds_what_only_stripe_did(
    app, api, factory, deal, stripe_client, small_pages
):
    account_id = paid_out_and_refunded(api, deal)
    with app.app_context():
        own = namespace()
    intent = _intent_of(stripe_client, deal.first)
    stripe_client.v1.refunds.create(params={"payment_intent": intent, "amount": 3_000})
    (transfer_id,) = deal.fake.transfers
    deal.fake.reverse_transfer(transfer_id, 2_000)
    stripe_client.v1.transfers.create(
        params={
            "amount": 1_000,
            "currency": "usd",
            "destination": account_id,
            "transfer_group": f"milestone-{deal.second}",
            "metadata": {"installation": own},
        }
    )
    admin = api.as_user(factory.admin())

    result = admin.get("/admin/reconciliation").json

    assert result["ok"] is False
    assert [
        (d["milestone_id"], d["what"], d["currency"], d["ledger"], d["provider"])
        for d in result["differences"]
    ] == [
        (deal.first, "refund", "USD", 0, 3_000),
        (deal.first, "payout", "USD", 27_000, 25_000),
        (deal.second, "payout", "USD", 0, 1_000),
    ]
    cli = app.test_cli_runner().invoke(args=["marketplace", "reconcile"])
    assert cli.exit_code == 1
    assert f"DIFFERENCE: milestone {deal.first}: refund: ledger 0.00 USD, provider 30.00 USD" in (
        cli.output
    )


def test_reconciliation_says_when_stripe_cannot_be_read(app, api, factory, deal):
    deal.fake.fail_next("/v1/refunds", error=500, method="GET")
    admin = api.as_user(factory.admin())

    assert_problem(admin.get("/admin/reconciliation", expect_5xx=True), 502)


def _intent_of(stripe_client, milestone_id):
    """Our PaymentIntent for a milestone, as Stripe lists it."""
    (intent,) = (
        pi.id
        for pi in stripe_client.v1.payment_intents.list({"limit": 100}).data
        if pi.metadata.to_dict().get("milestone_id") == str(milestone_id)
    )
    return intent
