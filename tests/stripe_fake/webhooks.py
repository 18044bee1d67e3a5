"""Webhook helpers: sign payloads like Stripe, build event JSON, receive localstripe's.

Stripe signs ``f"{t}.{payload}"`` with HMAC-SHA256 under the endpoint secret and sends
``Stripe-Signature: t=<unix time>,v1=<hex digest>``; stripe-python's
``Webhook.construct_event`` / ``StripeClient.construct_event`` check it with a 300 s
tolerance. :func:`sign_payload` produces such a header for any timestamp (so a test can
also make a stale one), :func:`make_event` a v1 snapshot event around an object.

localstripe itself delivers ``payment_intent.succeeded`` and
``payment_intent.payment_failed`` (also customer.*, invoice.*, payout.*, plan/product
created, customer.subscription.*; never charge.refunded, account.updated or transfer.*),
signed the same way, one second after the request that caused them, to every target
registered with ``POST /_config/webhooks/<id>`` (``url``, ``secret``, optional
``events[]``): see :func:`configure_localstripe_webhook`. Its events carry
``api_version: "2017-08-15"`` and the whole object as localstripe exports it (e.g. the
PaymentIntent's ``latest_charge`` embedded, no ``transfer_group``). :class:`WebhookRecorder`
is a loopback HTTP receiver for them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import requests
import stripe


def sign_payload(payload: bytes | str, secret: str, timestamp: int | None = None) -> str:
    """A valid ``Stripe-Signature`` header value for ``payload`` (now, unless told)."""
    if isinstance(payload, str):
        payload = payload.encode("utf-8")
    t = int(time.time()) if timestamp is None else int(timestamp)
    signed = str(t).encode("ascii") + b"." + payload
    digest = hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()
    return f"t={t},v1={digest}"


def make_event(
    type: str,
    obj: Mapping[str, Any],
    event_id: str | None = None,
    *,
    created: int | None = None,
    previous_attributes: Mapping[str, Any] | None = None,
    api_version: str | None = None,
    account: str | None = None,
) -> dict[str, Any]:
    """A Stripe v1 (snapshot) event dict with ``obj`` as ``data.object``.

    ``account`` sets the top-level ``account`` of a Connect event (e.g. ``account.updated``
    sent to a platform's Connect endpoint)."""
    data: dict[str, Any] = {"object": dict(obj)}
    if previous_attributes is not None:
        data["previous_attributes"] = dict(previous_attributes)
    event = {
        "id": event_id or "evt_" + secrets.token_hex(12),
        "object": "event",
        "api_version": api_version or stripe.api_version,
        "created": int(time.time()) if created is None else created,
        "data": data,
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": type,
    }
    if account is not None:
        event["account"] = account
    return event


def event_payload(event: Mapping[str, Any]) -> bytes:
    """The JSON body Stripe would POST for ``event``."""
    return json.dumps(event, indent=2).encode("utf-8")


def signed_event(
    event: Mapping[str, Any], secret: str, *, timestamp: int | None = None
) -> tuple[bytes, dict[str, str]]:
    """``(body, headers)`` ready to POST to a webhook endpoint (e.g. a Flask test client)."""
    body = event_payload(event)
    return body, {
        "Content-Type": "application/json",
        "Stripe-Signature": sign_payload(body, secret, timestamp),
    }


def configure_localstripe_webhook(
    base_url: str,
    url: str,
    secret: str,
    *,
    events: list[str] | None = None,
    webhook_id: str = "test",
) -> None:
    """Register a webhook target with localstripe (``POST /_config/webhooks/<id>``).

    ``LocalStripe.reset()`` forgets every target."""
    for address in (base_url, url):
        if urlsplit(address).hostname not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError(f"not a loopback address: {address}")
    data: list[tuple[str, str]] = [("url", url), ("secret", secret)]
    data += [("events[]", name) for name in events or []]
    with requests.Session() as session:
        response = session.post(f"{base_url}/_config/webhooks/{webhook_id}", data=data, timeout=5)
    response.raise_for_status()


@dataclass(frozen=True)
class Delivery:
    """One webhook POST the recorder received."""

    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def event(self) -> dict[str, Any]:
        return json.loads(self.body)

    @property
    def signature(self) -> str | None:
        for key, value in self.headers.items():
            if key.lower() == "stripe-signature":
                return value
        return None


class WebhookRecorder:
    """A loopback HTTP server that answers 200 to every POST and keeps what it got.

    >>> with WebhookRecorder() as hooks:
    ...     configure_localstripe_webhook(base_url, hooks.url, "whsec_test")
    ...     delivery = hooks.wait_for("payment_intent.succeeded")
    """

    def __init__(self, status: int = 200) -> None:
        self.deliveries: list[Delivery] = []
        self._cond = threading.Condition()
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                with recorder._cond:
                    recorder.deliveries.append(Delivery(self.path, dict(self.headers), body))
                    recorder._cond.notify_all()
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/webhooks/stripe"

    def start(self) -> WebhookRecorder:
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(5)
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> WebhookRecorder:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def wait_for(self, event_type: str, timeout: float = 5.0) -> Delivery:
        """The first delivery of an event of ``event_type`` (waiting up to ``timeout`` s)."""

        def find() -> Delivery | None:
            for delivery in self.deliveries:
                if delivery.event.get("type") == event_type:
                    return delivery
            return None

        with self._cond:
            found = self._cond.wait_for(find, timeout)
        if found is None:
            raise TimeoutError(f"no {event_type} webhook within {timeout} s")
        return found
