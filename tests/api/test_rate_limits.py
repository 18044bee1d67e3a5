"""Auth endpoints are limited per client address; failed sign-ins open delays.

The delays are per email and address, and per email once its daily budget is used up.
"""

import time

import pytest
from limits.errors import StorageError

from marketplace.accounts import throttle
from marketplace.extensions import limiter
from tests.client import ApiClient, assert_problem

HOME = "198.51.100.10"


@pytest.fixture
def strict_limit(app):
    names = (
        "AUTH_RATE_LIMIT",
        "LOGIN_FAILURES_BEFORE_DELAY",
        "LOGIN_FAILURES_BEFORE_EMAIL_DELAY",
        "LOGIN_DELAY_SECONDS",
        "LOGIN_DELAY_MAX_SECONDS",
    )
    saved = {name: app.config.get(name) for name in names}
    # Three failures per address; each address counts for at most 6 - 3 towards the email.
    app.config.update(
        AUTH_RATE_LIMIT="3 per minute",
        LOGIN_FAILURES_BEFORE_DELAY=3,
        LOGIN_FAILURES_BEFORE_EMAIL_DELAY=6,
    )
    limiter.reset()
    yield
    app.config.update(saved)
    limiter.reset()


class Clock:
    """Moves time.time() forward, so delays of minutes pass at once."""

    def __init__(self, monkeypatch):
        self.offset = 0.0
        real = time.time
        monkeypatch.setattr(time, "time", lambda: real() + self.offset)

    def advance(self, seconds: float) -> None:
        self.offset += seconds


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


def attempt(client, email, path="/auth/login", password="wrong password"):
    body = {"email": email, "password": password}
    if path == "/auth/tokens":
        body["name"] = "x"
    return client.post(path, json=body)


def from_address(app, n: int) -> ApiClient:
    return ApiClient(app, remote_addr=f"203.0.113.{n}")


def fail_from_elsewhere(app, email, times, first_address=100):
    for n in range(first_address, first_address + times):
        assert attempt(from_address(app, n), email).status_code == 401


def assert_delayed(response) -> dict:
    """A 429 of the sign-in delay (not of the per-address limit), with Retry-After."""
    body = assert_problem(response, 429)
    assert body["type"] == "/problems/rate-limited"
    assert "failed sign-ins" in body["detail"]
    assert int(response.headers["Retry-After"]) > 0
    return body


@pytest.mark.usefixtures("strict_limit")
def test_one_address_is_limited_across_emails(app, factory):
    client = ApiClient(app, remote_addr="203.0.113.7")
    for n in range(3):
        assert attempt(client, f"user{n}@example.test").status_code == 401

    response = attempt(client, "another@example.test")

    body = assert_problem(response, 429)
    assert body["type"] == "/problems/rate-limited"
    assert int(response.headers["Retry-After"]) > 0
    other_address = ApiClient(app, remote_addr="203.0.113.8")
    assert attempt(other_address, "another@example.test").status_code == 401


@pytest.mark.usefixtures("strict_limit")
def test_an_ipv6_client_cannot_escape_its_limit_by_rotating_addresses_in_its_64(app):
    for n in range(3):
        client = ApiClient(app, remote_addr=f"2001:db8:1:2::{n + 1}")
        assert attempt(client, f"user{n}@example.test").status_code == 401

    rotated = ApiClient(app, remote_addr="2001:db8:1:2:ffff::9")
    assert_problem(attempt(rotated, "another@example.test"), 429)
    neighbour = ApiClient(app, remote_addr="2001:db8:1:3::1")
    assert attempt(neighbour, "another@example.test").status_code == 401


@pytest.mark.usefixtures("strict_limit")
def test_one_address_past_its_allowance_does_not_delay_the_owner_elsewhere(app, factory):
    app.config["AUTH_RATE_LIMIT"] = "10 per minute"
    user = factory.user()
    attacker = ApiClient(app, remote_addr="203.0.113.66")
    for _ in range(3):
        assert attempt(attacker, user.email).status_code == 401

    correct_from_there = attempt(attacker, user.email, password=user.password)
    owner = ApiClient(app, remote_addr="198.51.100.77")  # never signed in from here

    # Refused before the password is checked: a right guess looks like a wrong one.
    assert_delayed(correct_from_there)
    assert attempt(owner, user.email, password=user.password).status_code == 200
    assert attempt(owner, user.email, "/auth/tokens", password=user.password).status_code == 201
    assert_delayed(attempt(attacker, user.email, "/auth/tokens"))


