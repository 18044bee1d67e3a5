"""The payment gateway protocol: what the marketplace asks of a payment provider.

Dataclasses in and out, no SDK types. Every call that creates something carries an
idempotency key (payments/keys.py), so a retry after a lost response returns the
first result instead of moving the money again, and what it creates carries the
installation's namespace in its metadata.

A call that does not succeed ends in one of two ways, and each adapter decides which
in one place (its own errors, or the SDK's, mapped by one function):

- `ProviderRefused`: a definite no. The provider did not act; nothing moved. A card
  decline, an unknown payment method, an amount the provider does not take, an account
  that cannot receive transfers, a key used before with other parameters, credentials
  or permissions the provider refuses, any other invalid request.
- `ProviderUnavailable`: no answer, or one that does not say. The provider may or may
  not have acted: a connection error or timeout, a 5xx, a rate limit, a lock timeout
  or a request with the same key still in progress.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol


class ProviderUnavailable(Exception):
    """The provider failed or could not be reached; whether it acted is unknown."""


class ProviderRefused(Exception):
    """The provider refused the call: it did not act, nothing moved.

    `code` is the provider's (Stripe's error code, or the local gateway's like it);
    `message` says what was refused in words a user of the marketplace may read.
    """

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


class CardDeclined(ProviderRefused):
    """The provider refused the payment method; nothing was charged."""


class UnknownPaymentMethod(ProviderRefused):
    """The payment method is not one the provider knows."""


class AmountRefused(ProviderRefused):
    """The provider does not take this amount (under its minimum, over its maximum)
    or this currency."""


class DestinationRefused(ProviderRefused):
    """The payout account cannot receive this transfer now (its transfers capability
    is not active, or it is gone)."""


class KeyReused(ProviderRefused):
    """The idempotency key was used before with other parameters; this call did nothing.

    What the earlier call with that key did is not said: a call of ours still waiting
    for its answer under that key stays unsettled.
    """


@dataclass(frozen=True)
class ProviderEvent:
    """Something the provider tells us (a webhook's event), checked and parsed by its
    adapter: the event's id (each is handled once), its type, and the object it is about."""

    id: str
    type: str
    object: dict
    # The connected account it happened on (Stripe's Connect events), if any.
    account: str | None = None


@dataclass(frozen=True)
class ChargeRequest:
    amount: int
    currency: str
    idempotency_key: str
    milestone_id: int
    transfer_group: str
    payment_method: str | None = None
    description: str = ""
    installation: str = ""


@dataclass(frozen=True)
class Settlement:
    """What a succeeded charge added to the platform's balance at the provider (Stripe's
    balance transaction): `amount` in the settlement `currency`, of which the provider
    kept `fee`; `exchange_rate` (a decimal string) when it converted the charge, else None."""

    id: str
    currency: str
    amount: int
    fee: int
    exchange_rate: str | None = None


@dataclass(frozen=True)
class Charge:
    """A payment intent: `status` is the provider's ("succeeded", "requires_payment_method"…);
    `settlement` once it succeeded, if the provider has settled it."""

    intent_id: str
    status: str
    amount: int
    currency: str
    charge_id: str | None = None
    client_secret: str | None = None
    metadata: dict = field(default_factory=dict)
    settlement: Settlement | None = None

    @property
    def succeeded(self) -> bool:
        return self.status == "succeeded"


@dataclass(frozen=True)
class RefundRequest:
    intent_id: str
    amount: int
    idempotency_key: str


# A refund's statuses at the provider (Stripe's): still to happen, and never to happen.
REFUND_WAITING = frozenset({"pending", "requires_action"})
REFUND_FAILED = frozenset({"failed", "canceled"})


@dataclass(frozen=True)
class Refund:
    """A refund: `status` is the provider's. Only a succeeded one has moved money; a
    pending one may still fail, and then the money stays with the platform."""

    refund_id: str
    amount: int
    status: str
    intent_id: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.status == "succeeded"

    @property
    def waiting(self) -> bool:
        return self.status in REFUND_WAITING

    @property
    def failed(self) -> bool:
        return self.status in REFUND_FAILED


@dataclass(frozen=True)
class TransferRequest:
    amount: int
    currency: str
    destination: str
    source_charge_id: str | None
    transfer_group: str
    idempotency_key: str


@dataclass(frozen=True)
class Transfer:
    transfer_id: str
    amount: int
    destination: str


@dataclass(frozen=True)
class CardDispute:
    """A cardholder's dispute of a charge (a chargeback), as the provider tells it now.

    `status` is the provider's: open while the card network decides (Stripe:
    needs_response, under_review, warning_*...), then `won` or `lost`."""

    id: str
    charge_id: str
    amount: int
    currency: str
    status: str
    reason: str = ""
    # What the provider charges the platform for the dispute (Stripe's dispute fee).
    fee: int = 0

    @property
    def won(self) -> bool:
        return self.status == "won"

    @property
    def lost(self) -> bool:
        return self.status == "lost"


@dataclass(frozen=True)
class ReversalRequest:
    """Take (part of) a transfer back from the payout account it went to."""

    transfer_id: str
    amount: int
    idempotency_key: str


@dataclass(frozen=True)
class Reversal:
    reversal_id: str
    amount: int


@dataclass(frozen=True)
class PayoutAccountRequest:
    user_id: int
    email: str
    country: str
    idempotency_key: str
    installation: str = ""


@dataclass(frozen=True)
class PayoutAccount:
    account_id: str
    transfers_active: bool
    # False once the account holder disconnected it from the platform (or it is gone):
    # it can never be paid again, and the freelancer sets up a new one.
    connected: bool = True


# -- one call of ours looked up at the provider ----------------------------------------


@dataclass(frozen=True)
class MovementLookup:
    """A call of ours whose answer was lost, to be found in the provider's records
    because its idempotency key may be forgotten there (payments/keys.py).

    What the call can have made at the provider: for `installation`'s `milestone_id`,
    a charge made between `made_from` and `made_until` (the call, and any repeat of it,
    reached the provider inside that window); a refund of the PaymentIntent
    `intent_id`; a transfer in `transfer_group` to `destination`, from the charge
    `source_charge_id` if it had one.
    """

    kind: str  # "charge", "refund" or "transfer" (milestones/models.py MovementKind)
    installation: str
    milestone_id: int
    made_from: datetime
    made_until: datetime
    intent_id: str | None = None
    transfer_group: str | None = None
    destination: str | None = None
    source_charge_id: str | None = None


# -- what the provider did, for reconciliation ------------------------------------------


@dataclass(frozen=True)
class ChargeRecord:
    """A charge that succeeded: money taken from the client's card; `fee` what the
    provider kept of it, in `fee_currency` (its settlement currency)."""

    id: str
    amount: int
    currency: str
    fee: int = 0
    fee_currency: str | None = None


@dataclass(frozen=True)
class RefundRecord:
    """A refund of one of the charges, in that charge's currency; only a succeeded one
    has moved money."""

    id: str
    amount: int
    status: str
    currency: str

    @property
    def succeeded(self) -> bool:
        return self.status == "succeeded"


@dataclass(frozen=True)
class TransferRecord:
    """A transfer to a payout account; `reversed` is the part taken back since."""

    id: str
    amount: int
    currency: str
    destination: str
    reversed: int = 0


@dataclass(frozen=True)
class ChargebackRecord:
    """A chargeback the cardholder won: the charge's money went back to them, and the
    provider charged its `fee` for the dispute."""

    id: str
    amount: int
    currency: str
    fee: int = 0


@dataclass(frozen=True)
class MilestoneActivity:
    """What the provider did for one milestone (`milestone_id` None: for this
    installation, but not tied to any milestone)."""

    milestone_id: int | None
    charges: tuple[ChargeRecord, ...] = ()
    refunds: tuple[RefundRecord, ...] = ()
    transfers: tuple[TransferRecord, ...] = ()
    chargebacks: tuple[ChargebackRecord, ...] = ()


def own_milestone(metadata: dict, installation: str) -> int | None:
    """The milestone a provider record's metadata names, if the record is this
    installation's: its namespace, or none at all (made before installations were
    named). None for another installation's record or one that names no milestone."""
    if metadata.get("installation", installation) != installation:
        return None
    milestone_id = str(metadata.get("milestone_id", ""))
    return int(milestone_id) if milestone_id.isdigit() else None


def milestone_of_group(transfer_group: str | None) -> int | None:
    """The milestone of a `milestone-<id>` transfer group (ours only if the record is)."""
    number = (transfer_group or "").removeprefix("milestone-")
    return int(number) if transfer_group and number.isdigit() else None


def group_activity(
    charges: list[tuple[int, ChargeRecord]],
    refunds: list[tuple[int, RefundRecord]],
    transfers: list[tuple[int | None, TransferRecord]],
    chargebacks: list[tuple[int, ChargebackRecord]] | None = None,
) -> list[MilestoneActivity]:
    """Records attributed to milestones, gathered per milestone (in id order, then the
    records of no milestone)."""
    found: dict[int | None, dict[str, list]] = {}
    for name, records in (
        ("charges", charges),
        ("refunds", refunds),
        ("transfers", transfers),
        ("chargebacks", chargebacks or []),
    ):
        for milestone_id, record in records:
            found.setdefault(milestone_id, {}).setdefault(name, []).append(record)
    return [
        MilestoneActivity(milestone_id, **{k: tuple(v) for k, v in lists.items()})
        for milestone_id, lists in sorted(found.items(), key=lambda i: (i[0] is None, i[0] or 0))
    ]


class PaymentGateway(Protocol):
    name: str
    # How long the provider remembers an idempotency key (None: for ever). A call older
    # than that cannot be repeated safely: a repeat would be a new call.
    key_lifetime: timedelta | None

    def charge(self, request: ChargeRequest) -> Charge: ...

    def retrieve_charge(self, intent_id: str) -> Charge: ...

    def cancel_charge(self, intent_id: str) -> Charge:
        """Cancel an intent that is not paid, so it can never charge later; returns it as
        it ends (`succeeded` if it was paid meanwhile, `processing` if it cannot be
        cancelled now)."""
        ...

    def refund(self, request: RefundRequest) -> Refund: ...

    def retrieve_refund(self, refund_id: str) -> Refund: ...

    def list_refunds(self, intent_id: str) -> list[Refund]:
        """Every refund of the intent's charge, whoever made it (ours, the Dashboard's)."""
        ...

    def transfer(self, request: TransferRequest) -> Transfer: ...

    def create_payout_account(self, request: PayoutAccountRequest) -> PayoutAccount: ...

    def retrieve_payout_account(self, account_id: str) -> PayoutAccount: ...

    def onboarding_link(self, account_id: str, refresh_url: str, return_url: str) -> str | None:
        """Where the account holder finishes onboarding (None: nothing to do there).

        `refresh_url`: where the provider sends them when that link expired or was used,
        to be given a fresh one; `return_url`: where it sends them when done."""
        ...

    def retrieve_dispute(self, dispute_id: str) -> CardDispute: ...

    def reversible(self, transfer_id: str) -> int:
        """How much of the transfer its payout account can give back now: what is left of
        it, bounded by the account's available balance."""
        ...

    def reverse_transfer(self, request: ReversalRequest) -> Reversal: ...

    def find_movement(self, lookup: MovementLookup) -> list[Charge | Refund | Transfer]:
        """What the provider holds that the looked-up call may have made (any status):
        the installation's charges of the milestone made in the window, the refunds of
        the intent, or the transfers to the destination in the group (from the source
        charge). Read with the provider's narrowest filters: a few objects, never every
        record of the account as `list_activity` reads them."""
        ...

    def list_activity(self, installation: str) -> list[MilestoneActivity]:
        """What the provider did for this installation (its namespace), per milestone:
        succeeded charges, refunds and transfers, from the provider's own records.

        Records of other installations sharing the provider account are left out;
        those made before installations were named carry no namespace and count as
        this installation's (as webhooks take them).
        """
        ...


def build_gateway(config) -> PaymentGateway:
    """The gateway the settings name: `PAYMENT_GATEWAY` = `local` (default) or `stripe`."""
    if config["PAYMENT_GATEWAY"] == "stripe":
        from marketplace.payments.stripe_gateway import StripeGateway

        return StripeGateway.from_config(config)
    from marketplace.payments.local_gateway import LocalGateway

    return LocalGateway(config["LOCAL_GATEWAY_PATH"])


def get_gateway() -> PaymentGateway:
    """The app's payment gateway, built on first use from its settings."""
    from flask import current_app

    extensions = current_app.extensions
    if "payment_gateway" not in extensions:
        extensions["payment_gateway"] = build_gateway(current_app.config)
    return extensions["payment_gateway"]
