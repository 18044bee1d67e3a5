"""Refunds that are not (yet) refunds, and funding attempts that end, on Stripe.

Against localstripe and the fake Connect layer: refunds held pending and ended later
(`hold_refunds`, `settle_refund`), refunds made outside the API (the Dashboard: a refund
made with the SDK directly), PaymentIntents cancelled. Events are signed, delivered
twice, and out of order where it matters; each test ends reconciled.
"""

from datetime import timedelta

import pytest
from sqlalchemy import select

from marketplace.audit import AuditEntry
from marketplace.extensions import db
from marketplace.milestones.models import EscrowMovement
from tests.client import assert_problem
from tests.integration import test_stripe_gateway as on_stripe
from tests.money import assert_ledger_ok, balance, fund
from tests.stripe_fake.webhooks import make_event

# The Stripe gateway's fixtures and helpers.
stripe_mode, deal = on_stripe.stripe_mode, on_stripe.deal
deliver, milestone_status = on_stripe.deliver, on_stripe.milestone_status


def refund_event(refund: dict, event_type: str = "refund.updated") -> dict:
    return make_event(event_type, {"id": refund["id"], "object": "refund"})


def movements(app, milestone_id, kind):
    with app.app_context():
        rows = db.session.scalars(
            select(EscrowMovement)
            .where(EscrowMovement.milestone_id == milestone_id, EscrowMovement.kind == kind)
            .order_by(EscrowMovement.id)
        ).all()
        found = [(m.status, m.amount, m.action, m.provider_id) for m in rows]
        db.session.rollback()
    return found


def audit_actions(app):
    with app.app_context():
        actions = db.session.scalars(select(AuditEntry.action)).all()
        db.session.rollback()
    return actions


def platform_disputes(party, milestone_id):
    return [
        d
        for d in party.get("/disputes").json["data"]
        if d["milestone_id"] == milestone_id and d["opened_by"] is None
    ]


def intent_of(app, milestone_id):
    (charge,) = [m for m in movements(app, milestone_id, "charge") if m[0] != "failed"]
    return charge[3]


def pending_refund(app, deal, milestone_id):
    """The freelancer refunds the milestone and Stripe takes the refund as pending."""
    deal.fake.hold_refunds("pending")
    response = deal.freelancer.post(f"/milestones/{milestone_id}/refund")
    deal.fake.hold_refunds(None)
    assert response.status_code == 200, response.json
    ((_status, _amount, _action, refund_id),) = movements(app, milestone_id, "refund")
    return response, refund_id


# -- refunds pending at Stripe --------------------------------------------------------------


def test_a_pending_refund_holds_the_milestone_until_it_succeeds(app, api, deal):
    fund(deal.company, deal.second)

    response, refund_id = pending_refund(app, deal, deal.second)

    # Nothing moved yet: the money stays in escrow and the milestone as it was.
    assert response.json["status"] == "funded"
    assert balance(deal.company)["in_escrow"] == 10_000
    assert balance(deal.company)["refunded"] == 0
    assert movements(app, deal.second, "refund") == [("processing", 10_000, "refund", refund_id)]
    assert "milestone.refund_pending" in audit_actions(app)
    assert_ledger_ok(app)
    # No other action may start meanwhile, and no second refund is made.
    assert_problem(deal.freelancer.post(f"/milestones/{deal.second}/refund"), 409)
    assert_problem(
        deal.freelancer.post(f"/milestones/{deal.second}/submit", json={"note": "x"}), 409
    )
    assert_problem(
        deal.company.post(f"/milestones/{deal.second}/disputes", json={"reason": "late"}), 409
    )
    assert len(deal.fake.calls("POST", "/v1/refunds")) == 1
    # An event about it while still pending changes nothing.
    assert deliver(api, refund_event({"id": refund_id})).status_code == 200
    assert milestone_status(deal, deal.second) == "funded"

    succeeded = refund_event(deal.fake.settle_refund(refund_id, "succeeded"))
    assert deliver(api, succeeded).status_code == 200
    assert deliver(api, succeeded).json["duplicate"] is True
    # Stripe's other event for the same change, and a late one: booked once.
    assert deliver(api, refund_event({"id": refund_id}, "charge.refund.updated")).status_code == 200

    assert milestone_status(deal, deal.second) == "cancelled"
    assert balance(deal.company)["refunded"] == 10_000
    assert balance(deal.company)["in_escrow"] == 0
    assert movements(app, deal.second, "refund") == [("succeeded", 10_000, "refund", refund_id)]
    assert_ledger_ok(app)


