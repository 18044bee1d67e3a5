"""Headers every response carries: no sniffing, no framing, and no caching of API answers."""

import unicodedata
from urllib.parse import quote

from flask import Flask, Response, request

API_PREFIX = "/api/v1/"
# The spec is the same for everyone and carries no secret: clients may cache it.
CACHEABLE = frozenset({"/api/v1/openapi.json"})


def add_security_headers(response: Response) -> Response:
    """API answers are per caller and may carry secrets (tokens, CSRF tokens, profiles)."""
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Content-Security-Policy", "frame-ancestors 'none'")
    path = request.path
    if path.startswith(API_PREFIX) and path not in CACHEABLE:
        response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    app.after_request(add_security_headers)


def attachment(name: str) -> str:
    """`Content-Disposition: attachment` for a file name (RFC 6266).

    `filename` holds an ASCII stand-in, as a quoted string, for clients that know no
    more; a name beyond ASCII is given whole in `filename*` (RFC 8187, UTF-8), which
    clients prefer when they read it.
    """
    fallback = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    fallback = "".join(c if c.isprintable() else "_" for c in fallback).strip() or "file"
    quoted = fallback.replace("\\", "\\\\").replace('"', '\\"')
    value = f'attachment; filename="{quoted}"'
    if fallback != name:
        value += f"; filename*=UTF-8''{quote(name, safe='')}"
    return value
