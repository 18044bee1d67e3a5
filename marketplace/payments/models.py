"""The ledger's tables, the escrow record of each milestone, and handled webhook events."""

import enum
from datetime import datetime

from sqlalchemy import (
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
    # What the platform lost (a chargeback it could not take back from the freelancer):
    # its balance only falls, and minus it is the loss.
    PLATFORM_LOSS = "platform_loss"
    PLATFORM_FEES = "platform_fees"  # the platform's revenue, less the provider fees it bears
    PROVIDER_FEES = "provider_fees"  # what the payment provider kept of the charges (its fees)


class LineType(enum.StrEnum):
    FUNDING = "funding"
    RELEASE = "release"
    FEE = "fee"
    REFUND = "refund"
    PAYOUT = "payout"
    CHARGEBACK = "chargeback"  # the cardholder's bank took the money back
    CHARGEBACK_REVERSAL = "chargeback_reversal"  # taken back from the freelancer's payout
    PROVIDER_FEE = "provider_fee"


# Line types booked only on the platform's own accounts: no user's statement shows them.
PLATFORM_LINE_TYPES = frozenset({LineType.PROVIDER_FEE})
# ...and those a user's statement (GET /me/transactions) may show.
STATEMENT_LINE_TYPES = [t.value for t in LineType if t not in PLATFORM_LINE_TYPES]


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
    type: Mapped[str] = mapped_column(String(20))
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    milestone_id: Mapped[int | None] = mapped_column(ForeignKey("milestones.id"))
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
