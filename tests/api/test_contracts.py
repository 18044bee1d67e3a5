"""Contracts: who sees them, milestones, completion, cancellation, messages, reviews."""

import pytest

from tests.client import assert_problem
from tests.money import pay
from tests.work import make_contract, post_job


@pytest.fixture
def parties(api, factory):
    class Parties:
        company = api.as_user(factory.client())
        freelancer = api.as_user(factory.freelancer())
        stranger_company = api.as_user(factory.client())
        stranger_freelancer = api.as_user(factory.freelancer())
        admin = api.as_user(factory.admin())

    return Parties


def ids(response):
    assert response.status_code == 200, response.json
    return [item["id"] for item in response.json["data"]]


def test_parties_and_admins_see_a_contract_and_nobody_else(parties):
    contract = make_contract(parties.company, parties.freelancer)
    path = f"/contracts/{contract['id']}"

    for caller in (parties.company, parties.freelancer, parties.admin):
        assert caller.get(path).json == contract
        assert contract["id"] in ids(caller.get("/contracts"))
    for caller in (parties.stranger_company, parties.stranger_freelancer):
        assert_problem(caller.get(path), 404)
        assert ids(caller.get("/contracts")) == []
        assert_problem(caller.get(f"{path}/messages"), 404)
        assert_problem(caller.post(f"{path}/messages", json={"body": "hi"}), 404)
        assert_problem(caller.post(f"{path}/cancel"), 404)
        assert_problem(caller.post(f"{path}/milestones", json={"title": "x", "amount": 1}), 404)
        milestone = contract["milestones"][0]["id"]
        assert_problem(caller.post(f"/milestones/{milestone}/cancel"), 404)


def test_contract_lists_filter_by_status(parties):
    active = make_contract(parties.company, parties.freelancer)
    cancelled = make_contract(parties.company, parties.freelancer)
    parties.company.post(f"/contracts/{cancelled['id']}/cancel")

    assert ids(parties.company.get("/contracts")) == [cancelled["id"], active["id"]]
    assert ids(parties.freelancer.get("/contracts", query_string={"status": "active"})) == [
        active["id"]
    ]


def test_the_client_adds_milestones_and_the_amount_grows(parties):
    contract = make_contract(parties.company, parties.freelancer, amount=40_000)

    response = parties.company.post(
        f"/contracts/{contract['id']}/milestones",
        json={
            "title": "Second batch",
            "amount": 15_000,
            "due_date": "2027-02-01",
            "description": "Another 100 forms.",
        },
    )

    assert response.status_code == 201
    milestone = response.json
    assert milestone["status"] == "pending"
    assert milestone["currency"] == "USD"
    assert milestone["due_date"] == "2027-02-01"
    assert milestone["submissions"] == []
    assert milestone["auto_release_at"] is None
    updated = parties.freelancer.get(f"/contracts/{contract['id']}").json
    assert updated["amount"] == 55_000
    assert [m["id"] for m in updated["milestones"]][-1] == milestone["id"]
    assert_problem(
        parties.freelancer.post(
            f"/contracts/{contract['id']}/milestones", json={"title": "x", "amount": 5}
        ),
        403,
    )
    assert_problem(
        parties.company.post(
            f"/contracts/{contract['id']}/milestones", json={"title": "x", "amount": 0}
        ),
        422,
        "amount",
    )


def test_completing_needs_every_milestone_settled(parties):
    contract = make_contract(parties.company, parties.freelancer)
    path = f"/contracts/{contract['id']}"

    assert_problem(parties.company.post(f"{path}/complete"), 409)
    for milestone in contract["milestones"]:
        assert parties.company.post(f"/milestones/{milestone['id']}/cancel").status_code == 200
    assert_problem(parties.freelancer.post(f"{path}/complete"), 403)
    completed = parties.company.post(f"{path}/complete")

    assert completed.status_code == 200
    assert completed.json["status"] == "completed"
    assert parties.company.get(f"/jobs/{contract['job_id']}").json["status"] == "completed"
    assert_problem(parties.company.post(f"{path}/complete"), 409)
    assert_problem(parties.company.post(f"{path}/cancel"), 409)


def test_either_party_cancels_an_unfunded_contract(parties):
    contract = make_contract(parties.company, parties.freelancer)

    response = parties.freelancer.post(f"/contracts/{contract['id']}/cancel")

    assert response.status_code == 200
    assert response.json["status"] == "cancelled"
    assert {m["status"] for m in response.json["milestones"]} == {"cancelled"}
    assert parties.company.get(f"/jobs/{contract['job_id']}").json["status"] == "closed"
    assert_problem(
        parties.company.post(
            f"/contracts/{contract['id']}/milestones", json={"title": "late", "amount": 5}
        ),
        409,
    )


def test_messages_between_the_parties_oldest_first(parties):
    contract = make_contract(parties.company, parties.freelancer)
    path = f"/contracts/{contract['id']}/messages"
    bodies = [f"message {n}" for n in range(5)]
    for n, body in enumerate(bodies):
        sender = parties.company if n % 2 else parties.freelancer
        response = sender.post(path, json={"body": body})
        assert response.status_code == 201
    assert parties.admin.post(path, json={"body": "Admin here."}).status_code == 201

    first = parties.company.get(path, query_string={"limit": 4}).json
    rest = parties.company.get(path, query_string={"limit": 4, "cursor": first["next_cursor"]})

    messages = first["data"] + rest.json["data"]
    assert [m["body"] for m in messages] == [*bodies, "Admin here."]
    assert rest.json["next_cursor"] is None
    assert set(messages[0]) == {"id", "author", "body", "created_at"}
    assert set(messages[0]["author"]) == {"id", "name"}
    assert_problem(parties.company.post(path, json={"body": "  "}), 422, "body")


def test_reviews_after_completion_feed_the_profile_rating(api, factory, parties):
    freelancer_id = parties.freelancer.get("/me").json["id"]
    company_id = parties.company.get("/me").json["id"]
    ratings = [5, 4, 4]
    for rating in ratings:
        contract = make_contract(parties.company, parties.freelancer)
        path = f"/contracts/{contract['id']}"
        assert_problem(parties.company.post(f"{path}/reviews", json={"rating": 5}), 409)
        for milestone in contract["milestones"]:
            pay(parties.company, parties.freelancer, milestone["id"])
        parties.company.post(f"{path}/complete")
        review = parties.company.post(
            f"{path}/reviews", json={"rating": rating, "comment": "Accurate."}
        )
        assert review.status_code == 201
        assert review.json["subject_id"] == freelancer_id
        assert_problem(parties.company.post(f"{path}/reviews", json={"rating": 1}), 409)
        assert_problem(parties.stranger_company.post(f"{path}/reviews", json={"rating": 1}), 404)
    parties.freelancer.post(f"{path}/reviews", json={"rating": 3})

    profile = parties.stranger_company.get(f"/users/{freelancer_id}").json
    company_profile = parties.stranger_company.get(f"/users/{company_id}").json

    assert profile["rating"] == {"average": 4.33, "count": 3}
    assert profile["completed_contracts"] == 3
    assert company_profile["rating"] == {"average": 3.0, "count": 1}
    assert_problem(parties.company.post(f"{path}/reviews", json={"rating": 6}), 422, "rating")


def test_cancelled_jobs_take_no_contract(parties):
    job = post_job(parties.company)
    parties.company.post(f"/jobs/{job['id']}/close")

    assert ids(parties.company.get("/contracts")) == []
