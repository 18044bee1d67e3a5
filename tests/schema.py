"""Migrating a database other than the test database, as `flask db` would."""

from types import SimpleNamespace

import flask_migrate
from flask import Flask
from sqlalchemy import create_engine

from marketplace.config import PROJECT_ROOT
from marketplace.extensions import db, migrate


def flask_db(url: str, command: str, revision: str = "head") -> None:
    """What `flask db upgrade|downgrade <revision>` does to the database at `url`.

    Flask-Migrate's own command, with the project's migrations/env.py and the app's
    migration settings, on an engine of its own, in this process (a new process would
    spend seconds importing the app for each step; `flask db upgrade` itself runs in
    scripts/serve, see test_served_rate_limits.py).
    """
    engine = create_engine(url)
    scratch = Flask(__name__)
    target = SimpleNamespace(engine=engine, metadata=db.metadata)
    directory = str(PROJECT_ROOT / "migrations")  # as create_app() says
    flask_migrate.Migrate(scratch, target, directory=directory, **migrate.alembic_ctx_kwargs)
    try:
        with scratch.app_context():
            {"upgrade": flask_migrate.upgrade, "downgrade": flask_migrate.downgrade}[command](
                revision=revision
            )
    finally:
        engine.dispose()
