"""Operations endpoints: health check, the way in for newcomers, and the docs page's assets."""

from flask import Blueprint, redirect, send_from_directory, url_for
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from swagger_ui_bundle import swagger_ui_path

from marketplace.accounts.auth import public
from marketplace.errors import RETRY_AFTER_SECONDS
from marketplace.extensions import db

blp = Blueprint("ops", __name__)
# Swagger UI's files, shipped in a Python package, so /api/docs works with no internet.
docs_assets = Blueprint("docs-assets", __name__)


@blp.get("/healthz")
@public
def healthz():
    """Is the service up, and can it reach its database?"""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
        return {"status": "degraded", "database": "unreachable"}, 503, headers
    return {"status": "ok", "database": "ok"}


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
