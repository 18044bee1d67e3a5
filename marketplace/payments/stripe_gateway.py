"""The Stripe adapter: separate charges and transfers. The only module that imports stripe.

Funding is a PaymentIntent on the platform (metadata.milestone_id, a transfer_group);
a release is a Transfer to the freelancer's Express account with source_transaction
set to the funding charge; refunds are Refunds on the PaymentIntent. Every call that
creates something carries our idempotency key, so a retry never pays twice.

Every error the SDK raises is sorted by `classify`, the one place that decides whether
Stripe refused a call (it did nothing) or its outcome is unknown.
"""

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Sequence
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal

import stripe
from stripe.params import (
    AccountCreateParams,
    PaymentIntentCreateParams,
    PaymentIntentListParams,
    TransferCreateParams,
)

from marketplace.errors import DomainError
from marketplace.payments.gateway import (
    AmountRefused,
    CardDeclined,
    CardDispute,
    Charge,
    ChargebackRecord,
    ChargeRecord,
    ChargeRequest,
    DestinationRefused,
    KeyReused,
    MilestoneActivity,
    MovementLookup,
    PayoutAccount,
    PayoutAccountRequest,
    ProviderEvent,
    ProviderRefused,
    ProviderUnavailable,
    Refund,
    RefundRecord,
    RefundRequest,
    Reversal,
    ReversalRequest,
    Settlement,
    Transfer,
    TransferRecord,
    TransferRequest,
    UnknownPaymentMethod,
    group_activity,
    milestone_of_group,
    own_milestone,
)

log = logging.getLogger(__name__)

# Stripe's error codes for an amount it does not take (a currency it does not take is
# an invalid request on the `currency` parameter).
AMOUNT_CODES = frozenset({"amount_too_small", "amount_too_large", "invalid_charge_amount"})
# ...for a connected account that is gone (deleted, or never ours).
GONE_CODES = frozenset({"account_invalid", "resource_missing"})
# ...and for a destination account that cannot receive a transfer now.
DESTINATION_CODES = frozenset(
    {
        "insufficient_capabilities_for_transfer",
        "account_invalid",
        "transfers_not_allowed",
        "account_closed",
    }
)


def classify(error: stripe.StripeError, *, charging: bool = False) -> Exception:
    """What a Stripe error means for us: `ProviderUnavailable` or a `ProviderRefused`.

    Unknown outcome: no HTTP answer (connection errors, timeouts), a 5xx, a 429 (or
    Stripe's older 400 `rate_limit`), and a 409: a lock timeout, or another request with
    the same idempotency key still in progress. Every other answer is a 4xx in which
    Stripe says it did not do what was asked.
    """
    status = error.http_status
    if (
        isinstance(error, stripe.APIConnectionError | stripe.RateLimitError)
        or status is None
        or status in (409, 429)
        or status >= 500
    ):
        return ProviderUnavailable(f"{type(error).__name__} ({status}): {error.user_message}")
    code = error.code or getattr(error.error, "type", None) or f"http_{status}"
    param = getattr(error, "param", None)
    message = error.user_message or "The request was refused."
    if isinstance(error, stripe.CardError):
        return CardDeclined(code or "card_declined", message)
    if isinstance(error, stripe.IdempotencyError):
        return KeyReused("idempotency_error", "The idempotency key was used with other parameters.")
    if isinstance(error, stripe.AuthenticationError | stripe.PermissionError):
        # The platform's own keys: never the user's doing, and nothing to show them.
        log.error("Stripe refused the platform's credentials (%s): %s", status, message)
        kind = "authentication" if status == 401 else "permission"
        return ProviderRefused(kind, "The platform's credentials were refused.")
    if charging and param == "payment_method":
        return UnknownPaymentMethod(code, "Unknown payment method.")
    if code in AMOUNT_CODES or param == "currency":
        return AmountRefused(code, message)
    if code in DESTINATION_CODES or param == "destination":
        return DestinationRefused(code, message)
    return ProviderRefused(code, message)


