"""Operations endpoints: health check, the way in for newcomers, and the docs page's assets."""

from flask import Blueprint, redirect, send_from_directory, url_for
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from swagger_ui_bundle import swagger_ui_path

from marketplace.accounts.auth import public
from marketplace.errors import RETRY_AFTER_SECONDS
from marketplace.extensions import db, limiter

blp = Blueprint("ops", __name__)
# Swagger UI's files, shipped in a Python package, so /api/docs works with no internet.
docs_assets = Blueprint("docs-assets", __name__)


@blp.get("/healthz")
@public
def healthz():
    """Is the service up, can it reach its database, and where are rate limits counted?"""
    limits = _rate_limit_store()
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
        body = {"status": "degraded", "database": "unreachable", "rate_limit_store": limits}
        return body, 503, headers
    # Without its store the limiter counts in each process's memory: the API still works.
    status = "degraded" if limits == "unreachable" else "ok"
    return {"status": status, "database": "ok", "rate_limit_store": limits}


def _rate_limit_store() -> str:
    if not limiter.enabled:
        return "disabled"
    return "ok" if limiter.storage.check() else "unreachable"


@blp.get("/")
@public
def home():
    """The marketplace's front door is its API documentation."""
    return redirect(url_for("api-docs.openapi_swagger_ui"))


@blp.get("/api/v1")
@blp.get("/api/v1/")
@public
def api_index():
    """Where the API's documentation and spec are."""
    return {
        "name": "Data-entry marketplace API",
        "version": "v1",
        "docs": url_for("api-docs.openapi_swagger_ui"),
        "openapi": url_for("api-docs.openapi_json"),
    }


@docs_assets.get("/api/docs/assets/<path:filename>")
def asset(filename):
    """A file of Swagger UI."""
    return send_from_directory(swagger_ui_path, filename, max_age=86400)
