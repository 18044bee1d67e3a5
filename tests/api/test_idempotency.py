"""Idempotency-Key on authenticated POSTs: replay, mismatch, in-flight, expiry."""

import threading
from datetime import timedelta

from sqlalchemy import select, update

from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.idempotency import IdempotencyRecord, _request_hash
from tests import probe
from tests.client import ApiClient, assert_problem


def key(value):
    return {"Idempotency-Key": value}


def test_the_same_key_replays_the_first_response_without_doing_it_again(api, factory):
    probe.calls.clear()
    client = api.as_user(factory.client())

    first = client.post("/_probe/notes", json={"text": "hi"}, headers=key("k-1"))
    second = client.post("/_probe/notes", json={"text": "hi"}, headers=key("k-1"))

    assert first.status_code == second.status_code == 201
    assert second.json == first.json
    assert second.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert len(probe.calls) == 1


def test_json_formatting_does_not_change_the_request(api, factory):
    probe.calls.clear()
    client = api.as_user(factory.client())

    client.post("/_probe/notes", json={"a": 1, "b": 2}, headers=key("k"))
    replay = client.post(
        "/_probe/notes",
        data='{ "b": 2,  "a": 1 }',
        content_type="application/json",
        headers=key("k"),
    )

    assert replay.headers["Idempotent-Replayed"] == "true"
    assert len(probe.calls) == 1


def test_without_a_key_every_request_runs(api, factory):
    probe.calls.clear()
    client = api.as_user(factory.client())

    client.post("/_probe/notes", json={})
    client.post("/_probe/notes", json={})

    assert len(probe.calls) == 2


def test_reusing_a_key_with_another_body_or_path_is_a_422(api, factory):
    probe.calls.clear()
    client = api.as_user(factory.client())
    client.post("/_probe/notes", json={"text": "one"}, headers=key("k"))

    assert_problem(
        client.post("/_probe/notes", json={"text": "two"}, headers=key("k")), 422, "Idempotency-Key"
    )
    assert_problem(client.post("/_probe/conflict", json={"text": "one"}, headers=key("k")), 422)
    assert len(probe.calls) == 1


def test_keys_belong_to_one_user(api, factory):
    probe.calls.clear()
    alice, bob = api.as_user(factory.client()), api.as_user(factory.client())

    alice.post("/_probe/notes", json={"text": "same"}, headers=key("shared"))
    response = bob.post("/_probe/notes", json={"text": "same"}, headers=key("shared"))

    assert "Idempotent-Replayed" not in response.headers
    assert len(probe.calls) == 2


def test_4xx_responses_are_replayed(api, factory):
    probe.calls.clear()
    client = api.as_user(factory.client())

    first = client.post("/_probe/conflict", headers=key("c"))
    second = client.post("/_probe/conflict", headers=key("c"))

    assert_problem(first, 409)
    assert_problem(second, 409)
    assert second.headers["Idempotent-Replayed"] == "true"
    assert len(probe.calls) == 1


def test_5xx_responses_are_not_stored_so_a_retry_runs_again(api, factory):
    probe.calls.clear()
    client = api.as_user(factory.client())

    assert client.post("/_probe/unavailable", headers=key("u"), expect_5xx=True).status_code == 503
    assert client.post("/_probe/unavailable", headers=key("u"), expect_5xx=True).status_code == 503
    client.post("/_probe/crash", headers=key("x"), expect_5xx=True)
    client.post("/_probe/crash", headers=key("x"), expect_5xx=True)

    assert len(probe.calls) == 4


def test_a_key_still_running_is_a_409(app, factory):
    user = factory.client()
    first_client, second_client = ApiClient(app, user.token), ApiClient(app, user.token)
    probe.gate.clear()
    probe.entered.clear()
    results = {}

    def first():
        results["first"] = first_client.post("/_probe/slow", headers=key("slow"))

    thread = threading.Thread(target=first)
    thread.start()
    try:
        assert probe.entered.wait(timeout=10)
        second = second_client.post("/_probe/slow", headers=key("slow"))
    finally:
        probe.gate.set()
        thread.join(timeout=10)

    assert_problem(second, 409)
    assert results["first"].status_code == 201
    replay = second_client.post("/_probe/slow", headers=key("slow"))
    assert replay.headers["Idempotent-Replayed"] == "true"


def test_a_key_expires_after_24_hours(app, api, factory):
    probe.calls.clear()
    client = api.as_user(factory.client())
    client.post("/_probe/notes", json={}, headers=key("old"))
    with app.app_context():
        db.session.execute(
            update(IdempotencyRecord).values(created_at=utcnow() - timedelta(hours=25))
        )
        db.session.commit()

    again = client.post("/_probe/notes", json={}, headers=key("old"))

    assert "Idempotent-Replayed" not in again.headers
    assert len(probe.calls) == 2


def test_a_key_longer_than_255_characters_is_a_422(api, factory):
    probe.calls.clear()
    client = api.as_user(factory.client())

    assert_problem(client.post("/_probe/notes", json={}, headers=key("k" * 256)), 422)
    assert client.post("/_probe/notes", json={}, headers=key("k" * 255)).status_code == 201
    assert len(probe.calls) == 1


def test_anonymous_and_credential_endpoints_store_nothing(app, api, factory):
    user = factory.client()
    body = {"email": user.email, "password": user.password, "name": "cli"}

    first = api.post("/auth/tokens", json=body, headers=key("t"))
    second = api.post("/auth/tokens", json=body, headers=key("t"))

    assert first.json["token"] != second.json["token"]
    with app.app_context():
        assert db.session.scalars(select(IdempotencyRecord)).all() == []


def _crashed_request(app, user, path: str, body: dict, claimed_ago: timedelta) -> None:
    """The key's record as a request leaves it when its process is killed mid-work."""
    with app.test_request_context(path, method="POST", json=body):
        request_hash = _request_hash()
    with app.app_context():
        db.session.add(
            IdempotencyRecord(
                user_id=user.id,
                key="crashed",
                request_hash=request_hash,
                created_at=utcnow() - claimed_ago,
            )
        )
        db.session.commit()


def test_a_key_whose_request_died_runs_again_after_the_lease(app, api, factory):
    probe.calls.clear()
    user = factory.client()
    client = api.as_user(user)
    _crashed_request(app, user, "/api/v1/_probe/notes", {}, claimed_ago=timedelta(seconds=61))

    retried = client.post("/_probe/notes", json={}, headers=key("crashed"))
    replayed = client.post("/_probe/notes", json={}, headers=key("crashed"))

    assert retried.status_code == 201
    assert "Idempotent-Replayed" not in retried.headers
    assert replayed.headers["Idempotent-Replayed"] == "true"
    assert len(probe.calls) == 1


def test_a_key_within_its_lease_is_still_running(app, api, factory):
    probe.calls.clear()
    user = factory.client()
    client = api.as_user(user)
    _crashed_request(app, user, "/api/v1/_probe/notes", {}, claimed_ago=timedelta(seconds=30))

    assert_problem(client.post("/_probe/notes", json={}, headers=key("crashed")), 409)
    assert probe.calls == []
