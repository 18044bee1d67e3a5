"""Settings, read from the environment, with safe defaults for the embedded mode."""

import os
import secrets
from collections.abc import Mapping
from pathlib import Path

from marketplace import payout_countries
from marketplace.money import COUNTRY_SETTLEMENT_CURRENCY, STRIPE_SETTLEMENT_CURRENCIES

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_PATH = PROJECT_ROOT / "instance"

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class ConfigError(ValueError):
    """A setting in the environment has a value the marketplace cannot use."""


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigError(f"{name} must be true or false, not {raw!r}")


def _number(env: Mapping[str, str], name: str, default, kind=int):
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return kind(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, not {raw!r}") from None


def rate_limit_storage(env: Mapping[str, str]) -> tuple[str, dict]:
    """Where rate limits are counted (RATELIMIT_STORAGE_URI, else REDIS_URL) and its options."""
    uri = env.get("RATELIMIT_STORAGE_URI") or env.get("REDIS_URL") or "memory://"
    # Storage errors arrive as limits' StorageError, so callers can catch exactly them.
    options: dict = {"wrap_exceptions": True}
    if uri.startswith(("redis://", "rediss://", "redis+unix://")):
        # An unreachable Redis must cost a sign-in a moment, not the operating system's
        # connect timeout, before the limiter falls back to counting in process memory.
        options |= {"socket_connect_timeout": 1, "socket_timeout": 1}
    return uri, options


def _positive(env: Mapping[str, str], name: str, default: int) -> int:
    value = _number(env, name, default)
    if value < 1:
        raise ConfigError(f"{name} must be at least 1")
    return value


def database_url(raw: str | None) -> str:
    """Normalise DATABASE_URL: PostgreSQL URLs work as given, with the psycopg 3 driver."""
    if not raw:
        return f"sqlite:///{INSTANCE_PATH / 'marketplace.db'}"
    for prefix in ("postgres://", "postgresql://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw[len(prefix) :]
    return raw


def stripe_currencies(env: Mapping[str, str], platform_country: str) -> tuple[str, ...]:
    """STRIPE_CURRENCIES (comma-separated), by default the platform country's currency."""
    raw = env.get("STRIPE_CURRENCIES", "").strip()
    if not raw:
        default = COUNTRY_SETTLEMENT_CURRENCY.get(platform_country)
        return (default,) if default else ()
    codes = tuple(sorted({code.strip().upper() for code in raw.split(",") if code.strip()}))
    wrong = [code for code in codes if code not in STRIPE_SETTLEMENT_CURRENCIES]
    if wrong:
        raise ConfigError(
            f"STRIPE_CURRENCIES: {', '.join(wrong)} is not a currency a Stripe platform "
            f"settles in ({', '.join(sorted(STRIPE_SETTLEMENT_CURRENCIES))})"
        )
    return codes


def from_env(env: Mapping[str, str] | None = None) -> dict:
    """Build the Flask config mapping from environment variables."""
    env = os.environ if env is None else env
    gateway = env.get("PAYMENT_GATEWAY", "local").strip().lower() or "local"
    if gateway not in {"local", "stripe"}:
        raise ConfigError(f"PAYMENT_GATEWAY must be local or stripe, not {gateway!r}")
    fee_bps = _number(env, "PLATFORM_FEE_BPS", 1000)
    if not 0 <= fee_bps <= 10000:
        raise ConfigError("PLATFORM_FEE_BPS must be between 0 and 10000")
    review_days = _number(env, "REVIEW_PERIOD_DAYS", 14.0, float)
    rejection_days = _number(env, "REJECTION_PERIOD_DAYS", 3.0, float)
    if rejection_days < 0:
        raise ConfigError("REJECTION_PERIOD_DAYS must not be negative")
    funding_timeout = _number(env, "FUNDING_TIMEOUT_HOURS", 24.0, float)
    if funding_timeout <= 0:
        raise ConfigError("FUNDING_TIMEOUT_HOURS must be more than 0")
    if review_days < 0:
        raise ConfigError("REVIEW_PERIOD_DAYS must not be negative")
    sweep_grace = _number(env, "FILE_SWEEP_GRACE_MINUTES", 60.0, float)
    if sweep_grace < 1:
        raise ConfigError("FILE_SWEEP_GRACE_MINUTES must be at least 1")
    secret_key = env.get("SECRET_KEY") or None
    storage_uri, storage_options = rate_limit_storage(env)
    port = _number(env, "PORT", 5000)
    failures_before_delay = _positive(env, "LOGIN_FAILURES_BEFORE_DELAY", 10)
    failures_before_email_delay = _positive(env, "LOGIN_FAILURES_BEFORE_EMAIL_DELAY", 100)
    if failures_before_email_delay <= failures_before_delay:
        # Otherwise one address alone could use up the email's budget and slow its owner.
        raise ConfigError(
            "LOGIN_FAILURES_BEFORE_EMAIL_DELAY must be more than LOGIN_FAILURES_BEFORE_DELAY"
        )
    try:
        countries = payout_countries.parse(env.get("PAYOUT_COUNTRIES"))
    except ValueError as bad:
        raise ConfigError(f"PAYOUT_COUNTRIES has codes that are not countries: {bad}") from None
    platform_country = env.get("PLATFORM_COUNTRY", "US").strip().upper() or "US"
    return {
        "SQLALCHEMY_DATABASE_URI": database_url(env.get("DATABASE_URL")),
        # Without SECRET_KEY every start signs sessions with a new key: fine for the
        # embedded demo (sessions end on restart), never for production.
        "SECRET_KEY": secret_key or secrets.token_hex(32),
        "SECRET_KEY_FROM_ENV": secret_key is not None,
        "PAYMENT_GATEWAY": gateway,
        "STRIPE_SECRET_KEY": env.get("STRIPE_SECRET_KEY", ""),
        "STRIPE_WEBHOOK_SECRET": env.get("STRIPE_WEBHOOK_SECRET", ""),
        # One secret per webhook endpoint (the platform's and the Connect one), and the
        # old and new secret while one is rolled; STRIPE_WEBHOOK_SECRET counts as one more.
        "STRIPE_WEBHOOK_SECRETS": [
            item.strip()
            for item in env.get("STRIPE_WEBHOOK_SECRETS", "").split(",")
            if item.strip()
        ],
        # Each try at Stripe gives up after this (connecting and waiting for the answer
        # together), and is tried at most 1 + STRIPE_MAX_NETWORK_RETRIES times: with the
        # SDK's backoff, 3 x 8 s + 1.5 s, inside gunicorn's 30 s worker timeout.
        "STRIPE_TIMEOUT_SECONDS": _positive(env, "STRIPE_TIMEOUT_SECONDS", 8),
        "STRIPE_MAX_NETWORK_RETRIES": _number(env, "STRIPE_MAX_NETWORK_RETRIES", 2),
        # Where freelancers can be paid out (None: the gateway's default, see
        # payout_countries.py).
        "PAYOUT_COUNTRIES": countries,
        "STRIPE_API_BASE": env.get("STRIPE_API_BASE", ""),
        # The local gateway's own records (it stands for an outside provider).
        "LOCAL_GATEWAY_PATH": env.get(
            "LOCAL_GATEWAY_PATH", str(INSTANCE_PATH / "local_gateway.db")
        ),
        # Uploaded files: a folder, or `s3://bucket/prefix` for any S3-compatible store
        # (with the AWS_* variables and S3_ENDPOINT_URL), which several hosts can share.
        "FILE_STORAGE": env.get("FILE_STORAGE") or str(INSTANCE_PATH / "files"),
        "S3_ENDPOINT_URL": env.get("S3_ENDPOINT_URL", ""),
        # A stored object no row names is removed by sweep-files (and purge-expired) once
        # it is older than this: an upload under way has not committed its row yet.
        "FILE_SWEEP_GRACE_MINUTES": sweep_grace,
        # The most bytes one uploaded file (a source file, a delivery, gold records) may
        # have; JSON bodies elsewhere keep MAX_CONTENT_LENGTH (see inputs.takes_upload).
        "MAX_UPLOAD_BYTES": _positive(env, "MAX_UPLOAD_BYTES", 25 * 1024 * 1024),
        "PLATFORM_COUNTRY": platform_country,
        # The currencies the platform settles in at Stripe: the only ones it takes there.
        "STRIPE_CURRENCIES": stripe_currencies(env, platform_country),
        # Where users reach the marketplace; Stripe onboarding links return there.
        "PUBLIC_URL": env.get("PUBLIC_URL") or f"http://127.0.0.1:{port}",
        "PLATFORM_FEE_BPS": fee_bps,
        # How long a request holds its Idempotency-Key before a retry may take it over.
        "IDEMPOTENCY_LEASE_SECONDS": _positive(env, "IDEMPOTENCY_LEASE_SECONDS", 60),
        # How long a provider call holds its movement before another request (or
        # recover-operations) may take it over: longer than the gateway's own timeout.
        "PROVIDER_CALL_SECONDS": _positive(env, "PROVIDER_CALL_SECONDS", 30),
        # Relevance ranks at most this many of a search's most recent matches.
        "SEARCH_RANK_CANDIDATES": _positive(env, "SEARCH_RANK_CANDIDATES", 1000),
        "REVIEW_PERIOD_DAYS": review_days,
        "REJECTION_PERIOD_DAYS": rejection_days,
        # Events older than this are deleted by purge-expired (the worker runs it).
        "EVENT_RETENTION_DAYS": _positive(env, "EVENT_RETENTION_DAYS", 30),
        # Webhooks to http:// and to loopback or private addresses: development and tests.
        "WEBHOOK_ALLOW_PRIVATE_URLS": _bool(env, "WEBHOOK_ALLOW_PRIVATE_URLS", False),
        # The most rows one delivery of records may hold.
        "MAX_RECORDS_PER_DELIVERY": _positive(env, "MAX_RECORDS_PER_DELIVERY", 50_000),
        # Deliveries per milestone checked and refused in 24 hours before the next ones
        # are refused unchecked (429): the checks must not find gold records by trial.
        "DELIVERY_CHECKS_PER_DAY": _positive(env, "DELIVERY_CHECKS_PER_DAY", 10),
        # A funding attempt (a PaymentIntent the client app has not completed) older than
        # this ends with release-due, as the client's cancel-funding does.
        "FUNDING_TIMEOUT_HOURS": funding_timeout,
        "RATELIMIT_ENABLED": _bool(env, "RATELIMIT_ENABLED", True),
        "RATELIMIT_STORAGE_URI": storage_uri,
        "RATELIMIT_STORAGE_OPTIONS": storage_options,
        # While the store is unreachable, count in each process's memory, not fail.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_HEADERS_ENABLED": True,
        "AUTH_RATE_LIMIT": env.get("AUTH_RATE_LIMIT", "10 per minute"),
        "LOGIN_FAILURES_BEFORE_DELAY": failures_before_delay,
        "LOGIN_FAILURES_BEFORE_EMAIL_DELAY": failures_before_email_delay,
        "LOGIN_DELAY_SECONDS": _positive(env, "LOGIN_DELAY_SECONDS", 60),
        "LOGIN_DELAY_MAX_SECONDS": _positive(env, "LOGIN_DELAY_MAX_SECONDS", 900),
        "SESSION_COOKIE_SECURE": _bool(env, "SESSION_COOKIE_SECURE", True),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "PASSWORD_HASH_PROFILE": env.get("PASSWORD_HASH_PROFILE", "RFC_9106_LOW_MEMORY"),
        # Number of proxies in front of the app whose X-Forwarded-* headers are trusted.
        "TRUSTED_PROXIES": _number(env, "TRUSTED_PROXIES", 0),
        "PORT": port,
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        # Idle connections are tested before use, busy ones are not (database.py).
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        "API_TITLE": "Data-entry marketplace API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api",
        "OPENAPI_JSON_PATH": "v1/openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": "docs",
        "OPENAPI_SWAGGER_UI_URL": "/api/docs/assets/",
        "API_SPEC_OPTIONS": {
            "info": {"description": "Post data-entry jobs, bid, and pay in escrowed milestones."},
            "components": {
                "securitySchemes": {
                    "bearerAuth": {"type": "http", "scheme": "bearer"},
                    "cookieAuth": {"type": "apiKey", "in": "cookie", "name": "session"},
                }
            },
            "security": [{"bearerAuth": []}, {"cookieAuth": []}],
        },
    }
