"""The double-entry ledger: the only code that writes money.

Every movement is one transaction whose lines sum to zero in each currency; lines are
only ever added. A transaction's `reference` is unique ("funding:m12"), so the
database itself refuses to book the same movement twice. Balances and statements are
read from the lines, never stored beside them.
"""

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import bindparam, case, exists, func, insert, select, text
from sqlalchemy.dialects import sqlite

from marketplace.contracts.models import Contract, Milestone
from marketplace.database import UTCDateTime, utcnow
from marketplace.extensions import db
from marketplace.milestones.models import (
    Chargeback,
    ChargebackStatus,
    EscrowMovement,
    MovementKind,
    MovementStatus,
)
from marketplace.payments.models import (
    AccountKind,
    LedgerAccount,
    LedgerLine,
    LedgerTransaction,
    LineType,
)
from marketplace.states import MilestoneStatus

K, T = AccountKind, LineType

# Milestone states in which its escrow account holds money (its whole amount, but for a
# partial approval's held part, and what refunds took); in every other state the escrow
# account must be empty.
HOLDING = frozenset(
    {
        MilestoneStatus.FUNDED,
        MilestoneStatus.SUBMITTED,
        MilestoneStatus.CHANGES_REQUESTED,
        MilestoneStatus.PARTIALLY_APPROVED,
        MilestoneStatus.DISPUTED,
    }
)


class LedgerError(Exception):
    """A booking that would break the ledger's rules: a bug, never a user error."""


@dataclass(frozen=True)
class Account:
    """An account by what it is for; it is created on first use."""

    kind: str
    currency: str
    user_id: int | None = None
    milestone_id: int | None = None

    @property
    def key(self) -> str:
        if self.kind == K.ESCROW:
            return f"escrow:m{self.milestone_id}"
        if self.user_id is not None:
            return f"{self.kind}:u{self.user_id}:{self.currency}"
        return f"{self.kind}:{self.currency}"


@dataclass(frozen=True)
class Entry:
    account: Account
    type: str
    amount: int


def _account_row(account: Account) -> dict:
    return {
        "key": account.key,
        "kind": account.kind,
        "currency": account.currency,
        "user_id": account.user_id,
        "milestone_id": account.milestone_id,
    }


def account_ids(accounts: list[Account]) -> dict[str, int]:
    """Each account's id by key, creating the missing ones (safely, if two requests race).

    Creating never locks an existing account's row, so bookings on the platform's shared
    accounts never queue behind each other. On PostgreSQL one statement both creates the
    missing accounts and reads every id; on SQLite one SELECT when they all exist, as they
    do after a user's first booking, else an INSERT of the missing ones and a SELECT.
    Either way, an account another request made meanwhile (skipped by the INSERT, and
    too new for the statement to see) is read by one more SELECT.
    """
    wanted = {a.key: a for a in accounts}
    if db.session.get_bind().dialect.name == "postgresql":
        found = _create_and_read_accounts(list(wanted.values()))
    else:
        found = _read_accounts(list(wanted))
        missing = [a for key, a in wanted.items() if key not in found]
        if missing:
            db.session.execute(
                sqlite.insert(LedgerAccount)
                .values([_account_row(a) for a in missing])
                .on_conflict_do_nothing(index_elements=["key"])
            )
    missing_keys = [key for key in wanted if key not in found]
    if missing_keys:
        found.update(_read_accounts(missing_keys))
    return found


def _read_accounts(keys: list[str]) -> dict[str, int]:
    return dict(
        db.session.execute(
            select(LedgerAccount.key, LedgerAccount.id).where(LedgerAccount.key.in_(keys))
        ).all()
    )


