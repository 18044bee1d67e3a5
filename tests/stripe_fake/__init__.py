"""Test infrastructure for the Stripe gateway: localstripe plus a fake Connect layer.

Design
------
The Stripe adapter talks to Stripe only through the official SDK::

    stripe.StripeClient(api_key,
                        base_addresses={"api": base, "connect": base, "files": base},
                        http_client=FakeConnectClient(),
                        max_network_retries=0)

Three pieces make that testable offline:

``server`` (:func:`start_localstripe`)
    localstripe (a stateful fake Stripe, from PyPI) run in-process: its aiohttp routes on
    a fresh app, served on ``127.0.0.1`` and a free port by a background thread with its
    own event loop, without its CLI (which listens on every interface) and without its
    pickle-to-/tmp persistence. ``LocalStripe.reset()`` empties it between tests.

``connect`` (:class:`FakeConnectClient`)
    A ``stripe.RequestsClient`` subclass, so the real SDK still encodes every request,
    retries, and parses every response into Stripe objects and errors.
    It serves what localstripe lacks (Connect accounts, account links, transfers) from
    memory, repairs what localstripe gets wrong (``transfer_group`` on PaymentIntents,
    Stripe's declining test cards, ``latest_charge`` as an id, Idempotency-Key), records
    every request, and injects failures before or after the request "reaches Stripe".

``webhooks``
    ``sign_payload`` / ``make_event`` / ``signed_event`` for webhook tests, and
    ``configure_localstripe_webhook`` / ``WebhookRecorder`` to receive localstripe's own
    signed ``payment_intent.*`` deliveries.

``fixtures`` holds the pytest fixtures (``localstripe_server`` per session,
``fake_stripe`` and ``stripe_client`` per test); enable them anywhere with
``pytest_plugins = ["tests.stripe_fake.fixtures"]`` in the root conftest.

What localstripe does and does not do (1.15.10)
-----------------------------------------------
* Does: customers, payment methods (``pm_card_visa``, ``pm_card_chargeCustomerFail``,
  ``pm_card_visa_chargeDeclined`` as ids; raw card numbers), PaymentIntents (create with
  ``confirm``, confirm, capture, cancel; ``metadata``), charges, refunds (by charge or
  payment_intent, partial or full), events, and signed webhooks.
* Does not: Connect (accounts, account links, transfers: 404), ``transfer_group`` or
  ``description`` on PaymentIntents (400 "Unexpected ..."), ``payment_method`` on
  ``/confirm`` (500), ``pm_card_chargeDeclined`` / ``...InsufficientFunds`` /
  ``pm_card_mastercard`` (404), Idempotency-Key (ignored: the same key creates a second
  object), refusing over-refunds (a refund larger than the charge succeeds), decline
  details (its 402 says ``type: invalid_request_error`` with no ``decline_code``),
  ``pm_card_visa_chargeDeclined`` (declines only on attach, so a PaymentIntent with it
  succeeds), ``charge.refunded`` / ``account.updated`` / ``transfer.*`` webhooks.
  The fake layer covers all of these except over-refunds, which our code must refuse.
* Webhooks: ``POST /_config/webhooks/<id>`` with ``url``, ``secret`` and optional
  ``events[]`` registers a target; each event is POSTed one second after the request
  that caused it, signed ``t=<event.created>,v1=HMAC-SHA256(secret, "t.payload")``, with
  ``api_version`` 2017-08-15 and localstripe's export of the object.
"""

from tests.stripe_fake.connect import FakeConnectClient, FakeStripeError, RecordedRequest
from tests.stripe_fake.fixtures import TEST_API_KEY, TEST_WEBHOOK_SECRET, make_stripe_client
from tests.stripe_fake.server import (
    LocalStripe,
    running_localstripe,
    start_localstripe,
    start_localstripe_server,
)
from tests.stripe_fake.webhooks import (
    Delivery,
    WebhookRecorder,
    configure_localstripe_webhook,
    event_payload,
    make_event,
    sign_payload,
    signed_event,
)

__all__ = [
    "TEST_API_KEY",
    "TEST_WEBHOOK_SECRET",
    "Delivery",
    "FakeConnectClient",
    "FakeStripeError",
    "LocalStripe",
    "RecordedRequest",
    "WebhookRecorder",
    "configure_localstripe_webhook",
    "event_payload",
    "make_event",
    "make_stripe_client",
    "running_localstripe",
    "sign_payload",
    "signed_event",
    "start_localstripe",
    "start_localstripe_server",
]
