"""Events: one per recipient, written with the change, shaped for that recipient; the feed."""

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from marketplace.database import utcnow
from marketplace.events.models import Event
from marketplace.events.service import EVENT_ORDER_LOCK
from marketplace.extensions import db
from tests.api.test_gold import Work, invoice
from tests.client import assert_problem
from tests.money import contract_with, expect_ok, fund
from tests.work import make_contract, place_bid, post_job


def feed(user, **query) -> list[dict]:
    """Every event the user can read, oldest first, following the cursor."""
    events, cursor = [], None
    while True:
        paging = {"limit": 100, "cursor": cursor} if cursor else {"limit": 100}
        page = expect_ok(user.get("/events", query_string={**query, **paging}))
        assert page["next_cursor"]
        events += page["data"]
        if len(page["data"]) < 100:
            return events
        cursor = page["next_cursor"]


def types(user, **query) -> list[str]:
    return [e["type"] for e in feed(user, **query)]


@pytest.fixture
def people(api, factory):
    class People:
        client = api.as_user(factory.client())
        freelancer = api.as_user(factory.freelancer())
        other_freelancer = api.as_user(factory.freelancer())
        admin = api.as_user(factory.admin())
        bystander = api.as_user(factory.client())

    return People


def test_every_event_type_reaches_exactly_the_users_it_concerns(app, people, factory):
    client, freelancer, other, admin = (
        people.client,
        people.freelancer,
        people.other_freelancer,
        people.admin,
    )
    # Bids: one accepted, one declined with the accept, one declined by the client.
    job = post_job(client)
    bid = place_bid(freelancer, job["id"], amount=30_000, milestones=[
        {"title": "Batch 1", "amount": 10_000},
        {"title": "Batch 2", "amount": 10_000},
        {"title": "Batch 3", "amount": 10_000},
    ])  # fmt: skip
    place_bid(other, job["id"])
    second_job = post_job(client)
    declined = place_bid(other, second_job["id"])
    expect_ok(client.post(f"/bids/{declined['id']}/decline"))
    contract = expect_ok(client.post(f"/bids/{bid['id']}/accept"))
    first, second, third = (m["id"] for m in contract["milestones"])
    # A milestone delivered twice and approved, then paid out.
    expect_ok(fund(client, first))
    expect_ok(freelancer.post(f"/milestones/{first}/submit", json={"note": "Done."}))
    expect_ok(client.post(f"/milestones/{first}/request-changes", json={"reason": "Fix"}))
    expect_ok(freelancer.post(f"/milestones/{first}/submit", json={"note": "Fixed."}))
    expect_ok(client.post(f"/milestones/{first}/approve"))
    expect_ok(freelancer.post("/me/payout-account"))
    # One refunded, one disputed and ruled on.
    expect_ok(fund(client, second))
    expect_ok(freelancer.post(f"/milestones/{second}/refund"))
    expect_ok(fund(client, third))
    dispute = expect_ok(client.post(f"/milestones/{third}/disputes", json={"reason": "Late"}))
    expect_ok(freelancer.post(f"/disputes/{dispute['id']}/messages", json={"body": "Not so."}))
    split = {"freelancer_amount": 5_000, "note": "Half."}
    expect_ok(admin.post(f"/disputes/{dispute['id']}/resolve", json=split))
    expect_ok(client.post(f"/contracts/{contract['id']}/messages", json={"body": "Thanks"}))
    expect_ok(client.post(f"/contracts/{contract['id']}/complete"))
    review = {"rating": 5, "comment": "Exact."}
    expect_ok(client.post(f"/contracts/{contract['id']}/reviews", json=review))
    # A contract cancelled before any money moved.
    cancelled = make_contract(client, other)
    expect_ok(other.post(f"/contracts/{cancelled['id']}/cancel"))
    # An account suspended and reinstated.
    target = factory.client()
    expect_ok(admin.post(f"/admin/users/{target.id}/suspend", json={"reason": "Spam"}))
    expect_ok(admin.post(f"/admin/users/{target.id}/reinstate"))

    parties = [
        "contract.created",
        "milestone.funded",
        "milestone.submitted",
        "milestone.changes_requested",
        "milestone.submitted",
        "milestone.approved",
        "milestone.funded",
        "milestone.refunded",
        "milestone.funded",
        "dispute.opened",
        "dispute.message",
        "milestone.resolved",
        "dispute.resolved",
        "message.created",
        "contract.completed",
        "review.created",
    ]
    assert types(client) == [
        "bid.created",
        "bid.created",
        "bid.created",
        *parties,
        "bid.created",
        "contract.created",
        "contract.cancelled",
    ]
    freelancer_types = list(parties)
    freelancer_types.insert(0, "bid.accepted")
    # Paid out at once from the approval on (the ruling's release too).
    freelancer_types.insert(freelancer_types.index("milestone.approved") + 1, "payout.paid")
    freelancer_types.insert(freelancer_types.index("milestone.resolved") + 1, "payout.paid")
    assert types(freelancer) == freelancer_types
    assert types(other) == [
        "bid.declined",
        "bid.declined",
        "bid.accepted",
        "contract.created",
        "contract.cancelled",
    ]
    assert types(api_as(app, target)) == ["account.suspended", "account.reinstated"]
    assert types(people.bystander) == []
    # Admins read one copy of every event, whoever it went to.
    every = types(admin)
    assert sorted(set(every)) == sorted(
        {*parties, "bid.created", "bid.accepted", "bid.declined", "payout.paid",
         "contract.cancelled", "account.suspended", "account.reinstated"}
    )  # fmt: skip
    assert every.count("bid.created") == 4

    # Each event's object is the resource as its own endpoint returns it to the reader.
    events = feed(freelancer)
    approved = next(e for e in events if e["type"] == "milestone.approved")
    assert approved["data"]["object"]["status"] == "approved"
    assert approved["data"]["object"]["id"] == first
    assert len(approved["data"]["object"]["submissions"]) == 2
    resolved = next(e for e in events if e["type"] == "dispute.resolved")
    assert resolved["data"]["object"] == expect_ok(freelancer.get(f"/disputes/{dispute['id']}"))
    completed = next(e for e in events if e["type"] == "contract.completed")
    assert completed["data"]["object"] == expect_ok(freelancer.get(f"/contracts/{contract['id']}"))
    paid = next(e for e in events if e["type"] == "payout.paid")
    assert paid["data"]["object"] in expect_ok(freelancer.get("/me/transactions"))["data"]
    accepted = next(e for e in events if e["type"] == "bid.accepted")
    assert accepted["data"]["object"] == expect_ok(freelancer.get(f"/bids/{bid['id']}"))
    one = expect_ok(freelancer.get(f"/events/{accepted['id']}"))
    assert one == accepted


