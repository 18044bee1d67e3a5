"""The ledger's tables, the escrow record of each milestone, and handled webhook events."""

import enum
from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.database import Base, UTCDateTime, in_values, utcnow


class AccountKind(enum.StrEnum):
    CLIENT_FUNDS = "client_funds"  # per client: money in from (and back to) its cards
    ESCROW = "escrow"  # per milestone: held until released or refunded
    PENDING_PAYOUT = "pending_payout"  # per freelancer: released, not yet paid out
    PAID_OUT = "paid_out"  # per freelancer: sent to its payout account
    PLATFORM_FEES = "platform_fees"  # the platform's revenue


class LineType(enum.StrEnum):
    FUNDING = "funding"
    RELEASE = "release"
    FEE = "fee"
    REFUND = "refund"
    PAYOUT = "payout"


class LedgerAccount(Base):
    __tablename__ = "ledger_accounts"
    __table_args__ = (CheckConstraint(in_values("kind", AccountKind), name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # "escrow:m12", "pending_payout:u5:USD", "platform_fees:USD": one account per key.
    key: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    milestone_id: Mapped[int | None] = mapped_column(ForeignKey("milestones.id"), index=True)
    currency: Mapped[str] = mapped_column(String(3))


class LedgerTransaction(Base):
    """One money movement; its lines sum to zero. `reference` makes booking it twice impossible."""

    __tablename__ = "ledger_transactions"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    milestone_id: Mapped[int | None] = mapped_column(ForeignKey("milestones.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    lines: Mapped[list["LedgerLine"]] = relationship(lazy="selectin", order_by="LedgerLine.id")


class LedgerLine(Base):
    """An amount booked on an account: positive adds to its balance. Never updated or deleted."""

    __tablename__ = "ledger_lines"
    __table_args__ = (
        CheckConstraint(in_values("type", LineType), name="type"),
        CheckConstraint("amount <> 0", name="amount_nonzero"),
        Index("ix_ledger_lines_account_id_created_at_id", "account_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    transaction_id: Mapped[int] = mapped_column(ForeignKey("ledger_transactions.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("ledger_accounts.id"))
    type: Mapped[str] = mapped_column(String(10))
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    milestone_id: Mapped[int | None] = mapped_column(ForeignKey("milestones.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


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
    the status change commit together after (payments/movements.py). A row left
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
    # A release's (and its transfer's) platform fee: the transfer sends amount - fee.
    fee: Mapped[int] = mapped_column(BigInteger, default=0)
    freelancer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # While a request (or a recovery) is calling the provider for a pending movement,
    # no one else may: set before the call, cleared if it went unanswered. A crashed
    # caller's claim runs out by itself (PROVIDER_CALL_SECONDS).
    in_flight_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Installation(Base):
    """This database's identity at the payment provider: one row, made by the migration.

    Its `namespace` (random) starts every idempotency key and is in the metadata of
    what we create at the provider, so two databases that share a Stripe account or a
    local gateway store (staging beside production, a fresh database beside an old
    store) never send each other's keys nor book each other's charges. A copy of a
    database keeps it, which is right for a restored backup of the same installation;
    a copy made to run as another installation needs a new one (`flask --app wsgi
    marketplace new-installation-namespace`, before its first money action).
    """

    __tablename__ = "installation"
    __table_args__ = (CheckConstraint("id = 1", name="one_row"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    namespace: Mapped[str] = mapped_column(String(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class WebhookEvent(Base):
    """A provider event we have handled: each event id is handled once."""

    __tablename__ = "webhook_events"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    type: Mapped[str] = mapped_column(String(100))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


@event.listens_for(LedgerLine, "before_update")
@event.listens_for(LedgerLine, "before_delete")
@event.listens_for(LedgerTransaction, "before_update")
@event.listens_for(LedgerTransaction, "before_delete")
def _append_only(_mapper, _connection, target):
    """The ledger only grows: a correction is a new transaction, never an edit."""
    raise RuntimeError(f"{type(target).__name__} {target.id} is append-only")