# PostgreSQL: the accounts not there yet are made (their ids RETURNING) and the others'
# ids read, in one statement. Its rows come as arrays, so that its text is the same for
# any accounts and SQLAlchemy compiles it once (a VALUES list is compiled every time).
_CREATE_AND_READ_ACCOUNTS = text(
    """
    WITH wanted AS (
        SELECT * FROM unnest(
            CAST(:keys AS varchar[]), CAST(:kinds AS varchar[]),
            CAST(:currencies AS varchar[]), CAST(:user_ids AS integer[]),
            CAST(:milestone_ids AS integer[])
        ) AS w (key, kind, currency, user_id, milestone_id)
    ),
    made AS (
        INSERT INTO ledger_accounts (key, kind, currency, user_id, milestone_id)
        SELECT key, kind, currency, user_id, milestone_id FROM wanted
        WHERE NOT EXISTS (SELECT 1 FROM ledger_accounts a WHERE a.key = wanted.key)
        ON CONFLICT (key) DO NOTHING
        RETURNING key, id
    )
    SELECT key, id FROM made
    UNION ALL
    SELECT key, id FROM ledger_accounts WHERE key = ANY(CAST(:keys AS varchar[]))
    """
)


def _create_and_read_accounts(accounts: list[Account]) -> dict[str, int]:
    params = {
        "keys": [a.key for a in accounts],
        "kinds": [str(a.kind) for a in accounts],
        "currencies": [a.currency for a in accounts],
        "user_ids": [a.user_id for a in accounts],
        "milestone_ids": [a.milestone_id for a in accounts],
    }
    return {
        key: account_id for key, account_id in db.session.execute(_CREATE_AND_READ_ACCOUNTS, params)
    }


@dataclass(frozen=True)
class Booking:
    """One balanced transaction to add: its lines sum to zero in each currency."""

    reference: str
    kind: str
    milestone_id: int | None
    entries: list[Entry]


def book(reference: str, kind: str, milestone_id: int | None, entries: list[Entry]) -> None:
    """Add one balanced transaction to the session's transaction (the caller commits)."""
    book_all([Booking(reference, kind, milestone_id, entries)])


def book_all(bookings: list[Booking]) -> None:
    """Add balanced transactions to the session's transaction (the caller commits).

    Their accounts are found (or made) together; on PostgreSQL every transaction and
    line is then written by one statement (the lines' INSERT selecting from the
    transactions' INSERT ... RETURNING, a CTE)."""
    lines_of: dict[str, list[Entry]] = {}
    for booking in bookings:
        entries = [e for e in booking.entries if e.amount != 0]
        totals: dict[str, int] = defaultdict(int)
        for entry in entries:
            totals[entry.account.currency] += entry.amount
        if len(entries) < 2 or any(totals.values()):
            raise LedgerError(
                f"{booking.reference}: lines must be two or more and balance: {totals}"
            )
        lines_of[booking.reference] = entries
    if not bookings:
        return
    ids = account_ids([e.account for entries in lines_of.values() for e in entries])
    now = utcnow()
    rows = [
        {
            "reference": reference,
            "account_id": ids[e.account.key],
            "type": e.type,
            "amount": e.amount,
            "currency": e.account.currency,
        }
        for reference, entries in lines_of.items()
        for e in entries
    ]
    if db.session.get_bind().dialect.name != "postgresql":
        transactions = LedgerTransaction.__table__
        made = (
            insert(LedgerTransaction)
            .values(
                [
                    {
                        "reference": b.reference,
                        "kind": b.kind,
                        "milestone_id": b.milestone_id,
                        "created_at": now,
                    }
                    for b in bookings
                ]
            )
            .returning(transactions.c.id, transactions.c.reference, transactions.c.milestone_id)
        )
        made_ids = {
            reference: (transaction_id, milestone_id)
            for transaction_id, reference, milestone_id in db.session.execute(made)
        }
        db.session.execute(
            insert(LedgerLine),
            [
                {
                    "transaction_id": made_ids[row["reference"]][0],
                    "milestone_id": made_ids[row["reference"]][1],
                    "created_at": now,
                    **{k: v for k, v in row.items() if k != "reference"},
                }
                for row in rows
            ],
        )
        return
    db.session.execute(
        _BOOK,
        {
            "references": [b.reference for b in bookings],
            "kinds": [b.kind for b in bookings],
            "milestone_ids": [b.milestone_id for b in bookings],
            "now": now,
            "line_references": [row["reference"] for row in rows],
            "account_ids": [row["account_id"] for row in rows],
            "types": [str(row["type"]) for row in rows],
            "amounts": [row["amount"] for row in rows],
            "currencies": [row["currency"] for row in rows],
        },
    )


