"""pytest fixtures for tests that talk to Stripe through localstripe and the fake layer.

Use them from any test directory by adding to the root ``tests/conftest.py``::

    pytest_plugins = ["tests.stripe_fake.fixtures"]

(``tests/stripe_fake/conftest.py`` imports them for this package's own tests.)
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import stripe

from tests.stripe_fake.connect import FakeConnectClient
from tests.stripe_fake.server import LocalStripe, running_localstripe, start_localstripe_server

TEST_API_KEY = "sk_test_localstripe"
TEST_WEBHOOK_SECRET = "whsec_test_localstripe"


def make_stripe_client(
    base_url: str,
    http_client: FakeConnectClient,
    *,
    api_key: str = TEST_API_KEY,
    max_network_retries: int = 0,
) -> stripe.StripeClient:
    """A real ``stripe.StripeClient`` whose every request goes through ``http_client``."""
    return stripe.StripeClient(
        api_key,
        base_addresses={"api": base_url, "connect": base_url, "files": base_url},
        http_client=http_client,
        max_network_retries=max_network_retries,
    )


@pytest.fixture(scope="session")
def localstripe_server() -> Iterator[LocalStripe]:
    """One in-process localstripe on 127.0.0.1 for the whole session."""
    existing = running_localstripe()
    if existing is not None:  # started by another copy of this fixture
        yield existing
        return
    server = start_localstripe_server()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def fake_stripe(localstripe_server: LocalStripe) -> Iterator[FakeConnectClient]:
    """A fresh fake Connect layer over an emptied localstripe."""
    localstripe_server.reset()
    client = FakeConnectClient()
    try:
        yield client
    finally:
        client.close()


@pytest.fixture
def stripe_client(
    localstripe_server: LocalStripe, fake_stripe: FakeConnectClient
) -> stripe.StripeClient:
    """``stripe.StripeClient`` wired to localstripe through ``fake_stripe``; no retries."""
    return make_stripe_client(localstripe_server.base_url, fake_stripe)
