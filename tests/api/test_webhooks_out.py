"""Webhook endpoints and the worker that delivers events to them (Standard Webhooks)."""

import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select
from standardwebhooks.webhooks import Webhook

from marketplace.database import utcnow
from marketplace.events import outbound
from marketplace.events.models import WebhookDelivery
from marketplace.events.webhooks import RETRY_DELAYS
from marketplace.extensions import db
from marketplace.worker import CHORES, Worker
from tests.client import assert_problem
from tests.money import expect_ok
from tests.work import place_bid, post_job


class Receiver:
    """An HTTP server on loopback that answers as told and keeps what it was sent."""

    def __init__(self):
        self.answer = 200
        self.hang = threading.Event()  # set: every request waits until released
        self.released = threading.Event()
        self.received: list[tuple[dict, bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                if receiver.hang.is_set():
                    receiver.released.wait(5)
                self.send_response(receiver.answer)
                if 300 <= receiver.answer < 400:
                    self.send_header("Location", f"{receiver.url}/elsewhere")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.released.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def private_urls(app):
    app.config["WEBHOOK_ALLOW_PRIVATE_URLS"] = True
    yield
    app.config["WEBHOOK_ALLOW_PRIVATE_URLS"] = False


@pytest.fixture
def resolver(monkeypatch):
    """A DNS that answers what the test says, for every name."""
    answers = {"address": "93.184.216.34"}
    monkeypatch.setattr(outbound, "resolver", lambda host, port: [answers["address"]])
    return answers


class Clock:
    def __init__(self):
        self.now = utcnow()

    def __call__(self):
        return self.now


def work(app, clock=None, **kwargs) -> bool:
    """One round of a worker whose chores have just run (so only webhooks are done)."""
    with app.app_context():
        worker = Worker(clock=clock or utcnow, **kwargs)
        worker.last_run = dict.fromkeys(CHORES, worker.clock())
        return worker.run_once()


@pytest.fixture
def people(api, factory):
    class People:
        client = api.as_user(factory.client())
        freelancer = api.as_user(factory.freelancer())
        other = api.as_user(factory.client())

    return People


def endpoint(user, url, events=("*",), status=201, **extra):
    response = user.post("/webhook-endpoints", json={"url": url, "events": list(events), **extra})
    assert response.status_code == status, response.json
    return response.json


# -- endpoints --------------------------------------------------------------------------


def test_endpoints_are_managed_by_their_owner_and_the_secret_is_shown_once(
    people, private_urls, receiver
):
    made = endpoint(people.client, receiver.url, ["bid.created"], description="CRM")
    assert made["secret"].startswith("whsec_")
    assert made["enabled"] is True
    path = f"/webhook-endpoints/{made['id']}"
    shown = expect_ok(people.client.get(path))
    assert "secret" not in shown
    assert shown == {k: v for k, v in made.items() if k != "secret"}
    assert expect_ok(people.client.get("/webhook-endpoints"))["data"] == [shown]
    changed = expect_ok(people.client.patch(path, json={"enabled": False, "events": ["*"]}))
    assert (changed["enabled"], changed["events"]) == (False, ["*"])
    for call in (people.other.get, people.other.delete, people.freelancer.get):
        assert_problem(call(path), 404)
    assert_problem(people.other.patch(path, json={"enabled": True}), 404)
    rotated = expect_ok(people.client.post(f"{path}/rotate-secret"))
    assert rotated["secret"] != made["secret"]
    assert people.client.delete(path).status_code == 204
    assert_problem(people.client.get(path), 404)


def test_at_most_ten_endpoints_a_user(people, private_urls, receiver):
    for _ in range(10):
        endpoint(people.client, receiver.url)
    assert_problem(
        people.client.post("/webhook-endpoints", json={"url": receiver.url, "events": ["*"]}),
        409,
    )
    endpoint(people.other, receiver.url)


def test_bad_endpoints_are_refused(people, private_urls, receiver):
    post = people.client.post
    assert_problem(post("/webhook-endpoints", json={"url": receiver.url}), 422, "events")
    assert_problem(
        post("/webhook-endpoints", json={"url": receiver.url, "events": ["bid.eaten"]}),
        422,
        "events",
    )
    assert_problem(post("/webhook-endpoints", json={"url": receiver.url, "events": []}), 422)
    assert_problem(post("/webhook-endpoints", json={"url": "ftp://x", "events": ["*"]}), 422, "url")


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://10.0.0.1/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://localhost/hook",
        "https://user:pw@93.184.216.34/hook",
        "http://93.184.216.34/hook",
    ],
)
def test_private_addresses_and_plain_http_are_refused(people, url):
    response = people.client.post("/webhook-endpoints", json={"url": url, "events": ["*"]})
    assert_problem(response, 422, "url")
    assert expect_ok(people.client.get("/webhook-endpoints"))["data"] == []


def test_a_name_that_resolves_to_loopback_is_refused_when_made_and_when_sent(
    app, people, resolver, receiver
):
    resolver["address"] = "127.0.0.1"
    refused = people.client.post(
        "/webhook-endpoints", json={"url": "https://hooks.example.test/in", "events": ["*"]}
    )
    assert_problem(refused, 422, "url")
    # The name answered a public address when the endpoint was made, loopback when sent.
    resolver["address"] = "93.184.216.34"
    made = endpoint(people.client, "https://hooks.example.test/in")
    resolver["address"] = "127.0.0.1"
    expect_ok(people.client.post(f"/webhook-endpoints/{made['id']}/test"))
    work(app)
    (attempt,) = expect_ok(people.client.get(f"/webhook-endpoints/{made['id']}/deliveries"))["data"]
    assert attempt["status_code"] is None
    assert "127.0.0.1" in attempt["error"]
    assert receiver.received == []


