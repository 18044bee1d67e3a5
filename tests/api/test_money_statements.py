"""The money flow's SQL statements per request: each one is a round trip on PostgreSQL,
so their number is what the flow's throughput depends on most. A change that adds one
must change the figure here on purpose."""

import pytest

from marketplace.extensions import db
from tests.api.test_query_counts import counting
from tests.money import contract_with, expect_ok, fund

# fund, submit, approve of a milestone whose client and freelancer have booked before
# (their ledger accounts exist); the milestone's escrow account is made by its funding.
# SQLite's BEGIN is a statement of its own. Submit reads the job's record schema, which
# says whether the delivery is a note or records. Each writes its event (one INSERT for
# both parties and the admins' copy; on PostgreSQL the same statement takes the lock
# that keeps event ids in commit order).
EXPECTED = {
    "postgresql": {"fund": 13, "submit": 8, "approve": 11},
    "sqlite": {"fund": 18, "submit": 9, "approve": 13},
}


@pytest.fixture
def flow(app, api, factory):
    client, freelancer = api.as_user(factory.client()), api.as_user(factory.freelancer())
    contract = contract_with(client, freelancer, 10_000, 10_000)
    first, second = (m["id"] for m in contract["milestones"])
    # The first milestone's way makes the parties' accounts.
    expect_ok(fund(client, first))
    expect_ok(freelancer.post(f"/milestones/{first}/submit", json={"note": "Done."}))
    expect_ok(client.post(f"/milestones/{first}/approve"))
    return client, freelancer, second


def test_the_money_flow_sends_few_statements(app, flow):
    client, freelancer, milestone_id = flow
    steps = {
        "fund": lambda: fund(client, milestone_id),
        "submit": lambda: freelancer.post(
            f"/milestones/{milestone_id}/submit", json={"note": "All typed."}
        ),
        "approve": lambda: client.post(f"/milestones/{milestone_id}/approve"),
    }
    sent, answers = {}, {}
    for step, call in steps.items():
        with counting(app) as statements:
            answers[step] = expect_ok(call())
        sent[step] = len(statements)

    with app.app_context():
        dialect = db.engine.dialect.name
    assert sent == EXPECTED[dialect], sent
    # Each answer is the milestone as its request left it, read in its own transaction.
    assert [answers[s]["status"] for s in steps] == ["funded", "submitted", "approved"]
    assert [s["note"] for s in answers["submit"]["submissions"]] == ["All typed."]
    assert answers["submit"]["auto_release_at"] is not None
    assert answers["approve"]["auto_release_at"] is None
    assert answers["approve"]["submissions"] == answers["submit"]["submissions"]