# PostgreSQL: the transactions (INSERT ... RETURNING, a CTE) and their lines in one
# statement, its rows as arrays so that SQLAlchemy compiles it once.
_BOOK = text(
    """
    WITH made AS (
        INSERT INTO ledger_transactions (reference, kind, milestone_id, created_at)
        SELECT reference, kind, milestone_id, :now
        FROM unnest(
            CAST(:references AS varchar[]), CAST(:kinds AS varchar[]),
            CAST(:milestone_ids AS integer[])
        ) AS t (reference, kind, milestone_id)
        RETURNING id, reference, milestone_id, created_at
    )
    INSERT INTO ledger_lines
        (transaction_id, account_id, type, amount, currency, milestone_id, created_at)
    SELECT made.id, l.account_id, l.type, l.amount, l.currency, made.milestone_id,
        made.created_at
    FROM made JOIN unnest(
        CAST(:line_references AS varchar[]), CAST(:account_ids AS integer[]),
        CAST(:types AS varchar[]), CAST(:amounts AS bigint[]), CAST(:currencies AS varchar[])
    ) AS l (reference, account_id, type, amount, currency) ON l.reference = made.reference
    """
).bindparams(bindparam("now", type_=UTCDateTime()))


def _provider_fee_problems() -> list[str]:
    """Each succeeded charge's provider fee is booked once, in its settlement currency,
    and only those are: per currency, the provider_fees account equals the fees the
    charges' balance transactions name."""
    on_charges = db.session.execute(
        select(EscrowMovement.settlement_currency, func.sum(EscrowMovement.provider_fee))
        .where(
            EscrowMovement.kind == MovementKind.CHARGE,
            EscrowMovement.status == MovementStatus.SUCCEEDED,
            EscrowMovement.provider_fee.is_not(None),
        )
        .group_by(EscrowMovement.settlement_currency)
    )
    expected = {str(currency): int(total) for currency, total in on_charges if total}
    dispute_fees = db.session.execute(
        select(Chargeback.currency, func.sum(Chargeback.fee))
        .where(Chargeback.status == ChargebackStatus.LOST)
        .group_by(Chargeback.currency)
    )
    for currency, total in dispute_fees:
        if total:
            expected[str(currency)] = expected.get(str(currency), 0) + int(total)
    in_ledger = db.session.execute(
        select(LedgerLine.currency, func.sum(LedgerLine.amount))
        .join(LedgerAccount, LedgerAccount.id == LedgerLine.account_id)
        .where(LedgerAccount.kind == K.PROVIDER_FEES)
        .group_by(LedgerLine.currency)
    )
    booked = {str(currency): int(total) for currency, total in in_ledger}
    return [
        f"provider fees in {currency}: {booked.get(currency, 0)} booked, "
        f"{expected.get(currency, 0)} on the charges' balance transactions"
        for currency in sorted(set(expected) | set(booked))
        if booked.get(currency, 0) != expected.get(currency, 0)
    ]


def _outside_refunds() -> dict[int, int]:
    """Per milestone, what refunds made outside the marketplace took from its escrow."""
    rows = db.session.execute(
        select(EscrowMovement.milestone_id, func.sum(EscrowMovement.amount))
        .where(
            EscrowMovement.kind == MovementKind.REFUND,
            EscrowMovement.action == "outside_refund",
            EscrowMovement.status == MovementStatus.SUCCEEDED,
        )
        .group_by(EscrowMovement.milestone_id)
    )
    return {m: int(total) for m, total in rows}


