"""The local gateway's refusals: a clear 4xx at once, nothing moved, nothing frozen.

A refusal is the provider's definite "no": unlike a call whose answer was lost, it
did nothing, so its journal entry is settled at once and the next money action on the
milestone works (with a new key, since the provider keeps a refusal under its key).
"""

import pytest
from sqlalchemy import select, update

from marketplace.contracts.models import Milestone
from marketplace.extensions import db
from marketplace.milestones.models import PROVIDER_KINDS, EscrowMovement
from marketplace.payments.gateway import ChargeRequest, RefundRequest, get_gateway
from tests.client import assert_problem
from tests.money import assert_ledger_ok, balance, contract_with, fund, provider_key


@pytest.fixture
def deal(api, factory):
    class Deal:
        company = api.as_user(factory.client())
        freelancer = api.as_user(factory.freelancer())
        admin = api.as_user(factory.admin())

    Deal.contract = contract_with(Deal.company, Deal.freelancer, 25_000)
    Deal.milestone = Deal.contract["milestones"][0]["id"]
    return Deal


def journal(app, milestone_id):
    """The provider calls journalled for the milestone: (kind, settled, refusal)."""
    with app.app_context():
        rows = db.session.scalars(
            select(EscrowMovement)
            .where(
                EscrowMovement.milestone_id == milestone_id,
                EscrowMovement.kind.in_(PROVIDER_KINDS),
            )
            .order_by(EscrowMovement.id)
        ).all()
        return [(r.kind, r.status != "pending", r.refusal) for r in rows]


def keys(app, milestone_id, kind):
    with app.app_context():
        return db.session.scalars(
            select(EscrowMovement.idempotency_key)
            .where(EscrowMovement.milestone_id == milestone_id, EscrowMovement.kind == kind)
            .order_by(EscrowMovement.id)
        ).all()


def local(app):
    with app.app_context():
        return get_gateway()


def status_of(deal):
    contract = deal.company.get(f"/contracts/{deal.contract['id']}").json
    return contract["milestones"][0]["status"]


def submit(deal):
    deal.freelancer.post(f"/milestones/{deal.milestone}/submit", json={"note": "done"})


def payout_account(app, deal):
    assert deal.freelancer.post("/me/payout-account").json["payouts_enabled"] is True
    (account,) = local(app).records("account")
    return account["account_id"]


def test_a_declined_card_is_a_402_and_the_next_card_pays(app, deal):
    body = assert_problem(fund(deal.company, deal.milestone, "pm_card_chargeDeclined"), 402)

    assert body["type"] == "/problems/payment-declined"
    assert status_of(deal) == "pending"
    assert journal(app, deal.milestone) == [("charge", True, "card_declined")]
    assert fund(deal.company, deal.milestone).json["status"] == "funded"
    first, second = keys(app, deal.milestone, "charge")
    assert second != first
    assert balance(deal.company)["in_escrow"] == 25_000
    assert_ledger_ok(app)


def test_an_unknown_payment_method_is_a_422_and_nothing_waits(app, deal):
    response = fund(deal.company, deal.milestone, "pm_card_nobody_knows")

    assert_problem(response, 422, "payment_method")
    assert status_of(deal) == "pending"
    assert all(settled for _kind, settled, _refusal in journal(app, deal.milestone))
    assert fund(deal.company, deal.milestone).json["status"] == "funded"
    assert_ledger_ok(app)


def test_an_amount_under_the_providers_minimum_is_a_422(app, api, deal):
    # The API no longer makes such a milestone (tests/api/test_currencies.py); one made
    # before that rule is still refused by the provider itself.
    small = contract_with(deal.company, deal.freelancer, 5_000)["milestones"][0]["id"]
    with app.app_context():
        db.session.execute(update(Milestone).where(Milestone.id == small).values(amount=49))
        db.session.commit()

    body = assert_problem(fund(deal.company, small), 422)

    assert body["type"] == "/problems/payment-amount-refused"
    assert "amount_too_small" in body["detail"]
    assert "0.50 USD" in body["detail"]
    assert journal(app, small) == [("charge", True, "amount_too_small")]
    assert local(app).records("charge") == []
    assert balance(deal.company)["in_escrow"] == 0
    # Nothing waits on the milestone: it can be cancelled at once.
    assert deal.company.post(f"/milestones/{small}/cancel").json["status"] == "cancelled"
    assert_ledger_ok(app)


def test_a_transfer_to_an_account_that_cannot_receive_it_is_a_409_until_it_can(app, deal):
    account_id = payout_account(app, deal)
    fund(deal.company, deal.milestone)
    submit(deal)
    local(app).set_transfers_active(account_id, False)

    body = assert_problem(deal.company.post(f"/milestones/{deal.milestone}/approve"), 409)

    assert body["type"] == "/problems/payment-refused"
    assert "insufficient_capabilities_for_transfer" in body["detail"]
    assert "payout account" in body["detail"]
    assert status_of(deal) == "submitted"
    assert balance(deal.freelancer)["pending_payout"] == 0
    assert balance(deal.freelancer)["paid_out"] == 0
    assert journal(app, deal.milestone)[-1] == (
        "transfer",
        True,
        "insufficient_capabilities_for_transfer",
    )
    # The gateway keeps the refusal under its key; the next approval is a new call.
    local(app).set_transfers_active(account_id, True)
    assert deal.company.post(f"/milestones/{deal.milestone}/approve").json["status"] == ("approved")
    refused_key, paid_key = keys(app, deal.milestone, "transfer")
    assert paid_key != refused_key
    assert len(local(app).records("transfer")) == 1
    assert balance(deal.freelancer)["paid_out"] == 22_500
    assert_ledger_ok(app)


