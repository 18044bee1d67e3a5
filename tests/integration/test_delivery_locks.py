"""A delivery of records is checked before its milestone is locked, and written under it.

A check of 50,000 rows takes seconds: it holds no row lock and, on SQLite, not the
database's write lock, so other requests write meanwhile. Under the lock the milestone
must still take a delivery (or the answer is a 409 and nothing stays behind), two
deliveries at once make one submission, and refused checks at once count up to the
milestone's allowance and no further.
"""

import threading
from contextlib import suppress

import pytest
from sqlalchemy import func, select

from marketplace.contracts.models import MilestoneSubmission
from marketplace.deliveries import service as deliveries
from marketplace.deliveries.models import DeliveryFile, DeliveryRecord, DeliveryRefusal
from marketplace.extensions import db
from tests.client import ApiClient, assert_problem
from tests.deliveries import funded_milestone, record
from tests.files import stored_keys
from tests.integration.test_races import assert_lock_conflict, race, statuses
from tests.money import assert_ledger_ok
from tests.work import post_job

# Longer than the check of a few rows, shorter than SQLite's busy timeout (15 s), so
# that a request queued behind a held lock would still be waiting.
PAUSE = 10


@pytest.fixture
def work(app, api, factory):
    class Work:
        client_user = factory.client()
        freelancer_user = factory.freelancer()
        client = api.as_user(client_user)
        freelancer = api.as_user(freelancer_user)

    Work.milestone = funded_milestone(app, Work.client, Work.freelancer)
    return Work


def paused_check(monkeypatch):
    """Make every delivery's check wait inside, until `go` is set; `checking` is set
    once one is in there."""
    checking, go = threading.Event(), threading.Event()
    real = deliveries.check

    def check(*args, **kwargs):
        checking.set()
        go.wait(PAUSE)
        return real(*args, **kwargs)

    monkeypatch.setattr(deliveries, "check", check)
    return checking, go


def deliver_in_background(app, token: str, milestone: int, records: list[dict]):
    """POST the records as the milestone's delivery from a thread of its own; the
    thread and a dict that will hold its response."""
    answers: dict = {}

    def run():
        client = ApiClient(app, token)
        answers["response"] = client.post(
            f"/milestones/{milestone}/submit", json={"records": records}, expect_5xx=True
        )

    thread = threading.Thread(target=run)
    thread.start()
    return thread, answers


def counts(app, milestone: int) -> dict:
    with app.app_context():
        submissions = select(MilestoneSubmission.id).where(
            MilestoneSubmission.milestone_id == milestone
        )
        return {
            "submissions": db.session.scalar(
                select(func.count()).select_from(submissions.subquery())
            ),
            "records": db.session.scalar(
                select(func.count())
                .select_from(DeliveryRecord)
                .where(DeliveryRecord.submission_id.in_(submissions))
            ),
            "files": db.session.scalar(
                select(func.count())
                .select_from(DeliveryFile)
                .where(DeliveryFile.submission_id.in_(submissions))
            ),
            "refusals": db.session.scalar(
                select(func.count())
                .select_from(DeliveryRefusal)
                .where(DeliveryRefusal.milestone_id == milestone)
            ),
        }


def test_others_write_while_a_delivery_is_checked(app, work, monkeypatch):
    checking, go = paused_check(monkeypatch)
    contract = work.client.get("/contracts").json["data"][0]["id"]
    thread, answers = deliver_in_background(
        app, work.freelancer_user.token, work.milestone, [record(n) for n in range(1, 4)]
    )
    try:
        assert checking.wait(10)
        # Behind a held write lock each would wait out the busy timeout and be a 503.
        job = post_job(work.client)
        message = work.client.post(f"/contracts/{contract}/messages", json={"body": "Any news?"})
        still_checking = thread.is_alive()
    finally:
        go.set()
        thread.join(30)

    assert job["id"]
    assert message.status_code == 201, message.json
    assert still_checking  # the writes did not wait for the check
    response = answers["response"]
    assert response.status_code == 200, response.json
    assert response.json["status"] == "submitted"
    assert counts(app, work.milestone) == {
        "submissions": 1,
        "records": 3,
        "files": 1,
        "refusals": 0,
    }


