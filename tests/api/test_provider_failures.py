"""A gateway that fails at each step: 502, nothing changed, and a retry moves money once."""

import pytest

from tests.client import assert_problem
from tests.money import assert_ledger_ok, balance, contract_with, failing_gateway, fund

__all__ = ["failing_gateway"]


@pytest.fixture
def deal(api, factory):
    class Deal:
        company = api.as_user(factory.client())
        freelancer = api.as_user(factory.freelancer())

    Deal.contract = contract_with(Deal.company, Deal.freelancer, 25_000)
    Deal.milestone = Deal.contract["milestones"][0]["id"]
    return Deal


def snapshot(deal):
    return (
        deal.company.get(f"/contracts/{deal.contract['id']}").json,
        balance(deal.company),
        balance(deal.freelancer),
        deal.company.get("/me/transactions").json,
        deal.freelancer.get("/me/transactions").json,
    )


def records(failing_gateway, kind, milestone_id):
    found = failing_gateway.inner.records(kind)
    if kind == "charge":
        return [r for r in found if r["metadata"]["milestone_id"] == str(milestone_id)]
    if kind == "transfer":
        return [r for r in found if r["transfer_group"] == f"milestone-{milestone_id}"]
    return found


@pytest.mark.parametrize("when", ["before", "after"])
def test_funding(app, deal, failing_gateway, when):
    before = snapshot(deal)
    failing_gateway.fail("charge", when)

    assert_problem(fund(deal.company, deal.milestone, expect_5xx=True), 502)

    assert snapshot(deal) == before
    assert fund(deal.company, deal.milestone).json["status"] == "funded"
    assert len(records(failing_gateway, "charge", deal.milestone)) == 1
    assert balance(deal.company)["in_escrow"] == 25_000
    assert_ledger_ok(app)


@pytest.mark.parametrize("when", ["before", "after"])
def test_refund(app, deal, failing_gateway, when):
    fund(deal.company, deal.milestone)
    before = snapshot(deal)
    failing_gateway.fail("refund", when)

    response = deal.freelancer.post(f"/milestones/{deal.milestone}/refund", expect_5xx=True)

    assert_problem(response, 502)
    assert snapshot(deal) == before
    retry = deal.freelancer.post(f"/milestones/{deal.milestone}/refund")
    assert retry.json["status"] == "cancelled"
    assert len(records(failing_gateway, "refund", deal.milestone)) == 1
    assert balance(deal.company)["refunded"] == 25_000
    assert_ledger_ok(app)


@pytest.mark.parametrize("when", ["before", "after"])
def test_release_paid_out_at_once(app, deal, failing_gateway, when):
    deal.freelancer.post("/me/payout-account")
    fund(deal.company, deal.milestone)
    deal.freelancer.post(f"/milestones/{deal.milestone}/submit", json={"note": "done"})
    before = snapshot(deal)
    failing_gateway.fail("transfer", when)

    response = deal.company.post(f"/milestones/{deal.milestone}/approve", expect_5xx=True)

    assert_problem(response, 502)
    assert snapshot(deal) == before
    assert deal.company.post(f"/milestones/{deal.milestone}/approve").json["status"] == ("approved")
    assert len(records(failing_gateway, "transfer", deal.milestone)) == 1
    assert balance(deal.freelancer)["paid_out"] == 22_500
    assert_ledger_ok(app)


@pytest.mark.parametrize("when", ["before", "after"])
def test_paying_out_what_waited(app, deal, failing_gateway, when):
    fund(deal.company, deal.milestone)
    deal.freelancer.post(f"/milestones/{deal.milestone}/submit", json={"note": "done"})
    deal.company.post(f"/milestones/{deal.milestone}/approve")
    before = snapshot(deal)
    failing_gateway.fail("transfer", when)

    assert_problem(deal.freelancer.post("/me/payout-account", expect_5xx=True), 502)

    assert snapshot(deal) == before
    # Payouts are on; the transfer is written down, and the next request finds it out.
    assert deal.freelancer.get("/me").json["payouts_enabled"] is True
    assert deal.freelancer.post("/me/payout-account").json["payouts_enabled"] is True
    assert len(records(failing_gateway, "transfer", deal.milestone)) == 1
    assert balance(deal.freelancer)["paid_out"] == 22_500
    assert_ledger_ok(app)


@pytest.mark.parametrize("when", ["before", "after"])
def test_creating_the_payout_account(app, deal, failing_gateway, when):
    failing_gateway.fail("create_payout_account", when)

    assert_problem(deal.freelancer.post("/me/payout-account", expect_5xx=True), 502)

    assert deal.freelancer.get("/me").json["payouts_enabled"] is False
    assert deal.freelancer.post("/me/payout-account").json["payouts_enabled"] is True
    assert len(failing_gateway.inner.records("account")) == 1
