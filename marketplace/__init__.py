"""The data-entry marketplace: create_app() wires settings, extensions and blueprints."""

from collections.abc import Callable, Mapping
from inspect import CO_COROUTINE
from types import FunctionType
from typing import Any

import click
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from marketplace import config


class Marketplace(Flask):
    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        """Flask's, answering for a plain function without inspect's generic checks.

        Flask asks this of every hook and view of every request (a dozen times each).
        """
        if type(func) is FunctionType and not hasattr(func, "_is_coroutine_marker"):
            if func.__code__.co_flags & CO_COROUTINE:
                return self.async_to_sync(func)
            return func
        return super().ensure_sync(func)


def create_app(overrides: Mapping | None = None) -> Flask:
    """Build the app from the environment, plus `overrides` (tests use them)."""
    app = Marketplace(__name__, instance_path=str(config.INSTANCE_PATH))
    app.config.from_mapping(config.from_env())
    if overrides:
        app.config.from_mapping(overrides)
    # No error text or log line may carry a statement's values (password hashes, tokens).
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
        **app.config["SQLALCHEMY_ENGINE_OPTIONS"],
        "hide_parameters": True,
    }
    if app.config["TRUSTED_PROXIES"]:
        proxies = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]  # Flask's documented way
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies
        )

    from marketplace import (
        cli,
        errors,
        extensions,
        headers,
        idempotency,
        inputs,
        models,  # noqa: F401  (puts every table on the metadata)
        routes,
        transactions,
    )
    from marketplace.accounts import auth

    app.request_class = inputs.ApiRequest
    # Keys in the order each answer builds them: sorting them costs every response.
    app.json.sort_keys = False  # type: ignore[attr-defined]  # Flask's default provider
    app.session_interface = extensions.CookieSessions()
    extensions.db.init_app(app)
    migrations = str(config.PROJECT_ROOT / "migrations")
    extensions.migrate.init_app(app, extensions.db, directory=migrations)
    extensions.login_manager.init_app(app)
    extensions.limiter.init_app(app)
    extensions.api.init_app(app)
    errors.register_error_handlers(app)
    # Before each request, in this order: may it write (SQLite's lock), who calls and may
    # they (401/403), is the body usable (400), has this Idempotency-Key been seen.
    transactions.init_app(app)
    auth.init_app(app)
    app.before_request(inputs.check_request_input)
    idempotency.init_app(app)
    headers.init_app(app)
    routes.register_blueprints(app)
    cli.init_app(app)
    if not app.config["SECRET_KEY_FROM_ENV"] and not app.testing and _serves_requests():
        app.logger.warning(
            "SECRET_KEY is not set: sessions are signed with a key of this process only."
        )
    return app


def _serves_requests() -> bool:
    """Whether the app is made to serve requests: by a WSGI server or `flask run`."""
    # Other CLI commands (`db upgrade`, `marketplace release-due`) run inside click and
    # sign no session, so a missing SECRET_KEY does not matter to them.
    command = click.get_current_context(silent=True)
    return command is None or command.info_name == "run"
