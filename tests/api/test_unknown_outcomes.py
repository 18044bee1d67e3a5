"""When the provider's answer is lost, the call is found out, never left to wedge the milestone.

The provider may have acted on a call whose answer never came. The call was written
down before it was made, so the next action on the milestone, `recover-operations` or
an admin repeats it with the same key: the provider answers what it did (or does it
now), that is booked once, and only then is the new action decided.
"""

import threading
import time

import pytest

from marketplace.payments.gateway import get_gateway
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


def status_of(deal):
    contract = deal.company.get(f"/contracts/{deal.contract['id']}").json
    return next(m["status"] for m in contract["milestones"] if m["id"] == deal.milestone)


def pending_operations(admin):
    page = admin.get("/admin/operations", query_string={"status": "pending"}).json
    return [operation["kind"] for operation in page["data"]]


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


@pytest.mark.parametrize("when", ["before", "after"])
def test_a_lost_transfer_is_found_out_by_the_next_action_and_booked_once(
    app, deal, failing_gateway, when
):
    deal.freelancer.post("/me/payout-account")
    fund(deal.company, deal.milestone)
    deal.freelancer.post(f"/milestones/{deal.milestone}/submit", json={"note": "done"})
    failing_gateway.fail("transfer", when)
    lost = deal.company.post(f"/milestones/{deal.milestone}/approve", expect_5xx=True)
    assert_problem(lost, 502)
    assert "written down" in lost.json["detail"]
    assert status_of(deal) == "submitted"
    assert pending_operations(deal.admin) == ["transfer"]

    # The freelancer's refund first asks the provider again (same key): the approval
    # went through (or goes through now), so it is booked and the refund is refused.
    refund = deal.freelancer.post(f"/milestones/{deal.milestone}/refund")
    assert_problem(refund, 409)
    assert status_of(deal) == "approved"
    assert pending_operations(deal.admin) == []
    assert provider_money(failing_gateway, deal.milestone) == (50_000, 45_000, 0)
    assert balance(deal.freelancer)["paid_out"] == 45_000
    assert balance(deal.company)["refunded"] == 0
    assert_ledger_ok(app)


def test_the_same_request_repeated_after_a_lost_answer_succeeds_once(app, deal, failing_gateway):
    deal.freelancer.post("/me/payout-account")
    fund(deal.company, deal.milestone)
    deal.freelancer.post(f"/milestones/{deal.milestone}/submit", json={"note": "done"})
    failing_gateway.fail("transfer", "after")
    assert_problem(deal.company.post(f"/milestones/{deal.milestone}/approve", expect_5xx=True), 502)

    again = deal.company.post(f"/milestones/{deal.milestone}/approve")
    assert again.status_code == 200
    assert again.json["status"] == "approved"
    assert provider_money(failing_gateway, deal.milestone) == (50_000, 45_000, 0)
    assert balance(deal.freelancer)["paid_out"] == 45_000
    assert_ledger_ok(app)


def test_a_lost_refund_in_a_resolution_is_booked_with_its_own_split(app, deal, failing_gateway):
    fund(deal.company, deal.milestone)
    dispute = deal.company.post(f"/milestones/{deal.milestone}/disputes", json={"reason": "x"}).json
    path = f"/disputes/{dispute['id']}/resolve"
    failing_gateway.fail("refund", "after")
    split = {"freelancer_amount": 20_000, "note": "n"}
    assert_problem(deal.admin.post(path, json=split, expect_5xx=True), 502)

    # Another split: the first ruling's refund is found out and completes that ruling.
    other = deal.admin.post(path, json={"freelancer_amount": 50_000, "note": "n"})
    assert_problem(other, 409)
    resolved = deal.admin.get(f"/disputes/{dispute['id']}").json
    assert (resolved["status"], resolved["resolution"]["freelancer_amount"]) == (
        "resolved",
        20_000,
    )

    assert provider_money(failing_gateway, deal.milestone) == (50_000, 0, 30_000)
    assert balance(deal.company)["refunded"] == 30_000
    assert balance(deal.freelancer)["pending_payout"] == 18_000
    assert_ledger_ok(app)


@pytest.mark.parametrize("when", ["before", "after"])
def test_a_lost_charge_is_found_out_before_cancelling_or_another_card(
    app, deal, failing_gateway, when
):
    failing_gateway.fail("charge", when)
    assert_problem(fund(deal.company, deal.milestone, expect_5xx=True), 502)
    assert status_of(deal) == "pending"

    # The charge was written down before it was made: cancelling asks the provider
    # first, finds the milestone funded, and refuses; so does another card.
    assert_problem(deal.company.post(f"/milestones/{deal.milestone}/cancel"), 409)
    assert status_of(deal) == "funded"
    assert_problem(deal.company.post(f"/contracts/{deal.contract['id']}/cancel"), 409)
    assert_problem(fund(deal.company, deal.milestone, "pm_card_mastercard"), 409)

    assert provider_money(failing_gateway, deal.milestone) == (50_000, 0, 0)
    assert balance(deal.company)["in_escrow"] == 50_000
    assert_ledger_ok(app)