@pytest.mark.usefixtures("strict_limit")
def test_one_address_alone_never_uses_up_the_emails_budget(app, factory, clock):
    app.config.update(LOGIN_DELAY_SECONDS=60, LOGIN_DELAY_MAX_SECONDS=60)
    user = factory.user()
    for n in range(20):  # as many guesses as its delays let through, far past the budget
        attacker = ApiClient(app, remote_addr=f"2001:db8:66::{n + 1:x}")  # one /64
        assert attempt(attacker, user.email).status_code == 401
        if n >= 2:
            assert_delayed(attempt(attacker, user.email))
        clock.advance(61)
    owner = ApiClient(app, remote_addr="198.51.100.77")

    # Even with the owner's own typos there, a new address is checked at once.
    assert attempt(owner, user.email).status_code == 401
    assert attempt(owner, user.email).status_code == 401
    assert attempt(owner, user.email, password=user.password).status_code == 200
    assert attempt(from_address(app, 5), user.email).status_code == 401


@pytest.mark.usefixtures("strict_limit")
def test_many_addresses_past_the_emails_budget_delay_unknown_addresses(app, factory):
    user = factory.user()
    fail_from_elsewhere(app, user.email.upper(), 6)

    correct = attempt(from_address(app, 1), user.email, password=user.password)
    wrong = attempt(from_address(app, 2), user.email)

    body = assert_delayed(correct)
    # Refused before the password is checked: a right guess looks like a wrong one.
    assert_delayed(wrong)
    assert wrong.json == body


@pytest.mark.usefixtures("strict_limit")
def test_two_addresses_past_their_allowance_use_up_the_emails_budget(app, factory):
    app.config["AUTH_RATE_LIMIT"] = "10 per minute"
    user = factory.user()
    for n in (1, 2):
        for _ in range(3):
            assert attempt(from_address(app, n), user.email).status_code == 401

    assert_delayed(attempt(from_address(app, 3), user.email, password=user.password))


@pytest.mark.usefixtures("strict_limit")
def test_unknown_emails_are_delayed_alike(app):
    app.config["AUTH_RATE_LIMIT"] = "10 per minute"
    fail_from_elsewhere(app, "nobody@example.test", 6)
    for _ in range(3):
        assert attempt(from_address(app, 1), "someone@example.test").status_code == 401

    assert_delayed(attempt(from_address(app, 2), "nobody@example.test"))
    assert_delayed(attempt(from_address(app, 1), "someone@example.test"))


@pytest.mark.usefixtures("strict_limit")
def test_correct_passwords_do_not_count_against_the_email(app, factory):
    user = factory.user()

    for n in range(6):
        response = attempt(from_address(app, n), user.email, password=user.password)
        assert response.status_code == 200


@pytest.mark.usefixtures("strict_limit")
def test_the_owner_still_signs_in_where_they_signed_in_before(app, factory):
    user = factory.user()
    home = ApiClient(app, remote_addr=HOME)
    assert attempt(home, user.email, password=user.password).status_code == 200

    fail_from_elsewhere(app, user.email, 6)
    for n in range(10, 20):  # the attack goes on: every further guess is refused
        assert_delayed(attempt(from_address(app, n), user.email))
    home = ApiClient(app, remote_addr=HOME)

    assert attempt(home, user.email, password=user.password).status_code == 200
    token = attempt(home, user.email, "/auth/tokens", password=user.password)
    assert token.status_code == 201


@pytest.mark.usefixtures("strict_limit")
def test_an_ipv6_owner_is_known_across_their_network(app, factory):
    user = factory.user()
    first = ApiClient(app, remote_addr="2001:db8:1:2::10")
    assert attempt(first, user.email, password=user.password).status_code == 200
    fail_from_elsewhere(app, user.email, 6)

    later = ApiClient(app, remote_addr="2001:db8:1:2:aaaa::77")
    other_network = ApiClient(app, remote_addr="2001:db8:1:3::10")

    assert attempt(later, user.email, password=user.password).status_code == 200
    assert_delayed(attempt(other_network, user.email, password=user.password))