def test_a_milestone_that_stopped_taking_deliveries_during_the_check_is_a_409(
    app, work, monkeypatch
):
    """The check saw a funded milestone; by the time it is written the client disputed
    it. The milestone is locked and read again before anything is written."""
    checking, go = paused_check(monkeypatch)
    files_before = stored_keys(app)
    thread, answers = deliver_in_background(
        app, work.freelancer_user.token, work.milestone, [record(1), record(2)]
    )
    try:
        assert checking.wait(10)
        # Waits for no lock of the delivery: on PostgreSQL the milestone's row is not
        # locked while it is checked.
        dispute = work.client.post(
            f"/milestones/{work.milestone}/disputes", json={"reason": "Not what we asked for."}
        )
    finally:
        go.set()
        thread.join(30)

    assert dispute.status_code == 201, dispute.json
    assert_lock_conflict(answers["response"])
    milestone = work.client.get(f"/contracts/{dispute.json['contract_id']}").json["milestones"][0]
    assert milestone["status"] == "disputed"
    assert milestone["submissions"] == []
    assert counts(app, work.milestone) == {
        "submissions": 0,
        "records": 0,
        "files": 0,
        "refusals": 0,
    }
    assert stored_keys(app) == files_before  # the file kept after the check is gone again
    assert_ledger_ok(app)


def together(monkeypatch, parties: int = 2):
    """Hold each check until `parties` are checking at once (or 10 s passed), so that
    deliveries race to be written, not to be checked."""
    barrier = threading.Barrier(parties, timeout=10)
    real = deliveries.check

    def check(*args, **kwargs):
        # One that cannot get here (it waits for a lock) breaks the barrier: both go on.
        with suppress(threading.BrokenBarrierError):
            barrier.wait()
        return real(*args, **kwargs)

    monkeypatch.setattr(deliveries, "check", check)


def test_two_deliveries_at_once_make_one_submission(app, work, monkeypatch):
    together(monkeypatch)
    files_before = stored_keys(app)
    path = f"/milestones/{work.milestone}/submit"
    token = work.freelancer_user.token
    first = {"records": [record(n) for n in range(1, 4)]}
    second = {"records": [record(n) for n in range(1, 6)]}

    responses = race(app, (token, "POST", path, first), (token, "POST", path, second))

    assert sorted(statuses(responses)) == [200, 409]
    winner = next(r for r in responses if r.status_code == 200).json
    assert_lock_conflict(next(r for r in responses if r.status_code == 409))
    assert winner["status"] == "submitted"
    rows = winner["records"]["submitted"]
    assert counts(app, work.milestone) == {
        "submissions": 1,
        "records": rows,
        "files": 1,
        "refusals": 0,
    }
    # The loser's file went to storage after its check; it is removed again.
    assert len(stored_keys(app)) == len(files_before) + 1


def test_refused_deliveries_at_once_count_up_to_the_allowance_only(app, work, monkeypatch):
    monkeypatch.setitem(app.config, "DELIVERY_CHECKS_PER_DAY", 2)
    path = f"/milestones/{work.milestone}/submit"
    token = work.freelancer_user.token
    bad = {"records": [record(1, amount="x")]}
    assert_problem(work.freelancer.post(path, json=bad), 422)  # one of the two used
    together(monkeypatch)

    responses = race(app, (token, "POST", path, bad), (token, "POST", path, bad))

    assert sorted(statuses(responses)) == [422, 429]
    refused = next(r for r in responses if r.status_code == 422)
    assert refused.json["report"]["error_count"] == 1
    over = assert_problem(next(r for r in responses if r.status_code == 429), 429)
    assert "report" not in over
    assert int(next(r for r in responses if r.status_code == 429).headers["Retry-After"]) > 0
    assert counts(app, work.milestone)["refusals"] == 2
    assert_problem(work.freelancer.post(path, json={"records": [record(1)]}), 429)
