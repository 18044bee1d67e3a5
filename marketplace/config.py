"""Settings, read from the environment, with safe defaults for the embedded mode."""

import os
import secrets
from collections.abc import Mapping
from pathlib import Path

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


def database_url(raw: str | None) -> str:
    """Normalise DATABASE_URL: PostgreSQL URLs work as given, with the psycopg 3 driver."""
    if not raw:
        return f"sqlite:///{INSTANCE_PATH / 'marketplace.db'}"
    for prefix in ("postgres://", "postgresql://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw[len(prefix) :]
    return raw


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
    if review_days < 0:
        raise ConfigError("REVIEW_PERIOD_DAYS must not be negative")
    secret_key = env.get("SECRET_KEY") or None
    return {
        "SQLALCHEMY_DATABASE_URI": database_url(env.get("DATABASE_URL")),
        # Without SECRET_KEY every start signs sessions with a new key: fine for the
        # embedded demo (sessions end on restart), never for production.
        "SECRET_KEY": secret_key or secrets.token_hex(32),
        "SECRET_KEY_FROM_ENV": secret_key is not None,
        "PAYMENT_GATEWAY": gateway,
        "STRIPE_SECRET_KEY": env.get("STRIPE_SECRET_KEY", ""),
        "STRIPE_WEBHOOK_SECRET": env.get("STRIPE_WEBHOOK_SECRET", ""),
        "STRIPE_API_BASE": env.get("STRIPE_API_BASE", ""),
        # The local gateway's own records (it stands for an outside provider).
        "LOCAL_GATEWAY_PATH": env.get(
            "LOCAL_GATEWAY_PATH", str(INSTANCE_PATH / "local_gateway.db")
        ),
        "PLATFORM_COUNTRY": env.get("PLATFORM_COUNTRY", "US").strip().upper() or "US",
        # Where users reach the marketplace; Stripe onboarding links return there.
        "PUBLIC_URL": env.get("PUBLIC_URL", "http://127.0.0.1:5000"),
        "PLATFORM_FEE_BPS": fee_bps,
        "REVIEW_PERIOD_DAYS": review_days,
        "RATELIMIT_ENABLED": _bool(env, "RATELIMIT_ENABLED", True),
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "AUTH_RATE_LIMIT": env.get("AUTH_RATE_LIMIT", "10 per minute"),
        "SESSION_COOKIE_SECURE": _bool(env, "SESSION_COOKIE_SECURE", True),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "PASSWORD_HASH_PROFILE": env.get("PASSWORD_HASH_PROFILE", "RFC_9106_LOW_MEMORY"),
        # Number of proxies in front of the app whose X-Forwarded-* headers are trusted.
        "TRUSTED_PROXIES": _number(env, "TRUSTED_PROXIES", 0),
        "PORT": _number(env, "PORT", 5000),
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
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
