"""Login and token creation are rate limited per client address and per email."""

import pytest

from marketplace.extensions import limiter
from tests.client import ApiClient, assert_problem


@pytest.fixture
def strict_limit(app):
    app.config["AUTH_RATE_LIMIT"] = "3 per minute"
    limiter.reset()
    yield
    app.config["AUTH_RATE_LIMIT"] = "1000 per minute"
    limiter.reset()


def attempt(client, email, path="/auth/login"):
    body = {"email": email, "password": "wrong password"}
    if path == "/auth/tokens":
        body["name"] = "x"
    return client.post(path, json=body)


@pytest.mark.usefixtures("strict_limit")
def test_one_address_is_limited_across_emails(app, factory):
    client = ApiClient(app, remote_addr="203.0.113.7")
    for n in range(3):
        assert attempt(client, f"user{n}@example.test").status_code == 401

    response = attempt(client, "another@example.test")

    assert_problem(response, 429)
    assert int(response.headers["Retry-After"]) > 0
    other_address = ApiClient(app, remote_addr="203.0.113.8")
    assert attempt(other_address, "another@example.test").status_code == 401


@pytest.mark.usefixtures("strict_limit")
def test_one_email_is_limited_across_addresses(app, factory):
    user = factory.client()
    for n in range(3):
        client = ApiClient(app, remote_addr=f"198.51.100.{n}")
        assert attempt(client, user.email.upper()).status_code == 401

    blocked = ApiClient(app, remote_addr="198.51.100.99")
    response = blocked.post("/auth/login", json={"email": user.email, "password": user.password})

    assert_problem(response, 429)


@pytest.mark.usefixtures("strict_limit")
def test_token_creation_is_limited_too(app):
    client = ApiClient(app, remote_addr="192.0.2.1")
    for _ in range(3):
        assert attempt(client, "x@example.test", "/auth/tokens").status_code == 401

    assert_problem(attempt(client, "x@example.test", "/auth/tokens"), 429)


@pytest.mark.usefixtures("strict_limit")
def test_registration_is_limited_per_address(app):
    client = ApiClient(app, remote_addr="192.0.2.50")
    body = {"password": "long enough pw", "role": "client", "name": "A", "country": "US"}
    for n in range(3):
        response = client.post("/auth/register", json={**body, "email": f"r{n}@example.test"})
        assert response.status_code == 201

    assert_problem(client.post("/auth/register", json={**body, "email": "r9@example.test"}), 429)