def api_as(app, actor):
    from tests.client import ApiClient

    return ApiClient(app, token=actor.token)


def test_a_freelancer_never_receives_the_clients_view_of_gold_records(app, api, factory):
    class People:
        client = api.as_user(factory.client())
        freelancer = api.as_user(factory.freelancer())
        admin = api.as_user(factory.admin())

    work = Work(People, gold=[invoice(2)])
    expect_ok(work.deliver([invoice(1), invoice(2, net=5), invoice(3)]))

    def report(user):
        (event,) = feed(user, type="milestone.submitted")
        return event["data"]["object"]["submissions"][-1]["report"]["gold"]

    assert report(People.freelancer) == {"accuracy": 0.67}
    assert report(People.client)["differences"] == [
        {"row": 2, "field": "net", "expected": 102, "delivered": 5}
    ]
    assert report(People.admin) == report(People.client)


def test_polling_from_the_cursor_returns_only_what_is_new(people):
    client, freelancer = people.client, people.freelancer
    empty = expect_ok(client.get("/events"))
    assert empty["data"] == []
    assert empty["next_cursor"]
    job = post_job(client)
    place_bid(freelancer, job["id"])
    page = expect_ok(client.get("/events", query_string={"cursor": empty["next_cursor"]}))
    assert [e["type"] for e in page["data"]] == ["bid.created"]
    again = expect_ok(client.get("/events", query_string={"cursor": page["next_cursor"]}))
    assert again == {"data": [], "next_cursor": page["next_cursor"]}
    second = post_job(client)
    place_bid(freelancer, second["id"])
    newer = expect_ok(client.get("/events", query_string={"cursor": again["next_cursor"]}))
    assert [e["data"]["object"]["job_id"] for e in newer["data"]] == [second["id"]]
    # Pages of one, oldest first.
    first_page = expect_ok(client.get("/events", query_string={"limit": 1}))
    assert first_page["data"][0]["data"]["object"]["job_id"] == job["id"]
    # Filters: a type nobody sent gives nothing, and still a cursor to poll from.
    none = expect_ok(client.get("/events", query_string={"type": ["contract.created"]}))
    assert none["data"] == []
    assert none["next_cursor"]
    both = {"type": ["contract.created", "bid.created"]}
    assert len(expect_ok(client.get("/events", query_string=both))["data"]) == 2


