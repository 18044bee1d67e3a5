"""Every body and query string gets the same checks, however it is framed or sent."""

import io
import json

import pytest

from marketplace.accounts.models import User
from marketplace.bids.models import Bid
from marketplace.extensions import db
from tests.client import assert_problem
from tests.work import make_contract, place_bid, post_job

REGISTER = {
    "email": "jane@example.test",
    "password": "long enough pw",
    "role": "client",
    "name": "Jane Doe",
    "country": "US",
}
# What a WSGI server hands over for a chunked body: no Content-Length, a terminated stream.
CHUNKED = {"wsgi.input_terminated": True}


def post_chunked(api, path, payload: bytes, content_type="application/json"):
    return api.post(
        path,
        input_stream=io.BytesIO(payload),
        headers={"Transfer-Encoding": "chunked", "Content-Type": content_type},
        environ_overrides=CHUNKED,
    )


def count_users(app) -> int:
    with app.app_context():
        return db.session.query(User).count()


def test_a_chunked_body_is_checked_like_any_other(api, app):
    payload = json.dumps({**REGISTER, "name": "Jane\u0000Doe"}).encode()

    assert_problem(post_chunked(api, "/auth/register", payload), 400)
    assert count_users(app) == 0


def test_a_chunked_body_that_is_fine_works(api, app):
    response = post_chunked(api, "/auth/register", json.dumps(REGISTER).encode())

    assert response.status_code == 201
    assert response.json["name"] == "Jane Doe"


def test_a_too_large_chunked_body_is_a_413(api, app):
    payload = b'{"email": "' + b"x" * (10 * 1024 * 1024) + b'"}'

    assert_problem(post_chunked(api, "/auth/register", payload), 413)
    assert count_users(app) == 0


def test_a_body_that_is_not_json_is_a_415(api, app):
    form = api.post("/auth/register", data=REGISTER)
    text = api.post("/auth/register", data=json.dumps(REGISTER), content_type="text/plain")
    unlabelled = api.post("/auth/register", data=json.dumps(REGISTER), content_type="")

    for response in (form, text, unlabelled):
        body = assert_problem(response, 415)
        assert "application/json" in body["detail"]
    assert count_users(app) == 0


def test_a_chunked_form_is_a_415_too(api, app):
    response = post_chunked(
        api, "/auth/register", b"email=a%40b.test", "application/x-www-form-urlencoded"
    )

    assert_problem(response, 415)


def test_an_action_that_takes_no_body_refuses_fields(api, app, factory):
    client = api.as_user(factory.client())
    freelancer = api.as_user(factory.freelancer())
    job = post_job(client)
    bid = place_bid(freelancer, job["id"])

    body = assert_problem(
        client.post(f"/bids/{bid['id']}/accept", json={"amount": 1, "fee_bps": 0}),
        422,
        "amount",
        "fee_bps",
    )

    assert "Unknown field." in body["errors"]["amount"]
    with app.app_context():
        assert db.session.get(Bid, bid["id"]).status == "pending"


@pytest.mark.parametrize("payload", ["[]", "1", '"x"', "null"])
def test_an_action_that_takes_no_body_refuses_anything_but_an_object(api, factory, payload):
    client = api.as_user(factory.client())
    job = post_job(client)

    response = client.post(
        f"/jobs/{job['id']}/close", data=payload, content_type="application/json"
    )

    assert_problem(response, 422, "_body")
    assert client.get(f"/jobs/{job['id']}").json["status"] == "open"


def test_an_action_that_takes_no_body_accepts_none_or_an_empty_object(api, factory):
    client = api.as_user(factory.client())
    freelancer = api.as_user(factory.freelancer())
    first = place_bid(freelancer, post_job(client)["id"])
    second = place_bid(freelancer, post_job(client)["id"])

    assert client.post(f"/bids/{first['id']}/accept").status_code == 201
    assert client.post(f"/bids/{second['id']}/accept", json={}).status_code == 201


def test_a_missing_body_is_refused_where_one_is_needed(api, factory):
    client = api.as_user(factory.client())
    job = post_job(client)

    for response in (client.patch("/me"), client.patch(f"/jobs/{job['id']}")):
        body = assert_problem(response, 422, "_body")
        assert "body" in body["detail"]


def test_funding_takes_an_optional_body(api, factory):
    client = api.as_user(factory.client())
    contract = make_contract(client, api.as_user(factory.freelancer()))
    milestone_id = contract["milestones"][0]["id"]

    # The body may be left out (Stripe's client-side confirmation needs none); the local
    # gateway then asks for the one field it needs, not for a body.
    body = assert_problem(client.post(f"/milestones/{milestone_id}/fund"), 422, "payment_method")

    assert "_body" not in body["errors"]


def test_unknown_query_parameters_are_refused(api, factory):
    client = api.as_user(factory.client())
    post_job(client)

    body = assert_problem(client.get("/jobs?stauts=closed"), 422, "stauts")
    assert body["errors"]["stauts"] == ["Unknown query parameter."]
    assert_problem(client.get("/me?verbose=1"), 422, "verbose")
    assert client.get("/jobs?status=closed&limit=5").status_code == 200
    assert client.get("/jobs?skill=ocr&skill=excel").status_code == 200


def test_nul_in_any_value_or_key_of_the_query_is_refused(api, factory):
    client = api.as_user(factory.client())

    assert_problem(client.get("/jobs?skill=excel&skill=ex%00cel"), 422, "query")
    assert_problem(client.get("/jobs?sk%00ill=excel"), 422, "query")
