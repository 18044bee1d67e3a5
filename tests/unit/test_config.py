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


def test_values_are_read_and_typed():
    config = from_env(
        {
            "RATELIMIT_ENABLED": "false",
            "REVIEW_PERIOD_DAYS": "0.5",
            "PLATFORM_FEE_BPS": "250",
            "SESSION_COOKIE_SECURE": "0",
            "PAYMENT_GATEWAY": "Stripe",
            "SECRET_KEY": "s",
        }
    )
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
    ],
)
def test_bad_values_stop_the_start(env):
    with pytest.raises(ConfigError):
        from_env(env)


def test_public_url_follows_the_port_unless_set():
    assert from_env({})["PUBLIC_URL"] == "http://127.0.0.1:5000"
    assert from_env({"PORT": "8080"})["PUBLIC_URL"] == "http://127.0.0.1:8080"
    given = {"PORT": "8080", "PUBLIC_URL": "https://market.example"}
    assert from_env(given)["PUBLIC_URL"] == "https://market.example"
