"""Keyset (cursor) pagination: every list endpoint pages through this one helper.

A cursor carries the sort-key values of the last row of a page, so the next page is
a range scan on an index: page 10,000 costs what page 1 costs, and rows inserted
meanwhile cause neither duplicates nor gaps.
"""

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

from flask import Response, current_app
from marshmallow import Schema, fields, validate
from sqlalchemy import ColumnElement, Integer, and_, bindparam, literal, or_, tuple_
from sqlalchemy.orm import InstrumentedAttribute

from marketplace.errors import ValidationFailed

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


class PageArgsSchema(Schema):
    limit = fields.Integer(
        load_default=DEFAULT_LIMIT, validate=validate.Range(min=1, max=MAX_LIMIT)
    )
    # Cursors the API gives out are far shorter; the cap keeps every request line of a
    # well-formed list call within what the server reads (see inputs.MAX_URL_LENGTH).
    cursor = fields.String(load_default=None, validate=validate.Length(max=500))


@dataclass(frozen=True)
class SortKey:
    """One column (or expression) of a list's order.

    For an expression, `attribute` names where the loaded row holds its value (a
    query_expression) and `python_type` what kind of value it is.
    """

    column: InstrumentedAttribute | ColumnElement
    descending: bool = True
    attribute: str | None = None
    python_type: type | None = None

    @property
    def name(self) -> str:
        name = self.attribute or self.column.key
        if name is None:
            raise ValueError(f"a sort key on {self.column} needs an attribute name")
        return name

    @property
    def value_type(self) -> type:
        return self.python_type or self.column.type.python_type

    @property
    def order_by(self):
        return self.column.desc() if self.descending else self.column.asc()


@dataclass
class Page:
    """One page of a list; serialises as the `{data, next_cursor}` envelope."""

    data: list
    next_cursor: str | None


def _fingerprint(keys: tuple[SortKey, ...]) -> str:
    spec = ",".join(f"{k.name}:{'d' if k.descending else 'a'}" for k in keys)
    return hashlib.sha256(spec.encode()).hexdigest()[:8]


def _encode_value(value: Any):
    return {"dt": value.isoformat()} if isinstance(value, datetime) else value


def _decode_value(value: Any):
    if isinstance(value, dict) and set(value) == {"dt"}:
        moment = datetime.fromisoformat(value["dt"])
        if moment.tzinfo is None:
            raise ValueError("cursor time without a time zone")
        return moment.astimezone(UTC)
    if isinstance(value, int) and not -(2**63) < value < 2**63:
        raise ValueError("cursor number out of range")
    return value