def test_bad_queries_and_other_peoples_events(people):
    client = people.client
    job = post_job(client)
    place_bid(people.freelancer, job["id"])
    (event,) = feed(client)
    assert_problem(client.get("/events", query_string={"type": "bid.eaten"}), 422, "type")
    assert_problem(client.get("/events", query_string={"cursor": "nonsense"}), 422, "cursor")
    assert_problem(client.get("/events", query_string={"limit": 0}), 422, "limit")
    assert_problem(people.bystander.get(f"/events/{event['id']}"), 404)
    assert_problem(people.freelancer.get(f"/events/{event['id']}"), 404)
    # Admins read any recipient's copy, and list the admins' copy of each event.
    assert expect_ok(people.admin.get(f"/events/{event['id']}")) == event
    assert [e["type"] for e in feed(people.admin)] == ["bid.created"]
    assert_problem(client.get("/events/999999"), 404)


def test_a_suspended_user_still_reads_their_events(app, people, factory):
    target = factory.client()
    expect_ok(people.admin.post(f"/admin/users/{target.id}/suspend", json={"reason": "Spam"}))
    assert types(api_as(app, target)) == ["account.suspended"]


def test_nothing_is_written_for_a_change_that_failed(people):
    contract = contract_with(people.client, people.freelancer, 10_000)
    milestone = contract["milestones"][0]["id"]
    declined = fund(people.client, milestone, method="pm_card_chargeDeclined")
    assert declined.status_code == 402
    assert types(people.client) == ["bid.created", "contract.created"]


def test_events_past_the_retention_period_are_purged(app, people):
    job = post_job(people.client)
    place_bid(people.freelancer, job["id"])
    with app.app_context():
        for event in db.session.scalars(select(Event)):
            event.created_at = utcnow() - timedelta(days=31)
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["marketplace", "purge-expired"])
    assert result.exit_code == 0, result.output
    assert "2 event(s) deleted" in result.output
    assert types(people.client) == []


@pytest.mark.postgres_only
def test_an_event_committed_after_a_later_one_is_not_skipped_by_the_cursor(app, people):
    """Ids are taken in one order and committed in another: a feed read from an id must
    still see an event whose transaction began first and committed last."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("SQLite has one writer at a time: ids are taken in commit order")
    client, freelancer = people.client, people.freelancer
    start = expect_ok(client.get("/events"))["next_cursor"]
    with app.app_context():
        slow = db.engine.connect()
    transaction = slow.begin()
    # An event written the way every transaction writes them, left uncommitted.
    slow.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": EVENT_ORDER_LOCK})
    slow.execute(
        text(
            "INSERT INTO events (user_id, type, data, created_at) "
            "VALUES (:user, 'bid.created', '{}', now())"
        ),
        {"user": client_id(app, client)},
    )
    job = post_job(client)
    done = threading.Event()

    def later_change():
        place_bid(freelancer, job["id"])
        done.set()

    worker = threading.Thread(target=later_change)
    worker.start()
    try:
        deadline = time.monotonic() + 30
        while not done.is_set() and not waits_for_the_lock(app):
            assert time.monotonic() < deadline, "the later change neither waited nor ended"
            time.sleep(0.01)
        seen = expect_ok(client.get("/events", query_string={"cursor": start}))
        transaction.commit()
    finally:
        if transaction.is_active:
            transaction.rollback()
        worker.join()
        slow.close()
    after = expect_ok(client.get("/events", query_string={"cursor": seen["next_cursor"]}))
    assert len(seen["data"]) + len(after["data"]) == 2


def client_id(app, client) -> int:
    return expect_ok(client.get("/me"))["id"]


def waits_for_the_lock(app) -> bool:
    with app.app_context():
        waiting = db.session.scalar(
            text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
        )
        db.session.rollback()
    return bool(waiting)
