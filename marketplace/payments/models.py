"""The ledger's tables, the escrow record of each milestone, and handled webhook events."""

import enum
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
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


class EscrowPayment(Base):
    """What the payment gateway knows of a milestone's money: its charge, refund, transfer."""

    __tablename__ = "escrow_payments"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    milestone_id: Mapped[int] = mapped_column(ForeignKey("milestones.id"), unique=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    # A declined attempt is final at the gateway; the next one needs a new idempotency key.
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    intent_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    intent_status: Mapped[str | None] = mapped_column(String(40))
    client_secret: Mapped[str | None] = mapped_column(String(200))
    charge_id: Mapped[str | None] = mapped_column(String(100))
    refund_id: Mapped[str | None] = mapped_column(String(100))
    refunded_amount: Mapped[int] = mapped_column(BigInteger, default=0)
    # Released to the freelancer: gross, the fee on it, and its transfer once paid out.
    released_amount: Mapped[int] = mapped_column(BigInteger, default=0)
    fee_amount: Mapped[int] = mapped_column(BigInteger, default=0)
    freelancer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    transfer_id: Mapped[str | None] = mapped_column(String(100))
    paid_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def net_release(self) -> int:
        return self.released_amount - self.fee_amount


class ProviderOperation(Base):
    """A call that moves money at the payment provider, until we know how it ended.

    If the provider's answer is lost (a timeout), the call may or may not have acted.
    Its row stays unsettled, and the milestone takes no other money action until the
    same call, with the same idempotency key and amount, is made again and answered.
    A call the provider refused is settled at once with the provider's `refusal` code:
    nothing moved, and the next call of its kind on the milestone gets a new key (the
    provider answers a key it refused with the same refusal).
    """

    __tablename__ = "provider_operations"

    id: Mapped[int] = mapped_column(primary_key=True)
    milestone_id: Mapped[int] = mapped_column(ForeignKey("milestones.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    idempotency_key: Mapped[str] = mapped_column(String(255), unique=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    detail: Mapped[str] = mapped_column(String(255), default="")
    settled: Mapped[bool] = mapped_column(Boolean, default=False)
    refusal: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


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
