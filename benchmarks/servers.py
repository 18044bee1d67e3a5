"""gunicorn processes with scripts/serve's configuration (scripts/gunicorn.conf.py)."""

import os
import runpy
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from marketplace.config import PROJECT_ROOT

CONFIG = PROJECT_ROOT / "scripts" / "gunicorn.conf.py"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def settings(env: dict[str, str]) -> dict:
    """Processes and threads the configuration gives with this environment."""
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        config = runpy.run_path(str(CONFIG))
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return {
        "workers": config.get("workers", 1),
        "worker_class": config.get("worker_class", "sync"),
        "threads": config.get("threads", 1),
    }


class Server:
    """`gunicorn --config scripts/gunicorn.conf.py <app>` on a free port; output to a log."""

    def __init__(self, name: str, app: str, env: dict[str, str], log_dir: Path, ready: str):
        self.name, self.app, self.ready = name, app, ready
        self.port = free_port()
        self.env = {**env, "PORT": str(self.port)}
        self.log_path = log_dir / f"{name}.log"
        self.log_path.write_text("")  # this benchmark's output only; restarts add to it
        self.process: subprocess.Popen | None = None

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self, timeout: float = 60) -> None:
        with open(self.log_path, "a") as log:
            self.process = subprocess.Popen(  # noqa: S603 (our own command line)
                [sys.executable, "-m", "gunicorn", "--config", str(CONFIG), self.app],
                cwd=PROJECT_ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its workers in its own group, to stop them all
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} server exited; see {self.log_path}")
            try:
                with urllib.request.urlopen(self.url(self.ready), timeout=5):  # noqa: S310
                    return
            except OSError:  # refused, or a worker still booting let the request time out
                time.sleep(0.2)
        raise RuntimeError(f"{self.name} server did not answer in {timeout} s")

    def stop(self, *, quick: bool = False) -> None:
        """Stop gracefully, or (quick) without waiting for requests still running."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGQUIT if quick else signal.SIGTERM)
        try:
            self.process.wait(timeout=5 if quick else 30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def restart(self) -> None:
        """A fresh server: requests left running (timed out at the client) are dropped."""
        self.stop(quick=True)
        self.start()