def encode_cursor(keys: tuple[SortKey, ...], row) -> str:
    values = [_encode_value(getattr(row, k.name)) for k in keys]
    raw = json.dumps({"k": _fingerprint(keys), "v": values}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(keys: tuple[SortKey, ...], cursor: str) -> list:
    invalid = ValidationFailed({"cursor": ["Invalid cursor."]})
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload = json.loads(raw)
        values = [_decode_value(v) for v in payload["v"]]
    except (binascii.Error, ValueError, TypeError, KeyError, OverflowError, RecursionError):
        raise invalid from None
    if payload.get("k") != _fingerprint(keys) or len(values) != len(keys):
        raise invalid
    for key, value in zip(keys, values, strict=True):
        if value is None or not isinstance(value, key.value_type):
            raise invalid
    return values


def after(keys: tuple[SortKey, ...], values: list):
    """The condition "comes after this row in this order", as an index range.

    One direction: a row-value comparison, `(created_at, id) < (:t, :id)`, which both
    databases read as a range on an index of those columns (an OR of the keys would be
    a filter over every earlier row). Mixed directions: the OR of the keys, with a bound
    on the first key that keeps it a range.
    """
    # Cursor values bound with their columns' types (UTC times are text on SQLite).
    bounds = [
        literal(value, type_=key.column.type) for key, value in zip(keys, values, strict=True)
    ]
    return _after(keys, bounds)


def _after(keys: tuple[SortKey, ...], bounds: list):
    columns = [key.column for key in keys]
    if len({key.descending for key in keys}) == 1:
        row, bound = tuple_(*columns), tuple_(*bounds)
        return row < bound if keys[0].descending else row > bound
    clauses = []
    for i, key in enumerate(keys):
        equal = [k.column == v for k, v in zip(keys[:i], bounds[:i], strict=True)]
        beyond = key.column < bounds[i] if key.descending else key.column > bounds[i]
        clauses.append(and_(*equal, beyond))
    first = keys[0].column <= bounds[0] if keys[0].descending else keys[0].column >= bounds[0]
    return and_(first, or_(*clauses))


def page_of(ranked, keys: tuple[SortKey, ...], *, limit: int, cursor: str | None):
    """One page of the rows of a subquery, cut before anything is joined to them.

    `keys` name columns of `ranked`. The result is a subquery with the same columns,
    for a `paginate` over the joined statement with keys of the same names (so the
    cursor is shared): what is joined to each row is then fetched for one page only,
    not for every row the order had to look at.
    """
    stmt = ranked.select()
    if cursor:
        stmt = stmt.where(after(keys, decode_cursor(keys, cursor)))
    return stmt.order_by(*(k.order_by for k in keys)).limit(limit + 1).subquery("page")


def paginate(session, stmt, keys: tuple[SortKey, ...], *, limit: int, cursor: str | None):
    """Run `stmt` one page at a time in the order `keys` give.

    The last key must be unique (the primary key) so the order is total.
    """
    stmt = _one_page(stmt, keys, limit=limit, cursor=cursor)
    return _cut(list(session.scalars(stmt).unique()), keys, limit)


def paginate_rows(
    session, stmt, keys: tuple[SortKey, ...], item, *, limit: int, cursor: str | None
) -> Page:
    """`paginate` for a read-only list of plain rows (columns, not ORM entities).

    `item` turns a row into its JSON, as the list's item schema would dump it: the
    page is then served by `page_response` without marshmallow. The row must name
    the keys' columns as the keys do.
    """
    stmt = _one_page(stmt, keys, limit=limit, cursor=cursor)
    page = _cut(session.execute(stmt).all(), keys, limit)
    page.data = [item(row) for row in page.data]
    return page


def bound_page(stmt, keys: tuple[SortKey, ...], *, cursor: bool):
    """A page of `stmt` whose size and cursor are parameters (`page_params` gives them).

    Made once and executed many times, a statement is neither built again nor walked
    for SQLAlchemy's cache key on each request: that is most of what a simple list's
    statement costs in Python.
    """
    if cursor:
        bounds = [bindparam(f"after_{i}", type_=key.column.type) for i, key in enumerate(keys)]
        stmt = stmt.where(_after(keys, bounds))
    return stmt.order_by(*(k.order_by for k in keys)).limit(bindparam("page_limit", type_=Integer))


def page_params(keys: tuple[SortKey, ...], *, limit: int, cursor: str | None) -> dict:
    """The parameters of a `bound_page` statement (made with `cursor` if one is given)."""
    params: dict[str, Any] = {"page_limit": limit + 1}
    if cursor:
        values = decode_cursor(keys, cursor)
        params |= {f"after_{i}": value for i, value in enumerate(values)}
    return params


def paginate_bound_rows(
    session, stmt, params: dict, keys: tuple[SortKey, ...], item, *, limit: int
) -> Page:
    """`paginate_rows` of a `bound_page` statement, with its parameters."""
    page = _cut(session.execute(stmt, params).all(), keys, limit)
    page.data = [item(row) for row in page.data]
    return page


def _one_page(stmt, keys: tuple[SortKey, ...], *, limit: int, cursor: str | None):
    if cursor:
        stmt = stmt.where(after(keys, decode_cursor(keys, cursor)))
    return stmt.order_by(*(k.order_by for k in keys)).limit(limit + 1)


def _cut(rows: list, keys: tuple[SortKey, ...], limit: int) -> Page:
    has_more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, encode_cursor(keys, rows[-1]) if has_more and rows else None)


def page_response(page: Page) -> Response:
    """The JSON response of a page whose items are JSON already (see `paginate_rows`).

    The same bytes the route's `page_schema` would give (flask-smorest passes a
    Response through as it is), without dumping each item field by field again.
    """
    response = current_app.json.response({"data": page.data, "next_cursor": page.next_cursor})
    assert isinstance(response, Response)  # Flask's JSON provider makes the app's class
    return response


@cache
def page_schema(item_schema: type[Schema]) -> type[Schema]:
    """The `{data, next_cursor}` envelope of a list of `item_schema`."""
    name = item_schema.__name__.removesuffix("Schema") + "PageSchema"
    return Schema.from_dict(
        {
            "data": fields.List(fields.Nested(item_schema), required=True),
            "next_cursor": fields.String(allow_none=True, required=True),
        },
        name=name,
    )
