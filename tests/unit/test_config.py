"""Settings from the environment."""

import pytest

from marketplace.config import ConfigError, database_url, from_env


def test_postgres_urls_work_as_given():
    assert database_url("postgresql://u:p@h/db") == "postgresql+psycopg://u:p@h/db"
    assert database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert database_url("sqlite:////tmp/x.db") == "sqlite:////tmp/x.db"
    assert database_url(None).startswith("sqlite:///")
    assert database_url(None).endswith(".db")


def test_defaults_suit_the_embedded_mode():
    config = from_env({})
    assert config["PAYMENT_GATEWAY"] == "local"
    assert config["PLATFORM_FEE_BPS"] == 1000
    assert config["REVIEW_PERIOD_DAYS"] == 14
    assert config["RATELIMIT_ENABLED"] is True
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["PLATFORM_COUNTRY"] == "US"
    assert config["FILE_SWEEP_GRACE_MINUTES"] == 60


def test_values_are_read_and_typed():
    config = from_env(
        {
            "RATELIMIT_ENABLED": "false",
            "REVIEW_PERIOD_DAYS": "0.5",
            "PLATFORM_FEE_BPS": "250",
            "SESSION_COOKIE_SECURE": "0",
            "PAYMENT_GATEWAY": "Stripe",
            "SECRET_KEY": "s",
            "FILE_SWEEP_GRACE_MINUTES": "90",
        }
    )
    assert config["FILE_SWEEP_GRACE_MINUTES"] == 90
    assert config["RATELIMIT_ENABLED"] is False
    assert config["REVIEW_PERIOD_DAYS"] == 0.5
    assert config["PLATFORM_FEE_BPS"] == 250
    assert config["SESSION_COOKIE_SECURE"] is False
    assert config["PAYMENT_GATEWAY"] == "stripe"
    assert config["SECRET_KEY"] == "s"


@pytest.mark.parametrize(
    "env",
    [
        {"PAYMENT_GATEWAY": "paypal"},
        {"PLATFORM_FEE_BPS": "ten"},
        {"PLATFORM_FEE_BPS": "10001"},
        {"REVIEW_PERIOD_DAYS": "-1"},
        {"RATELIMIT_ENABLED": "maybe"},
        {"FILE_SWEEP_GRACE_MINUTES": "0"},
        {"FILE_SWEEP_GRACE_MINUTES": "an hour"},
    ],
)
def test_bad_values_stop_the_start(env):
    with pytest.raises(ConfigError):
        from_env(env)


def test_rate_limits_are_counted_in_redis_when_redis_url_is_set():
    assert from_env({})["RATELIMIT_STORAGE_URI"] == "memory://"
    redis = from_env({"REDIS_URL": "redis://cache:6379/0"})
    assert redis["RATELIMIT_STORAGE_URI"] == "redis://cache:6379/0"
    # An unreachable Redis must fail fast, so the limiter falls back instead of hanging.
    assert redis["RATELIMIT_STORAGE_OPTIONS"]["socket_connect_timeout"] <= 1
    chosen = from_env({"REDIS_URL": "redis://cache", "RATELIMIT_STORAGE_URI": "memory://"})
    assert chosen["RATELIMIT_STORAGE_URI"] == "memory://"


@pytest.mark.parametrize(
    "env",
    [
        {"LOGIN_FAILURES_BEFORE_DELAY": "0"},
        {"LOGIN_DELAY_SECONDS": "soon"},
        {"LOGIN_DELAY_MAX_SECONDS": "-5"},
        {"LOGIN_FAILURES_BEFORE_EMAIL_DELAY": "many"},
        # One address's allowance must not use up the email's budget on its own.
        {"LOGIN_FAILURES_BEFORE_EMAIL_DELAY": "10"},
        {"LOGIN_FAILURES_BEFORE_DELAY": "20", "LOGIN_FAILURES_BEFORE_EMAIL_DELAY": "15"},
    ],
)
def test_bad_sign_in_delays_stop_the_start(env):
    with pytest.raises(ConfigError):
        from_env(env)


def test_sign_in_limits_are_read():
    assert from_env({})["LOGIN_FAILURES_BEFORE_EMAIL_DELAY"] == 100
    env = {"LOGIN_FAILURES_BEFORE_DELAY": "5", "LOGIN_FAILURES_BEFORE_EMAIL_DELAY": "6"}
    config = from_env(env)
    assert config["LOGIN_FAILURES_BEFORE_DELAY"] == 5
    assert config["LOGIN_FAILURES_BEFORE_EMAIL_DELAY"] == 6


def test_public_url_follows_the_port_unless_set():
    assert from_env({})["PUBLIC_URL"] == "http://127.0.0.1:5000"
    assert from_env({"PORT": "8080"})["PUBLIC_URL"] == "http://127.0.0.1:8080"
    given = {"PORT": "8080", "PUBLIC_URL": "https://market.example"}
    assert from_env(given)["PUBLIC_URL"] == "https://market.example"


def test_payout_countries_and_webhook_secrets():
    config = from_env(
        {
            "PAYOUT_COUNTRIES": " ph, in ,NG,",
            "STRIPE_WEBHOOK_SECRETS": "whsec_platform, whsec_connect,",
        }
    )
    assert config["PAYOUT_COUNTRIES"] == {"PH", "IN", "NG"}
    assert config["STRIPE_WEBHOOK_SECRETS"] == ["whsec_platform", "whsec_connect"]
    unset = from_env({})
    assert unset["PAYOUT_COUNTRIES"] is None  # the gateway's default
    assert unset["STRIPE_WEBHOOK_SECRETS"] == []
    assert (unset["STRIPE_TIMEOUT_SECONDS"], unset["STRIPE_MAX_NETWORK_RETRIES"]) == (8, 2)


@pytest.mark.parametrize("value", ["PHL", "P1", "PH,Philippines"])
def test_payout_countries_must_be_country_codes(value):
    with pytest.raises(ConfigError, match="PAYOUT_COUNTRIES"):
        from_env({"PAYOUT_COUNTRIES": value})


def test_stripe_takes_the_platform_countrys_currency_unless_told_which():
    assert from_env({})["STRIPE_CURRENCIES"] == ("USD",)
    assert from_env({"PLATFORM_COUNTRY": "fr"})["STRIPE_CURRENCIES"] == ("EUR",)
    assert from_env({"PLATFORM_COUNTRY": "GB"})["STRIPE_CURRENCIES"] == ("GBP",)
    assert from_env({"STRIPE_CURRENCIES": "eur, usd,EUR"})["STRIPE_CURRENCIES"] == ("EUR", "USD")


@pytest.mark.parametrize("codes", ["USD,KWD", "XXX", "ISK", "PHP"])
def test_stripe_currencies_must_be_ones_a_platform_settles_in(codes):
    with pytest.raises(ConfigError, match="STRIPE_CURRENCIES"):
        from_env({"STRIPE_CURRENCIES": codes})
