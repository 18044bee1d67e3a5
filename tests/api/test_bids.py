"""Bids: place, see, edit, withdraw, decline, accept; who sees what."""

import pytest
from sqlalchemy import func, select

from marketplace.bids.models import Bid
from marketplace.extensions import db
from tests.client import assert_problem
from tests.work import place_bid, post_job


@pytest.fixture
def people(api, factory):
    """A company, two freelancers, another company and an admin, each a client of the API."""

    class People:
        company = api.as_user(factory.client())
        amara = api.as_user(factory.freelancer(country="NG"))
        rahul = api.as_user(factory.freelancer(country="IN"))
        other_company = api.as_user(factory.client())
        admin = api.as_user(factory.admin())

    return People


def test_a_freelancer_bids_with_a_milestone_plan(people):
    job = post_job(people.company)
    plan = [
        {"title": "First 150 invoices", "amount": 20_000},
        {"title": "Last 150 invoices", "amount": 25_000},
    ]

    bid = place_bid(people.amara, job["id"], amount=45_000, currency="usd", milestones=plan)

    assert bid["status"] == "pending"
    assert bid["job_id"] == job["id"]
    assert bid["currency"] == "USD"
    assert bid["milestones"] == [{**m, "unit_price": None, "max_records": None} for m in plan]
    assert bid["freelancer"]["country"] == "NG"
    assert "email" not in bid["freelancer"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"currency": "EUR"}, "currency"),
        ({"milestones": [{"title": "a", "amount": 1}]}, "milestones"),
        ({"amount": 0}, "amount"),
        ({"amount": 1.5}, "amount"),
        ({"delivery_days": 0}, "delivery_days"),
        ({"cover_letter": ""}, "cover_letter"),
        ({"milestones": [{"title": "a", "amount": -5}]}, "milestones"),
        ({"status": "accepted"}, "status"),
    ],
)
def test_bad_bids_are_refused(app, people, body, field):
    job = post_job(people.company)
    base = {"amount": 40_000, "currency": "USD", "delivery_days": 5, "cover_letter": "Hi"}

    assert_problem(people.amara.post(f"/jobs/{job['id']}/bids", json={**base, **body}), 422, field)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Bid)) == 0


def test_only_freelancers_bid_and_only_on_open_jobs(people):
    job = post_job(people.company)
    body = {"amount": 1_000, "currency": "USD", "delivery_days": 1, "cover_letter": "x"}

    assert_problem(people.company.post(f"/jobs/{job['id']}/bids", json=body), 403)
    assert_problem(people.amara.post("/jobs/999999/bids", json=body), 404)
    people.company.post(f"/jobs/{job['id']}/close")
    assert_problem(people.amara.post(f"/jobs/{job['id']}/bids", json=body), 409)


def test_one_pending_bid_per_freelancer_per_job(people):
    job = post_job(people.company)
    first = place_bid(people.amara, job["id"])
    body = {"amount": 1_000, "currency": "USD", "delivery_days": 1, "cover_letter": "again"}

    assert_problem(people.amara.post(f"/jobs/{job['id']}/bids", json=body), 409)
    assert people.rahul.post(f"/jobs/{job['id']}/bids", json=body).status_code == 201
    people.amara.post(f"/bids/{first['id']}/withdraw")
    assert people.amara.post(f"/jobs/{job['id']}/bids", json=body).status_code == 201


def test_the_database_allows_one_pending_bid_per_freelancer_per_job(app, people, factory):
    from sqlalchemy.exc import IntegrityError

    job = post_job(people.company)
    bid = place_bid(people.amara, job["id"])
    with app.app_context():
        original = db.session.get(Bid, bid["id"])
        db.session.add(
            Bid(
                job_id=job["id"],
                freelancer_id=original.freelancer_id,
                amount=5,
                currency="USD",
                delivery_days=1,
                cover_letter="dup",
            )
        )
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def ids(response):
    assert response.status_code == 200, response.json
    return {bid["id"] for bid in response.json["data"]}


def test_who_sees_which_bids(people):
    job = post_job(people.company)
    amara_bid = place_bid(people.amara, job["id"])
    rahul_bid = place_bid(people.rahul, job["id"])

    assert ids(people.company.get(f"/jobs/{job['id']}/bids")) == {amara_bid["id"], rahul_bid["id"]}
    assert ids(people.amara.get(f"/jobs/{job['id']}/bids")) == {amara_bid["id"]}
    assert ids(people.rahul.get(f"/jobs/{job['id']}/bids")) == {rahul_bid["id"]}
    assert_problem(people.other_company.get(f"/jobs/{job['id']}/bids"), 403)
    assert ids(people.amara.get("/bids")) == {amara_bid["id"]}
    assert_problem(people.company.get("/bids"), 403)

    assert people.company.get(f"/bids/{rahul_bid['id']}").status_code == 200
    assert people.admin.get(f"/bids/{rahul_bid['id']}").status_code == 200
    assert people.rahul.get(f"/bids/{rahul_bid['id']}").status_code == 200
    assert_problem(people.amara.get(f"/bids/{rahul_bid['id']}"), 404)
    assert_problem(people.other_company.get(f"/bids/{rahul_bid['id']}"), 404)


