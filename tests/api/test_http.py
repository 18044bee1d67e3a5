"""HTTP details every client relies on: headers, the way in, and problem types."""

import pytest

from tests.client import assert_problem


def test_answers_with_secrets_are_never_cached(api, factory):
    user = factory.client()
    credentials = {"email": user.email, "password": user.password}

    token = api.post("/auth/tokens", json={**credentials, "name": "app"})
    login = api.post("/auth/login", json=credentials)
    me = api.as_user(user).get("/me")

    for response in (token, login, me):
        assert response.status_code in (200, 201)
        assert response.headers["Cache-Control"] == "no-store"


def test_errors_are_not_cached_either(api):
    assert api.get("/me").headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", ["/healthz", "/api/v1/openapi.json", "/api/docs", "/api/v1/me"])
def test_no_response_may_be_sniffed_or_framed(api, path):
    response = api.get(path)

    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_a_request_target_too_long_is_a_problem_414(api, factory):
    client = api.as_user(factory.client())

    body = assert_problem(client.get("/jobs?q=" + "invoice " * 600), 414)

    assert body["type"] == "/problems/uri-too-long"


def test_the_root_leads_to_the_docs(api):
    response = api.http.get("/")

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/api/docs")


def test_the_api_root_says_where_the_docs_are(api):
    body = api.get("/api/v1").json

    assert body["docs"] == "/api/docs"
    assert api.get(body["openapi"]).status_code == 200


@pytest.mark.parametrize("path", ["/nothing-here", "/api/v1/nothing-here", "/api/v2/jobs"])
def test_every_404_is_a_problem_of_the_marketplace(api, path):
    body = assert_problem(api.get(path), 404)

    assert body["type"] == "/problems/not-found"
