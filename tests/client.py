"""A small HTTP client for tests: paths under /api/v1, bearer tokens, no silent 500s.

Every response it receives is checked against the OpenAPI spec (tests/spec_check.py).
"""

from flask import Flask

from tests.spec_check import SpecCheck

API_PREFIX = "/api/v1"


class ApiClient:
    def __init__(self, app: Flask, token: str | None = None, remote_addr: str = "127.0.0.1"):
        self.app = app
        self.token = token
        self.http = app.test_client()
        self.http.environ_base["REMOTE_ADDR"] = remote_addr
        self.csrf_token: str | None = None

    def as_user(self, actor) -> "ApiClient":
        """A new client that authenticates as `actor` with its bearer token."""
        return ApiClient(self.app, token=actor.token)

    def request(self, method: str, path: str, *, expect_5xx: bool = False, **kwargs):
        if not path.startswith(("/api/", "/healthz")):
            path = API_PREFIX + path
        headers = dict(kwargs.pop("headers", {}) or {})
        if self.token and "Authorization" not in headers:
            headers["Authorization"] = f"Bearer {self.token}"
        if self.csrf_token and "X-CSRF-Token" not in headers:
            headers["X-CSRF-Token"] = self.csrf_token
        response = self.http.open(path, method=method, headers=headers, **kwargs)
        if response.status_code >= 500 and not expect_5xx:
            raise AssertionError(f"{method} {path} -> {response.status_code}: {response.data!r}")
        spec_check(self.app).check(response, expect_500=expect_5xx)
        return response

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, **kwargs):
        return self.request("POST", path, **kwargs)

    def patch(self, path, **kwargs):
        return self.request("PATCH", path, **kwargs)

    def put(self, path, **kwargs):
        return self.request("PUT", path, **kwargs)

    def delete(self, path, **kwargs):
        return self.request("DELETE", path, **kwargs)

    def login(self, email: str, password: str):
        """Sign in with the session cookie; later unsafe requests send the CSRF token."""
        response = self.post("/auth/login", json={"email": email, "password": password})
        assert response.status_code == 200, response.json
        self.csrf_token = response.json["csrf_token"]
        return response


def spec_check(app: Flask) -> SpecCheck:
    """The app's spec checker, made once per app."""
    checker = app.extensions.get("spec_check")
    if checker is None:
        checker = app.extensions["spec_check"] = SpecCheck(app)
    return checker


def assert_problem(response, status: int, *fields: str) -> dict:
    """The response is an RFC 9457 problem with this status (and errors on these fields)."""
    assert response.status_code == status, (response.status_code, response.data)
    assert response.mimetype == "application/problem+json"
    body = response.get_json(force=True)
    assert body["status"] == status
    assert body["title"]
    assert body["detail"]
    assert body["type"]
    errors = body.get("errors", {})
    for field in fields:
        # A nested field's errors are named by their path: `skills.0` is about `skills`.
        assert any(name == field or name.startswith(f"{field}.") for name in errors), body
    return body
