"""Chargebacks, the whole lifecycle, over signed webhooks from the fake Stripe.

Held money is frozen while the card network decides; won, an admin rules as usual;
lost, it goes back to the cardholder. After a release, a lost chargeback is taken back
from the freelancer as far as their payout account allows, and the rest is the
platform's loss. Events come in any order and twice; the ledger reconciles after each.
"""

from sqlalchemy import select

from marketplace.audit import AuditEntry
from marketplace.extensions import db
from tests.client import assert_problem
from tests.integration.test_stripe_gateway import (
    _charge_of,
    approve,
    deal,
    deliver,
    milestone_status,
    stripe_mode,
)
from tests.money import assert_ledger_ok, balance, fund
from tests.stripe_fake.webhooks import make_event

__all__ = ["deal", "stripe_mode"]


def tell(api, event_type, dispute, *, times=2):
    """Deliver a dispute event, twice: the second must change nothing."""
    for _ in range(times):
        assert deliver(api, make_event(event_type, dispute)).status_code == 200


def payouts_on(api, deal):
    deal.freelancer.post("/me/payout-account")
    account_id = next(iter(deal.fake.accounts))
    deal.fake.activate_account(account_id)
    deliver(api, make_event("account.updated", {"id": account_id}))
    return account_id


def platform_dispute(deal):
    (dispute,) = deal.admin.get("/disputes").json["data"]
    return dispute


def resolve(deal, dispute, freelancer_amount):
    return deal.admin.post(
        f"/disputes/{dispute['id']}/resolve",
        json={"freelancer_amount": freelancer_amount, "note": "ruled"},
    )


def actions(app):
    with app.app_context():
        return db.session.scalars(select(AuditEntry.action)).all()


def test_held_money_is_frozen_until_the_chargeback_is_won_then_ruled_as_usual(app, api, deal):
    fund(deal.company, deal.first)
    dispute = deal.fake.open_dispute(_charge_of(app, deal.first), 30_000)

    tell(api, "charge.dispute.created", dispute)
    tell(api, "charge.dispute.funds_withdrawn", dispute)

    assert milestone_status(deal, deal.first) == "disputed"
    ours = platform_dispute(deal)
    assert ours["opened_by"] is None
    for split in (0, 10_000, 30_000):
        body = assert_problem(resolve(deal, ours, split), 409)
        assert "card network" in body["detail"]
    assert_problem(deal.freelancer.post(f"/milestones/{deal.first}/refund"), 409)
    assert "chargeback.funds_withdrawn" in actions(app)

    tell(api, "charge.dispute.funds_reinstated", deal.fake.close_dispute(dispute["id"], "won"))
    tell(api, "charge.dispute.closed", dispute)

    assert resolve(deal, ours, 10_000).status_code == 200
    assert deal.admin.get("/admin/reconciliation").json["losses"] == []
    assert balance(deal.company)["refunded"] == 20_000
    assert balance(deal.freelancer)["pending_payout"] == 9_000
    assert "chargeback.won" in actions(app)
    assert_ledger_ok(app)


def test_a_lost_chargeback_on_held_money_goes_back_to_the_cardholder(app, api, deal):
    fund(deal.company, deal.first)
    dispute = deal.fake.open_dispute(_charge_of(app, deal.first), 30_000)
    lost = deal.fake.close_dispute(dispute["id"], "lost")

    # The close comes first, then the creation: out of order, and each twice.
    tell(api, "charge.dispute.closed", lost)
    tell(api, "charge.dispute.created", dispute)

    assert milestone_status(deal, deal.first) == "resolved"
    ours = platform_dispute(deal)
    assert ours["status"] == "resolved"
    assert ours["resolution"]["freelancer_amount"] == 0
    assert balance(deal.company)["refunded"] == 30_000
    assert balance(deal.company)["in_escrow"] == 0
    assert balance(deal.freelancer)["pending_payout"] == 0
    # Stripe's dispute fee is the platform's loss.
    assert deal.admin.get("/admin/reconciliation").json["losses"] == [
        {"currency": "USD", "amount": 1_500}
    ]
    assert_ledger_ok(app)  # and reconciled: Stripe's lost dispute is the ledger's chargeback


def test_a_chargeback_after_a_release_is_taken_back_from_the_freelancer(app, api, deal):
    payouts_on(api, deal)
    fund(deal.company, deal.first)
    assert approve(deal, deal.first).json["status"] == "approved"
    assert balance(deal.freelancer)["paid_out"] == 27_000
    dispute = deal.fake.open_dispute(_charge_of(app, deal.first), 30_000)

    tell(api, "charge.dispute.created", dispute)
    assert milestone_status(deal, deal.first) == "approved"
    assert "milestone.chargeback" in actions(app)

    tell(api, "charge.dispute.closed", deal.fake.close_dispute(dispute["id"], "lost"))

    (transfer,) = deal.fake.transfers.values()
    assert transfer["amount_reversed"] == 27_000
    assert balance(deal.freelancer)["paid_out"] == 0
    assert balance(deal.company)["refunded"] == 30_000
    # The platform's fee was kept from the release, and the cardholder got it back too;
    # and Stripe's dispute fee.
    assert deal.admin.get("/admin/reconciliation").json["losses"] == [
        {"currency": "USD", "amount": 3_000 + 1_500}
    ]
    assert_ledger_ok(app)


def test_what_the_freelancers_account_no_longer_holds_is_the_platforms_loss(app, api, deal):
    account_id = payouts_on(api, deal)
    fund(deal.company, deal.first)
    approve(deal, deal.first)
    deal.fake.spend(account_id, 20_000)  # paid out to the freelancer's bank meanwhile
    dispute = deal.fake.open_dispute(_charge_of(app, deal.first), 30_000)

    tell(api, "charge.dispute.created", dispute)
    tell(api, "charge.dispute.closed", deal.fake.close_dispute(dispute["id"], "lost"))

    (transfer,) = deal.fake.transfers.values()
    assert transfer["amount_reversed"] == 7_000
    assert balance(deal.freelancer)["paid_out"] == 20_000
    report = deal.admin.get("/admin/reconciliation").json
    assert report["losses"] == [{"currency": "USD", "amount": 23_000 + 1_500}]
    assert report["ok"] is True
    with app.app_context():
        entry = db.session.scalar(
            select(AuditEntry).where(AuditEntry.action == "chargeback.lost_after_release")
        )
    assert (entry.data["taken_back"], entry.data["loss"]) == (7_000, 23_000)
    assert_ledger_ok(app)


def test_a_chargeback_before_payouts_takes_back_what_waits_to_be_paid_out(app, api, deal):
    fund(deal.company, deal.first)
    approve(deal, deal.first)
    assert balance(deal.freelancer)["pending_payout"] == 27_000
    dispute = deal.fake.open_dispute(_charge_of(app, deal.first), 30_000)

    tell(api, "charge.dispute.created", dispute)
    tell(api, "charge.dispute.closed", deal.fake.close_dispute(dispute["id"], "lost"))

    assert balance(deal.freelancer)["pending_payout"] == 0
    assert deal.admin.get("/admin/reconciliation").json["losses"] == [
        {"currency": "USD", "amount": 3_000 + 1_500}
    ]
    assert_ledger_ok(app)
