"""Domain exceptions, and the one place where every error becomes problem+json (RFC 9457)."""

import json as stdlib_json
import logging

from flask import Flask, Response, g, json, request
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException

from marketplace.extensions import db

log = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"


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
) -> Response:
    """A problem+json response; `type` names the problem, or is about:blank for plain HTTP."""
    body = {
        "type": f"/problems/{slug}" if slug else "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
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
    return problem(status, error.name, detail, headers=headers)


def handle_domain_error(error: DomainError) -> Response:
    db.session.rollback()
    headers = {"WWW-Authenticate": "Bearer"} if isinstance(error, Unauthorized) else None
    return problem(
        error.status,
        error.title,
        error.detail,
        slug=error.slug,
        errors=error.errors,
        headers=headers,
    )


def handle_integrity_error(error: IntegrityError) -> Response:
    """A constraint the service did not foresee: the request conflicts with stored data."""
    db.session.rollback()
    log.warning("integrity error turned into 409: %s", error.orig)
    return problem(409, "Conflict", "The request conflicts with existing data.", slug="conflict")


def handle_unexpected_error(error: Exception) -> Response:
    db.session.rollback()
    log.exception("unhandled error", exc_info=error)
    return problem(500, "Internal server error", "Something went wrong on our side.")


class MalformedBody(DomainError):
    status, slug, title = 400, "malformed-body", "Malformed request body"


def _bad_text(value) -> bool:
    """Text no database stores: NUL characters, or lone surrogates that are not Unicode."""
    if "\x00" in value:
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _walk_strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _walk_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _walk_strings(item)


def parsed_json():
    """The request's JSON body, already checked by check_request_input (None if none)."""
    return g.get("parsed_json")


def check_request_input():
    """Before anything reads it: the body must be JSON a database can store, the query too."""
    for value in request.args.values():
        if _bad_text(value):
            raise ValidationFailed({"query": ["Query values must not contain NUL characters."]})
    if not request.is_json or not request.content_length:
        return
    try:
        g.parsed_json = stdlib_json.loads(request.get_data(cache=True))
    except (ValueError, RecursionError):
        raise MalformedBody("The request body is not valid JSON.") from None
    if any(_bad_text(text) for text in _walk_strings(g.parsed_json)):
        raise MalformedBody("Text in the body must be valid Unicode without NUL characters.")


def register_error_handlers(app: Flask) -> None:
    """Replace every default error page (Flask's and flask-smorest's) with problem+json."""
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(IntegrityError, handle_integrity_error)
    app.register_error_handler(Exception, handle_unexpected_error)
