"""SQL statements one request sends, counted in-process with the app's test client.

The app is created with the same configuration as the served one, against the same
database; each statement the engine sends (`before_cursor_execute`) counts, including
SQLite's BEGIN, but not the connection pool's liveness ping. The bare app is counted
in an interpreter of its own: the marketplace's engine hooks (marketplace/database.py),
loaded in this one, apply to every engine of the process and must not touch it.
"""

import os
import subprocess
import sys
from contextlib import contextmanager

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine


@contextmanager
def counting(engine: Engine):
    statements: list[str] = []

    def count(_connection, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def count(
    app: Flask, engine: Engine, method: str, path: str, *, token=None, body=None, warm=True
) -> int:
    """Statements of one request; with `warm`, after the same request once uncounted."""
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"} if token else {}

    def send():
        response = client.open(path, method=method, headers=headers, json=body)
        if not 200 <= response.status_code < 300:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.text}")

    if warm:
        send()
    with counting(engine) as statements:
        send()
    return len(statements)


def count_with_commits(
    app: Flask, engine: Engine, method: str, path: str, **kwargs
) -> tuple[int, int]:
    """Statements and commits (durable ones, when the transaction wrote) of one request."""
    commits: list[int] = []

    def commit(_connection):
        commits.append(1)

    event.listen(engine, "commit", commit)
    try:
        statements = count(app, engine, method, path, **kwargs)
    finally:
        event.remove(engine, "commit", commit)
    return statements, len(commits)


def count_bare(path: str) -> int:
    """Statements of one GET to the bare app, counted in a fresh interpreter."""
    finished = subprocess.run(  # noqa: S603 (our own command line)
        [sys.executable, "-m", "benchmarks.statements", path],
        cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
        env=os.environ,
        capture_output=True,
        text=True,
        check=True,
    )
    return int(finished.stdout.strip())


if __name__ == "__main__":
    from benchmarks import bare_app

    with bare_app.app.app_context():
        bare_engine = bare_app.db.engine
    print(count(bare_app.app, bare_engine, "GET", sys.argv[1]))
