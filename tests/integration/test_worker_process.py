"""The worker as it runs in production: its own process, stopped by SIGTERM."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.schema import flask_db

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.runs_long


def test_the_worker_runs_its_chores_and_stops_cleanly_on_sigterm(tmp_path):
    database = f"sqlite:///{tmp_path / 'marketplace.db'}"
    flask_db(database, "upgrade")
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "SECRET_KEY": "worker-test",
        "LOCAL_GATEWAY_PATH": str(tmp_path / "gateway.db"),
        "FILE_STORAGE": str(tmp_path / "files"),
    }
    flask = Path(sys.executable).parent / "flask"
    worker = subprocess.Popen(
        [str(flask), "--app", "wsgi", "marketplace", "worker", "--poll-seconds", "0.1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert worker.stdout is not None
        assert worker.stdout.readline().strip() == "Worker started."
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=60)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.communicate()
    assert worker.returncode == 0, output
    assert "Worker stopped." in output
    assert "Traceback" not in output