@pytest.mark.usefixtures("strict_limit")
def test_a_known_address_has_only_its_own_allowance_of_failures(app, factory):
    app.config["AUTH_RATE_LIMIT"] = "10 per minute"
    user = factory.user()
    home = ApiClient(app, remote_addr=HOME)
    assert attempt(home, user.email, password=user.password).status_code == 200
    fail_from_elsewhere(app, user.email, 6)

    shared = ApiClient(app, remote_addr=HOME)  # someone else behind the same address
    for _ in range(3):
        assert attempt(shared, user.email, "/auth/tokens").status_code == 401
    home = ApiClient(app, remote_addr=HOME)

    # Three failures in a row from there: it is one more address under the delay now.
    assert_delayed(attempt(home, user.email, password=user.password))


@pytest.mark.usefixtures("strict_limit")
def test_token_creation_and_login_share_the_count(app, factory):
    user = factory.user()
    guesser = from_address(app, 1)
    for _ in range(3):
        assert attempt(guesser, user.email, "/auth/tokens").status_code == 401
    for n in range(2, 5):
        assert attempt(from_address(app, n), user.email, "/auth/tokens").status_code == 401

    assert_delayed(attempt(guesser, user.email, password=user.password))
    assert_delayed(attempt(from_address(app, 9), user.email, password=user.password))


@pytest.mark.usefixtures("strict_limit")
def test_each_further_failure_doubles_the_delay_up_to_the_cap(app, factory, clock):
    app.config.update(
        AUTH_RATE_LIMIT="10 per minute", LOGIN_DELAY_SECONDS=60, LOGIN_DELAY_MAX_SECONDS=200
    )
    user = factory.user()
    guesser = from_address(app, 1)
    for _ in range(3):  # the third failure opens a 60 s delay for this address
        assert attempt(guesser, user.email).status_code == 401

    for delay in (60, 120, 200, 200):
        clock.advance(delay - 2)
        assert_delayed(attempt(guesser, user.email))
        clock.advance(3)
        assert attempt(guesser, user.email).status_code == 401

    clock.advance(201)
    assert attempt(guesser, user.email, password=user.password).status_code == 200


@pytest.mark.usefixtures("strict_limit")
def test_failures_are_forgotten_after_a_day(app, factory, clock):
    user = factory.user()
    guesser = from_address(app, 1)
    for _ in range(3):
        assert attempt(guesser, user.email).status_code == 401

    clock.advance(24 * 3600 + 1)

    # Both checked: the count starts again, so no window opens before the third.
    for _ in range(2):
        assert attempt(guesser, user.email).status_code == 401
    assert attempt(guesser, user.email, password=user.password).status_code == 200


@pytest.mark.usefixtures("strict_limit")
def test_registration_is_limited_per_address(app):
    client = ApiClient(app, remote_addr="192.0.2.50")
    body = {"password": "long enough pw", "role": "client", "name": "A", "country": "US"}
    for n in range(3):
        response = client.post("/auth/register", json={**body, "email": f"r{n}@example.test"})
        assert response.status_code == 201

    assert_problem(client.post("/auth/register", json={**body, "email": "r9@example.test"}), 429)


@pytest.fixture
def store_failing_for_sign_ins(monkeypatch):
    """The store fails after the address limit was counted in it, for sign-in counts only."""
    real_get = limiter.storage.get

    def get(key):
        if key.startswith(throttle.KEY_PREFIX):
            raise StorageError(ConnectionError("store went away"))
        return real_get(key)

    monkeypatch.setattr(limiter.storage, "get", get)
    yield
    throttle._local_store.reset()


@pytest.mark.usefixtures("strict_limit", "store_failing_for_sign_ins")
def test_sign_in_failures_are_counted_in_process_when_the_store_fails_midway(app, factory, caplog):
    user = factory.user()

    fail_from_elsewhere(app, user.email, 6)
    response = attempt(from_address(app, 1), user.email, password=user.password)

    assert_delayed(response)
    assert "Rate-limit store unreachable" in caplog.text
