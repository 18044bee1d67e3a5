"""Bearer API tokens: issue, use, list, revoke."""

import base64
import json

import pytest
from sqlalchemy import select

from marketplace.accounts.models import ApiToken
from marketplace.extensions import db
from tests.client import ApiClient, assert_problem


def issue(api, user, name="laptop"):
    response = api.post(
        "/auth/tokens", json={"email": user.email, "password": user.password, "name": name}
    )
    assert response.status_code == 201, response.json
    return response.json


def test_a_token_is_shown_once_and_stored_only_as_a_hash(app, api, factory):
    user = factory.freelancer()

    token = issue(api, user)

    assert set(token) == {"id", "name", "token", "created_at"}
    assert token["name"] == "laptop"
    with app.app_context():
        stored = db.session.scalars(select(ApiToken.token_hash)).all()
    assert token["token"] not in stored
    assert all(token["token"] not in value for value in stored)
    listed = api.as_user(user).get("/auth/tokens").json["data"]
    assert {t["name"] for t in listed} == {"tests", "laptop"}
    assert all("token" not in t for t in listed)


def test_a_token_authenticates_its_owner(app, api, factory):
    user = factory.client()
    token = issue(api, user)["token"]

    me = ApiClient(app, token=token).get("/me")

    assert me.status_code == 200
    assert me.json["id"] == user.id


def test_token_creation_checks_the_password(api, factory):
    user = factory.client()

    wrong = api.post(
        "/auth/tokens", json={"email": user.email, "password": "wrong password", "name": "x"}
    )
    missing_name = api.post("/auth/tokens", json={"email": user.email, "password": user.password})

    assert_problem(wrong, 401)
    assert_problem(missing_name, 422, "name")


def test_a_revoked_token_gets_401(app, api, factory):
    user = factory.client()
    token = issue(api, user)
    owner = api.as_user(user)

    assert owner.delete(f"/auth/tokens/{token['id']}").status_code == 204

    assert_problem(ApiClient(app, token=token["token"]).get("/me"), 401)
    assert token["id"] not in [t["id"] for t in owner.get("/auth/tokens").json["data"]]
    assert_problem(owner.delete(f"/auth/tokens/{token['id']}"), 404)


def test_nobody_can_revoke_or_see_another_users_token(app, api, factory):
    owner, other = factory.client(), factory.client()
    token = issue(api, owner)

    assert_problem(api.as_user(other).delete(f"/auth/tokens/{token['id']}"), 404)

    assert ApiClient(app, token=token["token"]).get("/me").status_code == 200
    other_ids = [t["id"] for t in api.as_user(other).get("/auth/tokens").json["data"]]
    assert token["id"] not in other_ids


def test_a_token_can_revoke_itself(app, api, factory):
    user = factory.client()
    token = issue(api, user)
    itself = ApiClient(app, token=token["token"])

    assert itself.delete(f"/auth/tokens/{token['id']}").status_code == 204
    assert_problem(itself.get("/me"), 401)


def test_unauthenticated_and_malformed_credentials_are_401(api):
    assert_problem(api.get("/me"), 401)
    assert_problem(api.get("/auth/tokens"), 401)
    assert_problem(api.get("/me", headers={"Authorization": "Bearer "}), 401)
    assert_problem(api.get("/me", headers={"Authorization": "Basic dXNlcjpwYXNz"}), 401)
    assert_problem(api.get("/me", headers={"Authorization": "Bearer mkt_forged"}), 401)


def test_tokens_list_pages_without_duplicates_or_gaps(api, factory):
    user = factory.client()
    ids = {issue(api, user, name=f"device {i}")["id"] for i in range(6)}
    owner = api.as_user(user)

    seen, cursor, pages = [], None, 0
    while True:
        query = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = owner.get("/auth/tokens", query_string=query).json
        seen += [t["id"] for t in page["data"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert len(seen) == len(set(seen)) == 7  # six issued here and the factory's own
    assert ids <= set(seen)
    assert seen == sorted(seen, reverse=True)  # newest first
    assert pages == 4


def test_list_arguments_are_validated(api, factory):
    owner = api.as_user(factory.client())

    assert_problem(owner.get("/auth/tokens", query_string={"limit": 0}), 422, "limit")
    assert_problem(owner.get("/auth/tokens", query_string={"limit": 101}), 422, "limit")
    assert_problem(owner.get("/auth/tokens", query_string={"limit": "ten"}), 422, "limit")
    assert_problem(owner.get("/auth/tokens", query_string={"cursor": "garbage!"}), 422, "cursor")
    assert owner.get("/auth/tokens", query_string={"limit": 100}).status_code == 200


@pytest.mark.parametrize(
    "cursor_payload",
    [
        {"k": None, "v": [{"dt": "2020-01-01T00:00:00"}, 1]},
        {"k": None, "v": [{"dt": "0001-01-01T00:00:00+14:00"}, 1]},
        {"k": None, "v": [{"dt": "2020-01-01T00:00:00+00:00"}, 10**30]},
        {"k": None, "v": [1, 2]},
        {"k": None, "v": []},
    ],
)
def test_forged_cursors_are_a_422(api, factory, cursor_payload):
    user = factory.client()
    issue(api, user)
    owner = api.as_user(user)
    real = owner.get("/auth/tokens", query_string={"limit": 1}).json["next_cursor"]
    fingerprint = json.loads(base64.urlsafe_b64decode(real + "=" * (-len(real) % 4)))["k"]
    forged = base64.urlsafe_b64encode(json.dumps({**cursor_payload, "k": fingerprint}).encode())

    response = owner.get("/auth/tokens", query_string={"cursor": forged.decode()})

    assert_problem(response, 422, "cursor")
