"""Domain exceptions, and the one place where every error becomes problem+json (RFC 9457)."""

import logging
import traceback

from flask import Flask, Response, json
from sqlalchemy import exc as sa_exc
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException

from marketplace.extensions import db
from marketplace.storage import StorageUnavailable

log = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"
# Seconds a client should wait before retrying while the database is unavailable.
RETRY_AFTER_SECONDS = 5
# PostgreSQL error classes that mean "not now" rather than "never": connection
# exceptions, insufficient resources, operator intervention (shutdown, statement timeout).
_TRANSIENT_SQLSTATE_CLASSES = frozenset({"08", "53", "57"})
# ...and single states of the same kind: serialization failure, deadlock, lock timeout.
_TRANSIENT_SQLSTATES = frozenset({"40001", "40P01", "55P03"})
# SQLite's: busy or locked past the timeout, the file cannot be opened or read, disk full.
_TRANSIENT_SQLITE_ERRORS = frozenset(
    {"SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_CANTOPEN", "SQLITE_IOERR", "SQLITE_FULL"}
)


class DomainError(Exception):
    """An error a client caused or must hear about; becomes a problem response."""

    status = 400
    slug = "bad-request"
    title = "Bad request"

    def __init__(self, detail: str | None = None, *, errors: dict | None = None):
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.errors = errors


class Unauthorized(DomainError):
    status, slug, title = 401, "unauthorized", "Not authenticated"


class Forbidden(DomainError):
    status, slug, title = 403, "forbidden", "Not allowed"


class NotFound(DomainError):
    status, slug, title = 404, "not-found", "Not found"


class Conflict(DomainError):
    status, slug, title = 409, "conflict", "Conflict"


class InvalidTransition(Conflict):
    slug, title = "invalid-transition", "Illegal state transition"


class ValidationFailed(DomainError):
    status, slug, title = 422, "validation-failed", "Validation failed"

    def __init__(self, errors: dict, detail: str | None = None):
        super().__init__(detail or "The request has invalid fields.", errors=errors)


class PaymentDeclined(DomainError):
    status, slug, title = 402, "payment-declined", "Payment declined"


class PaymentRefused(Conflict):
    """The payment provider refused a call (it did nothing), and nothing changed here."""

    slug, title = "payment-refused", "Refused by the payment provider"


class PaymentAmountRefused(DomainError):
    """The payment provider does not take this amount or currency; nothing changed."""

    status, slug, title = 422, "payment-amount-refused", "Amount refused by the payment provider"


class PayoutCountryUnsupported(DomainError):
    """The configured gateway cannot pay out to freelancers in the user's country."""

    status, slug, title = 422, "payout-country-unsupported", "Payouts do not reach this country"


class OperationInProgress(Conflict):
    slug, title = "payment-operation-in-progress", "A payment operation is in progress"

    def __init__(self, detail: str, *, retry_after: int):
        super().__init__(detail)
        self.retry_after = retry_after


class TooManyRequests(DomainError):
    status, slug, title = 429, "rate-limited", "Too many requests"

    def __init__(self, detail: str, *, retry_after: int):
        super().__init__(detail)
        self.retry_after = retry_after


class DeliveryRefused(DomainError):
    """A delivery of records failed its check: the problem carries the check's report."""

    status, slug, title = 422, "delivery-refused", "Delivery refused"

    def __init__(self, detail: str, *, report: dict):
        super().__init__(detail)
        self.members = {"report": report}


class GoldRefused(DomainError):
    """A gold set that cannot be taken: the job's schema has no primary key, or its rows
    failed their check (the problem then carries the check's report)."""

    status, slug, title = 422, "gold-refused", "Gold records refused"

    def __init__(self, detail: str, *, report: dict | None = None):
        super().__init__(detail)
        self.members = {} if report is None else {"report": report}


class GatewayFailed(DomainError):
    status, slug, title = 502, "payment-provider-failed", "Payment provider failed"


def problem(
    status: int,
    title: str,
    detail: str,
    *,
    slug: str | None = None,
    errors: dict | None = None,
    headers: dict | None = None,
    members: dict | None = None,
) -> Response:
    """A problem+json response; `type` names the problem (about:blank for a bare 500).

    `members` are the problem type's own (RFC 9457 extension members)."""
    body = {
        "type": f"/problems/{slug}" if slug else "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    body.update(members or {})
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_MEDIA_TYPE)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _field_errors(messages) -> dict:
    """Flatten webargs' {location: {field: [msg]}} into {field: [msg]}.

    A nested field's errors are named by their path (`milestones.0.amount`), so every
    value is a list of messages, as the contract says.
    """
    if not isinstance(messages, dict):
        return {"_body": messages if isinstance(messages, list) else [str(messages)]}
    errors: dict = {}
    for location, fields in messages.items():
        if isinstance(fields, dict):
            for field, field_messages in fields.items():
                _flatten(str(field), field_messages, errors)
        else:
            errors[location] = fields if isinstance(fields, list) else [str(fields)]
    return errors


def _flatten(path: str, messages, into: dict) -> None:
    if isinstance(messages, dict):
        for key, inner in messages.items():
            _flatten(f"{path}.{key}", inner, into)
    else:
        listed = messages if isinstance(messages, list) else [messages]
        into.setdefault(path, []).extend(str(message) for message in listed)


