"""Which requests may write: on SQLite only those take the write lock when they begin.

A request with a safe method only reads, unless its view is marked @writes (a read
that records something, such as a download's audit row). It must say so up front:
SQLite cannot upgrade a read transaction to a write one while another writer works.
"""

from flask import Flask, g

from marketplace.accounts.auth import SAFE_METHODS
from marketplace.context import this_app, this_request
from marketplace.database import may_write
from marketplace.extensions import db


def writes(view):
    """A view answering a safe method that still writes to the database."""
    view.writes = True
    return view


_DIALECT = "marketplace.dialect"


def declare_intent():
    app = this_app()  # each proxy looked up once
    req = this_request()
    view = app.view_functions.get(req.endpoint or "")
    intends = req.method not in SAFE_METHODS or getattr(view, "writes", False)
    g.may_write_token = may_write.set(intends)
    if not intends and _dialect(app) == "postgresql":
        # A read needs no transaction of its own on PostgreSQL: each statement reads a
        # committed snapshot, and the request saves BEGIN and ROLLBACK, two round trips.
        db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


def _dialect(app: Flask) -> str:
    """The database's dialect, looked up once per app (the engine's never changes)."""
    name = app.extensions.get(_DIALECT)
    if name is None:
        name = app.extensions[_DIALECT] = db.engine.dialect.name
    return name


def forget_intent(_exc):
    token = g.pop("may_write_token", None)
    if token is not None:
        may_write.reset(token)


def init_app(app: Flask) -> None:
    app.before_request(declare_intent)
    app.teardown_request(forget_intent)