def _held_problems(milestone_id: int, status: str, kept: int, held: int, outside: int) -> list:
    """A partial approval's held money: all that a partially approved milestone's escrow
    holds, and, disputed from it, all the ruling splits (less what a refund made outside
    the marketplace took); no other milestone holds any."""
    if status == MilestoneStatus.PARTIALLY_APPROVED:
        if held <= 0 or kept != held:
            return [f"milestone {milestone_id} is partially approved holding {held}, but its "
                    f"escrow holds {kept}"]  # fmt: skip
    elif status == MilestoneStatus.DISPUTED and held:
        if kept != held - outside:
            return [f"milestone {milestone_id} is disputed over {held} held (less {outside} "
                    f"refunded outside), but its escrow holds {kept}"]  # fmt: skip
    elif held:
        return [f"milestone {milestone_id} is {status} but holds {held} for rejected rows"]
    return []


def _movements_by_milestone() -> dict[int, tuple[int, int, int]]:
    """Per milestone, from its movements: (charged, refunded, released), succeeded only."""
    S, M = MovementStatus.SUCCEEDED, MovementKind
    rows = db.session.execute(
        select(
            EscrowMovement.milestone_id,
            func.sum(case((EscrowMovement.kind == M.CHARGE, EscrowMovement.amount), else_=0)),
            func.sum(case((EscrowMovement.kind == M.REFUND, EscrowMovement.amount), else_=0)),
            func.sum(case((EscrowMovement.kind == M.RELEASE, EscrowMovement.amount), else_=0)),
        )
        .where(EscrowMovement.status == S)
        .group_by(EscrowMovement.milestone_id)
    )
    return {m: (int(c), int(r), int(rel)) for m, c, r, rel in rows}


def escrow_balance(milestone_id: int) -> int:
    # int(): PostgreSQL sums a bigint as a numeric (a Decimal), which a refund's amount,
    # written into its movement's JSON parameters, must not be.
    return int(
        db.session.scalars(
            select(func.coalesce(func.sum(LedgerLine.amount), 0))
            .join(LedgerAccount, LedgerAccount.id == LedgerLine.account_id)
            .where(LedgerAccount.key == f"escrow:m{milestone_id}")
        ).one()
    )


def book_funding(milestone: Milestone, client_id: int, *fees: Booking) -> None:
    """The client's money arrives in the milestone's escrow; `fees` (provider_fee's
    bookings) are booked with it."""
    amount, currency = milestone.amount, milestone.currency
    book_all([Booking(f"funding:m{milestone.id}", "funding", milestone.id, [
        Entry(Account(K.CLIENT_FUNDS, currency, user_id=client_id), T.FUNDING, -amount),
        Entry(Account(K.ESCROW, currency, milestone_id=milestone.id), T.FUNDING, amount),
    ]), *fees])  # fmt: skip


def provider_fee(movement_id: int, milestone_id: int, currency: str, fee: int) -> list[Booking]:
    """What the provider kept of a charge (in its settlement currency): the platform bears
    it, so it comes out of the platform's fees. A fee of 0 books nothing."""
    if fee == 0:
        return []
    return [Booking(f"provider_fee:c{movement_id}", "provider_fee", milestone_id, [
        Entry(Account(K.PLATFORM_FEES, currency), T.PROVIDER_FEE, -fee),
        Entry(Account(K.PROVIDER_FEES, currency), T.PROVIDER_FEE, fee),
    ])]  # fmt: skip


def book_dispute_fee(chargeback_id: int, milestone_id: int, currency: str, fee: int) -> None:
    """The provider's fee for a chargeback the platform lost: a loss of the platform's,
    kept by the provider. A fee of 0 books nothing."""
    if fee == 0:
        return
    book(f"dispute_fee:{chargeback_id}", "provider_fee", milestone_id, [
        Entry(Account(K.PLATFORM_LOSS, currency), T.PROVIDER_FEE, -fee),
        Entry(Account(K.PROVIDER_FEES, currency), T.PROVIDER_FEE, fee),
    ])  # fmt: skip