@contextmanager
def _answer(*, charging: bool = False):
    """Turn the SDK's errors into the gateway protocol's."""
    try:
        yield
    except stripe.StripeError as error:
        raise classify(error, charging=charging) from error


def _metadata(installation: str, **ids: int) -> dict:
    """Our ids on what we create at Stripe, and whose they are."""
    data = {name: str(value) for name, value in ids.items()}
    if installation:
        data["installation"] = installation
    return data


def _plain(metadata) -> dict:
    """A Stripe object's metadata as a dict (empty when it has none)."""
    return metadata.to_dict() if metadata else {}


# A PaymentIntent's charge and that charge's balance transaction, expanded.
SETTLEMENT = "latest_charge.balance_transaction"


def _settlement(charge) -> Settlement | None:
    """The balance transaction of an (expanded) charge, if Stripe has made it yet."""
    if charge is None or isinstance(charge, str):
        return None
    txn = getattr(charge, "balance_transaction", None)
    if txn is None or isinstance(txn, str):
        return None
    rate = getattr(txn, "exchange_rate", None)
    return Settlement(
        txn.id,
        txn.currency.upper(),
        txn.amount,
        txn.fee,
        # Stripe gives the rate as a JSON number: kept as its decimal text, never a float.
        None if rate is None else format(Decimal(str(rate)).normalize(), "f"),
    )


def _dispute_fee(dispute) -> int:
    """Stripe's fees on a dispute's balance transactions (the withdrawal's dispute fee)."""
    return sum(
        getattr(entry, "fee", 0) or 0
        for entry in getattr(dispute, "balance_transactions", None) or []
        if not isinstance(entry, str)
    )


def _id(value) -> str | None:
    """An expandable field: an id, or the object itself."""
    if value is None or isinstance(value, str):
        return value
    return value.id


# Of a try's time, what connecting may take; the rest is the wait for Stripe's answer.
CONNECT_SECONDS = 2.0


def try_timeout(seconds: float) -> tuple[float, float]:
    """requests' (connect, read) timeouts for one try of at most `seconds`.

    A single number would bound connecting and the wait for the answer each on its
    own, so a try could last twice as long (3 tries of 8 s: up to 48 s, past gunicorn's
    30 s). Stripe sends its answer at once when it has it, so the read timeout bounds
    the wait for it.
    """
    connect = min(CONNECT_SECONDS, seconds / 4)
    return connect, seconds - connect


def worst_case_seconds(timeout: tuple[float, float], retries: int) -> float:
    """The longest a call can take: every try timing out, with the SDK's backoff between."""
    backoff = stripe.HTTPClient
    sleeps = sum(
        max(backoff.INITIAL_DELAY, min(backoff.INITIAL_DELAY * 2 ** (n - 1), backoff.MAX_DELAY))
        for n in range(1, retries + 1)
    )
    return (retries + 1) * sum(timeout) + sleeps