@pytest.mark.parametrize("end", ["failed", "canceled"])
def test_a_refund_that_fails_leaves_the_money_in_escrow_for_an_admin(app, api, deal, end):
    fund(deal.company, deal.second)
    _response, refund_id = pending_refund(app, deal, deal.second)

    failed = refund_event(deal.fake.settle_refund(refund_id, end), "refund.failed")
    assert deliver(api, failed).status_code == 200
    assert deliver(api, failed).json["duplicate"] is True
    assert deliver(api, refund_event({"id": refund_id})).status_code == 200  # the same change

    assert milestone_status(deal, deal.second) == "disputed"
    assert balance(deal.company)["in_escrow"] == 10_000
    assert balance(deal.company)["refunded"] == 0
    ((status, amount, _action, _id),) = movements(app, deal.second, "refund")
    assert (status, amount) == ("failed", 10_000)
    (dispute,) = platform_disputes(deal.company, deal.second)
    assert refund_id in dispute["reason"]
    assert "milestone.refund_failed" in audit_actions(app)
    assert_ledger_ok(app)

    # An admin decides: here, the client gets it back after all.
    ruled = deal.admin.post(
        f"/disputes/{dispute['id']}/resolve", json={"freelancer_amount": 0, "note": "refund"}
    )
    assert ruled.status_code == 200, ruled.json
    assert milestone_status(deal, deal.second) == "resolved"
    assert balance(deal.company)["refunded"] == 10_000
    assert_ledger_ok(app)


def test_a_refund_stripe_refuses_at_once_freezes_the_milestone(app, deal):
    fund(deal.company, deal.second)
    deal.fake.hold_refunds("failed")

    response = deal.freelancer.post(f"/milestones/{deal.second}/refund")

    assert response.status_code == 200, response.json
    assert response.json["status"] == "disputed"
    assert balance(deal.company)["in_escrow"] == 10_000
    assert len(platform_disputes(deal.company, deal.second)) == 1
    assert_ledger_ok(app)


def test_a_succeeded_event_after_a_stale_failure_event_books_what_is_true(app, api, deal):
    """Out of order: an event saying failed arrives for a refund that succeeded; the
    refund is re-read, so the event's copy counts for nothing."""
    fund(deal.company, deal.second)
    _response, refund_id = pending_refund(app, deal, deal.second)
    deal.fake.settle_refund(refund_id, "succeeded")

    stale = make_event("refund.failed", {"id": refund_id, "object": "refund", "status": "failed"})
    assert deliver(api, stale).status_code == 200

    assert milestone_status(deal, deal.second) == "cancelled"
    assert platform_disputes(deal.company, deal.second) == []
    assert balance(deal.company)["refunded"] == 10_000
    assert_ledger_ok(app)


def enable_payouts(api, deal):
    deal.freelancer.post("/me/payout-account")
    account_id = next(iter(deal.fake.accounts))
    deal.fake.activate_account(account_id)
    deliver(api, make_event("account.updated", {"id": account_id, "object": "account"}))
    assert deal.freelancer.get("/me").json["payouts_enabled"] is True


def test_a_rulings_pending_refund_holds_the_ruling_then_it_goes_on(app, api, deal):
    enable_payouts(api, deal)
    fund(deal.company, deal.first)
    dispute = deal.company.post(f"/milestones/{deal.first}/disputes", json={"reason": "bad"}).json
    deal.fake.hold_refunds("pending")

    ruled = deal.admin.post(
        f"/disputes/{dispute['id']}/resolve", json={"freelancer_amount": 10_000, "note": "split"}
    )
    deal.fake.hold_refunds(None)

    assert ruled.status_code == 200, ruled.json
    assert ruled.json["status"] == "open"  # the ruling waits for its refund
    assert milestone_status(deal, deal.first) == "disputed"
    assert deal.fake.transfers == {}
    assert balance(deal.company)["in_escrow"] == 30_000
    ((_status, _amount, _action, refund_id),) = movements(app, deal.first, "refund")
    again = deal.admin.post(
        f"/disputes/{dispute['id']}/resolve", json={"freelancer_amount": 10_000, "note": "split"}
    )
    assert_problem(again, 409)
    assert_ledger_ok(app)

    succeeded = refund_event(deal.fake.settle_refund(refund_id, "succeeded"))
    assert deliver(api, succeeded).status_code == 200
    assert deliver(api, succeeded).json["duplicate"] is True

    assert milestone_status(deal, deal.first) == "resolved"
    assert deal.company.get(f"/disputes/{dispute['id']}").json["status"] == "resolved"
    (transfer,) = deal.fake.transfers.values()
    assert transfer["amount"] == 9_000  # 10_000 less the 10 % fee
    assert balance(deal.company)["refunded"] == 20_000
    assert balance(deal.freelancer)["paid_out"] == 9_000
    assert_ledger_ok(app)


