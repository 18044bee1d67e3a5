"""The Stripe webhook endpoint: signatures, duplicates, unknown events."""

import json
import time

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.payments.models import WebhookEvent
from tests.client import assert_problem
from tests.stripe_fake.webhooks import make_event, sign_payload

SECRET = "whsec_test_localstripe"
PATH = "/api/v1/webhooks/stripe"


def post(api, payload: bytes, signature: str | None):
    headers = {"Stripe-Signature": signature} if signature is not None else {}
    return api.post(PATH, data=payload, headers=headers, content_type="application/json")


def event_bytes(event_type="customer.created", event_id=None) -> bytes:
    return json.dumps(make_event(event_type, {"id": "cus_1"}, event_id)).encode()


def stored_events(app) -> list[str]:
    with app.app_context():
        return db.session.scalars(select(WebhookEvent.id)).all()


def test_a_signed_event_of_an_unknown_type_is_acknowledged(app, api):
    payload = event_bytes(event_id="evt_unknown_1")

    response = post(api, payload, sign_payload(payload, SECRET))

    assert response.status_code == 200
    assert response.json["handled"] is False
    assert stored_events(app) == ["evt_unknown_1"]


def test_the_same_event_twice_is_handled_once(app, api):
    payload = event_bytes(event_id="evt_twice")

    first = post(api, payload, sign_payload(payload, SECRET))
    second = post(api, payload, sign_payload(payload, SECRET))

    assert first.status_code == second.status_code == 200
    assert second.json["duplicate"] is True
    assert stored_events(app) == ["evt_twice"]


def test_bad_signatures_are_400_and_change_nothing(app, api):
    payload = event_bytes(event_id="evt_bad")
    good = sign_payload(payload, SECRET)
    stale = sign_payload(payload, SECRET, timestamp=int(time.time()) - 301)
    # Past the 5 minutes with room to spare: a second ahead would come within them while
    # the requests before it run (int() alone can eat most of that second).
    future = sign_payload(payload, SECRET, timestamp=int(time.time()) + 330)
    tampered = payload.replace(b"cus_1", b"cus_2")

    assert_problem(post(api, payload, None), 400)
    assert_problem(post(api, payload, ""), 400)
    assert_problem(post(api, payload, "t=123"), 400)
    assert_problem(post(api, payload, sign_payload(payload, "whsec_other")), 400)
    assert_problem(post(api, tampered, good), 400)
    assert_problem(post(api, payload, stale), 400)
    assert_problem(post(api, payload, future), 400)
    assert stored_events(app) == []
    assert post(api, payload, good).status_code == 200


def test_without_a_configured_secret_nothing_is_trusted(app, api):
    payload = event_bytes(event_id="evt_no_secret")
    app.config["STRIPE_WEBHOOK_SECRET"] = ""
    try:
        response = post(api, payload, sign_payload(payload, ""))
    finally:
        app.config["STRIPE_WEBHOOK_SECRET"] = SECRET

    assert_problem(response, 400)
    assert stored_events(app) == []


def test_a_signed_body_that_is_not_an_event_is_400(api):
    payload = b'{"hello": "world"}'

    assert_problem(post(api, payload, sign_payload(payload, SECRET)), 400)


def test_a_signed_event_whose_object_has_no_id_is_400(app, api):
    for obj in ({}, {"id": 5}, "text"):
        event = make_event("payment_intent.succeeded", {})
        event["data"]["object"] = obj
        payload = json.dumps(event).encode()
        assert_problem(post(api, payload, sign_payload(payload, SECRET)), 400)
    assert stored_events(app) == []


def test_each_endpoint_signs_with_its_own_secret(app, api):
    # Stripe's platform endpoint and its Connect endpoint have a secret each.
    platform, connect = event_bytes(event_id="evt_platform"), event_bytes(event_id="evt_connect")
    stranger = event_bytes(event_id="evt_stranger")
    before = app.config["STRIPE_WEBHOOK_SECRETS"]
    app.config.update(STRIPE_WEBHOOK_SECRET="", STRIPE_WEBHOOK_SECRETS=["whsec_pl", "whsec_co"])
    try:
        from_platform = post(api, platform, sign_payload(platform, "whsec_pl"))
        from_connect = post(api, connect, sign_payload(connect, "whsec_co"))
        unknown = post(api, stranger, sign_payload(stranger, "whsec_other"))
        app.config["STRIPE_WEBHOOK_SECRET"] = SECRET
        # STRIPE_WEBHOOK_SECRET keeps working beside them.
        legacy = post(api, stranger, sign_payload(stranger, SECRET))
    finally:
        app.config.update(STRIPE_WEBHOOK_SECRET=SECRET, STRIPE_WEBHOOK_SECRETS=before)

    assert from_platform.status_code == from_connect.status_code == 200
    assert_problem(unknown, 400)
    assert legacy.status_code == 200
    assert sorted(stored_events(app)) == ["evt_connect", "evt_platform", "evt_stranger"]
