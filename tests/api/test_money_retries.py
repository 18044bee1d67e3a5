"""Retries of money requests whose first try was cut short (found by tests/crash)."""

from datetime import timedelta

from sqlalchemy import update

from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.milestones.models import EscrowMovement
from tests.client import assert_problem
from tests.money import assert_ledger_ok, balance, contract_with, failing_gateway, fund

__all__ = ["failing_gateway"]


def _claim_all(app, seconds: float) -> None:
    """Every pending movement claimed (another request calling the provider) until then."""
    with app.app_context():
        db.session.execute(
            update(EscrowMovement)
            .where(EscrowMovement.status == "pending")
            .values(in_flight_until=utcnow() + timedelta(seconds=seconds))
        )
        db.session.commit()


def test_an_operation_in_progress_is_not_replayed_to_the_same_idempotency_key(
    app, api, factory, failing_gateway
):
    company = api.as_user(factory.client())
    milestone = contract_with(company, api.as_user(factory.freelancer()), 10_000)["milestones"][0]
    failing_gateway.fail("charge", "after")
    assert_problem(fund(company, milestone["id"], expect_5xx=True), 502)
    _claim_all(app, 60)  # another request is asking the provider right now

    key = {"Idempotency-Key": "fund-once"}
    busy = fund(company, milestone["id"], headers=key)
    assert_problem(busy, 409)
    assert busy.headers["Retry-After"]

    _claim_all(app, -1)  # that request is gone: its claim ran out
    again = fund(company, milestone["id"], headers=key)
    assert again.status_code == 200, again.json
    assert again.headers.get("Idempotent-Replayed") is None
    assert again.json["status"] == "funded"
    assert balance(company)["in_escrow"] == 10_000
    assert_ledger_ok(app)


def test_a_repeated_payout_account_request_books_the_payout_whose_answer_was_lost(
    app, api, factory, failing_gateway
):
    company = api.as_user(factory.client())
    freelancer = api.as_user(factory.freelancer())
    milestone = contract_with(company, freelancer, 10_000)["milestones"][0]["id"]
    fund(company, milestone)
    freelancer.post(f"/milestones/{milestone}/submit", json={"note": "Done."})
    company.post(f"/milestones/{milestone}/approve")
    failing_gateway.fail("transfer", "after")
    assert_problem(freelancer.post("/me/payout-account", expect_5xx=True), 502)
    assert balance(freelancer)["pending_payout"] == 9_000

    assert freelancer.post("/me/payout-account").json["payouts_enabled"] is True
    assert balance(freelancer)["pending_payout"] == 0
    assert balance(freelancer)["paid_out"] == 9_000
    assert len(failing_gateway.inner.records("transfer")) == 1
    assert_ledger_ok(app)
