"""The money chores of the CLI: release-due, recover-operations and verify-ledger."""

import pytest
from sqlalchemy import text

from marketplace.extensions import db
from tests.client import assert_problem
from tests.money import assert_ledger_ok, balance, contract_with, failing_gateway, fund

__all__ = ["failing_gateway"]


def run(app, *args):
    return app.test_cli_runner().invoke(args=["marketplace", *args])


@pytest.fixture
def review_period(app):
    """Set REVIEW_PERIOD_DAYS for the submits of one test."""

    def set_days(days):
        app.config["REVIEW_PERIOD_DAYS"] = days

    yield set_days
    app.config["REVIEW_PERIOD_DAYS"] = 14.0


def test_release_due_approves_only_what_is_due(app, api, factory, review_period):
    company, freelancer = api.as_user(factory.client()), api.as_user(factory.freelancer())
    contract = contract_with(company, freelancer, 10_000, 20_000)
    due, later = (m["id"] for m in contract["milestones"])
    for milestone_id in (due, later):
        fund(company, milestone_id)
    review_period(0)
    freelancer.post(f"/milestones/{due}/submit", json={"note": "done"})
    review_period(0.5)
    freelancer.post(f"/milestones/{later}/submit", json={"note": "done"})

    first = run(app, "release-due")
    second = run(app, "release-due")

    assert first.exit_code == 0, first.output
    assert f"milestone {due}: released 100.00 USD" in first.output
    assert f"milestone {later}" not in first.output
    assert "0 milestone(s) due" in second.output
    shown = company.get(f"/contracts/{contract['id']}").json["milestones"]
    milestones = {m["id"]: m for m in shown}
    assert {i: m["status"] for i, m in milestones.items()} == {due: "approved", later: "submitted"}
    assert milestones[due]["auto_release_at"] is None  # it happened: nothing more is due
    assert milestones[later]["auto_release_at"] is not None
    assert balance(freelancer)["pending_payout"] == 9_000
    log = run(app, "verify-ledger")
    assert log.exit_code == 0
    assert "ok" in log.output


def test_a_fractional_review_period_sets_the_due_time(api, factory, review_period):
    company, freelancer = api.as_user(factory.client()), api.as_user(factory.freelancer())
    milestone_id = contract_with(company, freelancer, 5_000)["milestones"][0]["id"]
    fund(company, milestone_id)
    review_period(0.25)

    submitted = freelancer.post(f"/milestones/{milestone_id}/submit", json={"note": "x"}).json

    from datetime import datetime, timedelta

    from marketplace.database import utcnow

    due = datetime.fromisoformat(submitted["auto_release_at"])
    assert abs(due - (utcnow() + timedelta(hours=6))) < timedelta(minutes=1)


def test_verify_ledger_exits_1_on_an_unbalanced_ledger(app, api, factory):
    company, freelancer = api.as_user(factory.client()), api.as_user(factory.freelancer())
    milestone_id = contract_with(company, freelancer, 5_000)["milestones"][0]["id"]
    fund(company, milestone_id)
    assert run(app, "verify-ledger").exit_code == 0
    with app.app_context():
        db.session.execute(
            text(
                "UPDATE ledger_lines SET amount = amount + 1 WHERE id = (SELECT max(l.id) "
                "FROM ledger_lines l JOIN ledger_accounts a ON a.id = l.account_id "
                "WHERE a.kind = 'escrow')"
            )
        )
        db.session.commit()

    result = run(app, "verify-ledger")

    assert result.exit_code == 1
    assert "does not balance" in result.output
    assert (
        f"milestone {milestone_id}: its escrow holds 5001, but its movements leave 5000"
        " (charged 5000, refunded 0, released 0)" in result.output
    )
    assert f"milestone {milestone_id} was funded 5001 (charged 5000), not 5000" in result.output


def test_verify_ledger_compares_each_milestones_escrow_with_its_movements(app, api, factory):
    company, freelancer = api.as_user(factory.client()), api.as_user(factory.freelancer())
    milestone_id = contract_with(company, freelancer, 5_000)["milestones"][0]["id"]
    fund(company, milestone_id)
    with app.app_context():  # the ledger stays balanced; the charge says it never happened
        db.session.execute(
            text(
                "UPDATE escrow_movements SET status = 'failed' WHERE kind = 'charge'"
                f" AND milestone_id = {milestone_id}"
            )
        )
        db.session.commit()

    result = run(app, "verify-ledger")

    assert result.exit_code == 1
    assert "does not balance" not in result.output
    assert (
        f"milestone {milestone_id}: its escrow holds 5000, but its movements leave 0"
        " (charged 0, refunded 0, released 0)" in result.output
    )
    assert f"milestone {milestone_id} was funded 5000 (charged 0), not 5000" in result.output


def test_recover_operations_books_what_the_provider_did_for_a_lost_answer(
    app, api, factory, failing_gateway
):
    company, freelancer = api.as_user(factory.client()), api.as_user(factory.freelancer())
    admin = api.as_user(factory.admin())
    contract = contract_with(company, freelancer, 5_000, 7_000)
    charged, unreached = (m["id"] for m in contract["milestones"])
    failing_gateway.fail("charge", "after")  # charged, the answer lost
    assert_problem(fund(company, charged, expect_5xx=True), 502)
    failing_gateway.fail("charge", "before")  # never reached the provider
    assert_problem(fund(company, unreached, expect_5xx=True), 502)
    pending = admin.get("/admin/operations", query_string={"status": "pending"}).json["data"]
    assert sorted(o["milestone_id"] for o in pending) == [charged, unreached]
    assert balance(company)["in_escrow"] == 0
    failing_gateway.fail("charge", "before")  # the first recovery is unanswered again

    first = run(app, "recover-operations")

    assert first.exit_code == 1, first.output
    assert "2 pending operation(s) looked at, 1 still unanswered" in first.output
    still = admin.get("/admin/operations", query_string={"status": "pending"}).json["data"]
    assert len(still) == 1

    second = run(app, "recover-operations")

    assert second.exit_code == 0, second.output
    assert "1 pending operation(s) looked at, 0 still unanswered" in second.output
    assert admin.get("/admin/operations", query_string={"status": "pending"}).json["data"] == []
    shown = company.get(f"/contracts/{contract['id']}").json["milestones"]
    assert {m["status"] for m in shown} == {"funded"}
    assert balance(company)["in_escrow"] == 12_000
    assert len(failing_gateway.inner.records("charge")) == 2  # one each, none twice
    assert "0 pending operation(s)" in run(app, "recover-operations").output
    assert_ledger_ok(app)
