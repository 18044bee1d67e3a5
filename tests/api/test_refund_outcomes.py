"""Refunds that are not (yet) refunds, on the local gateway.

The local gateway's refunds can start pending or failed (`refund_status`) and end later
(`settle_refund`), and money can be refunded outside the marketplace
(`refund_outside`), as Stripe's Dashboard does. Events come signed, as Stripe's would,
and are re-read from the gateway; `recover-operations` asks about refunds no event
ended. Each test ends with the ledger checked and reconciled.
"""

import pytest
from sqlalchemy import select

from marketplace.audit import AuditEntry
from marketplace.extensions import db
from marketplace.milestones.models import EscrowMovement
from marketplace.payments.gateway import get_gateway
from tests.client import assert_problem
from tests.money import assert_ledger_ok, balance, contract_with, fund
from tests.stripe_fake.webhooks import make_event, signed_event

SECRET = "whsec_test_localstripe"


@pytest.fixture
def gateway(app):
    with app.app_context():
        local = get_gateway()
    yield local
    local.refund_status = "succeeded"


@pytest.fixture
def deal(api, factory):
    class Deal:
        company = api.as_user(factory.client())
        freelancer = api.as_user(factory.freelancer())
        admin = api.as_user(factory.admin())

    Deal.contract = contract_with(Deal.company, Deal.freelancer, 25_000)
    Deal.milestone = Deal.contract["milestones"][0]["id"]
    return Deal


def deliver(api, event):
    body, headers = signed_event(event, SECRET)
    response = api.post(
        "/api/v1/webhooks/stripe", data=body, headers=headers, content_type="application/json"
    )
    assert response.status_code == 200, response.json
    return response.json


def status_of(deal):
    contract = deal.company.get(f"/contracts/{deal.contract['id']}").json
    return contract["milestones"][0]["status"]


def refunds(app, milestone_id):
    with app.app_context():
        rows = db.session.scalars(
            select(EscrowMovement)
            .where(EscrowMovement.milestone_id == milestone_id, EscrowMovement.kind == "refund")
            .order_by(EscrowMovement.id)
        ).all()
        found = [(m.status, m.amount, m.action, m.provider_id) for m in rows]
        db.session.rollback()
    return found


def platform_disputes(deal):
    return [d for d in deal.company.get("/disputes").json["data"] if d["opened_by"] is None]


def audit_actions(app):
    with app.app_context():
        actions = db.session.scalars(select(AuditEntry.action)).all()
        db.session.rollback()
    return actions


def refund_pending(app, deal, gateway):
    fund(deal.company, deal.milestone)
    gateway.refund_status = "pending"
    response = deal.freelancer.post(f"/milestones/{deal.milestone}/refund")
    gateway.refund_status = "succeeded"
    assert response.status_code == 200, response.json
    assert response.json["status"] == "funded"
    ((status, _amount, _action, refund_id),) = refunds(app, deal.milestone)
    assert status == "processing"
    return refund_id


def test_a_pending_refund_is_booked_when_it_succeeds(app, api, deal, gateway):
    refund_id = refund_pending(app, deal, gateway)
    assert balance(deal.company)["in_escrow"] == 25_000
    assert balance(deal.company)["refunded"] == 0
    assert_problem(deal.company.post(f"/milestones/{deal.milestone}/cancel"), 409)
    assert_problem(deal.freelancer.post(f"/milestones/{deal.milestone}/refund"), 409)
    assert len(gateway.list_refunds(gateway.records("refund")[0]["intent_id"])) == 1
    assert_ledger_ok(app)

    gateway.settle_refund(refund_id, "succeeded")
    event = make_event("refund.updated", {"id": refund_id, "object": "refund"})
    deliver(api, event)
    assert deliver(api, event)["duplicate"] is True

    assert status_of(deal) == "cancelled"
    assert balance(deal.company)["refunded"] == 25_000
    assert balance(deal.company)["in_escrow"] == 0
    assert_ledger_ok(app)


def test_a_pending_refund_that_fails_freezes_the_milestone(app, api, deal, gateway):
    refund_id = refund_pending(app, deal, gateway)
    gateway.settle_refund(refund_id, "failed")

    event = make_event("refund.failed", {"id": refund_id, "object": "refund"})
    deliver(api, event)
    deliver(api, make_event("charge.refund.updated", {"id": refund_id, "object": "refund"}))

    assert status_of(deal) == "disputed"
    assert balance(deal.company)["in_escrow"] == 25_000
    assert refunds(app, deal.milestone)[0][0] == "failed"
    (dispute,) = platform_disputes(deal)
    assert dispute["milestone_id"] == deal.milestone
    assert "milestone.refund_failed" in audit_actions(app)
    assert_ledger_ok(app)
    # The admin releases it to the freelancer this time.
    ruled = deal.admin.post(
        f"/disputes/{dispute['id']}/resolve", json={"freelancer_amount": 25_000, "note": "paid"}
    )
    assert ruled.status_code == 200, ruled.json
    assert balance(deal.freelancer)["pending_payout"] + balance(deal.freelancer)["paid_out"] == (
        22_500
    )
    assert_ledger_ok(app)


