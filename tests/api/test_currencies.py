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
