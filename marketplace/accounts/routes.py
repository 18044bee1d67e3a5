"""HTTP endpoints of accounts and auth."""

import functools

from flask import current_app, session
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user, logout_user

from marketplace import idempotency
from marketplace.accounts import schemas, service, throttle
from marketplace.accounts.auth import allow_suspended, public, session_csrf_token, session_only
from marketplace.extensions import Blueprint, limiter
from marketplace.pagination import PageArgsSchema, page_schema

blp = Blueprint("accounts", __name__, url_prefix="/api/v1", description="Accounts and auth")


def _auth_rate_limit():
    return current_app.config["AUTH_RATE_LIMIT"]


def rate_limited_per_address(view):
    """Limit every attempt at an auth endpoint per client address."""
    return limiter.limit(_auth_rate_limit)(view)


def rate_limited(view):
    """Limit a credentials endpoint per client address, and its failed sign-ins per email."""

    @functools.wraps(view)
    def throttled(data):
        with throttle.sign_in_attempt(data["email"], get_remote_address()):
            return view(data)

    return rate_limited_per_address(throttled)


@blp.post("/auth/register")
@blp.arguments(schemas.RegisterSchema)
@blp.response(201, schemas.UserSchema)
@rate_limited_per_address
@public
def register(data):
    """Create a client or freelancer account."""
    return service.register(**data)


@blp.post("/auth/login")
@blp.arguments(schemas.LoginSchema)
@blp.response(200, schemas.LoginResultSchema)
@rate_limited
@public
@idempotency.exempt
def login(data):
    """Sign in a browser: sets the session cookie and returns the CSRF token."""
    result = service.start_browser_session(data["email"], data["password"])
    service.end_browser_session(session.get("sid"))
    session.clear()
    session["sid"] = result.session_id
    session["csrf_token"] = result.csrf_token
    session.permanent = True
    login_user(result.user)
    return {"user": result.user, "csrf_token": result.csrf_token}


@blp.post("/auth/logout")
@blp.response(204)
@idempotency.exempt
@allow_suspended
def logout():
    """End the cookie session; with only a bearer token it does nothing."""
    service.end_browser_session(session.get("sid"))
    logout_user()
    session.clear()


@blp.get("/auth/csrf")
@blp.response(200, schemas.CsrfTokenSchema)
@session_only
@allow_suspended
def csrf_token():
    """The cookie session's CSRF token again, for a browser app that reloaded."""
    return {"csrf_token": session_csrf_token()}


@blp.post("/auth/tokens")
@blp.arguments(schemas.TokenCreateSchema)
@blp.response(201, schemas.TokenCreatedSchema)
@rate_limited
@public
@idempotency.exempt
def create_token(data):
    """Issue a bearer token for a client app; the token is shown only in this response."""
    return service.create_token(**data)


@blp.get("/auth/tokens")
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, page_schema(schemas.TokenSchema))
@allow_suspended
def list_tokens(args):
    """List the caller's live tokens (never their secrets)."""
    return service.list_tokens(current_user, **args)


@blp.delete("/auth/tokens/<id:token_id>")
@blp.response(204)
@allow_suspended
def revoke_token(token_id):
    """Revoke a token: it gets 401 from then on."""
    service.revoke_token(current_user, token_id)


@blp.get("/me")
@blp.response(200, schemas.UserSchema)
@allow_suspended
def me():
    """The caller's own account."""
    # JSON already (UserSchema's): flask-smorest passes a response through.
    # The user itself, not the proxy: each attribute read through it costs a lookup.
    return current_app.json.response(schemas.user_json(current_user._get_current_object()))


@blp.patch("/me")
@blp.arguments(schemas.ProfileUpdateSchema)
@blp.response(200, schemas.UserSchema)
def update_me(changes):
    """Change the caller's name, country, skills, bio or email notifications."""
    return service.update_profile(current_user, changes)
