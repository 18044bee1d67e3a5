"""A fake Stripe Connect layer, plugged into stripe-python as its HTTP client.

:class:`FakeConnectClient` subclasses ``stripe.RequestsClient`` and overrides
``request(method, url, headers, post_data)``, the one method the SDK's
``HTTPClient.request_with_retries`` loop calls for every attempt. The real SDK therefore
still builds, encodes, retries and parses every request; only the transport changes:

* Connect, which localstripe lacks, is served from memory: ``/v1/accounts`` (create,
  retrieve, update, list, delete; ``GET /v1/account`` for the platform),
  ``POST /v1/account_links`` and ``/v1/transfers`` (create, retrieve, update, list);
  its lists page as Stripe's do (``limit``, ``starting_after``, ``ending_before``), so
  the SDK's ``auto_paging_iter`` reads every page.
* Everything else is forwarded to localstripe over HTTP (the URL the SDK built from
  ``base_addresses``; only loopback hosts are accepted), with a few repairs:

  - ``POST /v1/payment_intents`` (create, update, confirm): parameters localstripe
    rejects (``transfer_group``, ``description``, ``receipt_email``,
    ``statement_descriptor_suffix``, ``automatic_payment_methods``, ``return_url``) are
    stripped before forwarding, remembered, and put back on every PaymentIntent (and on
    its charges: ``transfer_group``) the layer returns. ``payment_method`` on
    ``/confirm`` (localstripe answers 500 to it) becomes an update, then a confirm.
    Stripe's rule that a server-side confirmation needs ``payment_method_types``,
    ``automatic_payment_methods[allow_redirects]=never`` or a ``return_url`` is enforced.
  - Test payment methods localstripe does not know are mapped onto ones it does:
    succeeding ``pm_card_<brand>`` onto ``pm_card_visa``; ``pm_card_chargeDeclined*``
    (and ``pm_card_visa_chargeDeclined``, which localstripe lets succeed) onto
    ``pm_card_chargeCustomerFail``. A decline comes back as Stripe's
    ``card_error`` (402) with ``code``, ``decline_code``, ``charge`` and
    ``payment_intent``, so the SDK raises ``stripe.CardError``.
  - ``latest_charge`` is returned as an id unless ``expand`` asked for it (localstripe
    always embeds the whole charge).
  - ``GET /v1/payment_intents`` with Stripe's ``created`` filter (a timestamp, or
    ``gt``/``gte``/``lt``/``lte``), which localstripe refuses, is served: localstripe's
    intents read whole (not recorded), those in the range paged as Stripe pages them.
  - A payment method nobody knows is Stripe's 400 ``resource_missing`` on
    ``payment_method`` (localstripe answers a bare 404).
  - ``POST /v1/refunds``: ``reason`` and other parameters localstripe rejects are
    stripped and echoed back. Refunds may be held (:meth:`FakeConnectClient.hold_refunds`:
    they start ``pending``, ``requires_action`` or ``failed``, as Stripe's do for some
    cards and banks) and ended later (:meth:`FakeConnectClient.settle_refund`); the
    status shows on every read and list of the refund.
  - ``POST /v1/payment_intents/{id}/cancel`` of an intent that succeeded (or was
    cancelled) is Stripe's 400 ``payment_intent_unexpected_state`` with the intent
    (localstripe: a bare 400).

* Balance transactions (localstripe makes them with no fee and always in the charge's
  currency): a succeeded charge's ``balance_transaction`` is the layer's own, served at
  ``GET /v1/balance_transactions/<id>`` and expanded on request
  (``latest_charge.balance_transaction``, ``data.`` in lists). It is in the charge's
  currency when the platform settles in it (:attr:`FakeConnectClient.settlement_currencies`,
  by default the platform country's currency), else converted to the platform's currency
  at fixed rates; Stripe's fee is 2.9 % + a fixed part (+1 % when converted). A transfer's
  ``source_transaction`` must be in its balance transaction's currency, as at Stripe.
* ``Idempotency-Key`` (which localstripe ignores) is honoured for every POST, forwarded
  or served, the way Stripe does: scoped by ``Stripe-Account``, the first response of a
  request that ran is stored and replayed (with ``Idempotent-Replayed: true``): a 2xx, a
  402, and a refusal that came once the request ran (a transfer to an account whose
  ``transfers`` capability is not active, one beyond what its source charge has left).
  The same key with another path or other parameters is a 400 ``idempotency_error``
  (``stripe.IdempotencyError``); a key whose first request is still running is a 409.
  Requests refused before they ran (invalid parameters, an amount under the minimum,
  authentication) and 5xx are not stored, so they may be retried with the same key.
  The SDK sends a generated key on every POST when the caller gives none.
* API keys, checked before anything else as Stripe does: a key that is not a test secret
  key (``sk_test_...``) nor a restricted one (``rk_test_...``) is a 401
  (``stripe.AuthenticationError``). A restricted key may use only the paths granted to
  it (:meth:`FakeConnectClient.grant`), else 403 (``stripe.PermissionError``); its
  requests to localstripe (which knows no restricted keys) go with a secret key.
* ``POST /v1/payment_intents`` refuses an amount under Stripe's minimum charge for its
  currency (``amount_too_small``, 400, param ``amount``), before anything is charged.
* Connect's life after onboarding: :meth:`FakeConnectClient.require` (requirements past
  due: the account is disabled and its ``transfers`` capability inactive),
  :meth:`FakeConnectClient.deauthorize` (the holder disconnects the account: every
  request about it is then a 403, ``stripe.PermissionError``, and a transfer to it is
  refused), :meth:`FakeConnectClient.capability` and
  :meth:`FakeConnectClient.failed_payout` (the objects of ``capability.updated`` and
  ``payout.failed``). ``payout_countries`` limits where a cross-border recipient
  account may be created, as Stripe does per platform (400 on ``country``).
* Every request the SDK made is recorded (:attr:`FakeConnectClient.recorded`,
  :meth:`FakeConnectClient.calls`), and failures can be injected
  (:meth:`FakeConnectClient.fail_next`): ``"before"`` (the request never reaches Stripe)
  or ``"after"`` (Stripe does the work, and stores the idempotent result, then the
  response is lost). ``"timeout"`` and ``"connection"`` failures go through the base
  client's own ``_handle_request_error`` with a ``requests`` exception, so the SDK
  raises ``stripe.APIConnectionError`` exactly as for a real network failure; a status
  code (500, 502, 503) returns a Stripe ``api_error`` body (``stripe.APIError``), 429
  Stripe's ``rate_limit`` (``stripe.RateLimitError``) and 409 its ``lock_timeout``
  (``stripe.APIError`` with status 409): answers that do not say whether Stripe acted.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from copy import deepcopy
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests
import stripe
from requests.structures import CaseInsensitiveDict

Response = tuple[bytes, int, Mapping[str, str]]

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})

# Parameters of a PaymentIntent that localstripe rejects; stripped, remembered, echoed.
PI_SIDE_PARAMS = (
    "transfer_group",
    "description",
    "receipt_email",
    "statement_descriptor_suffix",
    "automatic_payment_methods",
    "payment_method_types",
)
# Parameters stripped before forwarding and not echoed (not fields of a PaymentIntent).
PI_DROPPED_PARAMS = ("return_url",)
REFUND_SIDE_PARAMS = ("reason", "refund_application_fee", "reverse_transfer", "instructions_email")

# Stripe test payment methods localstripe declines / does not know: (code, decline_code,
# message) as Stripe reports them. All are charged as localstripe's chargeCustomerFail.
DECLINING_TEST_METHODS: dict[str, tuple[str, str | None, str]] = {
    "pm_card_chargeDeclined": ("card_declined", "generic_decline", "Your card was declined."),
    "pm_card_visa_chargeDeclined": ("card_declined", "generic_decline", "Your card was declined."),
    "pm_card_chargeCustomerFail": ("card_declined", "generic_decline", "Your card was declined."),
    "pm_card_chargeDeclinedInsufficientFunds": (
        "card_declined",
        "insufficient_funds",
        "Your card has insufficient funds.",
    ),
    "pm_card_chargeDeclinedLostCard": ("card_declined", "lost_card", "Your card was declined."),
    "pm_card_chargeDeclinedStolenCard": ("card_declined", "stolen_card", "Your card was declined."),
    "pm_card_chargeDeclinedFraudulent": ("card_declined", "fraudulent", "Your card was declined."),
    "pm_card_chargeDeclinedExpiredCard": ("expired_card", None, "Your card has expired."),
    "pm_card_chargeDeclinedIncorrectCvc": (
        "incorrect_cvc",
        None,
        "Your card's security code is incorrect.",
    ),
    "pm_card_chargeDeclinedProcessingError": (
        "processing_error",
        None,
        "An error occurred while processing your card. Try again in a little bit.",
    ),
}
SUCCEEDING_TEST_METHODS = frozenset(
    {
        "pm_card_visa",
        "pm_card_visa_debit",
        "pm_card_mastercard",
        "pm_card_mastercard_debit",
        "pm_card_mastercard_prepaid",
        "pm_card_amex",
        "pm_card_discover",
        "pm_card_diners",
        "pm_card_jcb",
        "pm_card_unionpay",
        "pm_card_us",
        "pm_card_ca",
        "pm_card_gb",
        "pm_card_fr",
        "pm_card_de",
        "pm_card_es",
        "pm_card_it",
        "pm_card_nl",
        "pm_card_ie",
        "pm_card_au",
        "pm_card_jp",
        "pm_card_in",
        "pm_card_br",
        "pm_card_mx",
    }
)

# Stripe's minimum charge amounts (minor units) per presentment currency.
MINIMUM_CHARGE = {
    "usd": 50, "aud": 50, "brl": 50, "cad": 50, "chf": 50, "eur": 50, "inr": 50, "nzd": 50,
    "sgd": 50, "gbp": 30, "aed": 200, "bgn": 100, "czk": 1500, "dkk": 250, "hkd": 400,
    "huf": 17500, "jpy": 50, "mxn": 1000, "myr": 200, "nok": 300, "pln": 200, "ron": 200,
    "sek": 300, "thb": 1000,
}  # fmt: skip
_ZERO_DECIMAL = frozenset({"jpy", "krw", "vnd", "clp", "pyg", "xaf", "xof", "ugx", "rwf"})

# Keys the fake takes: test secret keys and restricted keys.
_KEY_PATTERN = re.compile(r"^(sk|rk)_test_\w+$")

_CURRENCIES = {
    "US": "usd",
    "CA": "cad",
    "GB": "gbp",
    "AU": "aud",
    "NZ": "nzd",
    "JP": "jpy",
    "CH": "chf",
    "IN": "inr",
    "BR": "brl",
    "MX": "mxn",
    "SG": "sgd",
    "HK": "hkd",
    "SE": "sek",
    "NO": "nok",
    "DK": "dkk",
    "PL": "pln",
}
_EURO = frozenset(
    [
        "AT",
        "BE",
        "CY",
        "DE",
        "EE",
        "ES",
        "FI",
        "FR",
        "GR",
        "HR",
        "IE",
        "IT",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "PT",
        "SI",
        "SK",
    ]
)

# Balance transactions: a succeeded charge settles in its own currency when the platform
# settles in it (FakeConnectClient.settlement_currencies, by default the platform
# country's currency), else it is converted into the platform's default currency at
# these rates (settlement units per presentment unit). Stripe's fee on it: 2.9 % of the
# settled amount (half up) plus a fixed part in the settlement currency, and 1 % more
# when the charge was converted.
EXCHANGE_RATES = {
    ("eur", "usd"): "1.08", ("gbp", "usd"): "1.27", ("jpy", "usd"): "0.0067",
    ("usd", "eur"): "0.925", ("gbp", "eur"): "1.17", ("usd", "gbp"): "0.79",
    ("eur", "gbp"): "0.855",
}  # fmt: skip
FEE_BPS, CONVERSION_FEE_BPS = 290, 100
FIXED_FEE = {"usd": 30, "eur": 25, "gbp": 20, "jpy": 50}


def settle(amount: int, currency: str, settlement: str) -> tuple[int, str | None, int]:
    """(settled amount, exchange rate or None, Stripe's fee) of a charge, as the fake
    settles it: whole minor units, rounded half up."""
    rate = None
    settled = amount
    if currency != settlement:
        rate = EXCHANGE_RATES.get((currency, settlement), "1")
        scale = 10 ** (_decimals(settlement) - _decimals(currency))
        settled = int((Decimal(amount) * Decimal(rate) * scale).quantize(Decimal(1), ROUND_HALF_UP))
    bps = FEE_BPS + (CONVERSION_FEE_BPS if rate else 0)
    fee = (settled * bps + 5000) // 10000 + FIXED_FEE.get(settlement, 30)
    return settled, rate, fee


def _decimals(currency: str) -> int:
    return 0 if currency in _ZERO_DECIMAL else 2


_BALANCE_TRANSACTION_PATH = re.compile(r"^/v1/balance_transactions/(?P<id>[^/]+)$")
_ACCOUNT_PATH = re.compile(r"^/v1/accounts/(?P<id>[^/]+)$")
_TRANSFER_PATH = re.compile(r"^/v1/transfers/(?P<id>[^/]+)$")
_REVERSALS_PATH = re.compile(r"^/v1/transfers/(?P<id>[^/]+)/reversals$")
_DISPUTE_PATH = re.compile(r"^/v1/disputes/(?P<id>[^/]+)$")
_PI_PATH = re.compile(r"^/v1/payment_intents/(?P<id>[^/]+)(?P<action>/[a-z_]+)?$")
_REFUND_PATH = re.compile(r"^/v1/refunds/(?P<id>[^/]+)$")


class FakeStripeError(Exception):
    """A Stripe-shaped error the fake answers with (status, error object).

    ``stored``: the refusal came once the request ran, so its idempotency key keeps it.
    """

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type_="invalid_request_error",
        stored: bool = False,
        **extra,
    ):
        super().__init__(message)
        self.status = status
        self.stored = stored
        self.error = {"type": type_, "message": message, **extra}


@dataclass
class RecordedRequest:
    """One request the SDK sent through the layer (each retry is its own record)."""

    method: str
    path: str
    params: dict[str, Any]
    idempotency_key: str | None
    stripe_account: str | None
    status: int | None = None
    # served (by the fake), forwarded (to localstripe), replayed (idempotent replay),
    # rejected (idempotency conflict, or an API key refused), failed_before, failed_after
    # (injected failures)
    outcome: str = ""
    # A refusal that came once the request ran: its idempotency key keeps it.
    stored_refusal: bool = False


@dataclass
class _Failure:
    path_prefix: str
    mode: str
    error: str | int
    method: str | None
    remaining: int


@dataclass
class _IdempotentEntry:
    fingerprint: tuple
    response: Response | None = None


@dataclass
class _Side:
    """What the layer remembers about a PaymentIntent that localstripe cannot hold."""

    fields: dict[str, Any] = field(default_factory=dict)
    pm_alias: str | None = None


def unflatten(pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Decode Stripe's form encoding (``a[b][0]=x``) into nested dicts and lists."""
    root: dict[str, Any] = {}
    for key, value in pairs:
        head, _, rest = key.partition("[")
        parts = [head, *re.findall(r"([^\[\]]*)\]", "[" + rest)] if rest else [head]
        node = root
        for i, part in enumerate(parts):
            name = part if part != "" else str(len(node))
            if i == len(parts) - 1:
                node[name] = value
            else:
                node = node.setdefault(name, {})
                if not isinstance(node, dict):
                    raise FakeStripeError(400, f"Invalid array or hash for parameter {key}")

    def listify(obj: Any) -> Any:
        if isinstance(obj, dict):
            obj = {k: listify(v) for k, v in obj.items()}
            if obj and all(k.isdigit() for k in obj):
                return [obj[k] for k in sorted(obj, key=int)]
        return obj

    return listify(root)


def _truthy(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _random_id(prefix: str, n: int = 16) -> str:
    return prefix + secrets.token_hex(n // 2)


def _json_response(obj: Any, status: int = 200, **headers: str) -> Response:
    body = json.dumps(obj, indent=2, sort_keys=True).encode()
    rheaders = CaseInsensitiveDict(
        {"Content-Type": "application/json", "Request-Id": _random_id("req_fake_"), **headers}
    )
    return body, status, rheaders


def _error_response(status: int, error: Mapping[str, Any]) -> Response:
    return _json_response({"error": dict(error)}, status)


def _header(headers: Mapping[str, str] | None, name: str) -> str | None:
    for key, value in (headers or {}).items():
        if key.lower() == name.lower():
            return value
    return None


def _int_param(params: Mapping[str, Any], name: str, *, required: bool = True) -> int | None:
    value = params.get(name)
    if value is None:
        if required:
            raise FakeStripeError(400, f"Missing required param: {name}.", param=name)
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise FakeStripeError(400, f"Invalid integer: {value}", param=name) from None
    if number <= 0:
        raise FakeStripeError(400, "This value must be greater than or equal to 1.", param=name)
    return number


def _str_param(params: Mapping[str, Any], name: str, *, required: bool = True) -> str | None:
    value = params.get(name)
    if value is None or value == "":
        if required:
            raise FakeStripeError(400, f"Missing required param: {name}.", param=name)
        return None
    if not isinstance(value, str):
        raise FakeStripeError(400, f"Invalid string: {value!r}", param=name)
    return value


class FakeConnectClient(stripe.RequestsClient):
    """stripe-python HTTP client: localstripe plus an in-memory Connect, with recording
    and failure injection. Pass it as ``http_client=`` to ``stripe.StripeClient``."""

    name = "fake-connect"

    def __init__(
        self,
        *,
        platform_country: str | None = "US",
        timeout: float = 10,
        payout_countries: Iterable[str] | None = None,
    ) -> None:
        super().__init__(timeout=timeout)
        self.platform_country = platform_country
        # Where Stripe enabled cross-border payouts for this platform (None: anywhere):
        # a recipient account in another country is refused, as Stripe refuses it.
        self.payout_countries = (
            None if payout_countries is None else frozenset(c.upper() for c in payout_countries)
        )
        self._lock = threading.RLock()
        self._sessions: list[requests.Session] = []
        self.reset()

    # ------------------------------------------------------------------ state

    def reset(self) -> None:
        """Forget every account, link, transfer, recorded request, failure and key.

        (localstripe's own state is reset by ``LocalStripe.reset()``.)"""
        with self._lock:
            self.accounts: dict[str, dict[str, Any]] = {}
            self.account_links: list[dict[str, Any]] = []
            self.transfers: dict[str, dict[str, Any]] = {}
            self.recorded: list[RecordedRequest] = []
            self._failures: list[_Failure] = []
            self._idempotency: dict[tuple[str, str], _IdempotentEntry] = {}
            self._grants: dict[str, tuple[str, ...]] = {}
            self._pi_side: dict[str, _Side] = {}
            self._refund_side: dict[str, dict[str, Any]] = {}
            self.disputes: dict[str, dict[str, Any]] = {}
            # What each connected account spent of what it received (paid out to its bank).
            self.spent: dict[str, int] = {}
            # Accounts whose holder disconnected them from the platform.
            self.deauthorized: set[str] = set()
            self._refunds: dict[str, dict[str, Any]] = {}
            self._next_refund_status: str | None = None
            self.balance_transactions: dict[str, dict[str, Any]] = {}
            self._settled: dict[str, str] = {}  # charge id -> its balance transaction id
            # The currencies the platform settles in (None: its country's currency).
            self.settlement_currencies: set[str] | None = None

    def calls(
        self, method: str | None = None, path: str | None = None, *, path_prefix: str | None = None
    ) -> list[RecordedRequest]:
        """Recorded requests, filtered by method and exact path or path prefix."""
        with self._lock:
            return [
                r
                for r in self.recorded
                if (method is None or r.method == method.upper())
                and (path is None or r.path == path)
                and (path_prefix is None or r.path.startswith(path_prefix))
            ]

    def fail_next(
        self,
        path_prefix: str,
        mode: str = "before",
        *,
        error: str | int = "timeout",
        method: str | None = "POST",
        times: int = 1,
    ) -> None:
        """Make the next ``times`` requests whose path starts with ``path_prefix`` fail.

        ``mode``: ``"before"`` (nothing reaches Stripe) or ``"after"`` (Stripe does the
        work, then the response is lost). ``error``: ``"timeout"`` or ``"connection"``
        (``stripe.APIConnectionError``), an HTTP status such as 500 (``stripe.APIError``),
        429 (``rate_limit``, ``stripe.RateLimitError``) or 409 (``lock_timeout``,
        ``stripe.APIError``). ``method=None`` matches every method.

        The SDK retries connection errors and 5xx itself when ``max_network_retries`` > 0
        (StripeClient's default is 2): use ``max_network_retries=0`` or ``times`` > 1
        to see the failure surface."""
        if mode not in ("before", "after"):
            raise ValueError("mode is 'before' or 'after'")
        if not (
            error in ("timeout", "connection", 409, 429)
            or (isinstance(error, int) and error >= 500)
        ):
            raise ValueError("error is 'timeout', 'connection', 409, 429 or a 5xx status")
        with self._lock:
            self._failures.append(
                _Failure(path_prefix, mode, error, method and method.upper(), times)
            )

    def grant(self, key: str, *path_prefixes: str) -> None:
        """Let a restricted key (``rk_test_...``) use these paths (and only these)."""
        if not key.startswith("rk_test_"):
            raise ValueError("only restricted keys (rk_test_...) have grants")
        with self._lock:
            self._grants[key] = tuple(path_prefixes)

    def clear_failures(self) -> None:
        with self._lock:
            self._failures.clear()

    def activate_account(self, account_id: str, *, charges_enabled: bool | None = None) -> dict:
        """Finish onboarding: requested capabilities active, payouts enabled, nothing due.

        ``charges_enabled`` defaults to whether ``card_payments`` was requested. Returns
        the account (a copy), e.g. for ``make_event("account.updated", account)``."""
        with self._lock:
            account = self._account(account_id)
            for name in account["capabilities"]:
                account["capabilities"][name] = "active"
            if charges_enabled is None:
                charges_enabled = "card_payments" in account["capabilities"]
            account["charges_enabled"] = charges_enabled
            account["payouts_enabled"] = True
            account["details_submitted"] = True
            account["tos_acceptance"].update(date=int(time.time()), ip="127.0.0.1")
            account["requirements"] = _requirements(due=False)
            return deepcopy(account)

    def update_account(self, account_id: str, **fields: Any) -> dict:
        """Set fields of an account as Stripe would after some change; returns a copy."""
        with self._lock:
            account = self._account(account_id)
            account.update(deepcopy(fields))
            return deepcopy(account)

    def set_capability(self, account_id: str, name: str, status: str) -> dict:
        """Set one capability's status (active, inactive, pending, unrequested)."""
        with self._lock:
            account = self._account(account_id)
            account["capabilities"][name] = status
            return deepcopy(account)

    def capability(self, account_id: str, name: str = "transfers") -> dict:
        """The account's capability as Stripe sends it in ``capability.updated``."""
        with self._lock:
            account = self._account(account_id)
            status = account["capabilities"].get(name, "unrequested")
            return {
                "id": name,
                "object": "capability",
                "account": account_id,
                "requested": status != "unrequested",
                "status": status,
                "requirements": deepcopy(account["requirements"]),
            }

    def require(self, account_id: str, *fields: str) -> dict:
        """Stripe needs more from the account holder and the deadline passed: the fields
        are past due, the account is disabled for them, and its transfers capability is
        inactive until they are given. Returns the account (for ``account.updated``)."""
        with self._lock:
            account = self._account(account_id)
            items = list(fields or ("individual.verification.document",))
            account["requirements"].update(
                currently_due=items,
                past_due=items,
                eventually_due=items,
                disabled_reason="requirements.past_due",
            )
            if "transfers" in account["capabilities"]:
                account["capabilities"]["transfers"] = "inactive"
            account["payouts_enabled"] = False
            return deepcopy(account)

    def deauthorize(self, account_id: str) -> dict:
        """The holder disconnects the account from the platform: from now on every request
        about it is Stripe's 403 (the platform no longer has access). Returns the
        application, the object of ``account.application.deauthorized``."""
        with self._lock:
            self._account(account_id)
            self.deauthorized.add(account_id)
            return {"id": "ca_platform", "object": "application", "name": "Marketplace"}

    def failed_payout(
        self, account_id: str, amount: int, currency: str, failure_code: str = "account_closed"
    ) -> dict:
        """A payout of the connected account to its bank that failed (the object of
        ``payout.failed``, sent with the event's ``account``)."""
        with self._lock:
            currency = currency.lower()
            self._account(account_id)
            return {
                "id": _random_id("po_"),
                "object": "payout",
                "amount": amount,
                "currency": currency,
                "status": "failed",
                "failure_code": failure_code,
                "failure_message": "The bank account has been closed.",
                "arrival_date": int(time.time()),
                "created": int(time.time()),
                "method": "standard",
                "type": "bank_account",
            }

    def reverse_transfer(self, transfer_id: str, amount: int | None = None) -> dict:
        """Reverse (part of) a transfer; returns it, e.g. for a ``transfer.reversed`` event."""
        with self._lock:
            transfer = self.transfers.get(transfer_id)
            if transfer is None:
                raise KeyError(transfer_id)
            left = transfer["amount"] - transfer["amount_reversed"]
            amount = left if amount is None else amount
            if not 0 < amount <= left:
                raise ValueError(f"can reverse 1..{left}, not {amount}")
            reversal = {
                "id": _random_id("trr_"),
                "object": "transfer_reversal",
                "amount": amount,
                "currency": transfer["currency"],
                "created": int(time.time()),
                "transfer": transfer_id,
                "metadata": {},
            }
            transfer["reversals"]["data"].insert(0, reversal)
            transfer["reversals"]["total_count"] += 1
            transfer["amount_reversed"] += amount
            transfer["reversed"] = transfer["amount_reversed"] == transfer["amount"]
            return deepcopy(transfer)

    def open_dispute(
        self,
        charge_id: str,
        amount: int,
        currency: str = "usd",
        reason: str = "fraudulent",
        fee: int = 1500,
    ) -> dict:
        """A cardholder disputes a charge (a chargeback); returns the dispute, e.g. for a
        ``charge.dispute.created`` event. As at Stripe, the disputed amount and the
        dispute fee are withdrawn from the platform's balance at once (its balance
        transaction)."""
        with self._lock:
            dispute = {
                "id": _random_id("dp_"),
                "object": "dispute",
                "amount": amount,
                "currency": currency,
                "charge": charge_id,
                "reason": reason,
                "status": "needs_response",
                "created": int(time.time()),
                "balance_transactions": [
                    {
                        "id": _random_id("txn_"),
                        "object": "balance_transaction",
                        "amount": -amount - fee,
                        "fee": fee,
                        "currency": currency,
                        "type": "adjustment",
                    }
                ],
            }
            self.disputes[dispute["id"]] = dispute
            return deepcopy(dispute)

    def close_dispute(self, dispute_id: str, status: str) -> dict:
        """The card network decides: ``won`` or ``lost``; returns the dispute."""
        if status not in ("won", "lost"):
            raise ValueError("a dispute closes won or lost")
        with self._lock:
            self.disputes[dispute_id]["status"] = status
            return deepcopy(self.disputes[dispute_id])

    def spend(self, account_id: str, amount: int) -> None:
        """A connected account pays `amount` of what it received out to its bank, so a
        reversal can no longer take it back."""
        with self._lock:
            self.spent[account_id] = self.spent.get(account_id, 0) + amount

    def available(self, account_id: str, currency: str) -> int:
        """A connected account's available balance: what it received, less reversals and
        what it spent."""
        with self._lock:
            received = sum(
                t["amount"] - t["amount_reversed"]
                for t in self.transfers.values()
                if t["destination"] == account_id and t["currency"] == currency
            )
            return received - self.spent.get(account_id, 0)

    def hold_refunds(self, status: str | None = "pending") -> None:
        """Make refunds created from now on start as ``status`` (``pending``,
        ``requires_action``, ``failed``), as Stripe's refunds to some cards and banks do;
        ``None``: succeeded at once again (localstripe's only behaviour)."""
        if status not in (None, "pending", "requires_action", "failed"):
            raise ValueError("a refund starts pending, requires_action, failed or succeeded")
        with self._lock:
            self._next_refund_status = status

    def settle_refund(self, refund_id: str, status: str) -> dict:
        """End a refund that was held: ``succeeded``, ``failed`` or ``canceled`` (with a
        ``failure_reason`` when it failed). Returns the refund, e.g. for a
        ``refund.updated`` / ``refund.failed`` event."""
        if status not in ("succeeded", "failed", "canceled"):
            raise ValueError("a refund ends succeeded, failed or canceled")
        with self._lock:
            side = self._refund_side.get(refund_id)
            if side is None or side.get("status") not in ("pending", "requires_action"):
                raise ValueError(f"refund {refund_id} is not pending")
            side["status"] = status
            if status == "failed":
                side["failure_reason"] = "expired_or_canceled_card"
            return {**deepcopy(self._refunds[refund_id]), **deepcopy(side)}

    def payment_intent_extras(self, payment_intent_id: str) -> dict[str, Any]:
        """What the layer stripped from a PaymentIntent (e.g. ``transfer_group``)."""
        with self._lock:
            side = self._pi_side.get(payment_intent_id)
            return deepcopy(side.fields) if side else {}

    # ------------------------------------------------------------------ transport

    def close(self) -> None:
        with self._lock:
            sessions, self._sessions = self._sessions, []
        for session in sessions:
            session.close()
        self._thread_local.session = None

    def _ensure_session(self) -> None:
        if getattr(self._thread_local, "session", None) is None:
            session = requests.Session()
            with self._lock:
                self._sessions.append(session)
            self._thread_local.session = session

    def _send(
        self, method: str, url: str, headers: Mapping[str, str] | None, body: Any
    ) -> Response:
        """Really send a request to localstripe (the base client's transport)."""
        self._ensure_session()
        return super().request(method, url, headers, body)

    def request(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str] | None,
        post_data: Any = None,
    ) -> Response:
        method = method.upper()
        parts = urlsplit(url)
        if parts.hostname not in LOOPBACK_HOSTS:
            raise RuntimeError(f"FakeConnectClient only talks to loopback, not {parts.hostname}")
        raw = post_data if method == "POST" else parts.query
        if isinstance(raw, bytes):
            raw = raw.decode()
        pairs = parse_qsl(raw, keep_blank_values=True) if isinstance(raw, str) else []
        try:
            params = unflatten(pairs)
        except FakeStripeError:
            params = {}
        key = _header(headers, "Idempotency-Key") if method == "POST" else None
        account = _header(headers, "Stripe-Account")
        record = RecordedRequest(method, parts.path, params, key, account)
        with self._lock:
            self.recorded.append(record)
            refused = self._check_api_key(headers, parts.path)
            failure = None if refused else self._take_failure(method, parts.path)
        if refused is not None:
            record.outcome, record.status = "rejected", refused[1]
            return refused
        headers = self._as_secret_key(headers)

        if failure is not None and failure.mode == "before":
            record.outcome = "failed_before"
            response = self._fail(failure, before=True)
            record.status = response[1]
            return response

        call = _Call(self, method, url, parts, headers, post_data, pairs, params, record)
        response = self._idempotent(call, key, account)
        record.status = response[1]

        if failure is not None:
            record.outcome = "failed_after"
            return self._fail(failure, before=False)
        return response

    def _check_api_key(self, headers: Mapping[str, str] | None, path: str) -> Response | None:
        """Stripe's 401 for a key it does not know, 403 for a restricted key's other paths."""
        authorization = _header(headers, "Authorization") or ""
        api_key = authorization.removeprefix("Bearer ").strip()
        if not _KEY_PATTERN.match(api_key):
            shown = f"{api_key[:8]}****{api_key[-4:]}" if len(api_key) > 12 else "****"
            return _error_response(
                401,
                {"type": "invalid_request_error", "message": f"Invalid API Key provided: {shown}"},
            )
        if api_key.startswith("rk_test_") and not any(
            path.startswith(prefix) for prefix in self._grants.get(api_key, ())
        ):
            return _error_response(
                403,
                {
                    "type": "invalid_request_error",
                    "message": f"The provided key '{api_key[:8]}****{api_key[-4:]}' does not "
                    f"have the required permissions for this endpoint ({path}).",
                },
            )
        return None

    @staticmethod
    def _as_secret_key(headers: Mapping[str, str] | None) -> Mapping[str, str] | None:
        """localstripe knows only secret keys: a restricted key's requests go with one."""
        authorization = _header(headers, "Authorization") or ""
        if "rk_test_" not in authorization:
            return headers
        return {
            **{k: v for k, v in (headers or {}).items() if k.lower() != "authorization"},
            "Authorization": "Bearer sk_test_restricted_key_granted",
        }

    def _take_failure(self, method: str, path: str) -> _Failure | None:
        for failure in self._failures:
            if (failure.method is None or failure.method == method) and path.startswith(
                failure.path_prefix
            ):
                failure.remaining -= 1
                if failure.remaining <= 0:
                    self._failures.remove(failure)
                return failure
        return None

    def _fail(self, failure: _Failure, *, before: bool) -> Response:
        if failure.error == "timeout":
            exc: Exception = (
                requests.exceptions.ConnectTimeout("connect timed out (injected)")
                if before
                else requests.exceptions.ReadTimeout("read timed out (injected)")
            )
        elif failure.error == "connection":
            exc = requests.exceptions.ConnectionError(
                "connection refused (injected)" if before else "connection reset (injected)"
            )
        elif failure.error == 429:
            return _error_response(
                429,
                {
                    "type": "invalid_request_error",
                    "code": "rate_limit",
                    "message": "Too many requests hit the API too quickly (injected).",
                },
            )
        elif failure.error == 409:
            return _error_response(
                409,
                {
                    "type": "invalid_request_error",
                    "code": "lock_timeout",
                    "message": "This object cannot be accessed right now because another API "
                    "request or Stripe process is currently accessing it (injected).",
                },
            )
        else:
            return _error_response(
                int(failure.error),
                {"type": "api_error", "message": "An unknown error occurred (injected)."},
            )
        # The base client's own path: raises stripe.APIConnectionError(should_retry=True).
        self._handle_request_error(exc)

    def _idempotent(self, call: _Call, key: str | None, account: str | None) -> Response:
        if call.method != "POST" or not key:
            return call.run()
        scope = (account or "", key)
        fingerprint = (call.method, call.parts.path, tuple(sorted(call.pairs)))
        with self._lock:
            entry = self._idempotency.get(scope)
            if entry is not None:
                if entry.fingerprint != fingerprint:
                    call.record.outcome = "rejected"
                    return _error_response(
                        400,
                        {
                            "type": "idempotency_error",
                            "message": (
                                "Keys for idempotent requests can only be used with the same "
                                "parameters they were first used with. Try using a key other "
                                f"than '{key}' if you meant to execute a different request."
                            ),
                        },
                    )
                if entry.response is None:
                    call.record.outcome = "rejected"
                    return _error_response(
                        409,
                        {
                            "type": "idempotency_error",
                            "code": "idempotency_key_in_use",
                            "message": (
                                "There is currently another in-progress request using this "
                                f"idempotency key ('{key}'). Try again later."
                            ),
                        },
                    )
                call.record.outcome = "replayed"
                body, status, headers = entry.response
                replay_headers = CaseInsensitiveDict(headers)
                replay_headers["Idempotent-Replayed"] = "true"
                return body, status, replay_headers
            entry = self._idempotency[scope] = _IdempotentEntry(fingerprint)
        try:
            response = call.run()
        except BaseException:
            with self._lock:
                self._idempotency.pop(scope, None)
            raise
        with self._lock:
            if 200 <= response[1] < 300 or response[1] == 402 or call.record.stored_refusal:
                entry.response = response
            else:
                self._idempotency.pop(scope, None)
        return response

    # ------------------------------------------------------------------ routing

    def _route(self, call: _Call) -> Response:
        method, path, params = call.method, call.parts.path, call.params
        if path == "/v1/account" and method == "GET":
            return self._serve(call, lambda: self._platform_account())
        if path == "/v1/accounts":
            if method == "POST":
                return self._serve(call, lambda: self._create_account(params))
            if method == "GET":
                return self._serve(call, lambda: self._list(self.accounts, path, params))
        if m := _ACCOUNT_PATH.match(path):
            account_id = m["id"]
            if method == "GET":
                return self._serve(call, lambda: deepcopy(self._account(account_id)))
            if method == "POST":
                return self._serve(call, lambda: self._update_account(account_id, params))
            if method == "DELETE":
                return self._serve(call, lambda: self._delete_account(account_id))
        if path.startswith("/v1/accounts/") or path.startswith("/v1/account/"):
            return self._serve(call, lambda: self._unrecognized(method, path))
        if path == "/v1/account_links" and method == "POST":
            return self._serve(call, lambda: self._create_account_link(params))
        if path == "/v1/transfers":
            if method == "POST":
                return self._serve(call, lambda: self._create_transfer(call, params))
            if method == "GET":
                return self._serve(call, lambda: self._list_transfers(path, params))
        if m := _TRANSFER_PATH.match(path):
            transfer_id = m["id"]
            if method == "GET":
                return self._serve(call, lambda: deepcopy(self._transfer(transfer_id)))
            if method == "POST":
                return self._serve(call, lambda: self._update_transfer(transfer_id, params))
        if (m := _REVERSALS_PATH.match(path)) and method == "POST":
            transfer_id = m["id"]
            return self._serve(call, lambda: self._create_reversal(transfer_id, params))
        if path == "/v1/disputes" and method == "GET":
            return self._serve(call, lambda: self._list(self.disputes, path, params))
        if (m := _DISPUTE_PATH.match(path)) and method == "GET":
            dispute_id = m["id"]
            return self._serve(call, lambda: self._dispute(dispute_id))
        if path == "/v1/balance" and method == "GET":
            account = _header(call.headers, "Stripe-Account")
            return self._serve(call, lambda: self._balance(account))
        if path.startswith("/v1/transfers/") or path.startswith("/v1/account_links"):
            return self._serve(call, lambda: self._unrecognized(method, path))

        if (m := _BALANCE_TRANSACTION_PATH.match(path)) and method == "GET":
            return self._serve(call, lambda: deepcopy(self._balance_transaction(m["id"])))

        if path == "/v1/payment_intents" and method == "POST":
            return self._create_payment_intent(call)
        if (m := _PI_PATH.match(path)) and method == "POST":
            if m["action"] is None:
                return self._update_payment_intent(call, m["id"])
            if m["action"] == "/confirm":
                return self._confirm_payment_intent(call, m["id"])
            if m["action"] == "/cancel":
                return self._cancel_payment_intent(call, m["id"])
        if path == "/v1/payment_intents" and method == "GET" and "created" in params:
            return self._present(call, self._list_payment_intents(call))
        if path.startswith("/v1/payment_intents") or path.startswith("/v1/charges"):
            return self._present(call, call.forward())
        if path == "/v1/refunds" and method == "POST":
            return self._create_refund(call)
        if path == "/v1/refunds" or _REFUND_PATH.match(path):
            return self._present(call, call.forward())
        return call.forward()

    def _serve(self, call: _Call, handler: Callable[[], Any]) -> Response:
        call.record.outcome = "served"
        try:
            with self._lock:
                result = handler()
        except FakeStripeError as exc:
            call.record.stored_refusal = exc.stored
            return _error_response(exc.status, exc.error)
        return _json_response(result)

    @staticmethod
    def _unrecognized(method: str, path: str) -> dict:
        raise FakeStripeError(
            404, f"Unrecognized request URL ({method}: {path}). (not faked by FakeConnectClient)"
        )

    @staticmethod
    def _list(objects: Mapping[str, dict], url: str, params: Mapping[str, Any]) -> dict:
        """One page of a list, newest first, as Stripe pages: ``limit`` (1 to 100,
        default 10), then ``starting_after`` (the page after that object) or
        ``ending_before`` (the page before it)."""
        try:
            limit = int(params.get("limit") or 10)
        except (TypeError, ValueError):
            raise FakeStripeError(400, "Invalid integer: limit", param="limit") from None
        if not 1 <= limit <= 100:
            raise FakeStripeError(
                400, "This value must be between 1 and 100 (limit).", param="limit"
            )
        after, before = params.get("starting_after"), params.get("ending_before")
        if after and before:
            raise FakeStripeError(
                400, "You may only specify one of these parameters: ending_before, starting_after."
            )
        # Newest first; objects made in the same second, the later-made first.
        data = [
            o
            for _, o in sorted(
                enumerate(objects.values()), key=lambda p: (p[1]["created"], p[0]), reverse=True
            )
        ]
        ids = [o["id"] for o in data]
        cursor, name = (after, "starting_after") if after else (before, "ending_before")
        if cursor and cursor not in ids:
            raise FakeStripeError(
                404, f"No such object: '{cursor}'", code="resource_missing", param=name
            )
        if after:
            rest = data[ids.index(after) + 1 :]
            page = rest[:limit]
        elif before:
            rest = data[: ids.index(before)]
            page = rest[-limit:]
        else:
            rest = data
            page = rest[:limit]
        return {
            "object": "list",
            "url": url,
            "has_more": len(rest) > limit,
            "data": deepcopy(page),
        }

    # ------------------------------------------------------------------ accounts

    def _platform_account(self) -> dict:
        return {
            "id": "acct_platform",
            "object": "account",
            "country": self.platform_country or "US",
            "charges_enabled": True,
            "payouts_enabled": True,
            "details_submitted": True,
            "type": "standard",
        }

    def _account(self, account_id: str) -> dict:
        account = self.accounts.get(account_id)
        if account_id in self.deauthorized:
            raise FakeStripeError(
                403,
                f"The provided key 'sk_test_********' does not have access to account "
                f"'{account_id}' (or that account does not exist). Application access may "
                "have been revoked.",
                code="account_invalid",
            )
        if account is None:
            raise FakeStripeError(
                404,
                f"No such account: '{account_id}'",
                code="resource_missing",
                param="account",
            )
        return account

    def _create_account(self, params: Mapping[str, Any]) -> dict:
        controller = params.get("controller") or {}
        account_type = params.get("type")
        if account_type is None and isinstance(controller, dict):
            dashboard = (controller.get("stripe_dashboard") or {}).get("type")
            account_type = {"express": "express", "none": "custom", "full": "standard"}.get(
                dashboard, "standard" if not controller else "custom"
            )
        account_type = account_type or "standard"
        if account_type not in ("express", "custom", "standard"):
            raise FakeStripeError(400, f"Invalid type: {account_type}", param="type")
        country = (params.get("country") or self.platform_country or "US").upper()
        if not re.fullmatch(r"[A-Z]{2}", country):
            raise FakeStripeError(400, f"Invalid country: {country}", param="country")
        capabilities = params.get("capabilities") or {}
        if not isinstance(capabilities, dict):
            raise FakeStripeError(400, "Invalid hash", param="capabilities")
        requested = [
            name
            for name, options in capabilities.items()
            if isinstance(options, dict) and _truthy(options.get("requested"))
        ]
        if account_type != "standard" and not requested:
            raise FakeStripeError(
                400,
                "You must request at least one capability for this account "
                "(e.g. capabilities[transfers][requested]=true).",
                param="capabilities",
            )
        tos = params.get("tos_acceptance") or {}
        agreement = tos.get("service_agreement") or "full"
        if agreement not in ("full", "recipient"):
            raise FakeStripeError(
                400,
                f"Invalid service_agreement: {agreement}",
                param="tos_acceptance[service_agreement]",
            )
        if agreement == "recipient" and "card_payments" in requested:
            raise FakeStripeError(
                400,
                "The `card_payments` capability is not supported for accounts under the "
                "`recipient` service agreement; request `transfers` only.",
                param="capabilities",
            )
        if (
            self.platform_country
            and country != self.platform_country.upper()
            and agreement != "recipient"
        ):
            raise FakeStripeError(
                400,
                f"A platform in {self.platform_country} cannot create a connected account in "
                f"{country} under the `full` service agreement; use "
                "tos_acceptance[service_agreement]=recipient for cross-border payouts.",
                param="tos_acceptance[service_agreement]",
            )
        if (
            self.payout_countries is not None
            and country != (self.platform_country or "US").upper()
            and country not in self.payout_countries
        ):
            raise FakeStripeError(
                400,
                f"Cross-border payouts to {country} are not enabled for your platform; "
                f"connected accounts in {country} cannot be created.",
                param="country",
            )
        account_id = _random_id("acct_")
        account = {
            "id": account_id,
            "object": "account",
            "type": account_type,
            "controller": controller or None,
            "country": country,
            "email": params.get("email"),
            "business_type": params.get("business_type"),
            "business_profile": params.get("business_profile") or {},
            "default_currency": (
                params.get("default_currency")
                or _CURRENCIES.get(country)
                or ("eur" if country in _EURO else "usd")
            ),
            "capabilities": dict.fromkeys(requested, "inactive"),
            "charges_enabled": False,
            "payouts_enabled": False,
            "details_submitted": False,
            "tos_acceptance": {"service_agreement": agreement, "date": None, "ip": None},
            "requirements": _requirements(due=True),
            "metadata": dict(params.get("metadata") or {}),
            "created": int(time.time()),
            "livemode": False,
            "settings": {"payouts": {"schedule": {"interval": "daily"}}},
            "external_accounts": {
                "object": "list",
                "data": [],
                "has_more": False,
                "url": f"/v1/accounts/{account_id}/external_accounts",
            },
        }
        self.accounts[account_id] = account
        return deepcopy(account)

    def _update_account(self, account_id: str, params: Mapping[str, Any]) -> dict:
        account = self._account(account_id)
        for name, value in params.items():
            if name == "metadata":
                for key, item in (value or {}).items():
                    if item == "":
                        account["metadata"].pop(key, None)
                    else:
                        account["metadata"][key] = item
            elif name == "capabilities":
                for cap, options in (value or {}).items():
                    if isinstance(options, dict) and _truthy(options.get("requested")):
                        account["capabilities"].setdefault(cap, "inactive")
            elif name == "tos_acceptance":
                account["tos_acceptance"].update(value or {})
            elif name in ("email", "business_type", "business_profile", "default_currency"):
                account[name] = value
            elif name != "expand":
                raise FakeStripeError(
                    400, f"Received unknown parameter: {name} (not faked)", param=name
                )
        return deepcopy(account)

    def _delete_account(self, account_id: str) -> dict:
        self._account(account_id)
        del self.accounts[account_id]
        return {"id": account_id, "object": "account", "deleted": True}

    def _create_account_link(self, params: Mapping[str, Any]) -> dict:
        account_id = _str_param(params, "account")
        self._account(account_id)
        link_type = _str_param(params, "type")
        if link_type not in ("account_onboarding", "account_update"):
            raise FakeStripeError(400, f"Invalid type: {link_type}", param="type")
        refresh_url = _str_param(params, "refresh_url", required=False)
        return_url = _str_param(params, "return_url", required=False)
        if link_type == "account_onboarding" and not (refresh_url and return_url):
            raise FakeStripeError(
                400,
                "Missing required param: refresh_url and return_url.",
                param="refresh_url" if not refresh_url else "return_url",
            )
        now = int(time.time())
        link = {
            "object": "account_link",
            "created": now,
            "expires_at": now + 300,
            "url": f"https://connect.stripe.com/setup/e/{account_id}/{secrets.token_urlsafe(12)}",
        }
        self.account_links.append(
            {
                **link,
                "account": account_id,
                "type": link_type,
                "return_url": return_url,
                "refresh_url": refresh_url,
            }
        )
        return link

    # ------------------------------------------------------------------ transfers

    def _transfer(self, transfer_id: str) -> dict:
        transfer = self.transfers.get(transfer_id)
        if transfer is None:
            raise FakeStripeError(
                404,
                f"No such transfer: '{transfer_id}'",
                code="resource_missing",
                param="id",
            )
        return transfer

    def _create_transfer(self, call: _Call, params: Mapping[str, Any]) -> dict:
        amount = _int_param(params, "amount")
        currency = _str_param(params, "currency").lower()
        destination = _str_param(params, "destination")
        if destination in self.deauthorized:
            raise FakeStripeError(
                400,
                f"No such destination: '{destination}' (the account's access to your "
                "platform was revoked)",
                code="account_invalid",
                param="destination",
            )
        if destination not in self.accounts:
            raise FakeStripeError(
                400,
                f"No such destination: '{destination}'",
                code="resource_missing",
                param="destination",
            )
        if self.accounts[destination]["capabilities"].get("transfers") != "active":
            raise FakeStripeError(
                400,
                "Your destination account needs to have at least one of the following "
                "capabilities enabled: transfers, crypto_transfers, legacy_payments",
                code="insufficient_capabilities_for_transfer",
                param="destination",
                stored=True,
            )
        source = _str_param(params, "source_transaction", required=False)
        if source is not None:
            self._check_source_transaction(call, source, amount, currency)
        transfer_id = _random_id("tr_")
        transfer = {
            "id": transfer_id,
            "object": "transfer",
            "amount": amount,
            "amount_reversed": 0,
            "balance_transaction": _random_id("txn_"),
            "created": int(time.time()),
            "currency": currency,
            "description": params.get("description"),
            "destination": destination,
            "destination_payment": _random_id("py_"),
            "livemode": False,
            "metadata": dict(params.get("metadata") or {}),
            "reversals": {
                "object": "list",
                "data": [],
                "has_more": False,
                "total_count": 0,
                "url": f"/v1/transfers/{transfer_id}/reversals",
            },
            "reversed": False,
            "source_transaction": source,
            "source_type": "card",
            "transfer_group": params.get("transfer_group"),
        }
        self.transfers[transfer_id] = transfer
        return deepcopy(transfer)

    # ------------------------------------------------------------------ balance

    def settlement_currency_of(self, currency: str) -> str:
        """The currency the platform settles a charge in `currency` in."""
        default = _CURRENCIES.get(self.platform_country or "US") or (
            "eur" if (self.platform_country or "") in _EURO else "usd"
        )
        settles = self.settlement_currencies or {default}
        return currency if currency in settles else default

    def _settle_charge(self, charge: Mapping[str, Any]) -> dict[str, Any]:
        """The balance transaction of a succeeded charge, made when first seen."""
        with self._lock:
            txn_id = self._settled.get(charge["id"])
            if txn_id is not None:
                return self.balance_transactions[txn_id]
            currency = charge["currency"].lower()
            settlement = self.settlement_currency_of(currency)
            amount, rate, fee = settle(charge["amount"], currency, settlement)
            txn_id = _random_id("txn_")
            txn = {
                "id": txn_id,
                "object": "balance_transaction",
                "amount": amount,
                "available_on": int(time.time()),
                "created": int(time.time()),
                "currency": settlement,
                "description": None,
                # Stripe sends the rate as a JSON number.
                "exchange_rate": None if rate is None else float(rate),
                "fee": fee,
                "fee_details": [
                    {
                        "amount": fee,
                        "currency": settlement,
                        "type": "stripe_fee",
                        "description": "Stripe processing fees",
                        "application": None,
                    }
                ],
                "net": amount - fee,
                "reporting_category": "charge",
                "source": charge["id"],
                "status": "available",
                "type": "charge",
            }
            self.balance_transactions[txn_id] = txn
            self._settled[charge["id"]] = txn_id
            return txn

    def _balance_transaction(self, txn_id: str) -> dict[str, Any]:
        txn = self.balance_transactions.get(txn_id)
        if txn is None:
            raise FakeStripeError(
                404,
                f"No such balance transaction: '{txn_id}'",
                code="resource_missing",
                param="id",
            )
        return txn

    def _check_source_transaction(
        self, call: _Call, source: str, amount: int, currency: str
    ) -> None:
        if not source.startswith("ch_"):
            raise FakeStripeError(
                400,
                f"No such charge: '{source}'",
                code="resource_missing",
                param="source_transaction",
            )
        body, status, _ = call.internal("GET", f"/v1/charges/{source}")
        if status == 404:
            raise FakeStripeError(
                400,
                f"No such charge: '{source}'",
                code="resource_missing",
                param="source_transaction",
            )
        if status != 200:
            raise FakeStripeError(502, "localstripe failed to read the charge", type_="api_error")
        charge = json.loads(body)
        if charge.get("status") != "succeeded":
            raise FakeStripeError(
                400,
                f"The source_transaction '{source}' has not succeeded.",
                param="source_transaction",
            )
        settled = self._settle_charge(charge)
        if settled["currency"] != currency:
            raise FakeStripeError(
                400,
                f"The currency of source_transaction's balance transaction "
                f"({settled['currency']}) must be the same as the transfer currency "
                f"({currency}).",
                param="currency",
            )
        already = sum(
            t["amount"] - t["amount_reversed"]
            for t in self.transfers.values()
            if t["source_transaction"] == source
        )
        if already + amount > settled["amount"]:
            raise FakeStripeError(
                400,
                f"Transfers from source_transaction '{source}' would total "
                f"{already + amount}, more than its amount ({settled['amount']}).",
                code="balance_insufficient",
                param="amount",
                stored=True,
            )

    def _create_reversal(self, transfer_id: str, params: Mapping[str, Any]) -> dict:
        transfer = self._transfer(transfer_id)
        left = transfer["amount"] - transfer["amount_reversed"]
        amount = _int_param(params, "amount") if "amount" in params else left
        if not 0 < amount <= left:
            raise FakeStripeError(
                400,
                f"You can only reverse up to {left} of this transfer.",
                code="parameter_invalid_integer",
                param="amount",
            )
        if amount > self.available(transfer["destination"], transfer["currency"]):
            raise FakeStripeError(
                400,
                "The connected account's balance is too low for this reversal.",
                code="balance_insufficient",
                stored=True,
            )
        reversed_transfer = self.reverse_transfer(transfer_id, amount)
        return deepcopy(reversed_transfer["reversals"]["data"][0])

    def _dispute(self, dispute_id: str) -> dict:
        if dispute_id not in self.disputes:
            raise FakeStripeError(
                404, f"No such dispute: '{dispute_id}'", code="resource_missing", param="id"
            )
        return deepcopy(self.disputes[dispute_id])

    def _balance(self, account: str | None) -> dict:
        if account is None or account not in self.accounts:
            raise FakeStripeError(403, "The platform's own balance is not modelled.")
        currencies = {t["currency"] for t in self.transfers.values()} or {"usd"}
        return {
            "object": "balance",
            "livemode": False,
            "available": [
                {"amount": self.available(account, c), "currency": c} for c in sorted(currencies)
            ],
            "pending": [],
        }

    def _list_transfers(self, url: str, params: Mapping[str, Any]) -> dict:
        selected = {
            k: t
            for k, t in self.transfers.items()
            if all(
                params.get(name) in (None, t[name]) for name in ("destination", "transfer_group")
            )
        }
        return self._list(selected, url, params)

    def _list_payment_intents(self, call: _Call) -> Response:
        """Stripe's list of PaymentIntents filtered by ``created`` (localstripe takes no
        filter): every intent read from localstripe, those created in the range, paged
        as Stripe pages them."""
        call.record.outcome = "served"
        try:
            unknown = set(call.params) - PI_LIST_PARAMS
            if unknown:
                name = sorted(unknown)[0]
                raise FakeStripeError(400, f"Received unknown parameter: {name}", param=name)
            in_range = _created_range(call.params["created"])
            intents: dict[str, dict] = {}
            after = None
            while True:
                query = urlencode({"limit": 100, **({"starting_after": after} if after else {})})
                response = call.internal("GET", "/v1/payment_intents", query)
                if response[1] != 200:
                    return response
                page = json.loads(response[0])
                intents.update((intent["id"], intent) for intent in page["data"])
                if not page["has_more"] or not page["data"]:
                    break
                after = page["data"][-1]["id"]
            selected = {k: i for k, i in intents.items() if in_range(i["created"])}
            return _json_response(self._list(selected, call.parts.path, call.params))
        except FakeStripeError as exc:
            return _error_response(exc.status, exc.error)

    def _update_transfer(self, transfer_id: str, params: Mapping[str, Any]) -> dict:
        transfer = self._transfer(transfer_id)
        for name, value in params.items():
            if name == "metadata":
                transfer["metadata"].update(value or {})
            elif name == "description":
                transfer["description"] = value
            elif name != "expand":
                raise FakeStripeError(400, f"Received unknown parameter: {name}", param=name)
        return deepcopy(transfer)

    # ------------------------------------------------------------------ payment intents

    def _side(self, payment_intent_id: str) -> _Side:
        return self._pi_side.setdefault(payment_intent_id, _Side())

    @staticmethod
    def _map_payment_method(value: str) -> str:
        if value in DECLINING_TEST_METHODS or (
            value.startswith("pm_card_") and "Declined" in value
        ):
            return "pm_card_chargeCustomerFail"
        if value in SUCCEEDING_TEST_METHODS:
            return "pm_card_visa"
        return value

    def _split_pi_params(self, call: _Call) -> tuple[list[tuple[str, str]], dict, str | None]:
        """(pairs to forward, side fields, original payment_method alias if mapped)."""
        forward: list[tuple[str, str]] = []
        alias = None
        for key, value in call.pairs:
            top = key.partition("[")[0]
            if top in PI_SIDE_PARAMS or top in PI_DROPPED_PARAMS:
                continue
            if key == "payment_method":
                mapped = self._map_payment_method(value)
                if mapped != value:
                    alias = value
                value = mapped
            forward.append((key, value))
        side = {name: call.params[name] for name in PI_SIDE_PARAMS if name in call.params}
        return forward, side, alias

    @staticmethod
    def _check_confirmable(params: Mapping[str, Any], side: Mapping[str, Any]) -> None:
        if params.get("return_url"):
            return
        if side.get("payment_method_types"):
            return
        apm = side.get("automatic_payment_methods") or {}
        if isinstance(apm, dict) and apm.get("allow_redirects") == "never":
            return
        raise FakeStripeError(
            400,
            "This PaymentIntent is configured to accept payment methods enabled in your "
            "Dashboard. Because some of these payment methods might redirect your customer "
            "off of your page, you must provide a `return_url`. If you don't want to accept "
            "redirect-based payment methods, set `automatic_payment_methods[enabled]` to "
            "`true` and `automatic_payment_methods[allow_redirects]` to `never` when "
            "creating Setup Intents and Payment Intents.",
        )

    def _remember(self, payment_intent_id: str, side: Mapping[str, Any], alias: str | None):
        with self._lock:
            entry = self._side(payment_intent_id)
            entry.fields.update(deepcopy(dict(side)))
            if alias is not None:
                entry.pm_alias = alias

    @staticmethod
    def _check_minimum(params: Mapping[str, Any]) -> None:
        currency = str(params.get("currency") or "").lower()
        minimum = MINIMUM_CHARGE.get(currency)
        try:
            amount = int(params.get("amount"))
        except (TypeError, ValueError):
            return  # localstripe reports a bad amount itself
        if minimum is not None and amount < minimum:
            shown = str(minimum) if currency in _ZERO_DECIMAL else f"{minimum / 100:.2f}"
            raise FakeStripeError(
                400,
                f"Amount must be at least {shown} {currency}",
                code="amount_too_small",
                param="amount",
            )

    def _create_payment_intent(self, call: _Call) -> Response:
        try:
            self._check_minimum(call.params)
        except FakeStripeError as exc:
            call.record.outcome = "served"
            return _error_response(exc.status, exc.error)
        forward, side, alias = self._split_pi_params(call)
        if _truthy(call.params.get("confirm")):
            try:
                self._check_confirmable(call.params, side)
            except FakeStripeError as exc:
                call.record.outcome = "served"
                return _error_response(exc.status, exc.error)
        response = call.forward(forward)
        body, status, _ = response
        if 200 <= status < 300:
            self._remember(json.loads(body)["id"], side, alias)
        elif status == 402:
            return self._decline(call, response, side, alias)
        elif status == 404 and call.params.get("payment_method"):
            return self._no_such_payment_method(call.params["payment_method"])
        return self._present(call, response)

    @staticmethod
    def _no_such_payment_method(payment_method: str) -> Response:
        """Stripe's answer to a payment method it does not know (localstripe: a bare 404)."""
        return _error_response(
            400,
            {
                "type": "invalid_request_error",
                "code": "resource_missing",
                "param": "payment_method",
                "message": f"No such PaymentMethod: '{payment_method}'",
            },
        )

    def _update_payment_intent(self, call: _Call, payment_intent_id: str) -> Response:
        forward, side, alias = self._split_pi_params(call)
        meaningful = [(k, v) for k, v in forward if not k.startswith("expand")]
        if meaningful:
            response = call.forward(forward)
        else:
            # localstripe answers 400 to an update with nothing it knows: read instead.
            query = urlencode([(k, v) for k, v in forward])
            response = call.internal("GET", f"/v1/payment_intents/{payment_intent_id}", query)
            call.record.outcome = "forwarded"
        if 200 <= response[1] < 300:
            self._remember(payment_intent_id, side, alias)
        return self._present(call, response)

    def _confirm_payment_intent(self, call: _Call, payment_intent_id: str) -> Response:
        forward, side, alias = self._split_pi_params(call)
        with self._lock:
            known = {**self._side(payment_intent_id).fields, **side}
        try:
            self._check_confirmable(call.params, known)
        except FakeStripeError as exc:
            call.record.outcome = "served"
            return _error_response(exc.status, exc.error)
        payment_method = [(k, v) for k, v in forward if k == "payment_method"]
        if payment_method:
            # localstripe's /confirm answers 500 to payment_method: set it by an update.
            update = call.internal(
                "POST", f"/v1/payment_intents/{payment_intent_id}", urlencode(payment_method)
            )
            if update[1] != 200:
                return self._present(call, update)
            forward = [(k, v) for k, v in forward if k != "payment_method"]
        self._remember(payment_intent_id, side, alias)
        response = call.forward(forward)
        if response[1] == 402:
            return self._decline(call, response, side, alias)
        return self._present(call, response)

    def _decline(
        self, call: _Call, response: Response, side: Mapping[str, Any], alias: str | None
    ) -> Response:
        body, status, _ = response
        error = json.loads(body).get("error", {})
        charge_id = error.get("charge")
        payment_intent = None
        if charge_id:
            charge_body, charge_status, _ = call.internal("GET", f"/v1/charges/{charge_id}")
            if charge_status == 200:
                payment_intent_id = json.loads(charge_body).get("payment_intent")
                if payment_intent_id:
                    self._remember(payment_intent_id, side, alias)
                    with self._lock:
                        alias = self._side(payment_intent_id).pm_alias
                    pi_body, pi_status, _ = call.internal(
                        "GET", f"/v1/payment_intents/{payment_intent_id}"
                    )
                    if pi_status == 200:
                        payment_intent = self._present_object(json.loads(pi_body), [])
        code, decline_code, message = DECLINING_TEST_METHODS.get(
            alias or "", ("card_declined", "generic_decline", "Your card was declined.")
        )
        error.update(type="card_error", code=code, message=message)
        if decline_code:
            error["decline_code"] = decline_code
        if payment_intent is not None:
            error["payment_intent"] = payment_intent
            if payment_intent.get("last_payment_error"):
                payment_intent["last_payment_error"].update(
                    type="card_error", code=code, message=message
                )
                if decline_code:
                    payment_intent["last_payment_error"]["decline_code"] = decline_code
        return _json_response({"error": error}, status)

    # ------------------------------------------------------------------ refunds

    def _create_refund(self, call: _Call) -> Response:
        forward = [(k, v) for k, v in call.pairs if k.partition("[")[0] not in REFUND_SIDE_PARAMS]
        side: dict[str, Any] = {
            name: call.params[name] for name in REFUND_SIDE_PARAMS if name in call.params
        }
        response = call.forward(forward)
        if 200 <= response[1] < 300:
            refund = json.loads(response[0])
            with self._lock:
                if self._next_refund_status is not None:
                    side["status"] = self._next_refund_status
                    if side["status"] == "failed":
                        side["failure_reason"] = "expired_or_canceled_card"
                self._refund_side[refund["id"]] = side
                self._refunds[refund["id"]] = refund
        return self._present(call, response)

    # ------------------------------------------------------------------ cancelling

    def _cancel_payment_intent(self, call: _Call, payment_intent_id: str) -> Response:
        """localstripe refuses to cancel a PaymentIntent that succeeded with a bare 400;
        Stripe says why (``payment_intent_unexpected_state``) and includes the intent."""
        response = call.forward()
        if response[1] != 400:
            return self._present(call, response)
        current = call.internal("GET", f"/v1/payment_intents/{payment_intent_id}")
        if current[1] != 200:
            return response
        intent = self._present_object(json.loads(current[0]), [])
        if intent.get("status") not in ("succeeded", "canceled", "processing"):
            return response
        return _error_response(
            400,
            {
                "type": "invalid_request_error",
                "code": "payment_intent_unexpected_state",
                "message": "You cannot cancel this PaymentIntent because it has a status of "
                f"{intent['status']}. Only a PaymentIntent with one of the following statuses "
                "may be canceled: requires_payment_method, requires_capture, "
                "requires_confirmation, requires_action, processing.",
                "payment_intent": intent,
            },
        )

    # ------------------------------------------------------------------ presentation

    def _present(self, call: _Call, response: Response) -> Response:
        body, status, headers = response
        if not 200 <= status < 300:
            return response
        try:
            obj = json.loads(body)
        except ValueError:
            return response
        expand = call.params.get("expand") or []
        if not isinstance(expand, list):
            expand = [expand]
        if isinstance(obj, dict) and obj.get("object") == "list":
            inner = [e.removeprefix("data.") for e in expand]
            obj["data"] = [self._present_object(item, inner) for item in obj.get("data", [])]
        else:
            obj = self._present_object(obj, expand)
        new_headers = CaseInsensitiveDict(headers)
        new_headers.pop("Content-Length", None)
        return json.dumps(obj, indent=2, sort_keys=True).encode(), status, new_headers

    def _present_object(self, obj: Any, expand: list[str]) -> Any:
        if not isinstance(obj, dict):
            return obj
        kind = obj.get("object")
        with self._lock:
            if kind == "payment_intent":
                side = self._pi_side.get(obj["id"], _Side())
                obj.update(
                    {
                        "transfer_group": None,
                        "description": None,
                        "receipt_email": None,
                        "statement_descriptor_suffix": None,
                        "automatic_payment_methods": None,
                        "payment_method_types": ["card"],
                        **deepcopy(side.fields),
                    }
                )
                if side.pm_alias and obj.get("payment_method"):
                    obj["payment_method"] = side.pm_alias
                charge = obj.get("latest_charge")
                if isinstance(charge, dict):
                    inner = [
                        e.removeprefix("latest_charge.")
                        for e in expand
                        if e.startswith("latest_charge.")
                    ]
                    if "latest_charge" in expand or inner:
                        obj["latest_charge"] = self._present_object(charge, inner)
                    else:
                        obj["latest_charge"] = charge["id"]
            elif kind == "charge":
                side = self._pi_side.get(obj.get("payment_intent") or "", _Side())
                obj["transfer_group"] = side.fields.get("transfer_group")
                if obj.get("status") == "succeeded":
                    txn = self._settle_charge(obj)
                    expanded = "balance_transaction" in expand
                    obj["balance_transaction"] = deepcopy(txn) if expanded else txn["id"]
            elif kind == "refund":
                obj.update({"reason": None, **self._refund_side.get(obj["id"], {})})
        return obj


class _Call:
    """One request travelling through the layer."""

    def __init__(
        self,
        client: FakeConnectClient,
        method: str,
        url: str,
        parts: Any,
        headers: Mapping[str, str] | None,
        post_data: Any,
        pairs: list[tuple[str, str]],
        params: dict[str, Any],
        record: RecordedRequest,
    ) -> None:
        self.client = client
        self.method = method
        self.url = url
        self.parts = parts
        self.headers = headers
        self.post_data = post_data
        self.pairs = pairs
        self.params = params
        self.record = record

    def run(self) -> Response:
        return self.client._route(self)

    def forward(self, pairs: list[tuple[str, str]] | None = None) -> Response:
        """Send this request on to localstripe (optionally with other body pairs)."""
        self.record.outcome = "forwarded"
        body = self.post_data if pairs is None else urlencode(pairs)
        return self.client._send(self.method, self.url, self.headers, body)

    def internal(self, method: str, path: str, query_or_body: str = "") -> Response:
        """A side request to localstripe (not recorded, no idempotency key)."""
        headers = {
            k: v
            for k, v in (self.headers or {}).items()
            if k.lower() not in ("idempotency-key", "content-type", "content-length")
        }
        if method == "POST":
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            url = urlunsplit((self.parts.scheme, self.parts.netloc, path, "", ""))
            return self.client._send(method, url, headers, query_or_body)
        url = urlunsplit((self.parts.scheme, self.parts.netloc, path, query_or_body, ""))
        return self.client._send(method, url, headers, None)


# What Stripe's list of PaymentIntents takes (``customer`` is not served here).
PI_LIST_PARAMS = frozenset({"created", "limit", "starting_after", "ending_before", "expand"})


def _created_range(value: Any) -> Callable[[int], bool]:
    """Stripe's ``created`` filter: a timestamp (that second), or a hash of ``gt``,
    ``gte``, ``lt`` and ``lte`` timestamps."""
    bounds = value if isinstance(value, dict) else {"gte": value, "lte": value}
    checks = {
        "gt": lambda t, b: t > b,
        "gte": lambda t, b: t >= b,
        "lt": lambda t, b: t < b,
        "lte": lambda t, b: t <= b,
    }
    limits: list[tuple[Callable[[int, int], bool], int]] = []
    for name, bound in bounds.items():
        if name not in checks:
            raise FakeStripeError(
                400, f"Received unknown parameter: created[{name}]", param=f"created[{name}]"
            )
        try:
            limits.append((checks[name], int(bound)))
        except (TypeError, ValueError):
            raise FakeStripeError(400, f"Invalid integer: {bound}", param="created") from None
    return lambda created: all(check(created, bound) for check, bound in limits)


def _requirements(*, due: bool) -> dict[str, Any]:
    items = ["external_account", "tos_acceptance.date", "tos_acceptance.ip"] if due else []
    return {
        "alternatives": [],
        "current_deadline": None,
        "currently_due": list(items),
        "disabled_reason": "requirements.past_due" if due else None,
        "errors": [],
        "eventually_due": list(items),
        "past_due": list(items),
        "pending_verification": [],
    }
