"""Headers every response carries: no sniffing, no framing, and no caching of API answers."""

from flask import Flask, Response, request

API_PREFIX = "/api/v1/"
# The spec is the same for everyone and carries no secret: clients may cache it.
CACHEABLE = frozenset({"/api/v1/openapi.json"})


def add_security_headers(response: Response) -> Response:
    """API answers are per caller and may carry secrets (tokens, CSRF tokens, profiles)."""
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Content-Security-Policy", "frame-ancestors 'none'")
    if request.path.startswith(API_PREFIX) and request.path not in CACHEABLE:
        response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    app.after_request(add_security_headers)
