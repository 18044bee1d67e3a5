"""Stripe's refusals against its unknown outcomes, through the whole API.

The Stripe adapter classifies every error the SDK raises: a refusal (Stripe did
nothing) is a clear 4xx at once and freezes nothing; an unknown outcome (no answer, a
5xx, a 429, a 409 lock timeout) is a 502 and the milestone waits for the same request.
localstripe serves payments; the fake Connect layer serves accounts and transfers and
models Stripe where localstripe does not (minimum charges, keys, restricted keys,
refusals kept under their idempotency key).
"""

import pytest
from sqlalchemy import select, update

from marketplace.contracts.models import Milestone
from marketplace.extensions import db
from marketplace.milestones.models import EscrowMovement
from marketplace.payments.keys import namespace
from marketplace.payments.stripe_gateway import StripeGateway
from tests.client import assert_problem
from tests.integration.test_stripe_gateway import (
    deal,
    deliver,
    intent_calls,
    milestone_status,
    operations,
    stripe_mode,
)
from tests.money import assert_ledger_ok, balance, contract_with, fund, provider_key
from tests.stripe_fake.webhooks import make_event

__all__ = ["deal", "stripe_mode"]


def unsettled(deal, milestone_id):
    """The kinds of the milestone's provider calls whose outcome is not known yet."""
    return [o["kind"] for o in operations(deal.admin, milestone_id, "pending")]


def refusals(deal, milestone_id):
    return [o["refusal"] for o in operations(deal.admin, milestone_id, "failed")]


def payouts_on(api, deal):
    deal.freelancer.post("/me/payout-account")
    account_id = next(iter(deal.fake.accounts))
    deal.fake.activate_account(account_id)
    deliver(api, make_event("account.updated", {"id": account_id}))
    assert deal.freelancer.get("/me").json["payouts_enabled"] is True
    return account_id


def submit(deal, milestone_id):
    deal.freelancer.post(f"/milestones/{milestone_id}/submit", json={"note": "done"})


def charge_of(app, milestone_id):
    with app.app_context():
        return db.session.scalar(
            select(EscrowMovement.charge_id).where(
                EscrowMovement.milestone_id == milestone_id,
                EscrowMovement.kind == "charge",
                EscrowMovement.status == "succeeded",
            )
        )


@pytest.fixture
def gateway_with_key(app, localstripe_server, stripe_mode):
    """Swap the app's Stripe gateway for one using another API key."""
    original = app.extensions["payment_gateway"]

    def use(api_key):
        app.extensions["payment_gateway"] = StripeGateway.from_config(
            {
                **app.config,
                "STRIPE_SECRET_KEY": api_key,
                "STRIPE_API_BASE": localstripe_server.base_url,
                "STRIPE_HTTP_CLIENT": stripe_mode,
                "STRIPE_MAX_NETWORK_RETRIES": 0,
            }
        )

    yield use
    app.extensions["payment_gateway"] = original


def test_a_declined_card_is_a_402_and_freezes_nothing(app, deal):
    assert_problem(fund(deal.company, deal.first, "pm_card_chargeDeclined"), 402)

    assert unsettled(deal, deal.first) == []
    assert refusals(deal, deal.first) == ["card_declined"]
    assert fund(deal.company, deal.first).json["status"] == "funded"
    assert_ledger_ok(app)


def test_an_unknown_payment_method_is_a_422_and_freezes_nothing(app, deal):
    response = fund(deal.company, deal.first, "pm_card_nobody_knows")

    assert_problem(response, 422, "payment_method")
    assert milestone_status(deal, deal.first) == "pending"
    assert unsettled(deal, deal.first) == []
    assert fund(deal.company, deal.first).json["status"] == "funded"
    assert balance(deal.company)["in_escrow"] == 30_000
    assert_ledger_ok(app)


def test_an_amount_under_stripes_minimum_charge_is_a_422(app, deal):
    # Made before the API refused such amounts (tests/api/test_currencies.py).
    small = contract_with(deal.company, deal.freelancer, 5_000)["milestones"][0]["id"]
    with app.app_context():
        db.session.execute(update(Milestone).where(Milestone.id == small).values(amount=49))
        db.session.commit()

    body = assert_problem(fund(deal.company, small), 422)

    assert body["type"] == "/problems/payment-amount-refused"
    assert "amount_too_small" in body["detail"]
    assert "0.50 usd" in body["detail"]
    assert unsettled(deal, small) == []
    assert refusals(deal, small) == ["amount_too_small"]
    assert deal.company.post(f"/milestones/{small}/cancel").json["status"] == "cancelled"
    assert_ledger_ok(app)


def test_a_transfer_to_an_account_whose_transfers_are_off_is_a_409_until_they_are_on(
    app, api, deal
):
    account_id = payouts_on(api, deal)
    fund(deal.company, deal.first)
    submit(deal, deal.first)
    # Stripe switched the capability off; its account.updated has not arrived yet.
    deal.fake.set_capability(account_id, "transfers", "inactive")

    body = assert_problem(deal.company.post(f"/milestones/{deal.first}/approve"), 409)

    assert body["type"] == "/problems/payment-refused"
    assert "insufficient_capabilities_for_transfer" in body["detail"]
    assert milestone_status(deal, deal.first) == "submitted"
    assert balance(deal.freelancer)["pending_payout"] == 0
    assert unsettled(deal, deal.first) == []
    assert deal.fake.transfers == {}

    deal.fake.activate_account(account_id)
    assert deal.company.post(f"/milestones/{deal.first}/approve").json["status"] == "approved"
    refused, paid = deal.fake.calls("POST", "/v1/transfers")
    # Stripe keeps the refusal under its key: the approval that pays sent a new one.
    assert paid.idempotency_key != refused.idempotency_key
    assert [refused.outcome, paid.outcome] == ["served", "served"]
    assert len(deal.fake.transfers) == 1
    assert balance(deal.freelancer)["paid_out"] == 27_000
    assert_ledger_ok(app)


