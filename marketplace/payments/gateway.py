"""The payment gateway protocol: what the marketplace asks of a payment provider.

Dataclasses in and out, no SDK types. Every call that moves money carries an
idempotency key derived from our own row ids, so a retry after a lost response
returns the first result instead of moving the money again.
"""

from dataclasses import dataclass, field
from typing import Protocol


class GatewayError(Exception):
    """The provider failed or could not be reached; whether it acted is unknown."""


class CardDeclined(Exception):
    """The provider refused the payment method; nothing was charged."""

    def __init__(self, message: str, code: str = "card_declined"):
        super().__init__(message)
        self.code = code


class UnknownPaymentMethod(Exception):
    """The payment method is not one this gateway knows."""


@dataclass(frozen=True)
class ChargeRequest:
    amount: int
    currency: str
    idempotency_key: str
    milestone_id: int
    transfer_group: str
    payment_method: str | None = None
    description: str = ""


@dataclass(frozen=True)
class Charge:
    """A payment intent: `status` is the provider's ("succeeded", "requires_payment_method"…)."""

    intent_id: str
    status: str
    amount: int
    currency: str
    charge_id: str | None = None
    client_secret: str | None = None
    metadata: dict = field(default_factory=dict)

    @property
    def succeeded(self) -> bool:
        return self.status == "succeeded"


@dataclass(frozen=True)
class RefundRequest:
    intent_id: str
    amount: int
    idempotency_key: str


@dataclass(frozen=True)
class Refund:
    refund_id: str
    amount: int
    status: str


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
class PayoutAccountRequest:
    user_id: int
    email: str
    country: str
    idempotency_key: str


@dataclass(frozen=True)
class PayoutAccount:
    account_id: str
    transfers_active: bool


class PaymentGateway(Protocol):
    name: str

    def charge(self, request: ChargeRequest) -> Charge: ...

    def retrieve_charge(self, intent_id: str) -> Charge: ...

    def cancel_charge(self, intent_id: str) -> None: ...

    def refund(self, request: RefundRequest) -> Refund: ...

    def transfer(self, request: TransferRequest) -> Transfer: ...

    def create_payout_account(self, request: PayoutAccountRequest) -> PayoutAccount: ...

    def retrieve_payout_account(self, account_id: str) -> PayoutAccount: ...

    def onboarding_link(self, account_id: str) -> str | None: ...
