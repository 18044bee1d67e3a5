"""Rate limits of the marketplace as `scripts/serve` runs it: real gunicorn, real HTTP."""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.schema import flask_db

ROOT = Path(__file__).resolve().parents[2]
UNREACHABLE_REDIS = "redis://127.0.0.1:1"  # nothing listens on port 1
LOCAL_REDIS = "redis://127.0.0.1:6379/15"

# The served app keeps its own SQLite database whatever TEST_DATABASE_URL says, so these
# run once, in the SQLite pass, rather than twice the same.
pytestmark = [
    pytest.mark.skipif(
        bool(os.environ.get("TEST_DATABASE_URL")),
        reason="served on SQLite; runs in the SQLite pass",
    ),
    pytest.mark.runs_long,
]


GUNICORN = [sys.executable, "-m", "gunicorn", "--config", "scripts/gunicorn.conf.py", "wsgi:app"]


class Server:
    """The marketplace on a free port, with its own SQLite database and gateway records.

    `scripts/serve` runs the whole embedded setup; GUNICORN is the server it ends with,
    quicker to start on a database migrated beforehand.
    """

    def __init__(self, tmp_path: Path, env: dict, command: list[str]):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.log_path = tmp_path / "serve.log"
        environment = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("RATELIMIT_", "REDIS_", "DATABASE_", "AUTH_", "LOGIN_"))
        }
        environment.update(
            DATABASE_URL=f"sqlite:///{tmp_path / 'marketplace.db'}",
            LOCAL_GATEWAY_PATH=str(tmp_path / "local_gateway.db"),
            SECRET_KEY="served-test-secret",
            PORT=str(self.port),
            AUTH_RATE_LIMIT="3 per minute",
            PASSWORD_HASH_PROFILE="CHEAPEST",
            **env,
        )
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=environment,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self._wait_until_up()

    def _wait_until_up(self) -> None:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"scripts/serve stopped:\n{self.log()}")
            try:
                self.request("GET", "/healthz")
                return
            except OSError:
                time.sleep(0.2)
        raise AssertionError(f"scripts/serve did not answer:\n{self.log()}")

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}",
            data=data,
            method=method,
            headers={"Content-Type": "application/json"} if data else {},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            with error:
                return error.code, json.loads(error.read())

    def wrong_logins(self, count: int) -> list[int]:
        """Statuses of `count` simultaneous wrong sign-ins, each for another email."""

        def one(n):
            body = {"email": f"guess{n}@example.test", "password": "wrong password"}
            return self.request("POST", "/api/v1/auth/login", body)[0]

        with ThreadPoolExecutor(max_workers=count) as pool:
            return sorted(pool.map(one, range(count)))

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture(scope="module")
def migrated_database(tmp_path_factory):
    path = tmp_path_factory.mktemp("served") / "marketplace.db"
    flask_db(f"sqlite:///{path}", "upgrade")
    return path


@pytest.fixture
def serve(tmp_path, migrated_database):
    """Start `scripts/serve`, or with gunicorn=True only its server, on a migrated database."""
    servers = []

    def start(*, gunicorn=False, **env):
        command = [str(ROOT / "scripts" / "serve")]
        if gunicorn:
            shutil.copy(migrated_database, tmp_path / "marketplace.db")
            command = GUNICORN
        server = Server(tmp_path, env, command)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def test_the_embedded_setup_counts_each_limit_once(serve):
    server = serve()

    statuses = server.wrong_logins(12)

    assert statuses == [401] * 3 + [429] * 9


def test_an_unreachable_rate_limit_store_falls_back_to_limits_per_process(serve):
    server = serve(gunicorn=True, RATELIMIT_STORAGE_URI=UNREACHABLE_REDIS)
    user = {"email": "new@example.test", "password": "long enough pw", "name": "New"}

    registered = server.request(
        "POST", "/api/v1/auth/register", {**user, "role": "client", "country": "US"}
    )
    credentials = {"email": user["email"], "password": user["password"]}
    signed_in = server.request("POST", "/api/v1/auth/login", credentials)
    token = server.request("POST", "/api/v1/auth/tokens", {**credentials, "name": "cli"})

    assert (registered[0], signed_in[0], token[0]) == (201, 200, 201)
    assert server.request("GET", "/healthz") == (
        200,
        {"status": "degraded", "database": "ok", "rate_limit_store": "unreachable"},
    )
    # Each process counts for itself now: at most the limit per process gets through.
    statuses = [
        server.request("POST", "/api/v1/auth/login", {**credentials, "password": f"wrong {n}"})[0]
        for n in range(12)
    ]
    assert set(statuses) == {401, 429}
    assert statuses.count(401) <= 2 * 3 - 1  # two workers, one sign-in already counted
    assert "Rate-limit store RedisStorage unreachable" in server.log()


@pytest.fixture
def local_redis():
    """The Redis at LOCAL_REDIS, its rate-limit keys cleared before and after.

    Held under a lock in that Redis, so that two test runs on one machine (the suite on
    SQLite beside the one on PostgreSQL) never count into each other's limits."""
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(LOCAL_REDIS, socket_connect_timeout=1)

    def clear():
        stale = list(client.scan_iter("LIMITS:*"))
        if stale:
            client.delete(*stale)

    try:
        lock = client.lock("marketplace-tests:local-redis", timeout=120, blocking_timeout=180)
        if not lock.acquire():
            pytest.fail("another test run held the local Redis for 3 minutes")
    except redis.ConnectionError:
        pytest.skip(f"no Redis at {LOCAL_REDIS}")
    try:
        clear()
        yield
        clear()
    finally:
        lock.release()
        client.close()


@pytest.mark.usefixtures("local_redis")
def test_a_shared_redis_store_counts_once_for_every_worker(serve):
    server = serve(gunicorn=True, REDIS_URL=LOCAL_REDIS, LOGIN_FAILURES_BEFORE_DELAY="2")

    statuses = server.wrong_logins(12)
    guesses = [
        server.request(
            "POST",
            "/api/v1/auth/tokens",
            {"email": "target@example.test", "password": f"guess {n}", "name": "x"},
        )
        for n in range(3)
    ]

    assert statuses == [401] * 3 + [429] * 9
    # Failures per email and address are counted in Redis too: the second opens the delay.
    assert [status for status, _ in guesses] == [401, 401, 429]
    assert guesses[2][1]["type"] == "/problems/rate-limited"
    assert server.request("GET", "/healthz")[1]["rate_limit_store"] == "ok"