def test_recover_operations_books_a_refund_whose_event_never_came(app, deal):
    fund(deal.company, deal.second)
    _response, refund_id = pending_refund(app, deal, deal.second)
    runner = app.test_cli_runner()

    waiting = runner.invoke(args=["marketplace", "recover-operations"])
    assert waiting.exit_code == 0, waiting.output
    assert f"refund {refund_id} is pending" in waiting.output
    assert milestone_status(deal, deal.second) == "funded"

    deal.fake.settle_refund(refund_id, "succeeded")
    done = runner.invoke(args=["marketplace", "recover-operations"])

    assert done.exit_code == 0, done.output
    assert milestone_status(deal, deal.second) == "cancelled"
    assert balance(deal.company)["refunded"] == 10_000
    assert_ledger_ok(app)


# -- refunds made outside the API -----------------------------------------------------------


@pytest.mark.parametrize("first", ["charge.refunded", "refund.updated"])
def test_a_dashboard_refund_is_booked_and_freezes_the_milestone(
    app, api, deal, stripe_client, first
):
    fund(deal.company, deal.first)
    intent_id = intent_of(app, deal.first)
    dashboard = stripe_client.v1.refunds.create({"payment_intent": intent_id, "amount": 5_000})
    charge = stripe_client.v1.charges.retrieve(dashboard.charge)
    events = {
        "charge.refunded": make_event("charge.refunded", charge.to_dict()),
        "refund.updated": refund_event({"id": dashboard.id}),
    }
    later = "refund.updated" if first == "charge.refunded" else "charge.refunded"

    for event in (events[first], events[first], events[later]):
        assert deliver(api, event).status_code == 200

    assert milestone_status(deal, deal.first) == "disputed"
    assert movements(app, deal.first, "refund") == [
        ("succeeded", 5_000, "outside_refund", dashboard.id)
    ]
    assert balance(deal.company)["refunded"] == 5_000
    assert balance(deal.company)["in_escrow"] == 25_000
    (dispute,) = platform_disputes(deal.company, deal.first)
    assert dashboard.id in dispute["reason"]
    assert "milestone.refunded_outside" in audit_actions(app)
    assert_ledger_ok(app)

    # The ruling splits what is left; more is refused.
    too_much = deal.admin.post(
        f"/disputes/{dispute['id']}/resolve", json={"freelancer_amount": 30_000, "note": "x"}
    )
    assert_problem(too_much, 422)
    ruled = deal.admin.post(
        f"/disputes/{dispute['id']}/resolve", json={"freelancer_amount": 20_000, "note": "x"}
    )
    assert ruled.status_code == 200, ruled.json
    assert balance(deal.company)["refunded"] == 10_000
    assert balance(deal.freelancer)["pending_payout"] == 18_000
    assert_ledger_ok(app)


def test_our_own_refund_is_not_taken_for_an_outside_one(app, api, deal, stripe_client):
    fund(deal.company, deal.second)
    _response, refund_id = pending_refund(app, deal, deal.second)
    charge_id = stripe_client.v1.refunds.retrieve(refund_id).charge
    charge = stripe_client.v1.charges.retrieve(charge_id)

    assert deliver(api, make_event("charge.refunded", charge.to_dict())).status_code == 200

    assert milestone_status(deal, deal.second) == "funded"
    assert platform_disputes(deal.company, deal.second) == []
    assert [m[2] for m in movements(app, deal.second, "refund")] == ["refund"]
    assert_ledger_ok(app)


