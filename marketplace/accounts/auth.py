"""Who is calling: bearer tokens, cookie sessions with CSRF, and the suspended-user rule.

A request is authenticated by its bearer token when it sends one (a bad token is a
401 even if a good cookie comes with it), else by its session cookie. Cookie requests
that change anything must echo the session's CSRF token in X-CSRF-Token.
"""

import hashlib
import hmac
import secrets

from flask import Flask, current_app, g, request, session
from flask_login import current_user
from sqlalchemy import bindparam, select

from marketplace.accounts.models import ApiToken, BrowserSession, User
from marketplace.context import this_request
from marketplace.database import utcnow
from marketplace.errors import Forbidden, Unauthorized
from marketplace.extensions import db, login_manager

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "X-CSRF-Token"
TOKEN_PREFIX = "mkt_"
# The spec and the docs page are public, whatever credentials a browser sends along.
UNGUARDED = frozenset({"api-docs", "docs-assets"})


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    """Tokens are long random secrets, so a plain SHA-256 is a safe one-way hash for them."""
    return hashlib.sha256(secret.encode()).hexdigest()


def public(view):
    """An endpoint that authenticates by its own body (or needs no one): no session rules."""
    view.public = True
    return view


def allow_suspended(view):
    """An endpoint a suspended user may still call: own account and money, ending own sessions."""
    view.allow_suspended = True
    return view


def session_only(view):
    """An endpoint for cookie sessions only: anyone else gets 401 before anything else."""
    view.session_only = True
    return view


def _bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return value.strip()


@login_manager.user_loader
def _load_session_user(user_id: str):
    if "Authorization" in request.headers:
        return None  # an Authorization header always wins over the cookie
    session_id = session.get("sid")
    if not session_id:
        return None
    browser_session = db.session.scalar(
        select(BrowserSession).where(BrowserSession.session_hash == hash_secret(session_id))
    )
    if (
        browser_session is None
        or str(browser_session.user_id) != user_id
        or browser_session.expires_at <= utcnow()
    ):
        return None
    g.auth_method = "session"
    return browser_session.user


# Built once: every bearer request runs it, and only the user is needed, not the token.
_TOKEN_OWNER = (
    select(User)
    .join(ApiToken, ApiToken.user_id == User.id)
    .where(ApiToken.token_hash == bindparam("token_hash"), ApiToken.revoked_at.is_(None))
)


@login_manager.request_loader
def _load_bearer_user(_request):
    secret = _bearer_token()
    if not secret:
        return None
    user = db.session.scalar(_TOKEN_OWNER, {"token_hash": hash_secret(secret)})
    if user is None:
        return None
    g.auth_method = "bearer"
    return user


@login_manager.unauthorized_handler
def _unauthorized():
    raise Unauthorized("Sign in, or send a valid bearer token.")


def roles(*allowed: str):
    """Only users of these roles may call the endpoint: the rest get 403 before anything else."""

    def mark(view):
        view.roles = frozenset(allowed)
        return view

    return mark


def check_request():
    """Before a request is parsed or run: who is calling, and may they call this at all.

    Every endpoint needs a signed-in caller unless marked @public (and a cookie session
    where marked @session_only); a bad bearer token is 401 even where none is needed;
    cookie writes need the CSRF header; a suspended user may call only the few
    endpoints marked @allow_suspended; @roles limits by role.
    Checked here, first, so a caller who may not act learns nothing else (not even
    whether their body was valid).
    """
    # Each name below is a context-local proxy: looked up once here, not on every use.
    req = this_request()
    view = current_app.view_functions.get(req.endpoint or "")
    if view is None or req.blueprint in UNGUARDED:
        return
    bearer = "Authorization" in req.headers
    if bearer and not current_user.is_authenticated:
        raise Unauthorized("The bearer token is invalid or revoked.")
    if getattr(view, "public", False):
        # Credentials sent to a public endpoint still must not belong to a suspended user.
        if g.get("auth_method") == "bearer" and current_user.is_suspended:
            raise Forbidden("This account is suspended.")
        return
    user = current_user._get_current_object()
    if not user.is_authenticated:
        raise Unauthorized("Sign in, or send a valid bearer token.")
    auth_method = g.get("auth_method")  # set by loading the user
    if auth_method != "session" and getattr(view, "session_only", False):
        raise Unauthorized(
            "Only a cookie session (POST /auth/login) may call this; requests with a bearer "
            "token need no CSRF token."
        )
    if auth_method == "session" and req.method not in SAFE_METHODS:
        _check_csrf()
    if user.is_suspended and not getattr(view, "allow_suspended", False):
        raise Forbidden("This account is suspended.")
    allowed = getattr(view, "roles", None)
    if allowed is not None and user.role not in allowed:
        raise Forbidden(f"Only {' or '.join(sorted(allowed))} accounts may do this.")


def _check_csrf() -> None:
    """A cookie request that changes anything must echo its session's CSRF token."""
    sent = request.headers.get(CSRF_HEADER, "")
    if not sent:
        raise Forbidden(
            f"Cookie-authenticated requests must send the {CSRF_HEADER} header with the "
            "csrf_token from POST /auth/login (or GET /auth/csrf)."
        )
    expected = session.get("csrf_token", "")
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise Forbidden(
            f"The {CSRF_HEADER} header does not match this session's token; "
            "GET /auth/csrf gives the current one."
        )


def session_csrf_token() -> str:
    """The CSRF token of the caller's cookie session (see @session_only)."""
    return session["csrf_token"]


def init_app(app: Flask) -> None:
    app.before_request(check_request)
