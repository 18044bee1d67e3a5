"""Disputes: opened by either party, discussed, resolved by an admin with a split."""

import pytest

from tests.client import assert_problem
from tests.money import assert_ledger_ok, balance, contract_with, failing_gateway, fund

__all__ = ["failing_gateway"]


@pytest.fixture
def case(api, factory):
    class Case:
        company = api.as_user(factory.client())
        freelancer = api.as_user(factory.freelancer())
        admin = api.as_user(factory.admin())
        stranger = api.as_user(factory.client())

    Case.contract = contract_with(Case.company, Case.freelancer, 50_000)
    Case.milestone = Case.contract["milestones"][0]["id"]
    fund(Case.company, Case.milestone)
    return Case


def open_by(who, milestone_id, reason="The spreadsheet is half empty."):
    response = who.post(f"/milestones/{milestone_id}/disputes", json={"reason": reason})
    assert response.status_code == 201, response.json
    return response.json


def status_of(case):
    contract = case.company.get(f"/contracts/{case.contract['id']}").json
    return contract["milestones"][0]["status"]


@pytest.mark.parametrize("opener", ["company", "freelancer"])
@pytest.mark.parametrize("stage", ["funded", "submitted", "changes_requested"])
def test_either_party_opens_a_dispute_that_freezes_the_money(case, opener, stage):
    if stage != "funded":
        case.freelancer.post(f"/milestones/{case.milestone}/submit", json={"note": "x"})
    if stage == "changes_requested":
        case.company.post(f"/milestones/{case.milestone}/request-changes", json={"reason": "y"})
    who = getattr(case, opener)

    dispute = open_by(who, case.milestone)

    assert dispute["status"] == "open"
    assert dispute["milestone_id"] == case.milestone
    assert dispute["contract_id"] == case.contract["id"]
    assert dispute["opened_by"]["id"] == who.get("/me").json["id"]
    assert dispute["resolution"] is None
    assert dispute["messages"] == []
    assert status_of(case) == "disputed"
    path = f"/milestones/{case.milestone}"
    assert_problem(case.company.post(f"{path}/approve"), 409)
    assert_problem(case.freelancer.post(f"{path}/refund"), 409)
    assert_problem(case.freelancer.post(f"{path}/submit", json={"note": "x"}), 409)
    assert_problem(who.post(f"{path}/disputes", json={"reason": "again"}), 409)
    assert balance(case.company)["in_escrow"] == 50_000


def test_disputes_need_money_held_and_a_party(api, factory, case):
    pending = contract_with(case.company, case.freelancer, 1_000)["milestones"][0]["id"]

    assert_problem(case.company.post(f"/milestones/{pending}/disputes", json={"reason": "x"}), 409)
    assert_problem(
        case.stranger.post(f"/milestones/{case.milestone}/disputes", json={"reason": "x"}), 404
    )
    assert_problem(
        case.admin.post(f"/milestones/{case.milestone}/disputes", json={"reason": "x"}), 403
    )
    assert_problem(
        case.company.post(f"/milestones/{case.milestone}/disputes", json={}), 422, "reason"
    )
    assert status_of(case) == "funded"


def test_parties_and_admins_discuss_and_see_only_their_disputes(api, factory, case):
    dispute = open_by(case.freelancer, case.milestone)
    path = f"/disputes/{dispute['id']}"
    for who, body in (
        (case.company, "We got 120 rows of 300."),
        (case.freelancer, "The rest are attached."),
        (case.admin, "Both: please send the file."),
    ):
        response = who.post(f"{path}/messages", json={"body": body})
        assert response.status_code == 201
        assert set(response.json) == {"id", "author", "body", "created_at"}

    seen = case.company.get(path).json
    assert [m["body"] for m in seen["messages"]] == [
        "We got 120 rows of 300.",
        "The rest are attached.",
        "Both: please send the file.",
    ]
    assert case.freelancer.get(path).json == seen
    assert_problem(case.stranger.get(path), 404)
    assert_problem(case.stranger.post(f"{path}/messages", json={"body": "hi"}), 404)
    assert [d["id"] for d in case.company.get("/disputes").json["data"]] == [dispute["id"]]
    assert case.stranger.get("/disputes").json["data"] == []


