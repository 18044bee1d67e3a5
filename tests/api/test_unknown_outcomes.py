"""When the provider's answer is lost, the milestone waits for the same call, and nothing else.

The provider may have acted on a call whose answer never came. Until that call is
repeated (and answered from the provider's idempotency record), any other money
action on the milestone would risk paying twice, so it is refused with a 409.
"""

import threading
import time

import pytest

from marketplace.payments.service import get_gateway
from tests.client import ApiClient, assert_problem
from tests.money import assert_ledger_ok, balance, contract_with, failing_gateway, fund

__all__ = ["failing_gateway"]


@pytest.fixture
def deal(api, factory):
    class Deal:
        company = api.as_user(factory.client())
        freelancer = api.as_user(factory.freelancer())
        admin = api.as_user(factory.admin())

    Deal.contract = contract_with(Deal.company, Deal.freelancer, 50_000)
    Deal.milestone = Deal.contract["milestones"][0]["id"]
    return Deal


def provider_money(gateway, milestone_id):
    """What the provider moved for the milestone: charged, transferred, refunded."""
    inner = gateway.inner
    group = f"milestone-{milestone_id}"
    charges = [
        c for c in inner.records("charge") if c["metadata"]["milestone_id"] == str(milestone_id)
    ]
    transfers = [t for t in inner.records("transfer") if t["transfer_group"] == group]
    intents = {c["intent_id"] for c in charges}
    refunds = [r for r in inner.records("refund") if r["intent_id"] in intents]
    return (
        sum(c["amount"] for c in charges),
        sum(t["amount"] for t in transfers),
        sum(r["amount"] for r in refunds),
    )


def test_a_lost_transfer_blocks_a_dispute_until_the_approval_is_repeated(
    app, deal, failing_gateway
):
    deal.freelancer.post("/me/payout-account")
    fund(deal.company, deal.milestone)
    deal.freelancer.post(f"/milestones/{deal.milestone}/submit", json={"note": "done"})
    failing_gateway.fail("transfer", "after")
    assert_problem(deal.company.post(f"/milestones/{deal.milestone}/approve", expect_5xx=True), 502)

    blocked = deal.company.post(f"/milestones/{deal.milestone}/disputes", json={"reason": "x"})
    refund = deal.freelancer.post(f"/milestones/{deal.milestone}/refund")

    assert_problem(blocked, 409)
    assert_problem(refund, 409)
    assert deal.company.post(f"/milestones/{deal.milestone}/approve").status_code == 200
    assert provider_money(failing_gateway, deal.milestone) == (50_000, 45_000, 0)
    assert balance(deal.freelancer)["paid_out"] == 45_000
    assert_ledger_ok(app)


def test_a_lost_refund_in_a_resolution_allows_only_the_same_split(app, deal, failing_gateway):
    fund(deal.company, deal.milestone)
    dispute = deal.company.post(f"/milestones/{deal.milestone}/disputes", json={"reason": "x"}).json
    path = f"/disputes/{dispute['id']}/resolve"
    failing_gateway.fail("refund", "after")
    split = {"freelancer_amount": 20_000, "note": "n"}
    assert_problem(deal.admin.post(path, json=split, expect_5xx=True), 502)

    for other in (50_000, 10_000, 0):
        response = deal.admin.post(path, json={"freelancer_amount": other, "note": "n"})
        assert_problem(response, 409)
    assert deal.admin.post(path, json=split).status_code == 200

    assert provider_money(failing_gateway, deal.milestone) == (50_000, 0, 30_000)
    assert balance(deal.company)["refunded"] == 30_000
    assert balance(deal.freelancer)["pending_payout"] == 18_000
    assert_ledger_ok(app)


def test_a_lost_charge_blocks_cancelling_and_other_cards(app, deal, failing_gateway):
    failing_gateway.fail("charge", "after")
    assert_problem(fund(deal.company, deal.milestone, expect_5xx=True), 502)

    assert_problem(deal.company.post(f"/milestones/{deal.milestone}/cancel"), 409)
    assert_problem(deal.company.post(f"/contracts/{deal.contract['id']}/cancel"), 409)
    assert_problem(fund(deal.company, deal.milestone, "pm_card_mastercard"), 409)
    assert fund(deal.company, deal.milestone).json["status"] == "funded"

    assert provider_money(failing_gateway, deal.milestone) == (50_000, 0, 0)
    assert balance(deal.company)["in_escrow"] == 50_000
    assert_ledger_ok(app)


def test_answered_calls_before_a_lost_one_are_repeated_not_redone(
    app, api, factory, deal, failing_gateway
):
    """Enabling payouts pays out two releases; the second transfer's answer is lost."""
    second = contract_with(deal.company, deal.freelancer, 20_000)["milestones"][0]["id"]
    for milestone_id in (deal.milestone, second):
        fund(deal.company, milestone_id)
        deal.freelancer.post(f"/milestones/{milestone_id}/submit", json={"note": "x"})
        deal.company.post(f"/milestones/{milestone_id}/approve")
    calls = {"n": 0}
    real_transfer = failing_gateway.inner.transfer

    def second_transfer_lost(request):
        calls["n"] += 1
        result = real_transfer(request)
        if calls["n"] == 2:
            from marketplace.payments.gateway import ProviderUnavailable

            raise ProviderUnavailable("timed out")
        return result

    failing_gateway.inner.transfer = second_transfer_lost
    try:
        assert_problem(deal.freelancer.post("/me/payout-account", expect_5xx=True), 502)
    finally:
        failing_gateway.inner.transfer = real_transfer

    assert balance(deal.freelancer)["paid_out"] == 0
    assert deal.freelancer.post("/me/payout-account").json["payouts_enabled"] is True
    assert balance(deal.freelancer)["paid_out"] == 45_000 + 18_000
    with app.app_context():
        assert len(get_gateway().inner.records("transfer")) == 2
    assert_ledger_ok(app)


class SlowCharges:
    """The local gateway, taking its time over charges."""

    def __init__(self, inner, seconds):
        self.inner, self.seconds, self.name = inner, seconds, inner.name
        self.started = threading.Event()

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def charge(self, request):
        self.started.set()
        time.sleep(self.seconds)
        return self.inner.charge(request)


def test_a_contract_cannot_be_cancelled_while_its_milestone_is_being_funded(app, deal):
    with app.app_context():
        real = get_gateway()
    slow = SlowCharges(real, 0.5)
    app.extensions["payment_gateway"] = slow
    results = {}
    try:
        funder = threading.Thread(
            target=lambda: results.setdefault(
                "fund", fund(ApiClient(app, deal.company.token), deal.milestone)
            )
        )
        funder.start()
        assert slow.started.wait(5)
        cancel = ApiClient(app, deal.freelancer.token).post(
            f"/contracts/{deal.contract['id']}/cancel"
        )
        funder.join(10)
    finally:
        app.extensions["payment_gateway"] = real

    contract = deal.company.get(f"/contracts/{deal.contract['id']}").json
    assert results["fund"].status_code == 200
    assert_problem(cancel, 409)
    assert contract["status"] == "active"
    assert contract["milestones"][0]["status"] == "funded"
    assert_ledger_ok(app)