class StripeGateway:
    name = "stripe"
    key_lifetime: timedelta | None = timedelta(hours=24)  # Stripe prunes keys after that
    # Objects per page when reading Stripe's lists (its largest page).
    page_size = 100

    def __init__(self, client: stripe.StripeClient, *, platform_country: str, public_url: str):
        self.client = client
        self.platform_country = platform_country
        self.public_url = public_url.rstrip("/")

    @classmethod
    def from_config(cls, config) -> "StripeGateway":
        if not config["STRIPE_SECRET_KEY"]:
            raise RuntimeError("PAYMENT_GATEWAY=stripe needs STRIPE_SECRET_KEY")
        base = config["STRIPE_API_BASE"]
        client = stripe.StripeClient(
            config["STRIPE_SECRET_KEY"],
            base_addresses={"api": base, "connect": base, "files": base} if base else None,
            # Only tests set STRIPE_HTTP_CLIENT: a fake Connect layer in front of a fake
            # Stripe. Otherwise each try gives up after STRIPE_TIMEOUT_SECONDS, so a call
            # and its retries end inside gunicorn's 30 s and PROVIDER_CALL_SECONDS.
            http_client=config.get("STRIPE_HTTP_CLIENT")
            or stripe.RequestsClient(timeout=try_timeout(config.get("STRIPE_TIMEOUT_SECONDS", 8))),
            max_network_retries=config.get("STRIPE_MAX_NETWORK_RETRIES", 2),
        )
        return cls(
            client, platform_country=config["PLATFORM_COUNTRY"], public_url=config["PUBLIC_URL"]
        )

    def charge(self, request: ChargeRequest) -> Charge:
        params: PaymentIntentCreateParams = {  # type: ignore[typeddict-unknown-key]
            "amount": request.amount,
            "currency": request.currency.lower(),
            "metadata": _metadata(request.installation, milestone_id=request.milestone_id),
            "transfer_group": request.transfer_group,
            "description": request.description,
            # Confirmed on the server, so no redirect-based method may be offered.
            "payment_method_types": ["card"],
            # What the charge added to the platform's balance, and Stripe's fee.
            "expand": [SETTLEMENT],
        }
        if request.payment_method:
            params["payment_method"] = request.payment_method
            params["confirm"] = True
        with _answer(charging=True):
            intent = self.client.v1.payment_intents.create(
                params, {"idempotency_key": request.idempotency_key}
            )
        return self._charge(intent)

    def retrieve_charge(self, intent_id: str) -> Charge:
        with _answer():
            intent = self.client.v1.payment_intents.retrieve(intent_id, {"expand": [SETTLEMENT]})
            return self._charge(intent)

    def cancel_charge(self, intent_id: str) -> Charge:
        """Cancel an intent not paid, so it can never be confirmed (and charge) later.

        The client may confirm it between our read and the cancel: Stripe then refuses
        the cancel (`payment_intent_unexpected_state`), and the intent read again says
        what happened."""
        with _answer():
            intent = self.client.v1.payment_intents.retrieve(intent_id)
            if intent.status in ("succeeded", "canceled", "processing"):
                return self._charge(intent)
            try:
                return self._charge(self.client.v1.payment_intents.cancel(intent_id))
            except stripe.InvalidRequestError as error:
                if error.code != "payment_intent_unexpected_state":
                    raise
            return self._charge(self.client.v1.payment_intents.retrieve(intent_id))

    def refund(self, request: RefundRequest) -> Refund:
        with _answer():
            refund = self.client.v1.refunds.create(
                {"payment_intent": request.intent_id, "amount": request.amount},
                {"idempotency_key": request.idempotency_key},
            )
        return self._refund(refund)

    def retrieve_refund(self, refund_id: str) -> Refund:
        with _answer():
            return self._refund(self.client.v1.refunds.retrieve(refund_id))

    def list_refunds(self, intent_id: str) -> list[Refund]:
        with _answer():
            found = self.client.v1.refunds.list(
                {"payment_intent": intent_id, "limit": self.page_size}
            ).auto_paging_iter()
            return [self._refund(refund) for refund in found]

    def transfer(self, request: TransferRequest) -> Transfer:
        params: TransferCreateParams = {
            "amount": request.amount,
            "currency": request.currency.lower(),
            "destination": request.destination,
            "transfer_group": request.transfer_group,
        }
        if request.source_charge_id:
            params["source_transaction"] = request.source_charge_id
        with _answer():
            transfer = self.client.v1.transfers.create(
                params, {"idempotency_key": request.idempotency_key}
            )
        return Transfer(transfer.id, transfer.amount, _id(transfer.destination) or "")

    def create_payout_account(self, request: PayoutAccountRequest) -> PayoutAccount:
        params: AccountCreateParams = {
            "type": "express",
            "country": request.country,
            "email": request.email,
            "metadata": _metadata(request.installation, user_id=request.user_id),
            # Freelancers only receive transfers; they never take card payments.
            "capabilities": {"transfers": {"requested": True}},
        }
        if request.country != self.platform_country:
            params["tos_acceptance"] = {"service_agreement": "recipient"}
        with _answer():
            account = self.client.v1.accounts.create(
                params, {"idempotency_key": request.idempotency_key}
            )
        return self._account(account)

    def retrieve_payout_account(self, account_id: str) -> PayoutAccount:
        try:
            account = self.client.v1.accounts.retrieve(account_id)
        except (stripe.PermissionError, stripe.InvalidRequestError) as error:
            # The freelancer disconnected the account from the platform (Stripe answers
            # 403: "Application access may have been revoked"), or it is gone.
            if isinstance(error, stripe.PermissionError) or error.code in GONE_CODES:
                return PayoutAccount(account_id, False, connected=False)
            raise classify(error) from error
        except stripe.StripeError as error:
            raise classify(error) from error
        return self._account(account)

    def onboarding_link(self, account_id: str, refresh_url: str, return_url: str) -> str | None:
        with _answer():
            link = self.client.v1.account_links.create(
                {
                    "account": account_id,
                    "type": "account_onboarding",
                    "refresh_url": refresh_url,
                    "return_url": return_url,
                }
            )
        return link.url

    def retrieve_dispute(self, dispute_id: str) -> CardDispute:
        with _answer():
            dispute = self.client.v1.disputes.retrieve(dispute_id)
        return CardDispute(
            dispute.id,
            _id(dispute.charge) or "",
            dispute.amount,
            dispute.currency.upper(),
            dispute.status,
            getattr(dispute, "reason", "") or "",
            _dispute_fee(dispute),
        )

    def reversible(self, transfer_id: str) -> int:
        """What is left of the transfer, bounded by its account's available balance in
        the transfer's currency (a reversal beyond it is refused)."""
        with _answer():
            transfer = self.client.v1.transfers.retrieve(transfer_id)
            account = _id(transfer.destination)
            balance = self.client.v1.balance.retrieve(options={"stripe_account": account})
        left = transfer.amount - (getattr(transfer, "amount_reversed", 0) or 0)
        available = sum(
            entry.amount for entry in balance.available if entry.currency == transfer.currency
        )
        return max(0, min(left, available))

    def reverse_transfer(self, request: ReversalRequest) -> Reversal:
        with _answer():
            reversal = self.client.v1.transfers.reversals.create(
                request.transfer_id,
                {"amount": request.amount},
                {"idempotency_key": request.idempotency_key},
            )
        return Reversal(reversal.id, reversal.amount)

    def find_movement(self, lookup: MovementLookup) -> list[Charge | Refund | Transfer]:
        """One call's possible records, each read with Stripe's own list filters.

        Charges: PaymentIntents `created` inside the lookup's window (whole seconds,
        widened to the second), of the installation's milestone by their metadata.
        Refunds: those of the PaymentIntent (`payment_intent`). Transfers: those in the
        group (`transfer_group`) to the destination (`destination`), and from the source
        charge when the call named one: a group alone names no installation.
        """
        with _answer():
            if lookup.kind == "charge":
                params: PaymentIntentListParams = {
                    "created": {
                        "gte": int(lookup.made_from.timestamp()),
                        "lte": int(lookup.made_until.timestamp()) + 1,
                    },
                    "limit": self.page_size,
                    "expand": [f"data.{SETTLEMENT}"],
                }
                intents = self.client.v1.payment_intents.list(params).auto_paging_iter()
                return [
                    self._charge(intent)
                    for intent in intents
                    if own_milestone(_plain(intent.metadata), lookup.installation)
                    == lookup.milestone_id
                ]
            if lookup.kind == "refund":
                return list(self.list_refunds(lookup.intent_id)) if lookup.intent_id else []
            if lookup.kind == "transfer" and lookup.transfer_group and lookup.destination:
                found = self.client.v1.transfers.list(
                    {
                        "transfer_group": lookup.transfer_group,
                        "destination": lookup.destination,
                        "limit": self.page_size,
                    }
                ).auto_paging_iter()
                return [
                    Transfer(transfer.id, transfer.amount, _id(transfer.destination) or "")
                    for transfer in found
                    if _id(getattr(transfer, "source_transaction", None)) == lookup.source_charge_id
                ]
        return []

    def list_activity(self, installation: str) -> list[MilestoneActivity]:
        """What Stripe holds for this installation, read from its lists (every page).

        Charges: succeeded PaymentIntents whose metadata names one of our milestones.
        Refunds: those of these PaymentIntents (or of their charges), any status.
        Transfers: those whose source transaction is one of these charges; one without
        a source counts if its metadata carries our namespace (its milestone from its
        metadata or its transfer group). A transfer group alone does not say whose a
        transfer is: every installation names its groups `milestone-<id>`.
        """
        charges: list[tuple[int, ChargeRecord]] = []
        refunds: list[tuple[int, RefundRecord]] = []
        transfers: list[tuple[int | None, TransferRecord]] = []
        by_intent: dict[str | None, tuple[int, str]] = {}
        by_charge: dict[str | None, tuple[int, str]] = {}
        with _answer():
            intents = self._every(self.client.v1.payment_intents, f"data.{SETTLEMENT}")
            for intent in intents:
                if intent.status != "succeeded":
                    continue
                milestone_id = own_milestone(_plain(intent.metadata), installation)
                if milestone_id is None:
                    continue
                currency = intent.currency.upper()
                amount = getattr(intent, "amount_received", None) or intent.amount
                settled = _settlement(getattr(intent, "latest_charge", None))
                charge_record = ChargeRecord(
                    intent.id,
                    amount,
                    currency,
                    fee=settled.fee if settled else 0,
                    fee_currency=settled.currency if settled else currency,
                )
                charges.append((milestone_id, charge_record))
                by_intent[intent.id] = (milestone_id, currency)
                if charge_id := _id(getattr(intent, "latest_charge", None)):
                    by_charge[charge_id] = (milestone_id, currency)
            for refund in self._every(self.client.v1.refunds):
                owner = by_intent.get(_id(getattr(refund, "payment_intent", None)))
                owner = owner or by_charge.get(_id(getattr(refund, "charge", None)))
                if owner is not None:
                    record = RefundRecord(refund.id, refund.amount, refund.status, owner[1])
                    refunds.append((owner[0], record))
            for transfer in self._every(self.client.v1.transfers):
                source = by_charge.get(_id(getattr(transfer, "source_transaction", None)))
                metadata = _plain(getattr(transfer, "metadata", None))
                if source is not None:
                    milestone_id = source[0]
                elif metadata.get("installation") == installation:
                    milestone_id = own_milestone(metadata, installation) or milestone_of_group(
                        getattr(transfer, "transfer_group", None)
                    )
                else:
                    continue
                sent = TransferRecord(
                    transfer.id,
                    transfer.amount,
                    transfer.currency.upper(),
                    _id(transfer.destination) or "",
                    getattr(transfer, "amount_reversed", 0) or 0,
                )
                transfers.append((milestone_id, sent))
            chargebacks: list[tuple[int, ChargebackRecord]] = []
            for dispute in self._every(self.client.v1.disputes):
                owner = by_charge.get(_id(getattr(dispute, "charge", None)))
                if owner is not None and dispute.status == "lost":
                    lost = ChargebackRecord(
                        dispute.id, dispute.amount, owner[1], _dispute_fee(dispute)
                    )
                    chargebacks.append((owner[0], lost))
        return group_activity(charges, refunds, transfers, chargebacks)

    def _every(self, service, *expand: str):
        """Every object of one of Stripe's lists, page after page."""
        params: dict = {"limit": self.page_size}
        if expand:
            params["expand"] = list(expand)
        return service.list(params).auto_paging_iter()

    @staticmethod
    def _charge(intent) -> Charge:
        return Charge(
            intent_id=intent.id,
            status=intent.status,
            amount=intent.amount,
            currency=intent.currency.upper(),
            charge_id=_id(getattr(intent, "latest_charge", None)),
            client_secret=getattr(intent, "client_secret", None),
            metadata=(intent.metadata.to_dict() if getattr(intent, "metadata", None) else {}),
            settlement=_settlement(getattr(intent, "latest_charge", None))
            if intent.status == "succeeded"
            else None,
        )

    @staticmethod
    def _refund(refund) -> Refund:
        return Refund(
            refund.id,
            refund.amount,
            refund.status or "pending",
            _id(getattr(refund, "payment_intent", None)),
        )

    @staticmethod
    def _account(account) -> PayoutAccount:
        """Transfers can reach the account: its transfers capability is active, and it is
        not disabled nor has requirements past due (Stripe stops it for those)."""
        capabilities = getattr(account, "capabilities", None)
        transfers = getattr(capabilities, "transfers", None) if capabilities else None
        requirements = getattr(account, "requirements", None)
        held = bool(
            requirements
            and (
                getattr(requirements, "disabled_reason", None)
                or getattr(requirements, "past_due", None)
            )
        )
        return PayoutAccount(account.id, transfers == "active" and not held)