def test_the_admin_queue_is_oldest_first_and_filters_by_status(api, factory, case):
    first = open_by(case.company, case.milestone)
    other = contract_with(case.company, case.freelancer, 2_000)["milestones"][0]["id"]
    fund(case.company, other)
    second = open_by(case.freelancer, other)
    case.admin.post(
        f"/disputes/{first['id']}/resolve", json={"freelancer_amount": 0, "note": "Refund in full."}
    )

    queue = case.admin.get("/disputes").json["data"]
    open_only = case.admin.get("/disputes", query_string={"status": "open"}).json["data"]
    parties_view = case.company.get("/disputes").json["data"]

    assert [d["id"] for d in queue] == [first["id"], second["id"]]
    assert [d["id"] for d in open_only] == [second["id"]]
    assert [d["id"] for d in parties_view] == [second["id"], first["id"]]


@pytest.mark.parametrize(
    ("freelancer_amount", "released", "fee", "refunded"),
    [
        (30_000, 30_000, 3_000, 20_000),
        (0, 0, 0, 50_000),
        (50_000, 50_000, 5_000, 0),
        (12_345, 12_345, 1_235, 37_655),
    ],
)
def test_a_resolution_splits_the_money(app, case, freelancer_amount, released, fee, refunded):
    dispute = open_by(case.company, case.milestone)

    response = case.admin.post(
        f"/disputes/{dispute['id']}/resolve",
        json={
            "freelancer_amount": freelancer_amount,
            "note": "Two thirds of the rows were delivered.",
        },
    )

    assert response.status_code == 200
    resolution = response.json["resolution"]
    assert response.json["status"] == "resolved"
    assert resolution["freelancer_amount"] == freelancer_amount
    assert resolution["client_amount"] == 50_000 - freelancer_amount
    assert resolution["note"] == "Two thirds of the rows were delivered."
    assert resolution["resolved_by"]["id"] == case.admin.get("/me").json["id"]
    assert resolution["resolved_at"]
    assert case.freelancer.get(f"/disputes/{dispute['id']}").json["resolution"] == resolution
    assert status_of(case) == "resolved"
    assert balance(case.freelancer)["pending_payout"] == released - fee
    assert balance(case.freelancer)["fees"] == fee
    assert balance(case.company)["refunded"] == refunded
    assert balance(case.company)["in_escrow"] == 0
    assert_problem(
        case.admin.post(
            f"/disputes/{dispute['id']}/resolve", json={"freelancer_amount": 0, "note": "again"}
        ),
        409,
    )
    assert_ledger_ok(app)


def test_only_admins_resolve_and_within_the_amount(case):
    dispute = open_by(case.company, case.milestone)
    path = f"/disputes/{dispute['id']}/resolve"
    body = {"freelancer_amount": 10_000, "note": "split"}

    for who in (case.company, case.freelancer, case.stranger):
        assert_problem(who.post(path, json=body), 403)
    assert_problem(
        case.admin.post(path, json={**body, "freelancer_amount": 50_001}), 422, "freelancer_amount"
    )
    assert_problem(
        case.admin.post(path, json={**body, "freelancer_amount": -1}), 422, "freelancer_amount"
    )
    assert_problem(case.admin.post(path, json={"freelancer_amount": 5}), 422, "note")
    assert_problem(case.admin.post("/disputes/999999/resolve", json=body), 404)
    assert status_of(case) == "disputed"


@pytest.mark.parametrize("failing", ["refund", "transfer"])
@pytest.mark.parametrize("when", ["before", "after"])
def test_a_half_failed_resolution_is_completed_by_a_retry(
    app, case, failing_gateway, failing, when
):
    case.freelancer.post("/me/payout-account")
    dispute = open_by(case.company, case.milestone)
    failing_gateway.fail(failing, when)
    body = {"freelancer_amount": 20_000, "note": "split"}

    failed = case.admin.post(f"/disputes/{dispute['id']}/resolve", json=body, expect_5xx=True)

    assert_problem(failed, 502)
    assert status_of(case) == "disputed"
    # The refund is booked once the provider answered it; the transfer waits for a retry.
    refunded_first = 30_000 if failing == "transfer" else 0
    assert balance(case.company)["refunded"] == refunded_first
    assert balance(case.freelancer)["in_escrow"] == 50_000 - refunded_first
    assert_ledger_ok(app, reconciled=when == "before")  # "after": the provider acted
    assert case.admin.post(f"/disputes/{dispute['id']}/resolve", json=body).status_code == 200
    inner = failing_gateway.inner
    assert len(inner.records("refund")) == 1
    assert len(inner.records("transfer")) == 1
    assert balance(case.company)["refunded"] == 30_000
    assert balance(case.freelancer)["paid_out"] == 18_000
    assert_ledger_ok(app)
