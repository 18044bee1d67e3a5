"""Currencies with Stripe: only those the platform settles in, and Stripe's fee booked.

A transfer with `source_transaction` must be in the charge's settlement currency, so
with Stripe jobs, bids and milestones take only `STRIPE_CURRENCIES` (by default the
platform country's currency). Each charge's balance transaction is kept on its
movement and Stripe's fee booked as the platform's `provider_fee`, so the ledger
reconciles with Stripe's balance.
"""

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.milestones.models import EscrowMovement
from marketplace.payments.models import LedgerAccount, LedgerLine
from tests.client import assert_problem
from tests.integration.test_stripe_gateway import approve, deliver, stripe_mode  # noqa: F401
from tests.money import assert_ledger_ok, balance, contract_with, fund
from tests.stripe_fake.webhooks import make_event
from tests.work import make_contract, place_bid, post_job

JOB = {"title": "Key in receipts", "description": "Two hundred receipts.", "budget": 20_000}


@pytest.fixture
def people(api, factory, stripe_mode):  # noqa: F811
    class People:
        company = api.as_user(factory.client())
        freelancer = api.as_user(factory.freelancer(country="FR"))
        admin = api.as_user(factory.admin())
        fake = stripe_mode

    return People


def settles_in(app, *currencies):
    """The platform settles in these currencies at Stripe, and the app takes them."""
    app.config["STRIPE_CURRENCIES"] = tuple(currencies)


def charge_movement(app, milestone_id) -> EscrowMovement:
    with app.app_context():
        movement = db.session.scalar(
            select(EscrowMovement).where(
                EscrowMovement.milestone_id == milestone_id, EscrowMovement.kind == "charge"
            )
        )
        db.session.expunge(movement)
        return movement


def account_balance(app, key) -> int:
    with app.app_context():
        total = db.session.scalar(
            select(db.func.coalesce(db.func.sum(LedgerLine.amount), 0))
            .join(LedgerAccount, LedgerAccount.id == LedgerLine.account_id)
            .where(LedgerAccount.key == key)
        )
        db.session.rollback()
        return int(total)


def paid_out(api, people, milestone_id):
    """Fund, deliver, approve, and let the freelancer be paid out."""
    assert fund(people.company, milestone_id).json["status"] == "funded"
    assert approve(people, milestone_id).status_code == 200
    people.freelancer.post("/me/payout-account")
    account_id = next(iter(people.fake.accounts))
    people.fake.activate_account(account_id)
    deliver(api, make_event("account.updated", {"id": account_id, "object": "account"}))


def test_a_us_platform_takes_usd_only_and_says_so_per_field(app, people):
    for code in ("EUR", "GBP", "JPY"):
        body = assert_problem(people.company.post("/jobs", json={**JOB, "currency": code}), 422)
        assert list(body["errors"]) == ["currency"]
        assert "stripe" in body["errors"]["currency"][0]
        assert "USD" in body["errors"]["currency"][0]
    job = post_job(people.company, **JOB, currency="usd")
    assert job["currency"] == "USD"
    assert_problem(
        people.company.patch(f"/jobs/{job['id']}", json={"currency": "EUR"}), 422, "currency"
    )
    # Not-money codes and three-decimal currencies are refused with any gateway.
    for code in ("XXX", "XTS", "XAU", "KWD", "BHD", "JOD", "OMR", "TND"):
        assert_problem(
            people.company.post("/jobs", json={**JOB, "currency": code}), 422, "currency"
        )


def test_amounts_under_stripes_minimum_charge_are_refused_where_milestones_are_made(app, people):
    settles_in(app, "USD", "GBP")
    job = post_job(people.company, **JOB, currency="USD")
    plan = [{"title": "Most", "amount": 19_951}, {"title": "Rest", "amount": 49}]

    body = assert_problem(
        people.freelancer.post(
            f"/jobs/{job['id']}/bids",
            json={
                "amount": 20_000,
                "currency": "USD",
                "delivery_days": 3,
                "cover_letter": "Fast.",
                "milestones": plan,
            },
        ),
        422,
        "milestones",
    )
    assert body["errors"]["milestones"] == [
        "Milestone 2 (Rest): Must be at least 0.50 USD, the smallest charge possible."
    ]
    # GBP's minimum is 0.30 GBP.
    gbp_job = post_job(people.company, **JOB, currency="GBP")
    assert place_bid(people.freelancer, gbp_job["id"], amount=30, currency="GBP")
    contract = make_contract(people.company, people.freelancer, amount=10_000)
    assert_problem(
        people.company.post(
            f"/contracts/{contract['id']}/milestones", json={"title": "Tip", "amount": 49}
        ),
        422,
        "amount",
    )


