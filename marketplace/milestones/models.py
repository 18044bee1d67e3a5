"""A milestone's escrow movements: one row per charge, refund, release and transfer."""

import enum
from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.database import Base, UTCDateTime, in_values, utcnow


class MovementKind(enum.StrEnum):
    CHARGE = "charge"  # the client's card to the platform: the milestone's escrow
    REFUND = "refund"  # escrow back to the client's card
    RELEASE = "release"  # escrow to the freelancer's pending payout (in the ledger only)
    TRANSFER = "transfer"  # a release, less its fee, to the freelancer's payout account


# The kinds that are calls to the payment provider.
PROVIDER_KINDS = frozenset({MovementKind.CHARGE, MovementKind.REFUND, MovementKind.TRANSFER})


class MovementStatus(enum.StrEnum):
    PENDING = "pending"  # written down, the provider called or about to be: outcome unknown
    PROCESSING = "processing"  # the provider took it; the money has not moved yet
    SUCCEEDED = "succeeded"  # the money moved (and is booked in the ledger)
    FAILED = "failed"  # refused or abandoned: nothing moved


class EscrowMovement(Base):
    """One movement of a milestone's money: a charge, refund, release or transfer.

    A provider call's row is committed (pending, with the exact parameters and the
    idempotency key) before the call is made; its outcome, the ledger transaction and
    the status change commit together after (milestones/engine.py). A row left
    pending by a crash is recovered by asking the provider again with the same key.
    `action` is what the movement is for (the milestone action, or `payout`), and
    `context` what that action books once the provider has answered.
    """

    __tablename__ = "escrow_movements"
    __table_args__ = (
        CheckConstraint(in_values("kind", MovementKind), name="kind"),
        CheckConstraint(in_values("status", MovementStatus), name="status"),
        CheckConstraint("amount > 0", name="amount_positive"),
        Index("ix_escrow_movements_milestone_id_kind", "milestone_id", "kind"),
        Index("ix_escrow_movements_status_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    milestone_id: Mapped[int] = mapped_column(ForeignKey("milestones.id"))
    kind: Mapped[str] = mapped_column(String(10))
    action: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(12))
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    idempotency_key: Mapped[str | None] = mapped_column(String(255), unique=True)
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    context: Mapped[dict] = mapped_column(JSON, default=dict)
    # The provider's id of what it made (a PaymentIntent, refund, transfer), and for a
    # charge the charge itself (a transfer's source) and the client's secret.
    provider_id: Mapped[str | None] = mapped_column(String(100), index=True)
    charge_id: Mapped[str | None] = mapped_column(String(100), index=True)
    client_secret: Mapped[str | None] = mapped_column(String(200))
    refusal: Mapped[str | None] = mapped_column(String(100))
    # A succeeded charge's balance transaction at the provider: what it added to the
    # platform's balance (in the settlement currency), the provider's processing fee
    # (booked as a `provider_fee`), and the exchange rate when it was converted.
    balance_transaction: Mapped[str | None] = mapped_column(String(100))
    settlement_currency: Mapped[str | None] = mapped_column(String(3))
    settlement_amount: Mapped[int | None] = mapped_column(BigInteger)
    provider_fee: Mapped[int | None] = mapped_column(BigInteger)
    exchange_rate: Mapped[str | None] = mapped_column(String(30))
    # A release's (and its transfer's) platform fee: the transfer sends amount - fee.
    fee: Mapped[int] = mapped_column(BigInteger, default=0)
    freelancer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # A transfer's release: the one it pays out (a milestone released in parts, by a
    # partial approval and a ruling on its held money, has one per part).
    release_id: Mapped[int | None] = mapped_column(ForeignKey("escrow_movements.id"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # While a request (or a recovery) is calling the provider for a pending movement,
    # no one else may: set before the call, cleared if it went unanswered. A crashed
    # caller's claim runs out by itself (PROVIDER_CALL_SECONDS).
    in_flight_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the provider was last called for it (written ahead, or repeated with its key):
    # what the call made at the provider, it made from `created_at` to this plus a lease.
    called_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ChargebackStatus(enum.StrEnum):
    OPEN = "open"  # the card network is deciding
    WON = "won"  # the money stays with the platform
    LOST = "lost"  # the money went back to the cardholder


class Chargeback(Base):
    """A cardholder's dispute of a milestone's charge, from the provider's first word on
    it to its close. While open, the milestone's money may not be released or refunded;
    lost, it is booked (back to the client, and after a release taken back from the
    freelancer as far as their payout account allows, the rest a platform loss)."""

    __tablename__ = "chargebacks"
    __table_args__ = (
        CheckConstraint(in_values("status", ChargebackStatus), name="status"),
        CheckConstraint("amount > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[str] = mapped_column(String(100), unique=True)
    milestone_id: Mapped[int] = mapped_column(ForeignKey("milestones.id"), index=True)
    charge_id: Mapped[str] = mapped_column(String(100))
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    reason: Mapped[str] = mapped_column(String(100), default="")
    status: Mapped[str] = mapped_column(String(10))
    # The card network took the money from the platform's balance (until reinstated).
    funds_withdrawn: Mapped[bool] = mapped_column(Boolean, default=False)
    # Opened after the money was released to the freelancer.
    after_release: Mapped[bool] = mapped_column(Boolean, default=False)
    # Taken back from the freelancer: from what still waited to be paid out
    # (`from_pending`), or by reversing the transfer that paid it out.
    reversed_amount: Mapped[int] = mapped_column(BigInteger, default=0)
    from_pending: Mapped[bool] = mapped_column(Boolean, default=False)
    # The transfer reversal decided on (written before it is asked for, so a repeat
    # asks for the same); None until then.
    reversal_planned: Mapped[int | None] = mapped_column(BigInteger)
    loss: Mapped[int] = mapped_column(BigInteger, default=0)
    # The provider's fee for a lost chargeback (Stripe's dispute fee), also a loss.
    fee: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