def handle_http_exception(error: HTTPException) -> Response:
    status = error.code or 500
    headers = dict(error.get_headers()) if status in (405, 429) else {}
    headers.pop("Content-Type", None)
    messages = (getattr(error, "data", None) or {}).get("messages")
    if status == 400 and messages:
        # webargs reports a body that is not JSON at all as a 400.
        return problem(
            400,
            "Malformed request body",
            "The request body is not valid JSON.",
            slug="malformed-body",
        )
    if status == 422 and messages:
        return problem(
            422,
            ValidationFailed.title,
            "The request has invalid fields.",
            slug=ValidationFailed.slug,
            errors=_field_errors(messages),
        )
    if status == 500:
        return problem(status, "Internal server error", "Something went wrong on our side.")
    detail = error.description if isinstance(error.description, str) else error.name
    if status == 429:  # the limiter's own 429 is the same problem as the login delay's
        return problem(
            status, TooManyRequests.title, detail, slug=TooManyRequests.slug, headers=headers
        )
    slug = error.name.lower().replace(" ", "-")  # "Not Found" is /problems/not-found
    return problem(status, error.name, detail, slug=slug, headers=headers)


def handle_domain_error(error: DomainError) -> Response:
    db.session.rollback()
    headers = {"WWW-Authenticate": "Bearer"} if isinstance(error, Unauthorized) else None
    if isinstance(error, TooManyRequests | OperationInProgress):
        headers = {"Retry-After": str(error.retry_after)}
    return problem(
        error.status,
        error.title,
        error.detail,
        slug=error.slug,
        errors=error.errors,
        headers=headers,
        members=getattr(error, "members", None),
    )


def error_summary(error: BaseException) -> str:
    """An error's class and first line, and those of what caused it: never more.

    Drivers put values in their messages (PostgreSQL's DETAIL names a duplicate key,
    which may be a token hash) and SQLAlchemy the statement, so only first lines are
    kept; the statement's parameters are hidden by the engine (hide_parameters).
    """
    parts = []
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        orig = getattr(current, "orig", None) or current
        text = str(orig).strip()
        parts.append(f"{type(orig).__name__}: {text.splitlines()[0] if text else ''}")
        following = current.__cause__ or current.__context__
        # SQLAlchemy's error is raised from the driver's, already told as its `orig`.
        current = None if following is orig else following
    return " <- ".join(parts)


def log_error(message: str, error: BaseException, level: int = logging.ERROR) -> None:
    """Log where an error happened (the frames) and what it was, without any values."""
    frames = "".join(traceback.format_tb(error.__traceback__))
    log.log(level, "%s: %s\n%s", message, error_summary(error), frames)


def is_database_unavailable(error: Exception) -> bool:
    """A lost connection, a timeout or an overloaded database: worth retrying later."""
    if isinstance(error, sa_exc.TimeoutError | sa_exc.DisconnectionError):
        return True
    if not isinstance(error, sa_exc.DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    sqlstate = getattr(error.orig, "sqlstate", None)
    if sqlstate:
        return sqlstate[:2] in _TRANSIENT_SQLSTATE_CLASSES or sqlstate in _TRANSIENT_SQLSTATES
    sqlite_error = getattr(error.orig, "sqlite_errorname", None)
    if sqlite_error:  # SQLITE_BUSY_SNAPSHOT is a kind of SQLITE_BUSY
        return "_".join(sqlite_error.split("_")[:2]) in _TRANSIENT_SQLITE_ERRORS
    # A driver error with no state at all is one raised before any server answered.
    return isinstance(error, sa_exc.OperationalError)


def handle_integrity_error(error: IntegrityError) -> Response:
    """A constraint the service did not foresee: the request conflicts with stored data."""
    db.session.rollback()
    log.warning("integrity error turned into 409: %s", error_summary(error))
    return problem(409, "Conflict", "The request conflicts with existing data.", slug="conflict")


def handle_database_error(error: sa_exc.SQLAlchemyError) -> Response:
    """The database failed: a 503 to retry when it is unreachable or busy, else a bug."""
    safe_rollback()
    if is_database_unavailable(error):
        log.warning("database unavailable: %s", error_summary(error))
        return problem(
            503,
            "Service unavailable",
            "The database cannot be reached right now; retry shortly.",
            slug="database-unavailable",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    log_error("database error", error)
    return problem(500, "Internal server error", "Something went wrong on our side.")


def handle_storage_unavailable(error: StorageUnavailable) -> Response:
    """The file storage failed on its side or cannot be reached: a 503 to retry."""
    safe_rollback()
    log.warning("file storage unavailable: %s", error_summary(error))
    return problem(
        503,
        "Service unavailable",
        "The file storage cannot be reached right now; retry shortly.",
        slug="storage-unavailable",
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def safe_rollback() -> None:
    """Roll back, even when the connection is gone."""
    try:
        db.session.rollback()
    except sa_exc.SQLAlchemyError:
        db.session.remove()  # the connection is gone: the pool replaces it next time


def handle_unexpected_error(error: Exception) -> Response:
    safe_rollback()
    log_error("unhandled error", error)
    return problem(500, "Internal server error", "Something went wrong on our side.")


class MalformedBody(DomainError):
    status, slug, title = 400, "malformed-body", "Malformed request body"


class PayloadTooLarge(DomainError):
    """A body or a file past its size limit (the same problem werkzeug's own 413 gives)."""

    status, slug, title = 413, "request-entity-too-large", "Request Entity Too Large"


class UriTooLong(DomainError):
    status, slug, title = 414, "uri-too-long", "URI too long"


class UnsupportedMediaType(DomainError):
    status, slug, title = 415, "unsupported-media-type", "Unsupported media type"


def register_error_handlers(app: Flask) -> None:
    """Replace every default error page (Flask's and flask-smorest's) with problem+json."""
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(IntegrityError, handle_integrity_error)
    app.register_error_handler(sa_exc.SQLAlchemyError, handle_database_error)
    app.register_error_handler(StorageUnavailable, handle_storage_unavailable)
    app.register_error_handler(Exception, handle_unexpected_error)
