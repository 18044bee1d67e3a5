"""Escrow on the local gateway: fund, deliver, approve, request changes, refund, payouts."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from marketplace.audit import AuditEntry
from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.payments.gateway import get_gateway
from marketplace.payments.models import LedgerLine
from tests.client import assert_problem
from tests.money import assert_ledger_ok, balance, contract_with, fund


@pytest.fixture
def deal(api, factory):
    class Deal:
        company = api.as_user(factory.client())
        freelancer = api.as_user(factory.freelancer(country="NG"))
        stranger = api.as_user(factory.client())

    Deal.contract = contract_with(Deal.company, Deal.freelancer, 40_000, 12_345)
    Deal.first, Deal.second = (m["id"] for m in Deal.contract["milestones"])
    return Deal


def gateway_records(app, kind):
    with app.app_context():
        return get_gateway().records(kind)


def milestone(deal, milestone_id):
    contract = deal.company.get(f"/contracts/{deal.contract['id']}").json
    return next(m for m in contract["milestones"] if m["id"] == milestone_id)


def test_the_whole_way_from_funding_to_payout(app, deal):
    funded = fund(deal.company, deal.first)
    assert funded.status_code == 200
    assert funded.json["status"] == "funded"
    assert "payment" not in funded.json
    assert balance(deal.company)["in_escrow"] == 40_000
    assert balance(deal.freelancer)["in_escrow"] == 40_000

    submitted = deal.freelancer.post(
        f"/milestones/{deal.first}/submit", json={"note": "All 300 invoices typed up."}
    )
    assert submitted.json["status"] == "submitted"
    assert submitted.json["submissions"][0]["note"] == "All 300 invoices typed up."
    due = datetime.fromisoformat(submitted.json["auto_release_at"])
    assert abs(due - (utcnow() + timedelta(days=14))) < timedelta(minutes=1)

    approved = deal.company.post(f"/milestones/{deal.first}/approve")
    assert approved.json["status"] == "approved"
    assert balance(deal.freelancer) == {
        "in_escrow": 0,
        "pending_payout": 36_000,
        "paid_out": 0,
        "refunded": 0,
        "fees": 4_000,
    }
    assert balance(deal.company)["in_escrow"] == 0

    enabled = deal.freelancer.post("/me/payout-account")
    assert enabled.json == {"onboarding_url": None, "payouts_enabled": True}
    assert deal.freelancer.get("/me").json["payouts_enabled"] is True
    assert balance(deal.freelancer)["paid_out"] == 36_000
    assert balance(deal.freelancer)["pending_payout"] == 0
    transfers = [
        t
        for t in gateway_records(app, "transfer")
        if t["transfer_group"] == f"milestone-{deal.first}"
    ]
    assert len(transfers) == 1
    assert transfers[0]["amount"] == 36_000
    assert transfers[0]["source_charge_id"].startswith("ch_")
    assert_ledger_ok(app)


def test_statements_list_each_users_own_lines(app, deal):
    fund(deal.company, deal.first)
    deal.freelancer.post(f"/milestones/{deal.first}/submit", json={"note": "done"})
    deal.company.post(f"/milestones/{deal.first}/approve")
    deal.freelancer.post("/me/payout-account")

    client_lines = deal.company.get("/me/transactions").json["data"]
    freelancer_lines = deal.freelancer.get("/me/transactions").json["data"]

    assert [(t["type"], t["amount"]) for t in client_lines] == [("funding", -40_000)]
    assert [(t["type"], t["amount"]) for t in freelancer_lines] == [
        ("payout", -36_000),
        ("fee", -4_000),
        ("release", 40_000),
    ]
    assert {t["milestone_id"] for t in freelancer_lines} == {deal.first}
    assert set(client_lines[0]) == {
        "id",
        "type",
        "amount",
        "currency",
        "milestone_id",
        "created_at",
    }
    assert deal.stranger.get("/me/transactions").json["data"] == []
    assert deal.stranger.get("/me/balance").json == {"balances": []}
    fees_only = deal.freelancer.get("/me/transactions", query_string={"type": "fee"}).json
    assert [t["amount"] for t in fees_only["data"]] == [-4_000]


@pytest.mark.parametrize(
    ("amount", "fee_bps", "fee"),
    [
        (12_345, 1000, 1_235),
        (12_344, 1000, 1_234),
        (50_005, 1000, 5_001),
        (50_004, 1000, 5_000),
        (999, 0, 0),
        (10_001, 250, 250),
        (10_020, 250, 251),
        (57, 10_000, 57),
    ],
)
def test_the_fee_is_rounded_half_up_once_per_release(app, api, factory, amount, fee_bps, fee):
    company, freelancer = api.as_user(factory.client()), api.as_user(factory.freelancer())
    app.config["PLATFORM_FEE_BPS"] = fee_bps
    try:
        contract = contract_with(company, freelancer, amount)
    finally:
        app.config["PLATFORM_FEE_BPS"] = 1000
    milestone_id = contract["milestones"][0]["id"]
    fund(company, milestone_id)
    freelancer.post(f"/milestones/{milestone_id}/submit", json={"note": "done"})
    company.post(f"/milestones/{milestone_id}/approve")

    assert balance(freelancer)["fees"] == fee
    assert balance(freelancer)["pending_payout"] == amount - fee
    assert_ledger_ok(app)


@pytest.mark.parametrize(
    "method",
    [
        "pm_card_chargeDeclined",
        "pm_card_chargeDeclinedInsufficientFunds",
        "pm_card_chargeCustomerFail",
    ],
)
def test_a_declined_card_is_a_402_that_books_nothing(app, deal, method):
    response = fund(deal.company, deal.first, method)

    assert_problem(response, 402)
    assert milestone(deal, deal.first)["status"] == "pending"
    assert balance(deal.company)["in_escrow"] == 0
    assert deal.company.get("/me/transactions").json["data"] == []
    retry = fund(deal.company, deal.first, "pm_card_mastercard")
    assert retry.json["status"] == "funded"
    assert_ledger_ok(app)


def test_the_local_gateway_needs_a_known_payment_method(deal):
    assert_problem(
        deal.company.post(f"/milestones/{deal.first}/fund", json={}), 422, "payment_method"
    )
    assert_problem(fund(deal.company, deal.first, "pm_card_bogus"), 422, "payment_method")
    assert_problem(fund(deal.company, deal.first, "tok_visa"), 422, "payment_method")
    assert milestone(deal, deal.first)["status"] == "pending"


def test_only_the_right_party_moves_the_money(deal):
    assert_problem(fund(deal.freelancer, deal.first), 403)
    assert_problem(fund(deal.stranger, deal.first), 404)
    fund(deal.company, deal.first)
    assert_problem(deal.company.post(f"/milestones/{deal.first}/submit", json={"note": "x"}), 403)
    assert_problem(deal.stranger.post(f"/milestones/{deal.first}/refund"), 404)
    assert_problem(deal.company.post(f"/milestones/{deal.first}/refund"), 403)
    deal.freelancer.post(f"/milestones/{deal.first}/submit", json={"note": "x"})
    assert_problem(deal.freelancer.post(f"/milestones/{deal.first}/approve"), 403)
    assert_problem(
        deal.freelancer.post(f"/milestones/{deal.first}/request-changes", json={"reason": "x"}),
        403,
    )
    assert_problem(deal.stranger.post(f"/milestones/{deal.first}/approve"), 404)
    assert milestone(deal, deal.first)["status"] == "submitted"


def test_changes_requested_then_delivered_again(app, deal):
    fund(deal.company, deal.first)
    deal.freelancer.post(f"/milestones/{deal.first}/submit", json={"note": "first try"})

    sent_back = deal.company.post(
        f"/milestones/{deal.first}/request-changes", json={"reason": "Rows 40-60 are missing."}
    )
    again = deal.freelancer.post(f"/milestones/{deal.first}/submit", json={"note": "fixed"})

    assert sent_back.json["status"] == "changes_requested"
    assert sent_back.json["auto_release_at"] is None
    assert again.json["status"] == "submitted"
    assert [s["note"] for s in again.json["submissions"]] == ["first try", "fixed"]
    assert_problem(
        deal.company.post(f"/milestones/{deal.first}/request-changes", json={}), 422, "reason"
    )
    assert balance(deal.company)["in_escrow"] == 40_000
    assert_ledger_ok(app)


@pytest.mark.parametrize("stage", ["funded", "submitted", "changes_requested"])
def test_the_freelancer_refunds_everything(app, deal, stage):
    fund(deal.company, deal.second)
    if stage != "funded":
        deal.freelancer.post(f"/milestones/{deal.second}/submit", json={"note": "x"})
    if stage == "changes_requested":
        deal.company.post(f"/milestones/{deal.second}/request-changes", json={"reason": "y"})

    refunded = deal.freelancer.post(f"/milestones/{deal.second}/refund")

    assert refunded.json["status"] == "cancelled"
    assert balance(deal.company) == {
        "in_escrow": 0,
        "pending_payout": 0,
        "paid_out": 0,
        "refunded": 12_345,
        "fees": 0,
    }
    assert balance(deal.freelancer)["in_escrow"] == 0
    refunds = [r for r in gateway_records(app, "refund") if r["amount"] == 12_345]
    assert len(refunds) >= 1
    assert_problem(deal.freelancer.post(f"/milestones/{deal.second}/refund"), 409)
    assert_ledger_ok(app)


def test_releases_wait_for_payouts_then_go_at_once(app, deal):
    for milestone_id in (deal.first, deal.second):
        fund(deal.company, milestone_id)
        deal.freelancer.post(f"/milestones/{milestone_id}/submit", json={"note": "x"})
    deal.company.post(f"/milestones/{deal.first}/approve")
    assert balance(deal.freelancer)["pending_payout"] == 36_000

    deal.freelancer.post("/me/payout-account")
    assert balance(deal.freelancer)["paid_out"] == 36_000

    deal.company.post(f"/milestones/{deal.second}/approve")  # paid out in the same request
    assert balance(deal.freelancer) == {
        "in_escrow": 0,
        "pending_payout": 0,
        "paid_out": 36_000 + 11_110,
        "refunded": 0,
        "fees": 4_000 + 1_235,
    }
    again = deal.freelancer.post("/me/payout-account")
    assert again.json == {"onboarding_url": None, "payouts_enabled": True}
    assert_ledger_ok(app)


def test_only_freelancers_have_payout_accounts(deal):
    assert_problem(deal.company.post("/me/payout-account"), 403)


def test_a_retried_fund_with_its_key_charges_once(app, deal):
    headers = {"Idempotency-Key": f"fund-{deal.first}"}

    first = fund(deal.company, deal.first, headers=headers)
    retry = fund(deal.company, deal.first, headers=headers)

    assert first.json == retry.json
    assert retry.headers["Idempotent-Replayed"] == "true"
    charges = [
        c
        for c in gateway_records(app, "charge")
        if c["metadata"]["milestone_id"] == str(deal.first)
    ]
    assert len(charges) == 1


def test_money_actions_follow_the_state_table(app, deal):
    path = f"/milestones/{deal.first}"
    assert_problem(deal.freelancer.post(f"{path}/submit", json={"note": "early"}), 409)
    assert_problem(deal.company.post(f"{path}/approve"), 409)
    assert_problem(deal.freelancer.post(f"{path}/refund"), 409)
    fund(deal.company, deal.first)
    assert_problem(fund(deal.company, deal.first), 409)
    assert_problem(deal.company.post(f"{path}/approve"), 409)
    assert_problem(deal.company.post(f"{path}/cancel"), 409)
    deal.freelancer.post(f"{path}/submit", json={"note": "x"})
    deal.company.post(f"{path}/approve")
    for action, caller in (
        ("approve", deal.company),
        ("refund", deal.freelancer),
        ("request-changes", deal.company),
    ):
        assert_problem(
            caller.post(
                f"{path}/{action}", json={"reason": "r"} if action == "request-changes" else None
            ),
            409,
        )
    assert_problem(deal.freelancer.post(f"{path}/submit", json={"note": "x"}), 409)
    assert balance(deal.freelancer)["pending_payout"] == 36_000
    assert_ledger_ok(app)


def test_ledger_lines_and_audit_entries_cannot_be_changed(app, api, factory):
    company, freelancer = api.as_user(factory.client()), api.as_user(factory.freelancer())
    fund(company, contract_with(company, freelancer, 1_000)["milestones"][0]["id"])
    with app.app_context():
        line = db.session.scalars(select(LedgerLine)).first()
        line.amount += 1
        with pytest.raises(RuntimeError, match="append-only"):
            db.session.flush()
        db.session.rollback()
        entry = db.session.scalars(select(AuditEntry)).first()
        db.session.delete(entry)
        with pytest.raises(RuntimeError, match="append-only"):
            db.session.flush()
        db.session.rollback()


def test_the_reason_for_changes_reaches_the_freelancer_on_that_delivery(deal):
    fund(deal.company, deal.first)
    first = deal.freelancer.post(f"/milestones/{deal.first}/submit", json={"note": "first try"})
    assert first.json["submissions"][0]["changes_requested"] is None

    deal.company.post(
        f"/milestones/{deal.first}/request-changes", json={"reason": "Rows 40-60 are missing."}
    )
    deal.freelancer.post(f"/milestones/{deal.first}/submit", json={"note": "fixed"})

    seen = deal.freelancer.get(f"/contracts/{deal.contract['id']}").json["milestones"][0]
    earlier, latest = seen["submissions"]
    assert set(earlier) == {"id", "note", "report", "changes_requested", "created_at"}
    assert earlier["report"] is None
    assert earlier["note"] == "first try"
    assert earlier["changes_requested"]["reason"] == "Rows 40-60 are missing."
    asked = datetime.fromisoformat(earlier["changes_requested"]["created_at"])
    assert abs(asked - utcnow()) < timedelta(minutes=1)
    assert latest["note"] == "fixed"
    assert latest["changes_requested"] is None
    assert earlier["id"] != latest["id"]


def _finish(deal, how):
    """Submit the first milestone, then end its review one way or another."""
    fund(deal.company, deal.first)
    deal.freelancer.post(f"/milestones/{deal.first}/submit", json={"note": "done"})
    path = f"/milestones/{deal.first}"
    if how == "approved":
        return deal.company.post(f"{path}/approve")
    if how == "refunded":
        return deal.freelancer.post(f"{path}/refund")
    if how == "changes_requested":
        return deal.company.post(f"{path}/request-changes", json={"reason": "More."})
    dispute = deal.company.post(f"{path}/disputes", json={"reason": "Wrong totals."})
    if how == "disputed":
        return dispute
    return deal.admin.post(
        f"/disputes/{dispute.json['id']}/resolve", json={"freelancer_amount": 0, "note": "x"}
    )


OUT_OF_REVIEW = ["approved", "refunded", "changes_requested", "disputed", "resolved"]


@pytest.mark.parametrize("how", OUT_OF_REVIEW)
def test_a_milestone_out_of_review_shows_no_auto_release(api, factory, deal, how):
    deal.admin = api.as_user(factory.admin())

    response = _finish(deal, how)

    assert response.status_code in (200, 201), response.json
    assert milestone(deal, deal.first)["auto_release_at"] is None


def test_a_refused_transition_says_what_the_status_is_and_what_it_needs(deal):
    _finish(deal, "changes_requested")

    refused = deal.company.post(f"/milestones/{deal.first}/approve")

    body = assert_problem(refused, 409)
    assert body["detail"] == (
        "Cannot approve a milestone whose status is changes_requested (only when submitted)."
    )