def test_recover_operations_books_what_the_provider_did(app, deal, failing_gateway):
    failing_gateway.fail("charge", "after")
    assert_problem(fund(deal.company, deal.milestone, expect_5xx=True), 502)
    [operation] = deal.admin.get("/admin/operations", query_string={"status": "pending"}).json[
        "data"
    ]
    assert (operation["kind"], operation["action"], operation["amount"]) == (
        "charge",
        "fund",
        50_000,
    )

    result = app.test_cli_runner().invoke(args=["marketplace", "recover-operations"])
    assert result.exit_code == 0, result.output
    assert "succeeded" in result.output
    assert status_of(deal) == "funded"
    assert (
        deal.admin.get("/admin/operations", query_string={"status": "pending"}).json["data"] == []
    )
    settled = deal.admin.get("/admin/operations", query_string={"status": "settled"}).json["data"]
    assert [o["id"] for o in settled] == [operation["id"]]
    assert provider_money(failing_gateway, deal.milestone) == (50_000, 0, 0)
    assert_ledger_ok(app)


def test_an_admin_recovers_a_pending_operation(app, deal, failing_gateway):
    deal.freelancer.post("/me/payout-account")
    fund(deal.company, deal.milestone)
    failing_gateway.fail("refund", "after")
    assert_problem(
        deal.freelancer.post(f"/milestones/{deal.milestone}/refund", expect_5xx=True), 502
    )
    [operation] = deal.admin.get("/admin/operations", query_string={"status": "pending"}).json[
        "data"
    ]

    assert_problem(deal.company.post(f"/admin/operations/{operation['id']}/recover"), 403)
    recovered = deal.admin.post(f"/admin/operations/{operation['id']}/recover")
    assert recovered.status_code == 200
    assert recovered.json["status"] == "settled"
    assert status_of(deal) == "cancelled"
    assert balance(deal.company)["refunded"] == 50_000
    # Recovering it again changes nothing.
    assert deal.admin.post(f"/admin/operations/{operation['id']}/recover").json == recovered.json
    assert provider_money(failing_gateway, deal.milestone) == (50_000, 0, 50_000)
    assert_problem(deal.admin.post("/admin/operations/999999/recover"), 404)
    assert_ledger_ok(app)


def test_a_provider_that_still_does_not_answer_leaves_the_operation_pending(
    app, deal, failing_gateway
):
    failing_gateway.fail("charge", "before")
    assert_problem(fund(deal.company, deal.milestone, expect_5xx=True), 502)
    failing_gateway.fail("charge", "before")
    result = app.test_cli_runner().invoke(args=["marketplace", "recover-operations"])
    assert result.exit_code == 1
    assert "still pending" in result.output
    assert pending_operations(deal.admin) == ["charge"]
    assert status_of(deal) == "pending"
    assert provider_money(failing_gateway, deal.milestone) == (0, 0, 0)


def test_answered_calls_before_a_lost_one_are_booked_and_the_lost_one_repeated(
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

    assert balance(deal.freelancer)["paid_out"] == 45_000
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


def test_a_repeat_refused_for_its_own_key_stays_pending_for_an_admin(app, deal, failing_gateway):
    """The provider holds the pending call's key with other parameters (a restored copy
    of the database made a call under it, say): what the first call did is not said, so
    the movement is never settled as failed, though the money may have moved."""
    from marketplace.payments.gateway import ChargeRequest

    failing_gateway.fail("charge", "before")
    assert_problem(fund(deal.company, deal.milestone, expect_5xx=True), 502)
    [operation] = deal.admin.get("/admin/operations", query_string={"status": "pending"}).json[
        "data"
    ]
    failing_gateway.inner.charge(
        ChargeRequest(
            amount=999,
            currency="USD",
            idempotency_key=operation["idempotency_key"],
            milestone_id=deal.milestone,
            transfer_group="elsewhere",
            payment_method="pm_card_visa",
        )
    )

    recovered = deal.admin.post(f"/admin/operations/{operation['id']}/recover", expect_5xx=True)
    assert_problem(recovered, 502)
    assert pending_operations(deal.admin) == ["charge"]
    assert_problem(fund(deal.company, deal.milestone, expect_5xx=True), 502)
    assert status_of(deal) == "pending"
    assert balance(deal.company)["in_escrow"] == 0
