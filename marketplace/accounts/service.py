"""Use cases of accounts: register, sign in and out, tokens, the caller's own profile."""

from dataclasses import dataclass
from datetime import timedelta
from functools import cache

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerifyMismatchError
from flask import current_app
from sqlalchemy import delete, select, update

from marketplace.accounts.auth import TOKEN_PREFIX, hash_secret, new_secret
from marketplace.accounts.models import ApiToken, BrowserSession, Role, User
from marketplace.database import rowcount, utcnow
from marketplace.errors import Conflict, Forbidden, NotFound, Unauthorized
from marketplace.extensions import db
from marketplace.pagination import SortKey, paginate

BAD_CREDENTIALS = "Email or password is wrong."
SESSION_LIFETIME = timedelta(days=14)
TOKEN_ORDER = (SortKey(ApiToken.created_at), SortKey(ApiToken.id))


@cache
def _hasher(profile: str) -> PasswordHasher:
    return PasswordHasher.from_parameters(getattr(profiles, profile))


def password_hasher() -> PasswordHasher:
    return _hasher(current_app.config["PASSWORD_HASH_PROFILE"])


def hash_password(password: str) -> str:
    return password_hasher().hash(password)


def normalize_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalize_email(email)))


def register(*, email: str, password: str, role: str, name: str, country: str) -> User:
    """Create a client or freelancer account."""
    email = normalize_email(email)
    if find_user_by_email(email) is not None:
        raise Conflict("An account with this email already exists.")
    user = User(
        email=email,
        password_hash=hash_password(password),
        role=role,
        name=name,
        country=country,
        skills=[],
        bio="",
    )
    db.session.add(user)
    db.session.commit()
    return user


def authenticate(email: str, password: str) -> User:
    """The user these credentials belong to; the same 401 for every kind of wrong."""
    hasher = password_hasher()
    user = find_user_by_email(email)
    if user is None:
        # Spend the same time as a real check, so response times do not reveal emails.
        _verify(hasher, _dummy_hash(hasher), password)
        raise Unauthorized(BAD_CREDENTIALS)
    if not _verify(hasher, user.password_hash, password):
        raise Unauthorized(BAD_CREDENTIALS)
    if user.is_suspended:
        raise Forbidden("This account is suspended.")
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
        db.session.commit()
    return user


def _verify(hasher: PasswordHasher, password_hash: str, password: str) -> bool:
    try:
        return hasher.verify(password_hash, password)
    except (VerifyMismatchError, InvalidHashError):
        return False


@cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    return hasher.hash(new_secret())


def purge_expired_sessions() -> int:
    """Delete browser sessions past their expiry; returns how many."""
    deleted = rowcount(
        db.session.execute(delete(BrowserSession).where(BrowserSession.expires_at <= utcnow()))
    )
    db.session.commit()
    return deleted


@dataclass
class BrowserLogin:
    user: User
    session_id: str
    csrf_token: str


def start_browser_session(email: str, password: str) -> BrowserLogin:
    """Check the credentials and open a server-side session for a browser."""
    user = authenticate(email, password)
    session_id = new_secret()
    db.session.add(
        BrowserSession(
            user=user,
            session_hash=hash_secret(session_id),
            expires_at=utcnow() + SESSION_LIFETIME,
        )
    )
    db.session.commit()
    return BrowserLogin(user, session_id, new_secret())


def end_browser_session(session_id: str | None) -> None:
    """Forget a browser session, so its cookie no longer signs anyone in."""
    if session_id:
        db.session.execute(
            delete(BrowserSession).where(BrowserSession.session_hash == hash_secret(session_id))
        )
        db.session.commit()


def create_token(*, email: str, password: str, name: str) -> dict:
    """Issue a bearer token; its secret is returned here once and stored only hashed."""
    user = authenticate(email, password)
    secret = TOKEN_PREFIX + new_secret()
    token = ApiToken(user=user, name=name, token_hash=hash_secret(secret))
    db.session.add(token)
    db.session.commit()
    return {"id": token.id, "name": token.name, "token": secret, "created_at": token.created_at}


def list_tokens(user: User, *, limit: int, cursor: str | None):
    """The user's live tokens, newest first."""
    stmt = select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    return paginate(db.session, stmt, TOKEN_ORDER, limit=limit, cursor=cursor)


def revoke_token(user: User, token_id: int) -> None:
    """Revoke one of the user's live tokens; anyone else's is not found."""
    revoked = rowcount(
        db.session.execute(
            update(ApiToken)
            .where(
                ApiToken.id == token_id,
                ApiToken.user_id == user.id,
                ApiToken.revoked_at.is_(None),
            )
            .values(revoked_at=utcnow())
        )
    )
    if revoked != 1:
        raise NotFound("No such token.")
    db.session.commit()


def update_profile(user: User, changes: dict) -> User:
    """Change the caller's own name, country, skills, bio or email notifications."""
    for field, value in changes.items():
        setattr(user, field, value)
    db.session.commit()
    return user


def create_admin(email: str, password: str, name: str = "Administrator") -> User:
    """Create an admin, or make an existing account admin with this password."""
    email = normalize_email(email)
    user = find_user_by_email(email)
    if user is None:
        user = User(
            email=email,
            name=name,
            country=current_app.config["PLATFORM_COUNTRY"],
            skills=[],
            bio="",
            role=Role.ADMIN,
            password_hash="",
        )
        db.session.add(user)
    else:
        # Whoever held this account before must not walk in as admin with old credentials.
        end_all_sessions(user)
    user.role = Role.ADMIN
    user.password_hash = hash_password(password)
    db.session.commit()
    return user


def end_all_sessions(user: User) -> None:
    """Revoke every token and browser session of the user (part of the caller's commit)."""
    db.session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    db.session.execute(delete(BrowserSession).where(BrowserSession.user_id == user.id))