# -- webhooks ---------------------------------------------------------------------------

TOLERANCE_SECONDS = 300


class BadSignature(DomainError):
    status, slug, title = 400, "bad-signature", "Webhook signature invalid"


def verify_signature(
    payload: bytes, header: str, secret: str | Sequence[str], now: float | None = None
):
    """Stripe's scheme: t=<unix time>,v1=<HMAC-SHA256 of "t.payload">, fresh within 5 minutes.

    Any of several secrets may have signed it: each webhook endpoint at Stripe (the
    platform's, the Connect one) has its own, and a rolled secret has two for a while."""
    secrets = [secret] if isinstance(secret, str) else list(secret)
    secrets = [item for item in secrets if item]
    if not secrets:
        raise BadSignature("No webhook secret is configured, so no event can be trusted.")
    parts = [item.split("=", 1) for item in header.split(",") if "=" in item]
    timestamps = [value for key, value in parts if key == "t"]
    signatures = [value for key, value in parts if key == "v1"]
    if len(timestamps) != 1 or not timestamps[0].isdigit() or not signatures:
        raise BadSignature("The Stripe-Signature header is missing or malformed.")
    signed = f"{timestamps[0]}.".encode() + payload
    expected = [hmac.new(key.encode(), signed, hashlib.sha256).hexdigest() for key in secrets]
    if not any(hmac.compare_digest(e, s) for e in expected for s in signatures):
        raise BadSignature("The signature does not match the payload.")
    if abs((now or time.time()) - int(timestamps[0])) > TOLERANCE_SECONDS:
        raise BadSignature("The event is older than 5 minutes.")


def parse_event(payload: bytes, header: str, secret: str | Sequence[str], now: float | None = None):
    """A signed Stripe event, checked (BadSignature, a 400, otherwise) and parsed.

    `secret`: the webhook secret, or several (any of them may have signed it). An event
    from a connected account (the Connect endpoint) names it in `account`."""
    verify_signature(payload, header, secret, now)
    try:
        event = json.loads(payload)
        event_id, event_type = str(event["id"]), str(event["type"])
        obj = event["data"]["object"]
        if not isinstance(obj, dict) or not isinstance(obj.get("id"), str):
            raise TypeError("an event's object has an id")
        account = event.get("account")
        if account is not None and not isinstance(account, str):
            raise TypeError("an event's account is an id")
    except (ValueError, KeyError, TypeError):
        raise BadSignature("The event is not a Stripe event.") from None
    return ProviderEvent(event_id, event_type, obj, account)