def test_a_charge_keeps_its_balance_transaction_and_stripes_fee_is_the_platforms(app, api, people):
    contract = contract_with(people.company, people.freelancer, 30_000)
    milestone = contract["milestones"][0]["id"]

    paid_out(api, people, milestone)

    movement = charge_movement(app, milestone)
    txn = people.fake.balance_transactions[movement.balance_transaction]
    assert (movement.settlement_currency, movement.settlement_amount) == ("USD", 30_000)
    assert movement.provider_fee == txn["fee"] == 30_000 * 290 // 10_000 + 30  # 900
    assert movement.exchange_rate is None
    # The freelancer's share is untouched by it: the platform's fee (10 %) less Stripe's.
    assert balance(people.freelancer)["fees"] == 3_000
    assert account_balance(app, "provider_fees:USD") == 900
    assert account_balance(app, "platform_fees:USD") == 3_000 - 900
    (transfer,) = people.fake.transfers.values()
    assert (transfer["amount"], transfer["currency"]) == (27_000, "usd")
    assert_ledger_ok(app)  # reconciles Stripe's fees too


def test_the_fee_of_a_refunded_charge_stays_booked_as_stripe_keeps_it(app, people):
    contract = contract_with(people.company, people.freelancer, 10_000)
    milestone = contract["milestones"][0]["id"]
    fund(people.company, milestone)

    assert people.freelancer.post(f"/milestones/{milestone}/refund").status_code == 200

    assert balance(people.company)["refunded"] == 10_000
    # The platform earned nothing and paid Stripe 3.20 USD: a loss its fees account shows.
    assert account_balance(app, "platform_fees:USD") == -320
    assert account_balance(app, "provider_fees:USD") == 320
    assert_ledger_ok(app)


def test_a_platform_settling_in_eur_too_pays_eur_milestones_in_eur(app, api, people):
    settles_in(app, "USD", "EUR")
    people.fake.settlement_currencies = {"usd", "eur"}
    job = post_job(people.company, **JOB, currency="EUR")
    bid = place_bid(people.freelancer, job["id"], amount=20_000, currency="EUR")
    contract = people.company.post(f"/bids/{bid['id']}/accept").json
    milestone = contract["milestones"][0]["id"]

    paid_out(api, people, milestone)

    movement = charge_movement(app, milestone)
    assert (movement.settlement_currency, movement.provider_fee) == ("EUR", 580 + 25)
    (transfer,) = people.fake.transfers.values()
    assert (transfer["amount"], transfer["currency"]) == (18_000, "eur")
    assert balance(people.freelancer, "EUR")["paid_out"] == 18_000
    assert account_balance(app, "provider_fees:EUR") == 605
    assert_ledger_ok(app)


def test_a_milestone_in_a_currency_no_longer_taken_is_refused_before_any_charge(app, people):
    settles_in(app, "USD", "EUR")
    job = post_job(people.company, **JOB, currency="EUR")
    bid = place_bid(people.freelancer, job["id"], amount=20_000, currency="EUR")
    milestone = people.company.post(f"/bids/{bid['id']}/accept").json["milestones"][0]["id"]
    settles_in(app, "USD")  # the operator stopped settling in EUR

    assert_problem(fund(people.company, milestone), 422, "currency")

    assert people.fake.calls("POST", "/v1/payment_intents") == []
    assert_ledger_ok(app)


def test_a_charge_stripe_converted_books_its_fee_in_the_settlement_currency(app, api, people):
    # STRIPE_CURRENCIES names EUR, but Stripe settles the platform in USD only.
    settles_in(app, "USD", "EUR")
    job = post_job(people.company, **JOB, currency="EUR")
    bid = place_bid(people.freelancer, job["id"], amount=10_000, currency="EUR")
    milestone = people.company.post(f"/bids/{bid['id']}/accept").json["milestones"][0]["id"]

    assert fund(people.company, milestone).json["status"] == "funded"

    movement = charge_movement(app, milestone)
    assert (movement.settlement_currency, movement.settlement_amount) == ("USD", 10_800)
    assert movement.exchange_rate == "1.08"
    assert account_balance(app, "provider_fees:USD") == (10_800 * 390 + 5_000) // 10_000 + 30
    assert balance(people.company, "EUR")["in_escrow"] == 10_000
    assert_ledger_ok(app)


def test_a_funding_confirmed_by_webhook_books_the_fee_once(app, api, people, stripe_client):
    contract = contract_with(people.company, people.freelancer, 10_000)
    milestone = contract["milestones"][0]["id"]
    payment = people.company.post(f"/milestones/{milestone}/fund", json={}).json["payment"]
    intent_id = payment["client_secret"].split("_secret_")[0]
    stripe_client.v1.payment_intents.confirm(intent_id, {"payment_method": "pm_card_visa"})
    event = make_event("payment_intent.succeeded", {"id": intent_id, "object": "payment_intent"})

    assert deliver(api, event).status_code == 200
    assert deliver(api, {**event, "id": event["id"] + "b"}).status_code == 200  # resent

    movement = charge_movement(app, milestone)
    assert (movement.status, movement.provider_fee) == ("succeeded", 320)
    assert account_balance(app, "provider_fees:USD") == 320
    assert_ledger_ok(app)