def test_nobody_but_the_bidder_touches_a_bid(people):
    job = post_job(people.company)
    bid = place_bid(people.amara, job["id"])

    assert_problem(people.rahul.patch(f"/bids/{bid['id']}", json={"amount": 1}), 404)
    assert_problem(people.rahul.post(f"/bids/{bid['id']}/withdraw"), 404)
    assert_problem(people.company.patch(f"/bids/{bid['id']}", json={"amount": 1}), 403)
    assert_problem(people.company.post(f"/bids/{bid['id']}/withdraw"), 403)
    assert_problem(people.amara.post(f"/bids/{bid['id']}/decline"), 403)
    assert_problem(people.amara.post(f"/bids/{bid['id']}/accept"), 403)
    assert_problem(people.other_company.post(f"/bids/{bid['id']}/accept"), 404)
    assert_problem(people.other_company.post(f"/bids/{bid['id']}/decline"), 404)
    assert people.amara.get(f"/bids/{bid['id']}").json == bid


def test_the_bidder_edits_a_pending_bid(people):
    job = post_job(people.company)
    bid = place_bid(
        people.amara, job["id"], amount=40_000, milestones=[{"title": "all", "amount": 40_000}]
    )

    no_plan_fit = people.amara.patch(f"/bids/{bid['id']}", json={"amount": 30_000})
    edited = people.amara.patch(
        f"/bids/{bid['id']}",
        json={
            "amount": 30_000,
            "milestones": [{"title": "a", "amount": 10_000}, {"title": "b", "amount": 20_000}],
            "cover_letter": "Cheaper now.",
        },
    )

    assert_problem(no_plan_fit, 422, "milestones")
    assert edited.status_code == 200
    assert edited.json["amount"] == 30_000
    assert [m["amount"] for m in edited.json["milestones"]] == [10_000, 20_000]
    assert_problem(people.amara.patch(f"/bids/{bid['id']}", json={"currency": "EUR"}), 422)


def test_withdrawn_and_declined_bids_are_final(people):
    job = post_job(people.company)
    withdrawn = place_bid(people.amara, job["id"])
    declined = place_bid(people.rahul, job["id"])

    assert people.amara.post(f"/bids/{withdrawn['id']}/withdraw").json["status"] == "withdrawn"
    assert people.company.post(f"/bids/{declined['id']}/decline").json["status"] == "declined"

    for bid in (withdrawn, declined):
        assert_problem(people.company.post(f"/bids/{bid['id']}/accept"), 409)
        assert_problem(people.company.post(f"/bids/{bid['id']}/decline"), 409)
    assert_problem(people.amara.post(f"/bids/{withdrawn['id']}/withdraw"), 409)
    assert_problem(people.amara.patch(f"/bids/{withdrawn['id']}", json={"amount": 5}), 409)
    assert_problem(people.rahul.post(f"/bids/{declined['id']}/withdraw"), 409)
    assert people.amara.get(f"/bids/{withdrawn['id']}").json["status"] == "withdrawn"


def test_accepting_makes_a_contract_and_settles_the_job(people):
    job = post_job(people.company, title="Key in 300 invoices")
    plan = [{"title": "Batch 1", "amount": 15_000}, {"title": "Batch 2", "amount": 25_000}]
    chosen = place_bid(people.amara, job["id"], amount=40_000, milestones=plan)
    other = place_bid(people.rahul, job["id"])

    response = people.company.post(f"/bids/{chosen['id']}/accept")

    assert response.status_code == 201
    contract = response.json
    assert contract["status"] == "active"
    assert contract["job_id"] == job["id"]
    assert contract["bid_id"] == chosen["id"]
    assert contract["amount"] == 40_000
    assert contract["currency"] == "USD"
    assert contract["fee_bps"] == 1000
    assert contract["client"]["id"] == job["client"]["id"]
    assert contract["freelancer"]["id"] == chosen["freelancer"]["id"]
    assert [(m["title"], m["amount"], m["status"]) for m in contract["milestones"]] == [
        ("Batch 1", 15_000, "pending"),
        ("Batch 2", 25_000, "pending"),
    ]
    assert people.company.get(f"/jobs/{job['id']}").json["status"] == "in_progress"
    assert people.amara.get(f"/bids/{chosen['id']}").json["status"] == "accepted"
    assert people.rahul.get(f"/bids/{other['id']}").json["status"] == "declined"
    assert_problem(people.company.post(f"/bids/{other['id']}/accept"), 409)


def test_a_bid_without_a_plan_becomes_one_milestone(people):
    job = post_job(people.company, title="Clean the CRM export")
    bid = place_bid(people.amara, job["id"], amount=12_345)

    contract = people.company.post(f"/bids/{bid['id']}/accept").json

    assert [(m["title"], m["amount"]) for m in contract["milestones"]] == [
        ("Clean the CRM export", 12_345)
    ]


def test_the_fee_is_fixed_when_the_contract_is_made(app, people):
    job = post_job(people.company)
    bid = place_bid(people.amara, job["id"])
    app.config["PLATFORM_FEE_BPS"] = 750
    try:
        contract = people.company.post(f"/bids/{bid['id']}/accept").json
    finally:
        app.config["PLATFORM_FEE_BPS"] = 1000

    assert contract["fee_bps"] == 750
    assert people.company.get(f"/contracts/{contract['id']}").json["fee_bps"] == 750


def test_bid_lists_filter_by_status_and_page(people):
    jobs = [post_job(people.company) for _ in range(5)]
    bids = [place_bid(people.amara, job["id"]) for job in jobs]
    people.amara.post(f"/bids/{bids[0]['id']}/withdraw")

    pending = ids(people.amara.get("/bids", query_string={"status": "pending"}))
    first_page = people.amara.get("/bids", query_string={"limit": 3}).json
    second_page = people.amara.get(
        "/bids", query_string={"limit": 3, "cursor": first_page["next_cursor"]}
    ).json

    assert pending == {b["id"] for b in bids[1:]}
    assert [b["id"] for b in first_page["data"] + second_page["data"]] == [
        b["id"] for b in reversed(bids)
    ]
    assert second_page["next_cursor"] is None
