"""Provider events that race the money core's own calls, or come back after a failure.

Each was a way to lose, double or strand money: a chargeback arriving while a transfer
is in flight, money taken back from a pending payout and then paid out anyway, a
reversal whose answer was lost, a chargeback on money refunded already, a late failure
of an older funding attempt.
"""

import threading

from tests.client import assert_problem
from tests.integration.test_stripe_chargebacks import payouts_on, tell
from tests.integration.test_stripe_gateway import (
    _charge_of,
    approve,
    deal,
    deliver,
    milestone_status,
    operations,
    stripe_mode,
)
from tests.money import assert_ledger_ok, balance, fund
from tests.stripe_fake.fixtures import TEST_WEBHOOK_SECRET
from tests.stripe_fake.webhooks import make_event, signed_event

__all__ = ["deal", "stripe_mode"]


def test_a_release_taken_back_before_payouts_is_never_paid_out(app, api, deal):
    fund(deal.company, deal.first)
    approve(deal, deal.first)
    dispute = deal.fake.open_dispute(_charge_of(app, deal.first), 30_000)
    tell(api, "charge.dispute.created", dispute)
    tell(api, "charge.dispute.closed", deal.fake.close_dispute(dispute["id"], "lost"))
    assert balance(deal.freelancer)["pending_payout"] == 0

    payouts_on(api, deal)

    assert balance(deal.freelancer)["paid_out"] == 0
    assert deal.fake.transfers == {}
    assert_ledger_ok(app)


def test_a_chargeback_waits_while_the_approvals_transfer_is_in_flight(app, api, deal, monkeypatch):
    from marketplace.milestones import engine

    payouts_on(api, deal)
    fund(deal.company, deal.first)
    deal.freelancer.post(f"/milestones/{deal.first}/submit", json={"note": "done"})
    dispute = deal.fake.open_dispute(_charge_of(app, deal.first), 30_000)
    real, reached, go = engine.call_provider, threading.Event(), threading.Event()

    def slow(movement):
        if movement.kind == "transfer":
            reached.set()
            go.wait(10)
        return real(movement)

    monkeypatch.setattr(engine, "call_provider", slow)
    answers = {}
    approving = threading.Thread(
        target=lambda: answers.setdefault(
            "approve", deal.company.post(f"/milestones/{deal.first}/approve")
        )
    )
    approving.start()
    assert reached.wait(10)
    early = deliver(api, make_event("charge.dispute.created", dispute))
    go.set()
    approving.join(10)
    monkeypatch.setattr(engine, "call_provider", real)

    # The event waited (the provider delivers it again); the approval was booked.
    assert early.status_code == 409
    assert answers["approve"].status_code == 200
    assert milestone_status(deal, deal.first) == "approved"
    assert operations(deal.admin, deal.first, "pending") == []
    tell(api, "charge.dispute.created", dispute)
    tell(api, "charge.dispute.closed", deal.fake.close_dispute(dispute["id"], "lost"))
    (transfer,) = deal.fake.transfers.values()
    assert transfer["amount_reversed"] == 27_000
    assert balance(deal.freelancer)["paid_out"] == 0
    assert_ledger_ok(app)


def test_a_lost_reversal_answer_is_repeated_not_booked_as_loss(app, api, deal):
    payouts_on(api, deal)
    fund(deal.company, deal.first)
    approve(deal, deal.first)
    dispute = deal.fake.open_dispute(_charge_of(app, deal.first), 30_000)
    tell(api, "charge.dispute.created", dispute)
    lost = deal.fake.close_dispute(dispute["id"], "lost")
    deal.fake.fail_next("/v1/transfers/", "after", method="POST")

    body, headers = signed_event(make_event("charge.dispute.closed", lost), TEST_WEBHOOK_SECRET)
    first = api.post(
        "/api/v1/webhooks/stripe",
        data=body,
        headers=headers,
        content_type="application/json",
        expect_5xx=True,
    )
    assert_problem(first, 502)
    tell(api, "charge.dispute.closed", lost)

    (transfer,) = deal.fake.transfers.values()
    assert transfer["amount_reversed"] == 27_000  # once
    assert balance(deal.freelancer)["paid_out"] == 0
    assert deal.admin.get("/admin/reconciliation").json["losses"] == [
        {"currency": "USD", "amount": 3_000 + 1_500}
    ]
    assert_ledger_ok(app)


def test_a_chargeback_lost_on_money_refunded_already_is_the_platforms_loss(app, api, deal):
    fund(deal.company, deal.first)
    assert deal.freelancer.post(f"/milestones/{deal.first}/refund").status_code == 200
    dispute = deal.fake.open_dispute(_charge_of(app, deal.first), 30_000)

    tell(api, "charge.dispute.created", dispute)
    tell(api, "charge.dispute.closed", deal.fake.close_dispute(dispute["id"], "lost"))

    assert milestone_status(deal, deal.first) == "cancelled"
    assert balance(deal.company)["refunded"] == 60_000  # the refund, then the bank again
    assert deal.admin.get("/admin/reconciliation").json["losses"] == [
        {"currency": "USD", "amount": 30_000 + 1_500}
    ]
    assert_ledger_ok(app)


def test_a_late_failure_of_an_older_attempt_leaves_the_attempt_in_flight_alone(app, api, deal):
    assert fund(deal.company, deal.first, "pm_card_chargeDeclined").status_code == 402
    gateway = app.extensions["payment_gateway"]
    (declined,) = gateway.client.v1.payment_intents.list({"limit": 10}).auto_paging_iter()
    deal.fake.fail_next("/v1/payment_intents", "after")
    assert_problem(fund(deal.company, deal.first, expect_5xx=True), 502)

    late = deliver(api, make_event("payment_intent.payment_failed", {"id": declined.id}))
    assert late.status_code == 200

    assert [o["kind"] for o in operations(deal.admin, deal.first, "pending")] == ["charge"]
    # The attempt in flight is found out by the next action: it was paid.
    assert_problem(deal.company.post(f"/milestones/{deal.first}/cancel"), 409)
    assert milestone_status(deal, deal.first) == "funded"
    assert balance(deal.company)["in_escrow"] == 30_000
    assert_ledger_ok(app)