def book_release(milestone: Milestone, freelancer_id: int, gross: int, fee: int, *, reference):
    """Escrow to the freelancer's pending payout (gross), less the platform's fee."""
    currency = milestone.currency
    pending = Account(K.PENDING_PAYOUT, currency, user_id=freelancer_id)
    book(reference, "release", milestone.id, [
        Entry(Account(K.ESCROW, currency, milestone_id=milestone.id), T.RELEASE, -gross),
        Entry(pending, T.RELEASE, gross),
        Entry(pending, T.FEE, -fee),
        Entry(Account(K.PLATFORM_FEES, currency), T.FEE, fee),
    ])  # fmt: skip


def book_refund(milestone: Milestone, client_id: int, amount: int, *, reference: str) -> None:
    """Escrow back to the client."""
    currency = milestone.currency
    book(reference, "refund", milestone.id, [
        Entry(Account(K.ESCROW, currency, milestone_id=milestone.id), T.REFUND, -amount),
        Entry(Account(K.CLIENT_FUNDS, currency, user_id=client_id), T.REFUND, amount),
    ])  # fmt: skip


def book_payout(
    milestone_id: int, freelancer_id: int, currency: str, amount: int, *, reference: str
) -> None:
    """A freelancer's pending money for one milestone, sent to its payout account."""
    book(reference, "payout", milestone_id, [
        Entry(Account(K.PENDING_PAYOUT, currency, user_id=freelancer_id), T.PAYOUT,
              -amount),
        Entry(Account(K.PAID_OUT, currency, user_id=freelancer_id), T.PAYOUT, amount),
    ])  # fmt: skip


def book_chargeback(
    milestone: Milestone, client_id: int, amount: int, *, from_escrow: int, reference: str
) -> None:
    """A chargeback lost before any release: the cardholder has `amount` back, from what
    the escrow still holds; the rest (the client was refunded already, and the bank
    paid it again) is the platform's loss."""
    currency = milestone.currency
    book(reference, "chargeback", milestone.id, [
        Entry(Account(K.ESCROW, currency, milestone_id=milestone.id), T.CHARGEBACK,
              -from_escrow),
        Entry(Account(K.CLIENT_FUNDS, currency, user_id=client_id), T.CHARGEBACK, amount),
        Entry(Account(K.PLATFORM_LOSS, currency), T.CHARGEBACK, from_escrow - amount),
    ])  # fmt: skip


def book_chargeback_after_release(
    milestone_id: int,
    client_id: int,
    freelancer_id: int,
    currency: str,
    amount: int,
    *,
    from_payout: int,
    from_pending: int,
    reference: str,
    from_escrow: int = 0,
) -> None:
    """A chargeback lost after the money was released: the cardholder gets `amount` back;
    `from_escrow` from what the escrow still held (a partial approval's held money),
    `from_payout` taken back from the freelancer's payout account (a transfer
    reversal), `from_pending` from what still waited to be paid out, and the rest is the
    platform's loss."""
    loss = amount - from_escrow - from_payout - from_pending
    book(reference, "chargeback", milestone_id, [
        Entry(Account(K.ESCROW, currency, milestone_id=milestone_id), T.CHARGEBACK,
              -from_escrow),
        Entry(Account(K.CLIENT_FUNDS, currency, user_id=client_id), T.CHARGEBACK, amount),
        Entry(Account(K.PAID_OUT, currency, user_id=freelancer_id), T.CHARGEBACK_REVERSAL,
              -from_payout),
        Entry(Account(K.PENDING_PAYOUT, currency, user_id=freelancer_id),
              T.CHARGEBACK_REVERSAL, -from_pending),
        Entry(Account(K.PLATFORM_LOSS, currency), T.CHARGEBACK, -loss),
    ])  # fmt: skip


