"""Reconciliation: what the payment provider did against what the ledger booked.

`verify-ledger` checks the ledger against itself; this checks it against the outside
world. Per milestone and currency, three sums must agree:

- funding: the escrow's funding lines, and the provider's succeeded charges;
- refund: the escrow's refund lines, and the provider's succeeded refunds;
- payout: the freelancer's paid-out lines, and the provider's transfers (less what was
  reversed of them);
- provider_fee: the provider fees booked for the milestone's charges, and the fees of
  their balance transactions at the provider (in the settlement currency).

The provider's side comes from its own records (`list_activity`: the local gateway's
store, or Stripe's lists), never from our notes of what we asked of it, so money it
moved that we never booked shows, and so does money we booked that it never moved.
Records of other installations sharing the provider account are left out.

The ledger is read first, then the provider: a call made while this runs (the
provider acts, then the ledger books) may show as the provider being ahead on that
milestone; a difference still there on the next run is real.
"""

from collections import defaultdict

from sqlalchemy import and_, func, or_, select

from marketplace.extensions import db
from marketplace.money import format_amount
from marketplace.payments import keys
from marketplace.payments.gateway import MilestoneActivity
from marketplace.payments.models import (
    AccountKind,
    LedgerAccount,
    LedgerLine,
    LedgerTransaction,
    LineType,
)

K, T = AccountKind, LineType

WHAT = ("funding", "refund", "payout", "chargeback", "provider_fee")

# The ledger lines that stand for money the provider moved: (account kind, line type)
# -> (what, sign that makes the sum the amount moved).
PROVIDER_LINES = {
    (K.ESCROW, T.FUNDING): ("funding", 1),
    (K.ESCROW, T.REFUND): ("refund", -1),
    (K.PAID_OUT, T.PAYOUT): ("payout", 1),
    # Taken back from a payout by a transfer reversal (the line is negative).
    (K.PAID_OUT, T.CHARGEBACK_REVERSAL): ("payout", 1),
    # A chargeback the cardholder won, back on the client's side.
    (K.CLIENT_FUNDS, T.CHARGEBACK): ("chargeback", 1),
    (K.PROVIDER_FEES, T.PROVIDER_FEE): ("provider_fee", 1),
}

# Kinds of account holding what the platform lost: their balance only falls, and minus
# it is the loss.
LOSS_KINDS: tuple[str, ...] = (K.PLATFORM_LOSS,)

Sums = dict[tuple[int | None, str, str], int]


def ledger_sums() -> Sums:
    """(milestone, what, currency) -> the amount the ledger says the provider moved."""
    rows = db.session.execute(
        select(
            LedgerTransaction.milestone_id,
            LedgerAccount.kind,
            LedgerLine.type,
            LedgerLine.currency,
            func.sum(LedgerLine.amount),
        )
        .join(LedgerTransaction, LedgerTransaction.id == LedgerLine.transaction_id)
        .join(LedgerAccount, LedgerAccount.id == LedgerLine.account_id)
        .where(
            or_(
                *(
                    and_(LedgerAccount.kind == kind, LedgerLine.type == type_)
                    for kind, type_ in PROVIDER_LINES
                )
            )
        )
        .group_by(
            LedgerTransaction.milestone_id, LedgerAccount.kind, LedgerLine.type, LedgerLine.currency
        )
    )
    sums: Sums = defaultdict(int)
    for milestone_id, kind, type_, currency, total in rows:
        what, sign = PROVIDER_LINES[(AccountKind(kind), LineType(type_))]
        sums[(milestone_id, what, currency)] += sign * int(total)
    return sums


def provider_sums(activity: list[MilestoneActivity]) -> Sums:
    """(milestone, what, currency) -> the amount the provider moved."""
    sums: Sums = defaultdict(int)
    for found in activity:
        milestone_id = found.milestone_id
        for charge in found.charges:
            sums[(milestone_id, "funding", charge.currency)] += charge.amount
            if charge.fee:
                fee_currency = charge.fee_currency or charge.currency
                sums[(milestone_id, "provider_fee", fee_currency)] += charge.fee
        for refund in found.refunds:
            if refund.succeeded:
                sums[(milestone_id, "refund", refund.currency)] += refund.amount
        for transfer in found.transfers:
            sums[(milestone_id, "payout", transfer.currency)] += transfer.amount - transfer.reversed
        for chargeback in found.chargebacks:
            sums[(milestone_id, "chargeback", chargeback.currency)] += chargeback.amount
            if chargeback.fee:
                sums[(milestone_id, "provider_fee", chargeback.currency)] += chargeback.fee
    return sums


def losses() -> list[dict]:
    """The platform's booked losses per currency: [{currency, amount}]."""
    rows = db.session.execute(
        select(LedgerLine.currency, func.sum(LedgerLine.amount))
        .join(LedgerAccount, LedgerAccount.id == LedgerLine.account_id)
        .where(LedgerAccount.kind.in_(LOSS_KINDS))
        .group_by(LedgerLine.currency)
        .order_by(LedgerLine.currency)
    )
    return [{"currency": currency, "amount": -int(total)} for currency, total in rows if total]


def _order(key: tuple[int | None, str, str]):
    milestone_id, what, currency = key
    return (milestone_id is None, milestone_id or 0, WHAT.index(what), currency)


def reconcile(gateway) -> dict:
    """The provider's records against the ledger:
    {ok, checked, differences: [{milestone_id, what, currency, ledger, provider}], losses}.

    `checked`: the milestones with money on either side. Raises the gateway's errors
    when the provider cannot be read.
    """
    booked = ledger_sums()
    moved = provider_sums(gateway.list_activity(keys.namespace()))
    differences = [
        {
            "milestone_id": key[0],
            "what": key[1],
            "currency": key[2],
            "ledger": booked.get(key, 0),
            "provider": moved.get(key, 0),
        }
        for key in sorted(set(booked) | set(moved), key=_order)
        if booked.get(key, 0) != moved.get(key, 0)
    ]
    return {
        "ok": not differences,
        "checked": len({milestone_id for milestone_id, _, _ in set(booked) | set(moved)}),
        "differences": differences,
        "losses": losses(),
    }


def describe(difference: dict) -> str:
    """One difference as a line of text."""
    where = (
        f"milestone {difference['milestone_id']}"
        if difference["milestone_id"] is not None
        else "no milestone"
    )
    currency = difference["currency"]
    return (
        f"{where}: {difference['what']}: ledger {format_amount(difference['ledger'], currency)}, "
        f"provider {format_amount(difference['provider'], currency)}"
    )
