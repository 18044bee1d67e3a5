"""The admin tools: users, suspension, the audit log, the ledger check."""

import pytest

from tests.client import assert_problem
from tests.money import contract_with, fund
from tests.work import place_bid, post_job


@pytest.fixture
def admin(api, factory):
    return api.as_user(factory.admin())


def ids(response):
    assert response.status_code == 200, response.json
    return [item["id"] for item in response.json["data"]]


def test_users_list_filters(api, factory, admin):
    maria = factory.freelancer(name="María Santos")
    acme = factory.client(name="Acme Logistics")
    factory.suspend(acme)

    assert set(ids(admin.get("/admin/users", query_string={"q": "maría"}))) == {maria.id}
    assert set(ids(admin.get("/admin/users", query_string={"q": acme.email[:8]}))) >= {acme.id}
    assert ids(admin.get("/admin/users", query_string={"status": "suspended"})) == [acme.id]
    freelancers = ids(admin.get("/admin/users", query_string={"role": "freelancer"}))
    assert freelancers == [maria.id]
    listed = admin.get("/admin/users").json["data"]
    assert {"email", "status", "suspended_reason"} <= set(listed[0])
    assert_problem(admin.get("/admin/users", query_string={"role": "boss"}), 422, "role")


def test_suspension_takes_effect_on_a_live_token(api, factory, admin):
    company_actor = factory.client()
    company = api.as_user(company_actor)
    freelancer_actor = factory.freelancer()
    freelancer = api.as_user(freelancer_actor)
    open_job = post_job(company)
    their_bid = place_bid(freelancer, post_job(api.as_user(factory.client()))["id"])
    other_bid = place_bid(freelancer, open_job["id"])
    assert company.get("/me").status_code == 200

    for actor in (company_actor, freelancer_actor):
        response = admin.post(f"/admin/users/{actor.id}/suspend", json={"reason": "Fake invoices."})
        assert response.status_code == 200
        assert response.json["status"] == "suspended"

    assert company.get("/me").json["status"] == "suspended"
    assert company.get("/me/balance").status_code == 200
    assert freelancer.get("/me/transactions").status_code == 200
    assert_problem(company.get("/jobs"), 403)
    assert_problem(company.post("/jobs", json={}), 403)
    assert_problem(freelancer.get(f"/bids/{their_bid['id']}"), 403)
    assert admin.get(f"/jobs/{open_job['id']}").json["status"] == "closed"
    assert admin.get(f"/bids/{their_bid['id']}").json["status"] == "withdrawn"
    assert admin.get(f"/bids/{other_bid['id']}").json["status"] in ("withdrawn", "declined")
    assert_problem(
        admin.post(f"/admin/users/{company_actor.id}/suspend", json={"reason": "again"}), 409
    )

    assert admin.post(f"/admin/users/{company_actor.id}/reinstate").json["status"] == "active"
    assert company.get("/jobs").status_code == 200
    assert_problem(admin.post(f"/admin/users/{company_actor.id}/reinstate"), 409)


def test_suspending_a_client_closes_its_open_jobs_and_declines_their_bids(api, factory, admin):
    company_actor = factory.client()
    company = api.as_user(company_actor)
    bidder, other_bidder = api.as_user(factory.freelancer()), api.as_user(factory.freelancer())
    open_jobs = [post_job(company) for _ in range(2)]
    pending = [place_bid(bidder, job["id"]) for job in open_jobs]
    withdrawn = place_bid(other_bidder, open_jobs[0]["id"])
    other_bidder.post(f"/bids/{withdrawn['id']}/withdraw")
    elsewhere = place_bid(bidder, post_job(api.as_user(factory.client()))["id"])

    response = admin.post(f"/admin/users/{company_actor.id}/suspend", json={"reason": "Spam."})

    assert response.status_code == 200
    for job in open_jobs:
        assert admin.get(f"/jobs/{job['id']}").json["status"] == "closed"
    assert [admin.get(f"/bids/{b['id']}").json["status"] for b in pending] == ["declined"] * 2
    assert admin.get(f"/bids/{withdrawn['id']}").json["status"] == "withdrawn"
    assert admin.get(f"/bids/{elsewhere['id']}").json["status"] == "pending"
    entry = admin.get("/admin/audit-log", query_string={"action": "user.suspended"}).json["data"]
    assert entry[0]["data"] == {"reason": "Spam.", "bids_withdrawn": 0, "jobs_closed": 2}


