"""Per-record pricing: a milestone priced as unit_price x max_records, in a bid's plan,
carried into the contract, or added to it; only on a job with a record schema."""

import pytest

from tests.client import assert_problem
from tests.deliveries import SCHEMA, record
from tests.money import assert_ledger_ok, balance, fund
from tests.work import place_bid, post_job


@pytest.fixture
def company(api, factory):
    return api.as_user(factory.client())


@pytest.fixture
def freelancer(api, factory):
    return api.as_user(factory.freelancer())


def bid_on(freelancer, job_id: int, amount: int, *plan: dict):
    body = {
        "amount": amount,
        "currency": "USD",
        "delivery_days": 7,
        "cover_letter": "Fast and exact.",
        "milestones": list(plan),
    }
    return freelancer.post(f"/jobs/{job_id}/bids", json=body)


FIXED = {"title": "Setup", "amount": 1_000}
PER_RECORD = {"title": "Records", "unit_price": 50, "max_records": 100}


def test_a_bid_plans_milestones_per_record_and_the_contract_takes_them(company, freelancer):
    job = post_job(company, schema=SCHEMA)

    bid = bid_on(freelancer, job["id"], 6_000, FIXED, PER_RECORD)

    assert bid.status_code == 201, bid.json
    assert bid.json["milestones"] == [
        {"title": "Setup", "amount": 1_000, "unit_price": None, "max_records": None},
        {"title": "Records", "amount": 5_000, "unit_price": 50, "max_records": 100},
    ]
    contract = company.post(f"/bids/{bid.json['id']}/accept").json
    assert contract["amount"] == 6_000
    fixed, per_record = contract["milestones"]
    assert (fixed["unit_price"], fixed["max_records"], fixed["amount"]) == (None, None, 1_000)
    assert (per_record["unit_price"], per_record["max_records"]) == (50, 100)
    assert per_record["amount"] == 5_000
    for milestone in (fixed, per_record):
        assert milestone["records"] == {"submitted": 0, "accepted": 0, "rejected": 0}
        assert milestone["held"] == 0
        assert milestone["rejection_due_at"] is None


def test_an_amount_beside_a_price_per_record_must_be_their_product(company, freelancer):
    job = post_job(company, schema=SCHEMA)

    agreeing = bid_on(freelancer, job["id"], 5_000, {**PER_RECORD, "amount": 5_000})
    wrong = bid_on(freelancer, job["id"], 5_001, {**PER_RECORD, "amount": 5_001})

    assert agreeing.status_code == 201, agreeing.json
    assert agreeing.json["milestones"][0]["amount"] == 5_000
    body = assert_problem(wrong, 422)
    assert "milestones.0.amount" in body["errors"]


@pytest.mark.parametrize(
    ("milestone", "field"),
    [
        ({"title": "Half", "unit_price": 50}, "max_records"),
        ({"title": "Half", "max_records": 10}, "unit_price"),
        ({"title": "None"}, "amount"),
        ({"title": "Zero", "unit_price": 0, "max_records": 10}, "unit_price"),
        ({"title": "Zero", "unit_price": 50, "max_records": 0}, "max_records"),
        ({"title": "Float", "unit_price": 50.5, "max_records": 10}, "unit_price"),
        ({"title": "Text", "unit_price": 50, "max_records": "10"}, "max_records"),
    ],
)
def test_a_price_per_record_needs_both_positive_integers(company, freelancer, milestone, field):
    job = post_job(company, schema=SCHEMA)

    response = bid_on(freelancer, job["id"], 500, milestone)

    body = assert_problem(response, 422)
    assert f"milestones.0.{field}" in body["errors"]
    assert freelancer.get("/bids").json["data"] == []


