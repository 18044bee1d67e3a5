"""A live marketplace for the generated client: gunicorn on a free local port, fresh SQLite."""

import os
import re
import secrets
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
LISTENING = re.compile(r"Listening at: (http://127\.0\.0\.1:\d+)")


def _wait_for_address(log: Path, server: subprocess.Popen, seconds: float = 30) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = LISTENING.search(log.read_text())
        if found:
            return found.group(1)
        if server.poll() is not None:
            break
        time.sleep(0.1)
    raise RuntimeError(f"the marketplace did not start:\n{log.read_text()}")


def _wait_until_healthy(url: str, log: Path, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the marketplace never became healthy:\n{log.read_text()}")


@pytest.fixture(scope="session")
def server(request, tmp_path_factory):
    """Where the marketplace listens, and whether it runs with the default settings.

    MARKETPLACE_URL points the tests at a server that is already running; otherwise one is
    started here and stopped after the tests.
    """
    if os.environ.get("MARKETPLACE_URL"):
        yield {"url": os.environ["MARKETPLACE_URL"].rstrip("/"), "defaults": False}
        return
    folder = tmp_path_factory.mktemp("marketplace")
    # Only what this server needs, so settings of the calling shell cannot leak in: every
    # other setting (fee, review period, rate limits) is the default.
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", str(folder)),
        "DATABASE_URL": f"sqlite:///{folder / 'marketplace.db'}",
        "LOCAL_GATEWAY_PATH": str(folder / "local_gateway.db"),
        "FILE_STORAGE": str(folder / "files"),
        "PAYMENT_GATEWAY": "local",
        "SESSION_COOKIE_SECURE": "false",
        "SECRET_KEY": secrets.token_hex(32),
    }
    migrate = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if migrate.returncode:
        raise RuntimeError(f"migrations failed:\n{migrate.stdout}{migrate.stderr}")
    # Port 0: the system picks a free port, and gunicorn's log says which. No control
    # socket: its default path is shared by every gunicorn of the user.
    command = [sys.executable, "-m", "gunicorn", "wsgi:app", "--bind", "127.0.0.1:0"]
    command += ["--workers", "1", "--no-control-socket", "--access-logfile", "-"]
    log = folder / "gunicorn.log"
    with log.open("w") as output:
        gunicorn = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        url = _wait_for_address(log, gunicorn)
        _wait_until_healthy(url, log)
        yield {"url": url, "defaults": True}
    finally:
        gunicorn.terminate()
        try:
            gunicorn.wait(timeout=10)
        except subprocess.TimeoutExpired:
            gunicorn.kill()
            gunicorn.wait()
        if request.session.testsfailed:
            # The server's own account of a failure (a traceback behind a 500, say).
            print(f"\n== marketplace log\n{log.read_text()}", file=sys.__stderr__)