def test_an_event_for_a_refund_whose_answer_was_lost_books_it_as_ours(
    app, api, deal, stripe_client
):
    fund(deal.company, deal.second)
    deal.fake.hold_refunds("pending")
    deal.fake.fail_next("/v1/refunds", "after", error="timeout")
    lost = deal.freelancer.post(f"/milestones/{deal.second}/refund", expect_5xx=True)
    assert_problem(lost, 502)
    deal.fake.hold_refunds(None)
    ((status, _amount, _action, provider_id),) = movements(app, deal.second, "refund")
    assert (status, provider_id) == ("pending", None)
    (refund,) = stripe_client.v1.refunds.list({"payment_intent": intent_of(app, deal.second)})
    event = refund_event(deal.fake.settle_refund(refund.id, "succeeded"))

    assert deliver(api, event).status_code == 200
    assert deliver(api, event).json["duplicate"] is True

    assert movements(app, deal.second, "refund") == [("succeeded", 10_000, "refund", refund.id)]
    assert milestone_status(deal, deal.second) == "cancelled"
    assert platform_disputes(deal.company, deal.second) == []
    assert len(deal.fake.calls("POST", "/v1/refunds")) == 2  # the lost call, repeated
    assert_ledger_ok(app)


# -- leaving `funding` --------------------------------------------------------------------------


def start_funding(deal, milestone_id):
    response = deal.company.post(f"/milestones/{milestone_id}/fund", json={})
    assert response.json["status"] == "funding"
    return response.json["payment"]["client_secret"].split("_secret_")[0]


def test_a_cancelled_intent_returns_the_milestone_to_pending(app, api, deal, stripe_client):
    intent_id = start_funding(deal, deal.first)
    stripe_client.v1.payment_intents.cancel(intent_id)  # the Dashboard, say
    cancelled = make_event("payment_intent.canceled", {"id": intent_id, "object": "payment_intent"})

    assert deliver(api, cancelled).status_code == 200
    assert deliver(api, cancelled).json["duplicate"] is True

    assert milestone_status(deal, deal.first) == "pending"
    ((status, _amount, _action, provider_id),) = movements(app, deal.first, "charge")
    assert (status, provider_id) == ("failed", intent_id)
    assert "milestone.funding_cancelled" in audit_actions(app)
    assert fund(deal.company, deal.first).json["status"] == "funded"
    assert_ledger_ok(app)


def test_a_canceled_event_for_an_intent_that_is_not_canceled_changes_nothing(app, api, deal):
    intent_id = start_funding(deal, deal.first)

    event = make_event("payment_intent.canceled", {"id": intent_id, "status": "canceled"})
    assert deliver(api, event).status_code == 200

    assert milestone_status(deal, deal.first) == "funding"
    assert_ledger_ok(app)


def test_the_client_cancels_a_funding_attempt(app, api, deal, stripe_client):
    intent_id = start_funding(deal, deal.first)
    assert_problem(deal.freelancer.post(f"/milestones/{deal.first}/cancel-funding"), 403)
    assert_problem(deal.company.post(f"/milestones/{deal.second}/cancel-funding"), 409)

    response = deal.company.post(f"/milestones/{deal.first}/cancel-funding")

    assert response.status_code == 200, response.json
    assert response.json["status"] == "pending"
    assert stripe_client.v1.payment_intents.retrieve(intent_id).status == "canceled"
    ((status, *_rest),) = movements(app, deal.first, "charge")
    assert status == "failed"
    # Stripe's own event about it, later: nothing more happens.
    event = make_event("payment_intent.canceled", {"id": intent_id, "object": "payment_intent"})
    assert deliver(api, event).status_code == 200
    assert milestone_status(deal, deal.first) == "pending"
    assert_problem(deal.company.post(f"/milestones/{deal.first}/cancel-funding"), 409)
    assert_ledger_ok(app)


def test_cancelling_a_funding_attempt_that_was_paid_meanwhile_funds_it(
    app, api, deal, stripe_client
):
    intent_id = start_funding(deal, deal.first)
    stripe_client.v1.payment_intents.confirm(intent_id, {"payment_method": "pm_card_visa"})

    response = deal.company.post(f"/milestones/{deal.first}/cancel-funding")

    assert response.status_code == 200, response.json
    assert response.json["status"] == "funded"
    assert balance(deal.company)["in_escrow"] == 30_000
    succeeded = make_event("payment_intent.succeeded", {"id": intent_id})
    assert deliver(api, succeeded).status_code == 200  # the late webhook books nothing more
    assert balance(deal.company)["in_escrow"] == 30_000
    assert_ledger_ok(app)


