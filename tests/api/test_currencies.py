"""Currencies: only money with at most two decimals is taken, in every place a code goes in."""

import pytest

from tests.client import assert_problem
from tests.work import place_bid, post_job

NOT_MONEY = ["XXX", "XTS", "XAU", "XAG", "XPT", "XDR", "xts"]
THREE_DECIMALS = ["KWD", "BHD", "JOD", "OMR", "TND", "LYD", "IQD"]
FUND_CODES = ["CLF", "USN", "BOV"]


@pytest.fixture
def company(api, factory):
    return api.as_user(factory.client())


@pytest.fixture
def freelancer(api, factory):
    return api.as_user(factory.freelancer())


@pytest.mark.parametrize("code", NOT_MONEY + THREE_DECIMALS + FUND_CODES)
def test_a_job_cannot_be_posted_in_what_is_not_offered(company, code):
    response = company.post(
        "/jobs",
        json={
            "title": "Type up gold certificates",
            "description": "Thirty certificates.",
            "budget": 10_000,
            "currency": code,
        },
    )

    body = assert_problem(response, 422, "currency")
    assert code.upper() in body["errors"]["currency"][0]
    assert company.get("/jobs?status=open").json["data"] == []


def test_the_refusals_say_why(company):
    def reason(code):
        job = {"title": "Enter data", "description": "Rows.", "budget": 100, "currency": code}
        return company.post("/jobs", json=job).json["errors"]["currency"][0]

    assert "not money" in reason("XAU")
    assert "3 decimal places" in reason("KWD")
    assert "fund code" in reason("CLF")
    assert reason("ABC") == "Not an ISO 4217 currency code."


@pytest.mark.parametrize("code", ["JPY", "KRW", "XAF", "XOF", "XPF", "XCD", "usd", "CHF"])
def test_real_money_with_zero_or_two_decimals_is_taken(company, freelancer, code):
    job = post_job(company, currency=code, budget=1_500_000)

    bid = place_bid(freelancer, job["id"], amount=1_200_000, currency=code)

    assert job["currency"] == code.upper()
    assert bid["currency"] == code.upper()


def test_a_job_cannot_be_moved_to_a_currency_that_is_not_offered(company):
    job = post_job(company)

    assert_problem(company.patch(f"/jobs/{job['id']}", json={"currency": "XTS"}), 422, "currency")
    assert_problem(company.patch(f"/jobs/{job['id']}", json={"currency": "KWD"}), 422, "currency")
    assert company.get(f"/jobs/{job['id']}").json["currency"] == "USD"


def test_bids_and_job_filters_refuse_the_same_codes(company, freelancer):
    job = post_job(company)
    bid = {"amount": 1_000, "currency": "XXX", "delivery_days": 2, "cover_letter": "Quick."}

    assert_problem(freelancer.post(f"/jobs/{job['id']}/bids", json=bid), 422, "currency")
    assert_problem(freelancer.get("/jobs?currency=XAU"), 422, "currency")
    assert freelancer.get(f"/jobs/{job['id']}/bids").json["data"] == []


def test_amounts_in_messages_use_the_currencys_minor_units(company, freelancer):
    job = post_job(company, currency="JPY", budget=50_000)
    plan = [{"title": "First half", "amount": 20_000}, {"title": "Second half", "amount": 20_000}]
    bid = {
        "amount": 45_000,
        "currency": "JPY",
        "delivery_days": 5,
        "cover_letter": "Two batches.",
        "milestones": plan,
    }

    body = assert_problem(freelancer.post(f"/jobs/{job['id']}/bids", json=bid), 422, "milestones")

    assert "40,000 JPY" in body["errors"]["milestones"][0]
    assert "45,000 JPY" in body["errors"]["milestones"][0]


def bid_with(freelancer, job_id, currency, amounts):
    plan = [{"title": f"Part {n}", "amount": a} for n, a in enumerate(amounts, 1)]
    body = {
        "amount": sum(amounts),
        "currency": currency,
        "delivery_days": 3,
        "cover_letter": "In parts.",
        **({"milestones": plan} if len(amounts) > 1 else {}),
    }
    return freelancer.post(f"/jobs/{job_id}/bids", json=body)


@pytest.mark.parametrize(
    ("code", "too_small", "smallest", "shown"),
    [("USD", 49, 50, "0.50 USD"), ("GBP", 29, 30, "0.30 GBP"), ("JPY", 49, 50, "50 JPY")],
)
def test_a_milestone_under_the_minimum_charge_is_refused_where_it_is_made(
    company, freelancer, code, too_small, smallest, shown
):
    job = post_job(company, currency=code, budget=100_000)

    alone = assert_problem(bid_with(freelancer, job["id"], code, [too_small]), 422, "amount")
    parts = assert_problem(
        bid_with(freelancer, job["id"], code, [5_000, too_small]), 422, "milestones"
    )

    assert shown in alone["errors"]["amount"][0]
    assert parts["errors"]["milestones"] == [
        f"Milestone 2 (Part 2): Must be at least {shown}, the smallest charge possible."
    ]
    bid = bid_with(freelancer, job["id"], code, [5_000, smallest])
    assert bid.status_code == 201, bid.json
    contract = company.post(f"/bids/{bid.json['id']}/accept").json
    add = f"/contracts/{contract['id']}/milestones"
    assert_problem(company.post(add, json={"title": "Tip", "amount": too_small}), 422, "amount")
    assert company.post(add, json={"title": "Tip", "amount": smallest}).status_code == 201


def test_the_local_gateway_takes_the_demos_currencies(company, freelancer):
    for code in ("USD", "EUR", "GBP"):
        job = post_job(company, currency=code)
        assert place_bid(freelancer, job["id"], currency=code)["currency"] == code


def test_the_spec_says_which_currencies_each_gateway_takes(app):
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    schemas = spec["components"]["schemas"]

    for name in ("JobCreate", "JobUpdate", "BidCreate", "BidUpdate"):
        description = schemas[name]["properties"]["currency"]["description"]
        assert "`local`: every currency with at most two decimals" in description
        assert "`stripe`: only those the platform settles in" in description
        assert "STRIPE_CURRENCIES" in description
        assert "KWD, BHD, JOD, OMR, TND" in description
        assert "XXX, XTS, XAU" in description
