"""The money chores of the CLI: release-due and verify-ledger."""

import pytest
from sqlalchemy import text

from marketplace.extensions import db
from tests.money import balance, contract_with, fund


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
                "UPDATE ledger_lines SET amount = amount + 1 WHERE id = "
                "(SELECT max(id) FROM ledger_lines)"
            )
        )
        db.session.commit()

    result = run(app, "verify-ledger")

    assert result.exit_code == 1
    assert "does not balance" in result.output
    assert f"milestone {milestone_id} is funded but its escrow holds 5001" in result.output
