"""A real marketplace server to crash: gunicorn, PostgreSQL, the local gateway's own store.

`Served` runs gunicorn as scripts/serve does (scripts/gunicorn.conf.py), with one sync
worker, short claims (PROVIDER_CALL_SECONDS) and short Idempotency-Key leases, so that a
retry may take over what a dead worker held within seconds. `Blocker` holds a table lock
in a session of its own, so that a request stops inside its booking transaction, after
the payment provider acted; the test then kills the worker (kill -9) or terminates the
worker's database backend while it waits.
"""

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import psycopg
import requests
from sqlalchemy.engine import make_url

from marketplace.payments.local_gateway import LocalGateway
from tests.schema import flask_db

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATABASE = "postgresql://postgres@127.0.0.1:5432/marketplace_crash"
PASSWORD = "correct horse battery"
# The claim a provider call holds, and the lease of an Idempotency-Key, in the server.
CLAIM_SECONDS = 2
GUNICORN = [
    sys.executable,
    "-m",
    "gunicorn",
    "--config",
    "scripts/gunicorn.conf.py",
    # One sync worker: one request at a time, one process to kill.
    "--workers",
    "1",
    "--worker-class",
    "sync",
    "--threads",  # the config's threads would make gunicorn pick gthread
    "1",
    "wsgi:app",
]
# How long to wait for anything the server does by itself (a worker's restart, a lock).
PATIENCE = 30


def base_database_url() -> str:
    return os.environ.get("CRASH_DATABASE_URL") or DEFAULT_DATABASE


