"""What users read of their money: balances and ledger lines."""

from marketplace.accounts.models import User
from marketplace.extensions import db
from marketplace.pagination import SortKey, paginate
from marketplace.payments import ledger
from marketplace.payments.models import LedgerLine

NEWEST_FIRST = (SortKey(LedgerLine.created_at), SortKey(LedgerLine.id))


def balance(user: User) -> dict:
    """The user's balances per currency."""
    return {"balances": ledger.balances(user.id, user.role)}


def transactions(user: User, *, limit: int, cursor: str | None, type=None, currency=None):
    """The user's ledger lines, newest first."""
    stmt = ledger.user_lines_query(user.id)
    if type:
        stmt = stmt.where(LedgerLine.type == type)
    if currency:
        stmt = stmt.where(LedgerLine.currency == currency.upper())
    return paginate(db.session, stmt, NEWEST_FIRST, limit=limit, cursor=cursor)
