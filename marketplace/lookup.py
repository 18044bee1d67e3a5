"""Loading one row for a use case: not found is a 404, and locking re-reads the row."""

from sqlalchemy import Select

from marketplace.errors import NotFound
from marketplace.extensions import db


def one_or_404(stmt: Select, entity, *, lock: bool = False, what: str = "item"):
    """The single row `stmt` finds, or NotFound.

    With `lock`, the row (of `entity` only, not of eagerly joined ones) stays locked
    until the transaction ends, and is read afresh after the lock is granted, so the
    caller decides on the state another transaction may just have committed.
    """
    if lock:
        stmt = stmt.with_for_update(of=entity).execution_options(populate_existing=True)
    row = db.session.scalar(stmt)
    if row is None:
        raise NotFound(f"No such {what}.")
    return row