def fresh_database(name_suffix: str) -> str:
    """A new, empty PostgreSQL database beside CRASH_DATABASE_URL's, migrated to head."""
    base = make_url(base_database_url())
    name = f"{base.database}_{name_suffix}"
    with psycopg.connect(_libpq(base.set(database="postgres")), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    url = base.set(database=name).render_as_string(hide_password=False)
    flask_db(url.replace("postgresql://", "postgresql+psycopg://", 1), "upgrade")
    return url


def drop_database(url: str) -> None:
    target = make_url(url)
    with psycopg.connect(_libpq(target.set(database="postgres")), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)')


def _libpq(url) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Served:
    """The marketplace under gunicorn on a free port, on its own database and gateway."""

    def __init__(self, workdir: Path, database_url: str):
        self.database_url = database_url
        self.gateway_path = workdir / "local_gateway.db"
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = workdir / "gunicorn.log"
        self.env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(
                ("RATELIMIT_", "REDIS_", "DATABASE_", "PAYMENT_", "STRIPE_", "PROVIDER_")
            )
        }
        self.env.update(
            DATABASE_URL=database_url,
            LOCAL_GATEWAY_PATH=str(self.gateway_path),
            PAYMENT_GATEWAY="local",
            SECRET_KEY="crash-test-secret",
            PORT=str(self.port),
            PASSWORD_HASH_PROFILE="CHEAPEST",
            RATELIMIT_ENABLED="false",
            SESSION_COOKIE_SECURE="false",
            PROVIDER_CALL_SECONDS=str(CLAIM_SECONDS),
            IDEMPOTENCY_LEASE_SECONDS=str(CLAIM_SECONDS),
        )
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                GUNICORN,
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.wait_until_up()

    # -- the processes --------------------------------------------------------------

    def worker_pids(self) -> list[int]:
        """The master's live children: its workers."""
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # pid (comm) state ppid ...: comm may hold spaces, so split after its ")".
            state, ppid = stat.rsplit(")", 1)[1].split()[:2]
            if int(ppid) == self.process.pid and state != "Z":
                pids.append(int(entry.name))
        return pids

    def worker_pid(self) -> int:
        pids = self.worker_pids()
        assert len(pids) == 1, f"expected one gunicorn worker, found {pids}"
        return pids[0]

    def wait_until_up(self, not_pid: int | None = None) -> None:
        """Until a worker (other than `not_pid`) answers /healthz."""
        deadline = time.monotonic() + PATIENCE * 2
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"gunicorn stopped:\n{self.log()}")
            if not_pid is None or not_pid not in self.worker_pids():
                with contextlib.suppress(requests.RequestException):
                    if requests.get(f"{self.base}/healthz", timeout=5).status_code == 200:
                        return
            time.sleep(0.1)
        raise AssertionError(f"the server did not answer:\n{self.log()}")

    def kill_worker(self) -> int:
        """kill -9 the worker; returns its pid once it is gone."""
        pid = self.worker_pid()
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + PATIENCE
        while pid in self.worker_pids():
            assert time.monotonic() < deadline, f"worker {pid} survived kill -9"
            time.sleep(0.02)
        return pid

    def flask(self, *args: str) -> subprocess.CompletedProcess:
        """`flask --app wsgi marketplace ...` against this server's database and gateway."""
        return subprocess.run(
            [sys.executable, "-m", "flask", "--app", "wsgi", "marketplace", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    def gateway(self) -> LocalGateway:
        return LocalGateway(self.gateway_path)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-20_000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


class Response:
    def __init__(self, status: int, body: dict | None, headers: dict):
        self.status, self.body, self.headers = status, body or {}, headers

    @property
    def problem(self) -> str:
        """The last part of a problem's type ('' for anything else)."""
        return str(self.body.get("type", "")).rsplit("/", 1)[-1]

    def __repr__(self) -> str:
        return f"<{self.status} {self.body}>"


class Api:
    """HTTP to the served API as one user (bearer token)."""

    def __init__(self, served: Served, token: str | None = None, user: dict | None = None):
        self.served, self.token, self.user = served, token, user or {}

    @property
    def id(self) -> int:
        return self.user["id"]

    def request(self, method: str, path: str, body=None, *, key: str | None = None) -> Response:
        headers = {}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if key:
            headers["Idempotency-Key"] = key
        answer = requests.request(
            method,
            f"{self.served.base}/api/v1{path}",
            json=body,
            headers=headers,
            timeout=PATIENCE * 2,
        )
        data = answer.json() if answer.content else None
        response = Response(answer.status_code, data, dict(answer.headers))
        assert response.status != 500, f"{method} {path} -> {response}\n{self.served.log()}"
        return response

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post(self, path: str, body=None, *, key: str | None = None) -> Response:
        return self.request("POST", path, body if body is not None else {}, key=key)

    def ok(self, method: str, path: str, body=None) -> dict:
        response = self.request(method, path, body if method != "GET" else None)
        assert response.status in (200, 201), (method, path, response)
        return response.body

    def balance(self, currency: str = "USD") -> dict:
        rows = {b["currency"]: b for b in self.ok("GET", "/me/balance")["balances"]}
        empty = dict.fromkeys(("in_escrow", "pending_payout", "paid_out", "refunded", "fees"), 0)
        return {k: v for k, v in rows.get(currency, empty).items() if k != "currency"}


def register(served: Served, role: str) -> Api:
    """A new user through the API, with a bearer token."""
    email = f"{role}-{uuid.uuid4().hex[:12]}@example.test"
    anonymous = Api(served)
    user = anonymous.ok(
        "POST",
        "/auth/register",
        {"email": email, "password": PASSWORD, "role": role, "name": role.title(), "country": "US"},
    )
    token = anonymous.ok(
        "POST", "/auth/tokens", {"email": email, "password": PASSWORD, "name": "crash tests"}
    )
    return Api(served, token["token"], user)


def admin(served: Served) -> Api:
    """An admin (made with the CLI, as an operator would), with a bearer token."""
    email = f"admin-{uuid.uuid4().hex[:12]}@example.test"
    made = served.flask("create-admin", email, "--password", PASSWORD)
    assert made.returncode == 0, made.stderr
    token = Api(served).ok(
        "POST", "/auth/tokens", {"email": email, "password": PASSWORD, "name": "crash tests"}
    )
    return Api(served, token["token"], {"email": email})


def contract(client: Api, freelancer: Api, amount: int) -> dict:
    """A job by `client`, a bid of one milestone by `freelancer`, accepted."""
    job = client.ok(
        "POST",
        "/jobs",
        {
            "title": "Transcribe scanned invoices",
            "description": "Type the totals of 300 scanned invoices into a spreadsheet.",
            "skills": ["data entry"],
            "budget": amount,
            "currency": "USD",
        },
    )
    bid = freelancer.ok(
        "POST",
        f"/jobs/{job['id']}/bids",
        {
            "amount": amount,
            "currency": "USD",
            "delivery_days": 7,
            "cover_letter": "Five years of invoice transcription.",
            "milestones": [{"title": "All of it", "amount": amount}],
        },
    )
    return client.ok("POST", f"/bids/{bid['id']}/accept")


class Blocker:
    """A session of the test's own that holds `LOCK TABLE <table> IN <mode> MODE`.

    SHARE mode lets every reader through and stops every writer: a request runs its
    reads and its provider call, then waits at its booking's first write to the table.
    """

    def __init__(self, database_url: str, table: str, mode: str = "SHARE"):
        self.connection = psycopg.connect(database_url)
        self.connection.execute(f"LOCK TABLE {table} IN {mode} MODE")

    def waiter(self, flight: "InFlight") -> int:
        """The backend pid of the session waiting for this lock (waits for one)."""
        deadline = time.monotonic() + PATIENCE
        with psycopg.connect(self.connection.info.dsn, autocommit=True) as observer:
            while time.monotonic() < deadline:
                if not flight.thread.is_alive():
                    raise AssertionError(f"the request ended unblocked: {flight.result()}")
                row = observer.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                    " AND wait_event_type = 'Lock' AND pid <> %s",
                    (self.connection.info.backend_pid,),
                ).fetchone()
                if row:
                    return row[0]
                time.sleep(0.02)
        raise AssertionError("no request came to wait on the lock")

    def release(self) -> None:
        if not self.connection.closed:
            self.connection.rollback()
            self.connection.close()


def terminate_backend(database_url: str, pid: int) -> None:
    """The database goes away under one session: pg_terminate_backend."""
    with psycopg.connect(database_url, autocommit=True) as admin_session:
        assert admin_session.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone()[0]


class InFlight:
    """A request sent from a thread of its own: it is going to block."""

    def __init__(self, send):
        self.response: Response | None = None
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, args=(send,), daemon=True)
        self.thread.start()

    def _run(self, send) -> None:
        try:
            self.response = send()
        except BaseException as error:
            self.error = error

    def result(self) -> Response | BaseException:
        self.thread.join(PATIENCE * 2)
        assert not self.thread.is_alive(), "the blocked request never ended"
        return self.response if self.error is None else self.error


def until_free(send, *, seconds: float = PATIENCE) -> Response:
    """Send until the answer is not "in progress" (a claim or a key a dead request held)."""
    deadline = time.monotonic() + seconds
    while True:
        response = send()
        busy = response.status == 409 and (
            response.problem == "payment-operation-in-progress"
            or "still being processed" in response.body.get("detail", "")
        )
        if not busy:
            return response
        assert time.monotonic() < deadline, f"still in progress after {seconds} s: {response}"
        time.sleep(min(float(response.headers.get("Retry-After", 0.5)), 1.0))


def wait_until_claims_run_out(database_url: str) -> None:
    """Until no pending movement is claimed by a request (a dead one's claim runs out)."""
    deadline = time.monotonic() + PATIENCE
    with psycopg.connect(database_url, autocommit=True) as observer:
        while True:
            claimed = observer.execute(
                "SELECT count(*) FROM escrow_movements WHERE status = 'pending'"
                " AND in_flight_until >= now()"
            ).fetchone()[0]
            if not claimed:
                return
            assert time.monotonic() < deadline, "a claim never ran out"
            time.sleep(0.1)