def account_balance(kind: str, currency: str, user_id: int) -> int:
    return int(
        db.session.scalars(
            select(func.coalesce(func.sum(LedgerLine.amount), 0))
            .join(LedgerAccount, LedgerAccount.id == LedgerLine.account_id)
            .where(LedgerAccount.key == Account(kind, currency, user_id=user_id).key)
        ).one()
    )


# -- reading ---------------------------------------------------------------------------


def released_on_contract(contract_id):
    """SQL, true once money was released to the freelancer on any milestone of the contract.

    An approval, an auto-release and a dispute ruling that gives the freelancer part of
    the money each book a release; a ruling of 0 for the freelancer and a refund do not.
    `contract_id` is a contract id or a column (to correlate with an outer query).
    """
    return (
        select(LedgerTransaction.id)
        .join(Milestone, Milestone.id == LedgerTransaction.milestone_id)
        .where(Milestone.contract_id == contract_id, LedgerTransaction.kind == "release")
        .exists()
    )


# A user's statement: a client's funds account (funding out, refunds back) or a
# freelancer's pending payout (releases in, fees and payouts out). Its lines add up to
# the account's balance; the freelancer's paid-out account only mirrors the payouts.
STATEMENT_ACCOUNTS = (K.CLIENT_FUNDS, K.PENDING_PAYOUT)


def user_lines_query(user_id: int):
    """The lines of the user's statement account(s)."""
    return (
        select(LedgerLine)
        .join(LedgerAccount, LedgerAccount.id == LedgerLine.account_id)
        .where(LedgerAccount.user_id == user_id, LedgerAccount.kind.in_(STATEMENT_ACCOUNTS))
    )


BALANCE_COLUMNS = ("in_escrow", "pending_payout", "paid_out", "refunded", "fees")


def balances(user_id: int, role: str) -> list[dict]:
    """Per currency: in_escrow, pending_payout, paid_out, refunded, fees (minor units)."""
    result: dict[str, dict] = defaultdict(lambda: dict.fromkeys(BALANCE_COLUMNS, 0))
    own = db.session.execute(
        select(
            LedgerLine.currency,
            func.sum(case((LedgerAccount.kind == K.PENDING_PAYOUT, LedgerLine.amount), else_=0)),
            func.sum(case((LedgerAccount.kind == K.PAID_OUT, LedgerLine.amount), else_=0)),
            func.sum(
                case(
                    (LedgerLine.type.in_((T.REFUND, T.CHARGEBACK)), LedgerLine.amount),
                    else_=0,
                )
            ),
            func.sum(case((LedgerLine.type == T.FEE, -LedgerLine.amount), else_=0)),
        )
        .join(LedgerAccount, LedgerAccount.id == LedgerLine.account_id)
        .where(LedgerAccount.user_id == user_id)
        .group_by(LedgerLine.currency)
    )
    for currency, pending, paid, refunded, fees in own:
        row = result[currency]
        if role == "freelancer":
            row.update(pending_payout=pending, paid_out=paid, fees=fees)
        elif role == "client":
            row["refunded"] = refunded
    party = Contract.freelancer_id if role == "freelancer" else Contract.client_id
    escrow = db.session.execute(
        select(LedgerLine.currency, func.sum(LedgerLine.amount))
        .join(LedgerAccount, LedgerAccount.id == LedgerLine.account_id)
        .join(Milestone, Milestone.id == LedgerAccount.milestone_id)
        .join(Contract, Contract.id == Milestone.contract_id)
        .where(LedgerAccount.kind == K.ESCROW, party == user_id)
        .group_by(LedgerLine.currency)
    )
    for currency, held in escrow:
        if role in ("freelancer", "client"):
            result[currency]["in_escrow"] = held
    return [
        {"currency": currency, **{k: int(v) for k, v in row.items()}}
        for currency, row in sorted(result.items())
    ]


# -- checking --------------------------------------------------------------------------