def test_max_records_is_at_most_max_records_per_delivery(app, company, freelancer, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_RECORDS_PER_DELIVERY", 100)
    job = post_job(company, schema=SCHEMA)

    at_most = bid_on(freelancer, job["id"], 5_000, PER_RECORD)
    assert at_most.status_code == 201, at_most.json
    freelancer.post(f"/bids/{at_most.json['id']}/withdraw")
    over = bid_on(freelancer, job["id"], 5_050, {**PER_RECORD, "max_records": 101})

    body = assert_problem(over, 422)
    assert "max_records must be at most 100" in body["errors"]["milestones"][0]


def test_a_price_per_record_needs_a_job_with_a_record_schema(company, freelancer):
    job = post_job(company)

    response = bid_on(freelancer, job["id"], 5_000, PER_RECORD)

    body = assert_problem(response, 422)
    assert "record schema" in body["errors"]["milestones"][0]


def test_a_bids_milestones_per_record_still_sum_to_its_amount(company, freelancer):
    job = post_job(company, schema=SCHEMA)

    response = bid_on(freelancer, job["id"], 5_500, FIXED, PER_RECORD)

    body = assert_problem(response, 422)
    assert "add up to the bid amount" in body["errors"]["milestones"][0]


def test_a_pending_bid_may_change_its_plan_to_a_price_per_record(company, freelancer):
    job = post_job(company, schema=SCHEMA)
    bid = bid_on(freelancer, job["id"], 5_000, {"title": "All", "amount": 5_000}).json

    changed = freelancer.patch(f"/bids/{bid['id']}", json={"milestones": [PER_RECORD]})
    wrong = freelancer.patch(
        f"/bids/{bid['id']}", json={"milestones": [{**PER_RECORD, "max_records": 99}]}
    )

    assert changed.status_code == 200, changed.json
    assert changed.json["milestones"][0]["unit_price"] == 50
    assert_problem(wrong, 422)
    assert freelancer.get(f"/bids/{bid['id']}").json["milestones"][0]["max_records"] == 100


def contract_on(company, freelancer, schema=SCHEMA) -> dict:
    job = post_job(company, schema=schema) if schema else post_job(company)
    bid = place_bid(freelancer, job["id"])
    return company.post(f"/bids/{bid['id']}/accept").json


def test_the_client_adds_a_milestone_priced_per_record(company, freelancer):
    contract = contract_on(company, freelancer)

    added = company.post(
        f"/contracts/{contract['id']}/milestones",
        json={"title": "More rows", "unit_price": 25, "max_records": 40},
    )

    assert added.status_code == 201, added.json
    assert (added.json["amount"], added.json["unit_price"], added.json["max_records"]) == (
        1_000,
        25,
        40,
    )
    assert added.json["status"] == "pending"
    assert company.get(f"/contracts/{contract['id']}").json["amount"] == 40_000 + 1_000


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "x", "unit_price": 25, "max_records": 40, "amount": 999}, "amount"),
        ({"title": "x", "unit_price": 25}, "max_records"),
        ({"title": "x"}, "amount"),
        ({"title": "x", "unit_price": 25, "max_records": 50_001}, "max_records"),
    ],
)
def test_a_bad_price_per_record_for_a_new_milestone_is_a_422(company, freelancer, body, field):
    contract = contract_on(company, freelancer)

    response = company.post(f"/contracts/{contract['id']}/milestones", json=body)

    problem = assert_problem(response, 422)
    assert field in problem["errors"]
    assert len(company.get(f"/contracts/{contract['id']}").json["milestones"]) == 1


def test_a_new_milestone_priced_per_record_needs_a_job_with_a_record_schema(company, freelancer):
    contract = contract_on(company, freelancer, schema=None)

    response = company.post(
        f"/contracts/{contract['id']}/milestones",
        json={"title": "Rows", "unit_price": 25, "max_records": 40},
    )

    problem = assert_problem(response, 422)
    assert "record schema" in problem["errors"]["max_records"][0]


def per_record_milestone(company, freelancer, unit_price=50, max_records=3) -> int:
    job = post_job(company, schema=SCHEMA)
    plan = {"title": "Rows", "unit_price": unit_price, "max_records": max_records}
    bid = bid_on(freelancer, job["id"], unit_price * max_records, plan).json
    contract = company.post(f"/bids/{bid['id']}/accept").json
    milestone = contract["milestones"][0]["id"]
    assert fund(company, milestone).status_code == 200
    return milestone


def test_a_delivery_of_more_rows_than_max_records_is_refused(app, company, freelancer):
    milestone = per_record_milestone(company, freelancer, max_records=3)

    response = freelancer.post(
        f"/milestones/{milestone}/submit", json={"records": [record(n) for n in range(1, 5)]}
    )

    body = assert_problem(response, 422)
    codes = {error["code"] for error in body["report"]["errors"]}
    assert "too_many_rows" in codes
    shown = company.get(f"/milestones/{milestone}/records")
    assert_problem(shown, 404)


def test_records_submitted_counts_the_latest_delivery(app, company, freelancer):
    milestone = per_record_milestone(company, freelancer, max_records=3)
    first = {"records": [record(1), record(2), record(3)]}
    assert freelancer.post(f"/milestones/{milestone}/submit", json=first).status_code == 200
    company.post(f"/milestones/{milestone}/request-changes", json={"reason": "Row 3."})

    again = freelancer.post(
        f"/milestones/{milestone}/submit", json={"records": [record(1), record(2)]}
    )

    assert again.json["records"] == {"submitted": 2, "accepted": 0, "rejected": 0}


def test_auto_release_of_a_per_record_milestone_pays_the_delivered_records(
    app, company, freelancer
):
    milestone = per_record_milestone(company, freelancer, unit_price=50, max_records=3)
    app.config["REVIEW_PERIOD_DAYS"] = 0
    try:
        delivery = {"records": [record(1), record(2)]}
        assert freelancer.post(f"/milestones/{milestone}/submit", json=delivery).status_code == 200
    finally:
        app.config["REVIEW_PERIOD_DAYS"] = 14

    result = app.test_cli_runner().invoke(args=["marketplace", "release-due"])

    assert f"milestone {milestone}: released" in result.output
    # 2 x 50 released (less 10 of fee); the third record's 50 refunded.
    assert balance(freelancer)["pending_payout"] == 90
    assert balance(company)["refunded"] == 50
    assert balance(company)["in_escrow"] == 0
    assert_ledger_ok(app)


def test_a_note_milestone_shows_no_records_after_approval(app, company, freelancer):
    contract = contract_on(company, freelancer, schema=None)
    milestone = contract["milestones"][0]["id"]
    fund(company, milestone)
    freelancer.post(f"/milestones/{milestone}/submit", json={"note": "Done."})

    approved = company.post(f"/milestones/{milestone}/approve")

    assert approved.json["status"] == "approved"
    assert approved.json["records"] == {"submitted": 0, "accepted": 0, "rejected": 0}
    assert approved.json["held"] == 0
    assert_ledger_ok(app)
