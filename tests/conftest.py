"""Fixtures: one migrated database per test session, emptied after every test.

TEST_DATABASE_URL picks the database (default: a fresh SQLite file). Tests commit for
real, as the app does, and race real connections, so isolation is by emptying every
table after each test rather than by rolling back one shared connection. Run in
parallel (pytest-xdist), each worker gets a database of its own: a SQLite file in its
own temporary folder, or on PostgreSQL a sibling database `<name>_<worker>`.

Tests that change nothing in the database may share what they read: those marked
`shared_data(key)` get it from the `shared_data` fixture, built by the first of them
and kept until a test with another key (or none) runs, or one of them fails. They are
collected one after the other; a worker that runs only some of them builds it again.

tests/crash/ is left out unless pytest is given --crash (scripts/crash-tests): those tests
run a real server, kill its worker and take its database away, one scenario at a time.
tests/s3/ is left out unless pytest is given --s3 (scripts/s3-tests): they test the S3
storage against a real S3-compatible server. TEST_FILE_STORAGE=s3 keeps the app's files
on such a server too (a temporary folder otherwise).
"""

import os
import sqlite3

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url

from marketplace import create_app
from marketplace.config import database_url
from marketplace.extensions import db
from tests.client import ApiClient
from tests.emptying import empty_everything
from tests.factories import Factory
from tests.probe import probe
from tests.s3_server import aws_environment, moto_server, new_bucket
from tests.s3_server import wanted as s3_wanted

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))

pytest_plugins = ["tests.stripe_fake.fixtures"]


def pytest_addoption(parser):
    parser.addoption(
        "--crash",
        action="store_true",
        help="run the crash tests of tests/crash (left out otherwise; see scripts/crash-tests)",
    )
    parser.addoption(
        "--s3",
        action="store_true",
        help="run the S3 storage tests of tests/s3 (left out otherwise; see scripts/s3-tests)",
    )


def pytest_ignore_collect(collection_path, config):
    """tests/crash/ only with --crash: ./scripts/test never collects it."""
    if str(collection_path) == os.path.join(TESTS_DIR, "crash"):
        return not config.getoption("--crash")
    if str(collection_path) == os.path.join(TESTS_DIR, "s3"):
        return not config.getoption("--s3")
    return None


@event.listens_for(Engine, "connect")
def _sqlite_without_fsync(dbapi_connection, _record):
    """Tests need no durability across a crash: SQLite does not wait for the disk.

    Every SQLite file the tests open (the marketplace's, the local gateway's, scratch
    databases) is a throwaway; production keeps SQLite's default (see
    marketplace/database.py). The PostgreSQL counterpart is in _engine_options.
    """
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute("PRAGMA synchronous = OFF")


def _test_database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return database_url(url)
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'marketplace.db'}"


def _worker_database(url: str, worker: str) -> str:
    """A fresh database beside `url`, for one xdist worker."""
    name = f"{make_url(url).database}_{worker}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def _reset_postgres_schema(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def database_uri(tmp_path_factory):
    url = _test_database_url(tmp_path_factory)
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if url.startswith("postgresql") and worker:
        url = _worker_database(url, worker)
    if url.startswith("postgresql"):
        _reset_postgres_schema(url)
    return url


def _engine_options(url: str) -> dict:
    options = {}
    if url.startswith("postgresql"):
        # Tests need no durability across a crash: do not wait for the disk on commit.
        options["connect_args"] = {"options": "-c synchronous_commit=off"}
    return options


@pytest.fixture(scope="session")
def file_storage(tmp_path_factory):
    """The app's storage settings: a temporary folder, or a bucket on a moto server."""
    if not s3_wanted():
        yield {"FILE_STORAGE": str(tmp_path_factory.mktemp("files"))}
        return
    with aws_environment(), moto_server() as endpoint:
        bucket = new_bucket(endpoint)
        yield {"FILE_STORAGE": f"s3://{bucket}/files", "S3_ENDPOINT_URL": endpoint}


@pytest.fixture(scope="session")
def app(database_uri, tmp_path_factory, file_storage):
    app = create_app(
        {
            "SQLALCHEMY_ENGINE_OPTIONS": _engine_options(database_uri),
            "LOCAL_GATEWAY_PATH": str(tmp_path_factory.mktemp("gateway") / "local_gateway.db"),
            **file_storage,
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_uri,
            "SECRET_KEY": "test-secret",
            "PASSWORD_HASH_PROFILE": "CHEAPEST",
            "AUTH_RATE_LIMIT": "1000 per minute",
            "LOGIN_FAILURES_BEFORE_DELAY": 1000,
            "LOGIN_FAILURES_BEFORE_EMAIL_DELAY": 2000,
            "RATELIMIT_STORAGE_URI": "memory://",
            "SESSION_COOKIE_SECURE": False,
            "STRIPE_WEBHOOK_SECRET": "whsec_test_localstripe",
        }
    )
    app.register_blueprint(probe)
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


class _Kept:
    """What the last test left in this worker's database for the next, and under which key."""

    key: str | None = None
    data = None
    app = None

    @classmethod
    def empty(cls, app) -> None:
        empty_everything(app)
        cls.key = cls.data = cls.app = None


_PASSED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when != "teardown":
        item.stash[_PASSED] = item.stash.get(_PASSED, True) and report.passed
    return report


def _shared_key(item) -> str | None:
    marker = item.get_closest_marker("shared_data")
    return None if marker is None else str(marker.args[0])


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Long tests first, so that the short ones fill in around them on the other workers
    (scripts/test runs pytest-xdist's worksteal); tests that share data one after the
    other, where the first of them was."""
    first: dict[str, int] = {}
    place: dict[int, tuple[bool, int, int]] = {}
    for index, item in enumerate(items):
        key = _shared_key(item)
        if key is not None:
            first.setdefault(key, index)
        short = item.get_closest_marker("runs_long") is None
        place[id(item)] = (short, first.get(key, index), index)
    items.sort(key=lambda item: place[id(item)])


@pytest.fixture(autouse=True)
def _empty_tables(request):
    """Every test starts from an empty database, or from the data it shares."""
    key = _shared_key(request.node)
    if _Kept.key is not None and _Kept.key != key:
        _Kept.empty(_Kept.app)
    yield
    if _Kept.key is not None and _Kept.key == key and request.node.stash.get(_PASSED, False):
        return  # kept for the next test with this key
    if _Kept.key is not None:
        _Kept.empty(_Kept.app)
    elif "app" in request.fixturenames:
        empty_everything(request.getfixturevalue("app"))


@pytest.fixture
def shared_data(request, app):
    """`shared_data(build)`: what build() made for the tests marked shared_data(key).

    The first of those tests calls build() on an empty database; the next ones get the
    same result on the same rows, as long as every test before them passed. They may
    read, or make requests that are refused and change nothing, but nothing else.
    """
    key = _shared_key(request.node)
    if key is None:
        raise pytest.UsageError("shared_data is for tests marked shared_data(key)")

    def get(build):
        if _Kept.key != key:
            data = build()
            _Kept.key, _Kept.data, _Kept.app = key, data, app
        return _Kept.data

    return get


@pytest.fixture
def api(app):
    """An anonymous client of the HTTP API."""
    return ApiClient(app)


@pytest.fixture
def factory(app):
    return Factory(app)
