"""Every error is application/problem+json, and none leaks internals."""

import pytest

from tests.client import assert_problem
from tests.probe import calls


def test_malformed_json_is_a_400_problem(api):
    response = api.post(
        "/auth/register", data='{"email": "a@b.test",', content_type="application/json"
    )

    body = assert_problem(response, 400)
    assert "JSON" in body["detail"]


def test_a_body_that_is_not_an_object_is_a_422(api):
    assert_problem(api.post("/auth/register", json=["a", "b"]), 422)


def test_validation_errors_list_fields(api):
    body = assert_problem(api.post("/auth/register", json={}), 422, "email", "password")

    assert all(isinstance(messages, list) for messages in body["errors"].values())


def test_unknown_paths_and_methods_are_problems(api, factory):
    assert_problem(api.get("/no/such/thing"), 404)
    assert_problem(api.get("/api/v2/me"), 404)
    response = api.as_user(factory.client()).delete("/me")
    assert_problem(response, 405)
    assert "GET" in response.headers["Allow"]


def test_a_too_large_body_is_a_413(api):
    response = api.post(
        "/auth/register", data="x" * (1024 * 1024 + 1), content_type="application/json"
    )

    assert_problem(response, 413)


def test_an_unexpected_error_is_a_bare_500_problem(api, factory):
    calls.clear()
    response = api.as_user(factory.client()).post("/_probe/crash", expect_5xx=True)

    body = assert_problem(response, 500)
    assert "secret" not in response.get_data(as_text=True)
    assert "SELECT" not in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)
    assert body["title"] == "Internal server error"


@pytest.mark.parametrize(
    "body",
    [
        "[" * 50000 + "]" * 50000,
        '{"email": ' + "9" * 5000 + "}",
        '{"email": "a\\u0000@example.test", "password": "x"}',
        '{"email": "\\ud800@example.test", "password": "x"}',
        '{"\\u0000": 1}',
    ],
    ids=["deep", "huge-number", "nul", "lone-surrogate", "nul-key"],
)
def test_json_no_database_could_store_is_a_400(api, factory, body):
    anonymous = api.post("/auth/login", data=body, content_type="application/json")
    signed_in = api.as_user(factory.client()).patch(
        "/me", data=body, content_type="application/json"
    )

    assert_problem(anonymous, 400)
    assert_problem(signed_in, 400)


def test_nul_in_a_query_value_is_refused(api, factory):
    client = api.as_user(factory.client())

    assert_problem(client.get("/auth/tokens?cursor=a%00b"), 422)


@pytest.mark.parametrize("user_id", ["0", "2147483648", "9" * 25, "-1"])
def test_ids_out_of_range_are_not_found(api, factory, user_id):
    client = api.as_user(factory.client())

    assert_problem(client.get(f"/users/{user_id}"), 404)
    assert_problem(client.delete(f"/auth/tokens/{user_id}"), 404)
    # Paths whose other methods are separate routes: still not found, not a 405.
    assert_problem(client.get(f"/jobs/{user_id}/bids"), 404)
    assert_problem(client.patch(f"/jobs/{user_id}", json={}), 404)


def test_nested_field_errors_are_named_by_their_path(api, factory):
    body = assert_problem(
        api.as_user(factory.client()).patch("/me", json={"skills": ["ok", ["a"]]}),
        422,
        "skills.1",
    )

    # Every value is a list of messages, as the contract (and the spec) say.
    assert body["errors"] == {"skills.1": ["Not a valid string."]}


def test_a_401_names_the_bearer_scheme(api):
    assert api.get("/me").headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/jobs?client_id=99999999999999999999", "client_id"),
        ("/jobs?min_budget=99999999999999999999", "min_budget"),
        ("/jobs?max_budget=99999999999999999999", "max_budget"),
    ],
)
def test_numbers_past_what_the_database_holds_are_a_422(api, factory, path, field):
    assert_problem(api.as_user(factory.client()).get(path), 422, field)


def test_an_audit_actor_id_past_the_database_is_a_422(api, factory):
    admin = api.as_user(factory.admin())

    assert_problem(admin.get("/admin/audit-log?actor_id=99999999999999999999"), 422, "actor_id")