def verify_ledger() -> dict:
    """Check every invariant of the ledger; returns {ok, transactions, problems}."""
    problems: list[str] = []
    transactions = db.session.scalar(select(func.count(LedgerTransaction.id)))

    unbalanced = db.session.execute(
        select(LedgerLine.transaction_id, LedgerLine.currency, func.sum(LedgerLine.amount))
        .group_by(LedgerLine.transaction_id, LedgerLine.currency)
        .having(func.sum(LedgerLine.amount) != 0)
    )
    problems += [f"transaction {t} does not balance in {c}: {s}" for t, c, s in unbalanced]

    short = db.session.execute(
        select(LedgerTransaction.id)
        .outerjoin(LedgerLine, LedgerLine.transaction_id == LedgerTransaction.id)
        .group_by(LedgerTransaction.id)
        .having(func.count(LedgerLine.id) < 2)
    )
    problems += [f"transaction {t} has fewer than two lines" for (t,) in short]

    mismatched = db.session.execute(
        select(LedgerLine.id)
        .join(LedgerAccount, LedgerAccount.id == LedgerLine.account_id)
        .where(LedgerLine.currency != LedgerAccount.currency)
    )
    problems += [f"line {i} is not in its account's currency" for (i,) in mismatched]

    sums = db.session.execute(
        select(
            LedgerAccount.key,
            LedgerAccount.kind,
            LedgerAccount.user_id,
            func.sum(LedgerLine.amount),
        )
        .join(LedgerLine, LedgerLine.account_id == LedgerAccount.id)
        .group_by(LedgerAccount.id, LedgerAccount.key, LedgerAccount.kind, LedgerAccount.user_id)
    )
    # A client may have more back than it paid in only by chargebacks its bank paid out
    # after the client was refunded (the platform's loss): before a release, the loss;
    # after a partial approval's release, at most what was refunded of the milestone.
    refunded_of = {m: r for m, (_c, r, _rel) in _movements_by_milestone().items()}
    paid_twice: dict[int, int] = defaultdict(int)
    for client_id, milestone_id, after_release, loss in db.session.execute(
        select(
            Contract.client_id, Chargeback.milestone_id, Chargeback.after_release, Chargeback.loss
        )
        .join(Milestone, Milestone.id == Chargeback.milestone_id)
        .join(Contract, Contract.id == Milestone.contract_id)
        .where(Chargeback.status == ChargebackStatus.LOST)
    ):
        paid_twice[client_id] += (
            min(loss, refunded_of.get(milestone_id, 0)) if after_release else loss
        )
    for key, kind, user_id, total in sums:
        if kind == K.CLIENT_FUNDS:
            total -= int(paid_twice.get(user_id or 0) or 0)
        if kind == K.CLIENT_FUNDS and total > 0:
            problems.append(f"{key} got back more than it paid in: {total}")
        if kind == K.PLATFORM_LOSS and total > 0:
            problems.append(f"{key} is a gain, not a loss: {total}")
        # The platform's fees less the provider fees it bore may be a loss.
        if kind not in (K.CLIENT_FUNDS, K.PLATFORM_LOSS, K.PLATFORM_FEES) and total < 0:
            problems.append(f"{key} is negative: {total}")

    problems += _provider_fee_problems()

    escrow = db.session.execute(
        select(
            Milestone.id,
            Milestone.status,
            Milestone.amount,
            Milestone.held,
            func.coalesce(func.sum(LedgerLine.amount), 0),
            func.coalesce(func.sum(case((LedgerLine.type == T.FUNDING, LedgerLine.amount))), 0),
        )
        .outerjoin(
            LedgerAccount,
            (LedgerAccount.milestone_id == Milestone.id) & (LedgerAccount.kind == K.ESCROW),
        )
        .outerjoin(LedgerLine, LedgerLine.account_id == LedgerAccount.id)
        .group_by(Milestone.id, Milestone.status, Milestone.amount, Milestone.held)
    )
    moved = _movements_by_milestone()
    # What lost chargebacks took from escrow: before a release, all the platform did not
    # lose; after one, what the escrow still held (amount less what was taken back from
    # the freelancer and what the platform lost).
    charged_back: dict[int, int] = defaultdict(int)
    for milestone_id, taken in db.session.execute(
        select(
            Chargeback.milestone_id,
            case(
                (
                    Chargeback.after_release.is_(True),
                    Chargeback.amount - Chargeback.reversed_amount - Chargeback.loss,
                ),
                else_=Chargeback.amount - Chargeback.loss,
            ),
        ).where(Chargeback.status == ChargebackStatus.LOST)
    ):
        charged_back[milestone_id] += int(taken)
    outside = _outside_refunds()
    for milestone_id, status, amount, for_rejected, held, funded in escrow:
        refunded_outside = outside.get(milestone_id, 0)
        problems += _held_problems(milestone_id, status, held, for_rejected, refunded_outside)
        charged, refunded, released = moved.get(milestone_id, (0, 0, 0))
        expected = charged - refunded - released - charged_back.get(milestone_id, 0)
        if held != expected:
            problems.append(
                f"milestone {milestone_id}: its escrow holds {held}, but its movements leave "
                f"{expected} (charged {charged}, refunded {refunded}, released {released})"
            )
        if status in HOLDING and held <= 0:
            problems.append(f"milestone {milestone_id} is {status} but its escrow is empty")
        if status not in HOLDING and held != 0:
            problems.append(f"milestone {milestone_id} is {status} but its escrow holds {held}")
        if funded not in (0, amount) or charged not in (0, amount) or funded != charged:
            problems.append(
                f"milestone {milestone_id} was funded {funded} (charged {charged}), not {amount}"
            )

    transfer = EscrowMovement.__table__.alias("transfer")
    unpaid = db.session.execute(
        select(
            EscrowMovement.freelancer_id,
            EscrowMovement.currency,
            func.sum(EscrowMovement.amount - EscrowMovement.fee),
        )
        .where(
            EscrowMovement.kind == MovementKind.RELEASE,
            ~exists().where(
                transfer.c.release_id == EscrowMovement.id,
                transfer.c.kind == MovementKind.TRANSFER,
                transfer.c.status == MovementStatus.SUCCEEDED,
            ),
        )
        .group_by(EscrowMovement.freelancer_id, EscrowMovement.currency)
    )
    pending_by_release = {(user, currency): int(total) for user, currency, total in unpaid}
    taken_back = db.session.execute(
        select(
            Contract.freelancer_id,
            Chargeback.currency,
            func.sum(Chargeback.reversed_amount),
        )
        .join(Milestone, Milestone.id == Chargeback.milestone_id)
        .join(Contract, Contract.id == Milestone.contract_id)
        .where(Chargeback.after_release.is_(True), Chargeback.from_pending.is_(True))
        .group_by(Contract.freelancer_id, Chargeback.currency)
    )
    for freelancer, currency, total in taken_back:
        whose = (freelancer, currency)
        pending_by_release[whose] = pending_by_release.get(whose, 0) - int(total)
    in_ledger = db.session.execute(
        select(LedgerAccount.user_id, LedgerAccount.currency, func.sum(LedgerLine.amount))
        .join(LedgerLine, LedgerLine.account_id == LedgerAccount.id)
        .where(LedgerAccount.kind == K.PENDING_PAYOUT)
        .group_by(LedgerAccount.user_id, LedgerAccount.currency)
    )
    pending_in_ledger = {(user, currency): int(total) for user, currency, total in in_ledger}
    for user_currency in set(pending_by_release) | set(pending_in_ledger):
        owed = pending_by_release.get(user_currency, 0)
        booked = pending_in_ledger.get(user_currency, 0)
        if owed != booked:
            problems.append(
                f"freelancer {user_currency[0]}: pending payout {booked} {user_currency[1]} "
                f"in the ledger, {owed} in unpaid releases"
            )
    return {"ok": not problems, "transactions": transactions, "problems": problems}