def test_a_payment_made_between_reading_and_cancelling_is_booked(
    app, deal, stripe_client, monkeypatch
):
    """The client app confirms after the adapter read the intent and before it cancels:
    Stripe refuses the cancel (`payment_intent_unexpected_state`), and the intent read
    again says it was paid."""
    intent_id = start_funding(deal, deal.first)
    stale = stripe_client.v1.payment_intents.retrieve(intent_id)
    stripe_client.v1.payment_intents.confirm(intent_id, {"payment_method": "pm_card_visa"})
    intents = app.extensions["payment_gateway"].client.v1.payment_intents
    reads = iter([stale])
    real_retrieve = intents.retrieve
    monkeypatch.setattr(
        intents, "retrieve", lambda *a, **k: next(reads, None) or real_retrieve(*a, **k)
    )

    response = deal.company.post(f"/milestones/{deal.first}/cancel-funding")

    assert response.status_code == 200, response.json
    assert response.json["status"] == "funded"
    (cancel,) = deal.fake.calls("POST", f"/v1/payment_intents/{intent_id}/cancel")
    assert cancel.status == 400
    assert balance(deal.company)["in_escrow"] == 30_000
    assert_ledger_ok(app)


def test_a_lost_answer_to_the_cancel_changes_nothing_and_a_repeat_ends_it(app, deal):
    start_funding(deal, deal.first)
    deal.fake.fail_next("/v1/payment_intents/", "after", error="timeout")

    lost = deal.company.post(f"/milestones/{deal.first}/cancel-funding", expect_5xx=True)
    assert_problem(lost, 502)
    assert milestone_status(deal, deal.first) == "funding"

    response = deal.company.post(f"/milestones/{deal.first}/cancel-funding")
    assert response.json["status"] == "pending"
    assert_ledger_ok(app)


def test_a_funding_call_whose_answer_was_lost_is_found_out_then_cancelled(app, deal, stripe_client):
    deal.fake.fail_next("/v1/payment_intents", "after", error="timeout")
    lost = deal.company.post(f"/milestones/{deal.first}/fund", json={}, expect_5xx=True)
    assert_problem(lost, 502)
    assert milestone_status(deal, deal.first) == "pending"
    ((status, *_rest),) = movements(app, deal.first, "charge")
    assert status == "pending"

    response = deal.company.post(f"/milestones/{deal.first}/cancel-funding")

    assert response.status_code == 200, response.json
    assert response.json["status"] == "pending"
    ((status, _amount, _action, intent_id),) = movements(app, deal.first, "charge")
    assert status == "failed"
    assert stripe_client.v1.payment_intents.retrieve(intent_id).status == "canceled"
    assert len(deal.fake.calls("POST", "/v1/payment_intents")) == 2  # the same key, repeated
    assert_ledger_ok(app)


def backdate_charges(app, milestone_id, hours):
    with app.app_context():
        for movement in db.session.scalars(
            select(EscrowMovement).where(
                EscrowMovement.milestone_id == milestone_id, EscrowMovement.kind == "charge"
            )
        ):
            movement.created_at -= timedelta(hours=hours)
        db.session.commit()


def test_release_due_expires_stale_funding_attempts(app, api, deal, stripe_client):
    stale = start_funding(deal, deal.first)
    recent = start_funding(deal, deal.second)
    backdate_charges(app, deal.first, 25)
    backdate_charges(app, deal.second, 23)

    result = app.test_cli_runner().invoke(args=["marketplace", "release-due"])

    assert result.exit_code == 0, result.output
    assert f"milestone {deal.first}: funding expired" in result.output
    assert milestone_status(deal, deal.first) == "pending"
    assert milestone_status(deal, deal.second) == "funding"
    assert stripe_client.v1.payment_intents.retrieve(stale).status == "canceled"
    assert stripe_client.v1.payment_intents.retrieve(recent).status == "requires_payment_method"
    assert "milestone.funding_expired" in audit_actions(app)
    assert_ledger_ok(app)


def test_a_stale_attempt_that_was_paid_is_funded_not_expired(app, api, deal, stripe_client):
    app.config["FUNDING_TIMEOUT_HOURS"] = 2
    intent_id = start_funding(deal, deal.first)
    stripe_client.v1.payment_intents.confirm(intent_id, {"payment_method": "pm_card_visa"})
    backdate_charges(app, deal.first, 3)

    result = app.test_cli_runner().invoke(args=["marketplace", "release-due"])

    assert f"milestone {deal.first}: funded" in result.output
    assert milestone_status(deal, deal.first) == "funded"
    assert balance(deal.company)["in_escrow"] == 30_000
    assert_ledger_ok(app)