def test_a_refund_that_fails_at_once_freezes_the_milestone(app, deal, gateway):
    fund(deal.company, deal.milestone)
    gateway.refund_status = "failed"

    response = deal.freelancer.post(f"/milestones/{deal.milestone}/refund")

    assert response.status_code == 200, response.json
    assert response.json["status"] == "disputed"
    assert len(platform_disputes(deal)) == 1
    assert balance(deal.company)["in_escrow"] == 25_000
    assert_ledger_ok(app)


def test_a_rulings_refund_that_fails_leaves_the_dispute_open(app, deal, gateway):
    fund(deal.company, deal.milestone)
    opened = deal.freelancer.post(f"/milestones/{deal.milestone}/disputes", json={"reason": "x"})
    dispute_id = opened.json["id"]
    gateway.refund_status = "failed"
    ruling = {"freelancer_amount": 5_000, "note": "split"}

    failed = deal.admin.post(f"/disputes/{dispute_id}/resolve", json=ruling)

    assert failed.status_code == 200, failed.json
    assert failed.json["status"] == "open"
    assert status_of(deal) == "disputed"
    assert balance(deal.company)["in_escrow"] == 25_000
    assert len(deal.company.get("/disputes").json["data"]) == 1  # no second dispute
    assert "milestone.refund_failed" in audit_actions(app)
    assert_ledger_ok(app)

    gateway.refund_status = "succeeded"
    ruled = deal.admin.post(f"/disputes/{dispute_id}/resolve", json=ruling)
    assert ruled.json["status"] == "resolved"
    assert balance(deal.company)["refunded"] == 20_000
    assert_ledger_ok(app)


def test_recover_operations_asks_about_pending_refunds(app, deal, gateway):
    refund_id = refund_pending(app, deal, gateway)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["marketplace", "recover-operations"])
    assert first.exit_code == 0, first.output
    assert status_of(deal) == "funded"

    gateway.settle_refund(refund_id, "failed")
    second = runner.invoke(args=["marketplace", "recover-operations"])

    assert second.exit_code == 0, second.output
    assert f"refund {refund_id} failed" in second.output
    assert status_of(deal) == "disputed"
    assert_ledger_ok(app)


@pytest.mark.parametrize("order", ["charge first", "refund first"])
def test_a_refund_made_outside_is_booked_and_freezes_the_milestone(app, api, deal, gateway, order):
    fund(deal.company, deal.milestone)
    (charge,) = gateway.records("charge")
    outside = gateway.refund_outside(charge["intent_id"], 10_000)
    charge_event = make_event("charge.refunded", {"id": charge["charge_id"], "object": "charge"})
    refund_event = make_event("refund.updated", {"id": outside.refund_id, "object": "refund"})
    events = [charge_event, refund_event]
    if order == "refund first":
        events.reverse()

    for event in (*events, *events):
        deliver(api, event)

    assert status_of(deal) == "disputed"
    assert refunds(app, deal.milestone) == [
        ("succeeded", 10_000, "outside_refund", outside.refund_id)
    ]
    assert balance(deal.company)["refunded"] == 10_000
    assert balance(deal.company)["in_escrow"] == 15_000
    assert len(platform_disputes(deal)) == 1
    assert_ledger_ok(app)


def test_a_pending_outside_refund_freezes_at_once_and_is_booked_when_it_succeeds(
    app, api, deal, gateway
):
    fund(deal.company, deal.milestone)
    (charge,) = gateway.records("charge")
    outside = gateway.refund_outside(charge["intent_id"], 25_000, status="pending")

    deliver(api, make_event("charge.refunded", {"id": charge["charge_id"], "object": "charge"}))
    assert status_of(deal) == "disputed"
    assert refunds(app, deal.milestone) == []
    assert_ledger_ok(app)

    gateway.settle_refund(outside.refund_id, "succeeded")
    deliver(api, make_event("refund.updated", {"id": outside.refund_id, "object": "refund"}))

    assert balance(deal.company)["refunded"] == 25_000
    assert balance(deal.company)["in_escrow"] == 0
    (dispute,) = platform_disputes(deal)
    ruled = deal.admin.post(
        f"/disputes/{dispute['id']}/resolve", json={"freelancer_amount": 0, "note": "gone"}
    )
    assert ruled.status_code == 200, ruled.json
    assert balance(deal.company)["refunded"] == 25_000  # nothing refunded twice
    assert_ledger_ok(app)


def test_cancel_funding_on_the_local_gateway_is_a_409(deal):
    fund(deal.company, deal.milestone)  # local charges succeed at once: never `funding`

    assert_problem(deal.company.post(f"/milestones/{deal.milestone}/cancel-funding"), 409)