# -- delivery ---------------------------------------------------------------------------


def test_events_are_delivered_signed_as_standard_webhooks_say(app, people, private_urls, receiver):
    made = endpoint(people.client, receiver.url + "/hooks", ["bid.created"])
    other = endpoint(people.other, receiver.url + "/other")
    job = post_job(people.client)
    place_bid(people.freelancer, job["id"])
    assert work(app)
    ((headers, body),) = receiver.received  # not to the other client's endpoint
    event = Webhook(made["secret"]).verify(body, headers)
    (fed,) = expect_ok(people.client.get("/events"))["data"]
    assert event == fed
    assert headers["webhook-id"] == str(fed["id"])
    (attempt,) = expect_ok(people.client.get(f"/webhook-endpoints/{made['id']}/deliveries"))["data"]
    assert (attempt["event_id"], attempt["attempt"], attempt["status_code"]) == (fed["id"], 1, 200)
    assert attempt["error"] is None
    assert not work(app)  # sent once
    assert expect_ok(people.other.get(f"/webhook-endpoints/{other['id']}/deliveries"))["data"] == []


def test_a_ping_goes_to_that_endpoint_only_and_not_into_the_feed(
    app, people, private_urls, receiver
):
    made = endpoint(people.client, receiver.url)
    endpoint(people.client, receiver.url + "/second")
    expect_ok(people.client.post(f"/webhook-endpoints/{made['id']}/test"))
    work(app)
    ((headers, body),) = receiver.received
    ping = Webhook(made["secret"]).verify(body, headers)
    assert ping["type"] == "ping"
    assert ping["data"]["object"]["id"] == made["id"]
    assert expect_ok(people.client.get("/events"))["data"] == []


def test_after_a_rotation_both_secrets_sign_for_a_day(app, people, private_urls, receiver):
    made = endpoint(people.client, receiver.url)
    path = f"/webhook-endpoints/{made['id']}"
    rotated = expect_ok(people.client.post(f"{path}/rotate-secret"))
    expect_ok(people.client.post(f"{path}/test"))
    work(app)
    ((headers, body),) = receiver.received
    assert len(headers["webhook-signature"].split(" ")) == 2
    Webhook(made["secret"]).verify(body, headers)
    Webhook(rotated["secret"]).verify(body, headers)
    clock = Clock()
    clock.now += timedelta(hours=24, seconds=1)
    expect_ok(people.client.post(f"{path}/test"))
    work(app, clock)
    assert len(receiver.received[1][0]["webhook-signature"].split(" ")) == 1


@pytest.mark.parametrize("failure", ["error", "redirect", "hang"])
def test_failing_endpoints_are_retried_on_schedule_then_disabled(
    app, people, private_urls, receiver, monkeypatch, failure
):
    if failure == "error":
        receiver.answer = 500
    elif failure == "redirect":
        receiver.answer = 302
    else:
        monkeypatch.setattr(outbound, "TIMEOUT_SECONDS", 0.2)
        receiver.hang.set()
    made = endpoint(people.client, receiver.url)
    path = f"/webhook-endpoints/{made['id']}"
    expect_ok(people.client.post(f"{path}/test"))
    clock = Clock()
    assert work(app, clock)
    for delay in RETRY_DELAYS:
        clock.now += delay - timedelta(seconds=1)
        assert not work(app, clock)  # not due yet
        clock.now += timedelta(seconds=1)
        assert work(app, clock)
    attempts = expect_ok(people.client.get(f"{path}/deliveries"))["data"]
    assert [a["attempt"] for a in attempts] == list(range(len(RETRY_DELAYS) + 1, 0, -1))
    if failure == "redirect":
        assert {a["status_code"] for a in attempts} == {302}
        assert all(h for h, _ in receiver.received)
        assert len(receiver.received) == len(RETRY_DELAYS) + 1  # never the Location
    elif failure == "hang":
        assert all("timed out" in a["error"] for a in attempts)
    assert expect_ok(people.client.get(path))["enabled"] is False
    (disabled,) = expect_ok(people.client.get("/events"))["data"]
    assert disabled["type"] == "endpoint.disabled"
    assert disabled["data"]["object"]["id"] == made["id"]
    clock.now += timedelta(days=3)
    assert not work(app, clock)


def test_a_stopping_worker_lets_go_of_what_it_took(app, people, private_urls, receiver):
    made = endpoint(people.client, receiver.url)
    expect_ok(people.client.post(f"/webhook-endpoints/{made['id']}/test"))
    with app.app_context():
        worker = Worker()
        worker.last_run = dict.fromkeys(CHORES, utcnow())
        worker.stop.set()
        worker.run_once()
        (delivery,) = db.session.scalars(select(WebhookDelivery)).all()
        assert (delivery.attempts, delivery.leased_until) == (0, None)
        db.session.rollback()
    assert receiver.received == []
    work(app)
    assert len(receiver.received) == 1


@pytest.mark.postgres_only
def test_two_workers_deliver_each_event_once(app, people, private_urls, receiver):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("one worker at a time on SQLite")
    endpoint(people.client, receiver.url)
    for _ in range(3):
        job = post_job(people.client)
        for _ in range(4):
            place_bid(people.freelancer, job["id"])
            people.freelancer.post(f"/bids/{_last_bid(people)}/withdraw")
    start = threading.Barrier(2)

    def run():
        start.wait()
        while work(app, batch=2):
            pass

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ids = [headers["webhook-id"] for headers, _ in receiver.received]
    assert len(ids) == 12
    assert len(set(ids)) == 12


def _last_bid(people) -> int:
    return expect_ok(people.freelancer.get("/bids"))["data"][0]["id"]