def test_suspending_a_freelancer_withdraws_only_their_pending_bids(api, factory, admin):
    company = api.as_user(factory.client())
    freelancer_actor = factory.freelancer()
    freelancer, other = api.as_user(freelancer_actor), api.as_user(factory.freelancer())
    job = post_job(company)
    theirs = [place_bid(freelancer, job["id"]), place_bid(freelancer, post_job(company)["id"])]
    others = place_bid(other, job["id"])

    admin.post(f"/admin/users/{freelancer_actor.id}/suspend", json={"reason": "Spam."})

    assert [admin.get(f"/bids/{b['id']}").json["status"] for b in theirs] == ["withdrawn"] * 2
    assert admin.get(f"/bids/{others['id']}").json["status"] == "pending"
    assert admin.get(f"/jobs/{job['id']}").json["status"] == "open"
    entry = admin.get("/admin/audit-log", query_string={"action": "user.suspended"}).json["data"]
    assert entry[0]["data"] == {"reason": "Spam.", "bids_withdrawn": 2, "jobs_closed": 0}


def test_suspension_needs_a_reason_and_an_existing_other_user(api, factory, admin):
    me = admin.get("/me").json["id"]
    target = factory.client()

    assert_problem(admin.post(f"/admin/users/{target.id}/suspend", json={}), 422, "reason")
    assert_problem(admin.post("/admin/users/999999/suspend", json={"reason": "x"}), 404)
    assert_problem(admin.post(f"/admin/users/{me}/suspend", json={"reason": "x"}), 409)


def test_the_audit_log_records_admin_actions_and_money(api, factory, admin):
    company, freelancer = api.as_user(factory.client()), api.as_user(factory.freelancer())
    milestone = contract_with(company, freelancer, 7_000)["milestones"][0]["id"]
    fund(company, milestone)
    target = factory.client()
    admin.post(f"/admin/users/{target.id}/suspend", json={"reason": "Spam."})
    admin_id = admin.get("/me").json["id"]

    entries = admin.get("/admin/audit-log").json["data"]
    money = admin.get("/admin/audit-log", query_string={"target": f"milestone:{milestone}"}).json[
        "data"
    ]
    by_admin = admin.get("/admin/audit-log", query_string={"actor_id": admin_id}).json["data"]
    suspensions = admin.get("/admin/audit-log", query_string={"action": "user.suspended"}).json[
        "data"
    ]

    assert entries[0]["action"] == "user.suspended"
    assert entries[0]["actor"] == {"id": admin_id, "name": admin.get("/me").json["name"]}
    assert entries[0]["target"] == f"user:{target.id}"
    assert entries[0]["data"]["reason"] == "Spam."
    assert [e["action"] for e in money] == ["milestone.funded"]
    assert money[0]["data"] == {
        "amount": 7_000,
        "currency": "USD",
        "intent": money[0]["data"]["intent"],
    }
    assert [e["action"] for e in by_admin] == ["user.suspended"]
    assert len(suspensions) == 1


def test_the_ledger_check(api, factory, admin):
    company, freelancer = api.as_user(factory.client()), api.as_user(factory.freelancer())
    milestone = contract_with(company, freelancer, 7_000)["milestones"][0]["id"]
    fund(company, milestone)

    result = admin.get("/admin/ledger/verify").json

    # The funding, and the provider's fee on its charge.
    assert result == {"ok": True, "transactions": 2, "problems": []}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/admin/users"),
        ("POST", "/admin/users/1/suspend"),
        ("POST", "/admin/users/1/reinstate"),
        ("GET", "/admin/audit-log"),
        ("GET", "/admin/ledger/verify"),
        ("GET", "/admin/reconciliation"),
    ],
)
def test_everyone_but_an_admin_is_refused(api, factory, method, path):
    body = {"reason": "x"} if path.endswith("suspend") else None
    assert_problem(api.request(method, path, json=body), 401)
    for actor in (factory.client(), factory.freelancer()):
        assert_problem(api.as_user(actor).request(method, path, json=body), 403)
