"""The payment provider's processing fee: booked per charge as the platform's expense.

The local gateway charges a deterministic fee modelled on Stripe's card pricing
(2.9 % + 30 minor units), so these books are kept, checked and reconciled with it too.
"""

import pytest
from sqlalchemy import func, select, update

from marketplace.extensions import db
from marketplace.milestones.models import EscrowMovement
from marketplace.payments.models import LedgerAccount, LedgerLine
from tests.money import assert_ledger_ok, balance, contract_with, fund, pay


@pytest.fixture
def deal(api, factory):
    class Deal:
        company = api.as_user(factory.client())
        freelancer = api.as_user(factory.freelancer())
        admin = api.as_user(factory.admin())

    Deal.contract = contract_with(Deal.company, Deal.freelancer, 20_000, 10_000)
    Deal.first, Deal.second = (m["id"] for m in Deal.contract["milestones"])
    return Deal


def account(app, key: str) -> int:
    with app.app_context():
        total = db.session.scalar(
            select(func.coalesce(func.sum(LedgerLine.amount), 0))
            .join(LedgerAccount, LedgerAccount.id == LedgerLine.account_id)
            .where(LedgerAccount.key == key)
        )
        db.session.rollback()
    return int(total)


def test_each_charge_books_the_providers_fee_against_the_platforms_fees(app, deal):
    pay(deal.company, deal.freelancer, deal.first)
    fund(deal.company, deal.second)

    # 2.9 % + 30: 610 on 200.00 USD, 320 on 100.00 USD; the platform's 10 % on the first.
    assert account(app, "provider_fees:USD") == 610 + 320
    assert account(app, "platform_fees:USD") == 2_000 - 930
    # Users' money is untouched by it, and their statements do not show it.
    assert balance(deal.freelancer)["pending_payout"] == 18_000
    assert balance(deal.company)["in_escrow"] == 10_000
    for user in (deal.company, deal.freelancer):
        types = {t["type"] for t in user.get("/me/transactions").json["data"]}
        assert "provider_fee" not in types
    with app.app_context():
        movement = db.session.scalar(
            select(EscrowMovement).where(
                EscrowMovement.milestone_id == deal.second, EscrowMovement.kind == "charge"
            )
        )
        assert (movement.settlement_currency, movement.settlement_amount) == ("USD", 10_000)
        assert (movement.provider_fee, movement.exchange_rate) == (320, None)
        assert movement.balance_transaction.startswith("txn_local_")
    reconciliation = deal.admin.get("/admin/reconciliation").json
    assert reconciliation["ok"] is True, reconciliation
    assert_ledger_ok(app)


def test_a_refund_leaves_the_fee_with_the_platform_and_the_books_straight(app, deal):
    fund(deal.company, deal.second)

    assert deal.freelancer.post(f"/milestones/{deal.second}/refund").status_code == 200

    assert balance(deal.company)["refunded"] == 10_000
    assert account(app, "platform_fees:USD") == -320  # a loss, which the ledger allows
    assert deal.admin.get("/admin/ledger/verify").json["ok"] is True
    assert_ledger_ok(app)


def test_the_ledger_check_finds_a_fee_booked_other_than_the_charge_says(app, deal):
    fund(deal.company, deal.second)
    with app.app_context():
        db.session.execute(
            update(EscrowMovement)
            .where(EscrowMovement.milestone_id == deal.second, EscrowMovement.kind == "charge")
            .values(provider_fee=300)
        )
        db.session.commit()

    result = deal.admin.get("/admin/ledger/verify").json

    assert result["ok"] is False
    assert result["problems"] == [
        "provider fees in USD: 320 booked, 300 on the charges' balance transactions"
    ]
