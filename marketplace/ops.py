"""Operations endpoints: health check, and the docs page's assets served locally."""

from flask import Blueprint, send_from_directory
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from swagger_ui_bundle import swagger_ui_path

from marketplace.accounts.auth import public
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
        return {"status": "degraded", "database": "unreachable", "rate_limit_store": limits}, 503
    # Without its store the limiter counts in each process's memory: the API still works.
    status = "degraded" if limits == "unreachable" else "ok"
    return {"status": status, "database": "ok", "rate_limit_store": limits}


def _rate_limit_store() -> str:
    if not limiter.enabled:
        return "disabled"
    return "ok" if limiter.storage.check() else "unreachable"


@docs_assets.get("/api/docs/assets/<path:filename>")
def asset(filename):
    """A file of Swagger UI."""
    return send_from_directory(swagger_ui_path, filename, max_age=86400)
