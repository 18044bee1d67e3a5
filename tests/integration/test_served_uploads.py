"""A slow upload is not cut off by gunicorn's worker timeout, as scripts/serve runs it.

gunicorn kills a sync worker that is silent past its timeout (30 s), which a 25 MiB upload
from a slow connection easily is; scripts/gunicorn.conf.py runs threaded workers, whose
main loop keeps reporting while a thread reads the body. Here the timeout is 2 s and the
body trickles in over more than twice that.
"""

import json
import socket
import time

import pytest

from tests.files import CSV, multipart
from tests.integration import test_served_rate_limits as served
from tests.integration.test_served_rate_limits import GUNICORN, Server
from tests.schema import flask_db

# Served on SQLite, once (in the SQLite pass), and first: it takes seconds.
pytestmark = served.pytestmark

TIMEOUT = 2
TRICKLE_SECONDS = 5


@pytest.fixture(scope="module")
def migrated_database(tmp_path_factory):
    path = tmp_path_factory.mktemp("served-uploads") / "marketplace.db"
    flask_db(f"sqlite:///{path}", "upgrade")
    return path


@pytest.fixture
def serve(tmp_path, migrated_database):
    servers = []

    def start(**env):
        (tmp_path / "marketplace.db").write_bytes(migrated_database.read_bytes())
        server = Server(
            tmp_path,
            {
                "GUNICORN_CMD_ARGS": f"--timeout {TIMEOUT} --graceful-timeout 1",
                "FILE_STORAGE": str(tmp_path / "files"),
                **env,
            },
            GUNICORN,
        )
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def _client_token(server) -> str:
    account = {"email": "acme@example.test", "password": "long enough pw"}
    status, _ = server.request(
        "POST",
        "/api/v1/auth/register",
        {**account, "role": "client", "name": "Acme", "country": "US"},
    )
    assert status == 201
    status, token = server.request("POST", "/api/v1/auth/tokens", {**account, "name": "upload"})
    assert status == 201
    return token["token"]


def _post_job(server, token: str) -> int:
    body = json.dumps(
        {
            "title": "Type invoices",
            "description": "Totals of scanned invoices.",
            "skills": ["data entry"],
            "budget": 50_000,
            "currency": "USD",
        }
    ).encode()
    head = (
        f"POST /api/v1/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    )
    status, answer = _exchange(server.port, head.encode(), body, seconds=0)
    assert status == 201, answer
    return json.loads(answer)["id"]


def _exchange(port: int, head: bytes, body: bytes, *, seconds: float) -> tuple[int, bytes]:
    """Send the head, then the body spread over `seconds`; the status and body answered."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        connection.sendall(head)
        pieces = 20 if seconds else 1
        size = -(-len(body) // pieces)
        for n in range(pieces):
            connection.sendall(body[n * size : (n + 1) * size])
            if seconds:
                time.sleep(seconds / pieces)
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    if not received:
        return 0, b""  # the worker was killed: the connection closed without an answer
    status_line, _, rest = received.partition(b"\r\n")
    return int(status_line.split()[1]), rest.partition(b"\r\n\r\n")[2]


@pytest.mark.parametrize(
    "env",
    [{}, {"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:1"}],
    ids=["one process", "two processes"],
)
def test_an_upload_slower_than_the_worker_timeout_arrives(serve, env):
    server = serve(**env)
    token = _client_token(server)
    job_id = _post_job(server, token)
    body, content_type = multipart([("file", "totals.csv", CSV * 500)])
    head = (
        f"POST /api/v1/jobs/{job_id}/files HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: Bearer {token}\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )

    started = time.monotonic()
    status, answer = _exchange(server.port, head.encode(), body, seconds=TRICKLE_SECONDS)

    assert time.monotonic() - started > 2 * TIMEOUT
    assert status == 201, (answer, server.log()[-2000:])
    assert json.loads(answer)["size"] == len(CSV * 500)