def test_a_key_stripe_knows_with_other_parameters_is_a_409_and_the_next_try_works(
    app, deal, stripe_client
):
    """Another installation on the same Stripe account used the key the app sends next."""
    assert_problem(fund(deal.company, deal.first, "pm_card_chargeDeclined"), 402)
    with app.app_context():
        installation = namespace()
    next_key = provider_key(
        app,
        "charge",
        f"m{deal.first}.2",
        amount=30_000,
        currency="USD",
        payment_method="pm_card_visa",
        transfer_group=f"milestone-{deal.first}",
        description=f"Escrow for milestone {deal.first} of contract {deal.contract['id']}",
        installation=installation,
    )
    stripe_client.v1.payment_intents.create(
        {"amount": 999, "currency": "usd", "payment_method_types": ["card"]},
        {"idempotency_key": next_key},
    )

    body = assert_problem(fund(deal.company, deal.first), 409)

    assert body["type"] == "/problems/payment-refused"
    assert "idempotency_error" in body["detail"]
    assert milestone_status(deal, deal.first) == "pending"
    assert unsettled(deal, deal.first) == []
    assert fund(deal.company, deal.first).json["status"] == "funded"
    assert balance(deal.company)["in_escrow"] == 30_000
    assert_ledger_ok(app)


def test_credentials_stripe_refuses_are_a_409_and_freeze_nothing(app, deal, gateway_with_key):
    gateway_with_key("pk_test_not_a_secret_key")

    body = assert_problem(fund(deal.company, deal.first), 409)

    assert body["type"] == "/problems/payment-refused"
    assert "credentials" in body["detail"]
    assert "pk_test" not in body["detail"]
    assert unsettled(deal, deal.first) == []
    gateway_with_key("sk_test_localstripe")
    assert fund(deal.company, deal.first).json["status"] == "funded"
    assert_ledger_ok(app)


def test_a_restricted_key_without_transfers_is_a_409_until_it_has_them(
    app, api, deal, gateway_with_key
):
    account_id = payouts_on(api, deal)
    fund(deal.company, deal.first)
    submit(deal, deal.first)
    deal.fake.grant("rk_test_ops", "/v1/payment_intents", "/v1/accounts", "/v1/refunds")
    gateway_with_key("rk_test_ops")

    body = assert_problem(deal.company.post(f"/milestones/{deal.first}/approve"), 409)

    assert "permission" in body["detail"]
    assert milestone_status(deal, deal.first) == "submitted"
    assert unsettled(deal, deal.first) == []
    deal.fake.grant("rk_test_ops", "/v1/transfers")
    assert deal.company.post(f"/milestones/{deal.first}/approve").json["status"] == "approved"
    (transfer,) = deal.fake.transfers.values()
    assert transfer["destination"] == account_id
    assert_ledger_ok(app, reconciled=False)  # the restricted key may not read the lists


def test_an_invalid_request_is_a_409_and_a_refund_still_works(app, api, deal, stripe_client):
    """Most of the charge was transferred outside the marketplace: Stripe refuses a
    transfer beyond what its source charge has left."""
    account_id = payouts_on(api, deal)
    fund(deal.company, deal.first)
    submit(deal, deal.first)
    stripe_client.v1.transfers.create(
        {
            "amount": 25_000,
            "currency": "usd",
            "destination": account_id,
            "source_transaction": charge_of(app, deal.first),
        }
    )

    body = assert_problem(deal.company.post(f"/milestones/{deal.first}/approve"), 409)

    assert "balance_insufficient" in body["detail"]
    assert milestone_status(deal, deal.first) == "submitted"
    assert unsettled(deal, deal.first) == []
    assert deal.freelancer.post(f"/milestones/{deal.first}/refund").json["status"] == ("cancelled")
    assert balance(deal.company)["refunded"] == 30_000
    assert_ledger_ok(app, reconciled=False)  # the transfer made outside is a difference


@pytest.mark.parametrize(
    ("error", "when"),
    [("timeout", "before"), ("connection", "after"), (500, "after"), (503, "before"),
     (429, "before"), (409, "after")],
)  # fmt: skip
def test_an_unknown_outcome_is_a_502_and_the_next_request_finds_it_out_first(
    app, deal, error, when
):
    deal.fake.fail_next("/v1/payment_intents", when, error=error)

    body = assert_problem(fund(deal.company, deal.first, expect_5xx=True), 502)

    assert "not known" in body["detail"]
    assert "nothing was changed" not in body["detail"].lower()
    assert unsettled(deal, deal.first) == ["charge"]
    assert milestone_status(deal, deal.first) == "pending"
    # Another card: the unanswered call is repeated first, with its own key and card; it
    # funds the milestone, so this request has nothing left to do.
    assert_problem(fund(deal.company, deal.first, "pm_card_mastercard"), 409)
    assert unsettled(deal, deal.first) == []
    assert milestone_status(deal, deal.first) == "funded"
    assert_problem(fund(deal.company, deal.first), 409)
    calls = intent_calls(deal.fake)
    assert len({c.idempotency_key for c in calls}) == 1
    assert {c.params["payment_method"] for c in calls} == {"pm_card_visa"}
    assert len(operations(deal.admin, deal.first)) == 1
    assert balance(deal.company)["in_escrow"] == 30_000
    assert_ledger_ok(app)