def test_a_refused_transfer_leaves_the_auto_release_for_the_next_run(app, deal):
    account_id = payout_account(app, deal)
    fund(deal.company, deal.milestone)
    app.config["REVIEW_PERIOD_DAYS"] = 0
    try:
        submit(deal)
    finally:
        app.config["REVIEW_PERIOD_DAYS"] = 14
    local(app).set_transfers_active(account_id, False)
    runner = app.test_cli_runner()

    first = runner.invoke(args=["marketplace", "release-due"])
    local(app).set_transfers_active(account_id, True)
    second = runner.invoke(args=["marketplace", "release-due"])

    assert "not released" in first.output
    assert "insufficient_capabilities_for_transfer" in first.output
    assert "released 250.00 USD" in second.output
    assert balance(deal.freelancer)["paid_out"] == 22_500
    assert_ledger_ok(app)


def test_a_key_the_provider_knows_with_other_parameters_is_a_409_and_the_next_try_works(app, deal):
    """Another installation (or a restored copy) used the key with other parameters."""
    fund(deal.company, deal.milestone, "pm_card_chargeDeclined")
    with app.app_context():
        declined = db.session.scalars(
            select(EscrowMovement.params).where(EscrowMovement.milestone_id == deal.milestone)
        ).one()
    # The key of the next charge: the milestone's second, with the new card.
    next_key = provider_key(
        app, "charge", f"m{deal.milestone}.2", **{**declined, "payment_method": "pm_card_visa"}
    )
    local(app).charge(
        ChargeRequest(
            amount=999,
            currency="USD",
            idempotency_key=next_key,
            milestone_id=deal.milestone,
            transfer_group="elsewhere",
            payment_method="pm_card_visa",
        )
    )

    body = assert_problem(fund(deal.company, deal.milestone), 409)

    assert body["type"] == "/problems/payment-refused"
    assert "idempotency_error" in body["detail"]
    assert status_of(deal) == "pending"
    assert journal(app, deal.milestone)[-1] == ("charge", True, "idempotency_error")
    assert fund(deal.company, deal.milestone).json["status"] == "funded"
    assert balance(deal.company)["in_escrow"] == 25_000
    # The charge of 999 made under the key elsewhere is the provider's, not the ledger's.
    assert_ledger_ok(app, reconciled=False)


def test_a_refund_beyond_what_the_charge_has_left_is_a_409_and_approval_still_works(app, deal):
    """Part of the charge was refunded outside the marketplace (Stripe's Dashboard)."""
    fund(deal.company, deal.milestone)
    with app.app_context():
        intent_id = db.session.scalar(
            select(EscrowMovement.provider_id).where(
                EscrowMovement.milestone_id == deal.milestone, EscrowMovement.kind == "charge"
            )
        )
    local(app).refund(RefundRequest(intent_id, 10_000, "refund-made-in-the-dashboard"))

    body = assert_problem(deal.freelancer.post(f"/milestones/{deal.milestone}/refund"), 409)

    assert body["type"] == "/problems/payment-refused"
    assert "the refund to the client" in body["detail"]
    assert status_of(deal) == "funded"
    assert balance(deal.company)["refunded"] == 0
    submit(deal)
    assert deal.company.post(f"/milestones/{deal.milestone}/approve").json["status"] == ("approved")
    assert balance(deal.freelancer)["pending_payout"] == 22_500
    assert_ledger_ok(app, reconciled=False)
    # Reconciliation shows the refund the ledger never heard of.
    report = deal.admin.get("/admin/reconciliation").json
    assert [
        (d["milestone_id"], d["what"], d["ledger"], d["provider"]) for d in report["differences"]
    ] == [(deal.milestone, "refund", 0, 10_000)]


def test_a_split_whose_transfer_is_refused_waits_for_the_same_split(app, deal):
    """The refund half went through before the transfer half was refused: the refund
    did move money, so the milestone waits for that same split, which then completes."""
    account_id = payout_account(app, deal)
    fund(deal.company, deal.milestone)
    dispute = deal.company.post(f"/milestones/{deal.milestone}/disputes", json={"reason": "x"})
    path = f"/disputes/{dispute.json['id']}/resolve"
    split = {"freelancer_amount": 20_000, "note": "n"}
    local(app).set_transfers_active(account_id, False)

    body = assert_problem(deal.admin.post(path, json=split), 409)

    assert "Before it, the refund to the client went through" in body["detail"]
    assert "Nothing was moved" not in body["detail"]
    assert [(k, s, r) for k, s, r in journal(app, deal.milestone) if k != "charge"] == [
        ("refund", True, None),
        ("transfer", True, "insufficient_capabilities_for_transfer"),
    ]
    # The refund went through and is booked; the freelancer's part stays in escrow.
    assert balance(deal.company)["refunded"] == 5_000
    assert balance(deal.freelancer)["in_escrow"] == 20_000
    assert_ledger_ok(app)
    assert_problem(deal.admin.post(path, json={"freelancer_amount": 0, "note": "n"}), 409)
    local(app).set_transfers_active(account_id, True)
    assert deal.admin.post(path, json=split).status_code == 200
    assert len(local(app).records("refund")) == 1
    assert balance(deal.company)["refunded"] == 5_000
    assert balance(deal.freelancer)["paid_out"] == 18_000
    assert_ledger_ok(app)
