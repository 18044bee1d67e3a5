"""A delivery checked against its job's record schema: the report, and the typed records.

The checks run in the order the API promises: the header; every row against the schema
(type and format, then required, then the field's constraints; then `unique` and the
primary key within the delivery); the row count; a delivery without data rows. Each
problem is reported with one of the codes of `Code`, made in this module only.

Cells are read by a reader made once per field (`field_reader`), so a row costs a few
function calls per cell: frictionless' own validation of a 10,000-row table takes about
2 s, longer than the whole check and store may (see benchmarks/deliveries.py). The
types, formats and constraints are Table Schema's, as the marketplace takes them
(deliveries/record_schema.py); `pattern` is matched by RE2 against the whole value, in
time linear in the cell, so no client pattern ever reaches Python's backtracking `re`.
"""

from __future__ import annotations

import hashlib
import math
import re
import secrets
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from enum import StrEnum
from functools import lru_cache
from typing import Any

import re2

from marketplace.deliveries.reading import Table, Unreadable
from marketplace.deliveries.record_schema import primary_key

# At most this many problems are listed (all are counted).
MAX_LISTED = 100
# A cell's text quoted in a message is cut to this many characters.
QUOTED_CHARS = 40
# The integers a record may hold: what a database's BIGINT (and a JSON reader) keeps.
INTEGER_RANGE = 2**63
# Integral numbers up to this are kept as integers (exact in every JSON reader).
EXACT_INTEGER = 2**53
# Dates repeat down a column, and strptime costs far more than a look-up: each date
# reader (one per field and check) remembers this many texts it read.
READ_CACHE = 4096

_INTEGER = re.compile(r"[+-]?[0-9]+")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_ISO_DATETIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,6})?"
    r"(?:Z|[+-][0-9]{2}:[0-9]{2})?"
)
_EMAIL = re.compile(r"[^\s@]+@[^\s@.]+(?:\.[^\s@.]+)+")
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s\x00-\x1f\x7f]+")
TRUE_VALUES = frozenset({"true", "True", "TRUE", "1"})
FALSE_VALUES = frozenset({"false", "False", "FALSE", "0"})


class Code(StrEnum):
    """What a problem is, as the report names it."""

    TYPE = "type"
    REQUIRED = "required"
    CONSTRAINT = "constraint"
    UNIQUE = "unique"
    UNKNOWN_COLUMN = "unknown_column"
    MISSING_COLUMN = "missing_column"
    TOO_MANY_ROWS = "too_many_rows"
    EMPTY = "empty"
    UNREADABLE = "unreadable"


@dataclass(frozen=True)
class Problem:
    row: int | None
    field: str | None
    code: Code
    message: str

    def as_json(self) -> dict:
        return {
            "row": self.row,
            "field": self.field,
            "code": str(self.code),
            "message": self.message,
        }


class CellError(Exception):
    """A cell that does not fit its field: the code and why."""

    def __init__(self, code: Code, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def quoted(value: Any) -> str:
    text = value if isinstance(value, str) else str(value)
    if len(text) > QUOTED_CHARS:
        text = text[: QUOTED_CHARS - 1] + "…"
    return f"'{text}'"


# -- reading one cell -------------------------------------------------------------------


def _number(value: float) -> int | float:
    """A number as it is kept: integral ones as integers, so 120 is written `120`."""
    if value.is_integer() and abs(value) < EXACT_INTEGER:
        return int(value)
    return value


def canonical_number(value: int | float) -> str:
    """How a number is written in an export: `120.5`, `120`, `1e+300`."""
    return str(value) if isinstance(value, int) else repr(value)


def canonical(value: Any) -> str:
    """A typed value as an export writes it: ISO dates and times, plain numbers."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return canonical_number(value)
    if isinstance(value, datetime):
        return iso_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def as_json(value: Any) -> Any:
    """A typed value as records keep it in JSON: dates and times as ISO text."""
    if isinstance(value, datetime):
        return iso_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def iso_datetime(moment: datetime) -> str:
    """A datetime as records keep it: ISO 8601 in UTC, `Z`."""
    return _utc(moment).isoformat().replace("+00:00", "Z")


def _not_a(kind: str, value: Any) -> CellError:
    return CellError(Code.TYPE, f"{quoted(value)} is not {kind}.")


def _text_reader(kind: str, fmt: str | None) -> Callable[[str], Any]:
    """Reads a cell's text (surrounding spaces removed) as the type says."""
    if kind == "integer":

        def integer(text: str) -> int:
            if not _INTEGER.fullmatch(text):
                raise _not_a("an integer", text)
            value = int(text)
            if not -INTEGER_RANGE < value < INTEGER_RANGE:
                raise CellError(Code.TYPE, f"{quoted(text)} is too large an integer.")
            return value

        return integer
    if kind == "number":

        def number(text: str) -> int | float:
            if not _NUMBER.fullmatch(text):
                raise _not_a("a number", text)
            value = float(text)
            if not math.isfinite(value):
                raise CellError(Code.TYPE, f"{quoted(text)} is too large a number.")
            return _number(value)

        return number
    if kind == "boolean":

        def boolean(text: str) -> bool:
            if text in TRUE_VALUES:
                return True
            if text in FALSE_VALUES:
                return False
            raise _not_a("true or false", text)

        return boolean
    if kind == "date":
        return _date_reader(fmt)
    if kind == "datetime":
        return _datetime_reader(fmt)
    raise ValueError(f"no reader for {kind}")


def _date_reader(fmt: str | None) -> Callable[[str], date]:
    if fmt is None:

        @lru_cache(maxsize=READ_CACHE)
        def iso(text: str) -> date:
            if _ISO_DATE.fullmatch(text):
                try:
                    return date(int(text[:4]), int(text[5:7]), int(text[8:]))
                except ValueError:
                    pass
            raise _not_a("a date (YYYY-MM-DD)", text)

        return iso

    @lru_cache(maxsize=READ_CACHE)
    def patterned(text: str) -> date:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            raise _not_a(f"a date in the form {fmt}", text) from None

    return patterned


def _datetime_reader(fmt: str | None) -> Callable[[str], datetime]:
    if fmt is None:

        @lru_cache(maxsize=READ_CACHE)
        def iso(text: str) -> datetime:
            if _ISO_DATETIME.fullmatch(text):
                try:
                    return _utc(datetime.fromisoformat(text))
                except ValueError:
                    pass
            raise _not_a("a date and time (YYYY-MM-DDTHH:MM:SS)", text)

        return iso

    @lru_cache(maxsize=READ_CACHE)
    def patterned(text: str) -> datetime:
        try:
            return _utc(datetime.strptime(text, fmt))
        except ValueError:
            raise _not_a(f"a date and time in the form {fmt}", text) from None

    return patterned


def _string_format(fmt: str | None) -> Callable[[str], None] | None:
    """The check of a string format. The expressions are fixed (no client's) and
    unambiguous, so each matches in time linear in the cell."""
    shape = {"email": (_EMAIL, "an email address"), "uri": (_URI, "a URI")}.get(fmt or "")
    if shape is None:
        return None
    expression, kind = shape

    def check_format(text: str) -> None:
        if expression.fullmatch(text) is None:
            raise _not_a(kind, text)

    return check_format


def _native_reader(kind: str) -> Callable[[Any], Any]:
    """Reads a value a spreadsheet or JSON typed already (never text, never None)."""

    def refuse(value: Any) -> CellError:
        if isinstance(value, list | dict):
            return CellError(Code.TYPE, "Not a single value (a list or an object).")
        return _not_a({"integer": "an integer", "number": "a number"}.get(kind, f"a {kind}"), value)

    if kind == "integer":

        def integer(value: Any) -> int:
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise refuse(value)
            if isinstance(value, float) and not value.is_integer():
                raise refuse(value)
            number = int(value)
            if not -INTEGER_RANGE < number < INTEGER_RANGE:
                raise CellError(Code.TYPE, f"{quoted(value)} is too large an integer.")
            return number

        return integer
    if kind == "number":

        def number(value: Any) -> int | float:
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise refuse(value)
            as_float = float(value)
            if not math.isfinite(as_float):
                raise CellError(Code.TYPE, f"{quoted(value)} is too large a number.")
            if isinstance(value, int) and abs(value) < EXACT_INTEGER:
                return value
            return _number(as_float)

        return number
    if kind == "boolean":

        def boolean(value: Any) -> bool:
            if not isinstance(value, bool):
                raise refuse(value)
            return value

        return boolean
    if kind == "date":

        def day(value: Any) -> date:
            if isinstance(value, datetime):
                if value.time() != time(0):
                    raise CellError(Code.TYPE, f"{quoted(value)} has a time of day: not a date.")
                return value.date()
            if isinstance(value, date):
                return value
            raise refuse(value)

        return day
    if kind == "datetime":

        def moment(value: Any) -> datetime:
            if isinstance(value, datetime):
                return _utc(value)
            raise refuse(value)

        return moment

    def string(value: Any) -> str:
        # A spreadsheet's number or date in a text column: the text it stands for.
        if isinstance(value, bool | list | dict):
            raise refuse(value)
        if isinstance(value, int | float):
            if isinstance(value, float) and not math.isfinite(value):
                raise refuse(value)
            return canonical_number(_number(float(value)) if isinstance(value, float) else value)
        if isinstance(value, datetime):
            return value.isoformat()
        if isinstance(value, date | time):
            return value.isoformat()
        raise refuse(value)

    return string


def _regex(pattern: str):
    options = re2.Options()
    options.log_errors = False
    options.never_capture = True  # only whether it matches
    return re2.compile(pattern, options)


def _constraint_checks(spec: dict, typed: Callable[[Any], Any]) -> list[Callable[[Any], None]]:
    """The field's constraints as checks of a typed value, cheapest first."""
    constraints = spec.get("constraints") or {}
    kind = spec["type"]
    checks: list[Callable[[Any], None]] = []

    def limit(name: str) -> Any:
        raw = constraints[name]
        return typed(raw)

    if "enum" in constraints:
        allowed = [typed(item) for item in constraints["enum"]]
        members = frozenset(allowed)
        shown = ", ".join(canonical(item) for item in allowed[:10])
        if len(allowed) > 10:
            shown += f" (and {len(allowed) - 10} more)"

        def enum(value: Any) -> None:
            if value not in members:
                raise CellError(
                    Code.CONSTRAINT, f"{quoted(canonical(value))} is not one of: {shown}."
                )

        checks.append(enum)
    if "minimum" in constraints:
        low = limit("minimum")

        def minimum(value: Any) -> None:
            if value < low:
                raise CellError(Code.CONSTRAINT, f"Must be at least {canonical(low)}.")

        checks.append(minimum)
    if "maximum" in constraints:
        high = limit("maximum")

        def maximum(value: Any) -> None:
            if value > high:
                raise CellError(Code.CONSTRAINT, f"Must be at most {canonical(high)}.")

        checks.append(maximum)
    if kind == "string":
        shortest, longest = constraints.get("minLength"), constraints.get("maxLength")
        if shortest is not None:

            def min_length(value: str) -> None:
                if len(value) < shortest:
                    raise CellError(
                        Code.CONSTRAINT, f"Must be at least {shortest} characters long."
                    )

            checks.append(min_length)
        if longest is not None:

            def max_length(value: str) -> None:
                if len(value) > longest:
                    raise CellError(Code.CONSTRAINT, f"Must be at most {longest} characters long.")

            checks.append(max_length)
        if "pattern" in constraints:
            regex = _regex(constraints["pattern"])
            shown_pattern = constraints["pattern"]

            def pattern(value: str) -> None:
                # Matched on the UTF-8 bytes (the pattern is UTF-8 too): RE2's wrapper
                # then skips mapping byte offsets back to characters.
                if regex.fullmatch(value.encode()) is None:
                    raise CellError(
                        Code.CONSTRAINT, f"{quoted(value)} does not match {shown_pattern}."
                    )

            checks.append(pattern)
    return checks


FieldReader = Callable[[Any], Any]


def field_reader(spec: dict) -> FieldReader:
    """Reads one cell of the field: its typed value, None when empty; raises CellError.

    Text is read with surrounding spaces removed, except for `string` fields, which keep
    what was typed; a cell of spaces only is empty.
    """
    kind, fmt = spec["type"], spec.get("format")
    required = bool((spec.get("constraints") or {}).get("required"))
    native = _native_reader(kind)
    if kind == "string":
        check_format = _string_format(fmt)

        def from_text(cell: str, text: str) -> Any:
            if check_format is not None:
                check_format(text)
            return cell

    else:
        parse = _text_reader(kind, fmt)

        def from_text(cell: str, text: str) -> Any:
            return parse(text)

    def typed(cell: Any) -> Any:
        return from_text(cell, cell.strip()) if isinstance(cell, str) else native(cell)

    # Constraint values are JSON values of the field's type (dates as text in its format).
    checks = _constraint_checks(spec, typed)

    def empty() -> None:
        if required:
            raise CellError(Code.REQUIRED, "A value is required.")

    def read(cell: Any) -> Any:
        if cell.__class__ is str:
            text = cell.strip()
            if not text:
                return empty()
            value = from_text(cell, text)
        elif cell is None:
            return empty()
        else:
            value = native(cell)
        for check in checks:
            check(value)
        return value

    return read


# -- unique values ----------------------------------------------------------------------


def identity(value: Any) -> bytes:
    """A typed value as bytes that are equal exactly when the values are equal (==).

    A field's values are all of its type's kind, but numbers follow Python's equality
    anyway: 1 and 1.0 are the same (an integral float is written as its integer), as are
    0 and -0.0. Dates are ISO text; datetimes are in UTC first, so two offsets naming
    one instant are the same. Each kind has its own first byte, so no string is
    taken for a number.
    """
    kind = value.__class__
    if kind is str:
        return b"s" + value.encode("utf-8", "surrogatepass")
    if kind is bool:
        return b"b1" if value else b"b0"
    if kind is int:
        return b"n" + str(value).encode()
    if kind is float:
        written = str(int(value)) if value.is_integer() else repr(value)
        return b"n" + written.encode()
    if isinstance(value, datetime):
        return b"t" + iso_datetime(value).encode()
    if isinstance(value, date):
        return b"d" + value.isoformat().encode()
    raise TypeError(f"no identity for {kind.__name__}")


_LOW_BITS = 2**64 - 1


class FirstRows:
    """The row that first held each value of a unique field (or the primary key).

    A dict of the values kept every distinct value of the delivery alive, most of what a
    large check holds (about 150 bytes a row and field). This keeps, per value, a 16-byte
    BLAKE2b digest of its `identity` and its row number, in flat arrays: an open-
    addressing table, at most half full, of 20 bytes a slot (about 2.6 MB for 50,000
    rows). Two different values with the same digest would be a false `unique` error:
    with 128 bits the chance among n values is about n² / 2^129, some 10^-29 for 50,000
    rows, far below that of a hardware fault. The digest is keyed with a secret of this
    check, so no one can choose values whose digests crowd into one part of the table
    (each look-up stays a step or two) or collide.
    """

    INITIAL_SLOTS = 1024

    def __init__(self) -> None:
        self._key = secrets.token_bytes(16)
        self._count = 0
        self._allocate(self.INITIAL_SLOTS)

    def _allocate(self, slots: int) -> None:
        self._mask = slots - 1
        # Row 0 marks an empty slot: rows are numbered from 1.
        self._rows = array("I", bytes(4 * slots))
        self._low = array("Q", bytes(8 * slots))
        self._high = array("Q", bytes(8 * slots))

    def first(self, value: Any, row: int) -> int | None:
        """The row that held the value before; None (and `row` noted) if none did."""
        digest = hashlib.blake2b(identity(value), digest_size=16, key=self._key).digest()
        whole = int.from_bytes(digest, "little")
        low, high = whole & _LOW_BITS, whole >> 64
        # The look-up is written out here, not called: it runs for every cell.
        rows, lows, highs, mask = self._rows, self._low, self._high, self._mask
        slot = high & mask
        while held := rows[slot]:
            if lows[slot] == low and highs[slot] == high:
                return held
            slot = (slot + 1) & mask
        rows[slot], lows[slot], highs[slot] = row, low, high
        self._count += 1
        if 2 * self._count > mask:
            self._grow()
        return None

    def _grow(self) -> None:
        rows, lows, highs = self._rows, self._low, self._high
        self._allocate(2 * len(rows))
        new_rows, new_lows, new_highs, mask = self._rows, self._low, self._high, self._mask
        for slot, row in enumerate(rows):
            if row:
                high = highs[slot]
                place = high & mask
                while new_rows[place]:
                    place = (place + 1) & mask
                new_rows[place], new_lows[place], new_highs[place] = row, lows[slot], high


# -- the whole delivery -----------------------------------------------------------------


@dataclass
class Checked:
    """What a check found: the report; the typed records went to the check's sink."""

    rows: int = 0
    valid: int = 0
    whole: list[Problem] = field(default_factory=list)
    listed: list[Problem] = field(default_factory=list)
    row_errors: int = 0
    # (row number, values in schema order) of rows not yet given to the sink, while no
    # error was found; None after the first.
    records: list[tuple[int, list[Any]]] | None = field(default_factory=list)

    @property
    def error_count(self) -> int:
        return len(self.whole) + self.row_errors

    @property
    def passed(self) -> bool:
        return self.error_count == 0

    def report(self) -> dict:
        errors = self.whole + self.listed
        return {
            "rows": self.rows,
            "valid": self.valid,
            "error_count": self.error_count,
            "errors": [problem.as_json() for problem in errors[:MAX_LISTED]],
            "gold": None,
            "passed": self.passed,
        }

    def row_problem(self, problem: Problem) -> None:
        self.row_errors += 1
        self.records = None  # failed: nothing will be stored, so nothing more is kept
        if len(self.listed) < MAX_LISTED:
            self.listed.append(problem)

    def whole_problem(self, code: Code, message: str, field_name: str | None = None) -> None:
        self.records = None
        self.whole.append(Problem(None, field_name, code, message))


Sink = Callable[[list[tuple[int, list[Any]]]], None]
# Rows handed to the sink at a time.
SINK_BATCH = 1000


def check(
    descriptor: dict,
    open_table: Callable[[], Table],
    *,
    max_records: int,
    limit_reason: str = "",
    sink: Sink | None = None,
) -> Checked:
    """Check the table `open_table` reads against the descriptor; rows past `max_records`
    are counted only. A table that cannot be read (at once or part way) is `unreadable`.

    While no error is found, the typed rows go to `sink` a batch at a time (so that a
    large delivery is never held whole); the last batch only once the whole delivery
    passed. Without a sink, a passing delivery's rows stay in `records`. A delivery that
    fails after some batches were given is the caller's to undo (a rollback).
    """
    result = Checked()
    try:
        table = open_table()
    except Unreadable as error:
        result.whole_problem(Code.UNREADABLE, str(error))
        return result
    try:
        _check(descriptor, table, max_records, limit_reason, result, sink)
    except Unreadable as error:
        result.whole_problem(Code.UNREADABLE, str(error))
    finally:
        table.close()
    if sink is not None and result.passed and result.records:
        sink(result.records)
        result.records = []
    return result


def _columns(descriptor: dict, table: Table, result: Checked) -> list[int] | None:
    """Where each field's cells are in a row, or None when the header is wrong."""
    names = [spec["name"] for spec in descriptor["fields"]]
    if not table.named:
        return list(range(len(names)))
    position: dict[str, int] = {}
    for index, name in enumerate(table.header):
        if not name:
            continue
        if name in position:
            result.whole_problem(
                Code.UNKNOWN_COLUMN,
                f"The column {quoted(name)} appears twice in the header (columns "
                f"{position[name] + 1} and {index + 1}).",
                name,
            )
        else:
            position[name] = index
    known = set(names)
    for name in position:
        if name not in known:
            result.whole_problem(
                Code.UNKNOWN_COLUMN,
                f"The column {quoted(name)} is not a field of the job's schema "
                f"({', '.join(names[:20])}).",
                name,
            )
    for name in names:
        if name not in position:
            result.whole_problem(
                Code.MISSING_COLUMN, f"The header has no column {quoted(name)}.", name
            )
    if result.whole:
        return None
    return [position[name] for name in names]


def _check(
    descriptor: dict,
    table: Table,
    max_records: int,
    limit_reason: str,
    result: Checked,
    sink: Sink | None,
):
    specs = descriptor["fields"]
    names = [spec["name"] for spec in specs]
    columns = _columns(descriptor, table, result)
    readers = [field_reader(spec) for spec in specs]
    key = primary_key(descriptor)
    # Fields whose values must differ from row to row, each with the rows of its values.
    unique: list[tuple[int, FirstRows]] = [
        (i, FirstRows())
        for i, spec in enumerate(specs)
        if spec["name"] == key or (spec.get("constraints") or {}).get("unique")
    ]
    key_index = names.index(key) if key in names else None
    width = len(table.header)
    nameless = {i for i, name in enumerate(table.header) if not name} if table.named else set()
    stray_reported = False
    pairs = list(zip(names, readers, strict=True))
    for number, cells in table.rows:
        result.rows += 1
        if columns is None or result.rows > max_records:
            continue
        if table.named and not stray_reported and (len(cells) > width or nameless):
            stray = _stray_column(cells, width, nameless)
            if stray is not None:
                stray_reported = True
                result.whole_problem(
                    Code.UNKNOWN_COLUMN,
                    f"Row {number} has a value in column {stray + 1}, which has no name "
                    "in the header.",
                )
        values: list[Any] = []
        ok = True
        for (name, read), column in zip(pairs, columns, strict=True):
            cell = cells[column] if column < len(cells) else None
            try:
                values.append(read(cell))
            except CellError as error:
                ok = False
                values.append(None)
                result.row_problem(Problem(number, name, error.code, error.message))
        for index, seen in unique:
            value = values[index]
            if value is None:
                if index == key_index and ok:
                    ok = False
                    result.row_problem(
                        Problem(number, names[index], Code.REQUIRED, "The primary key is required.")
                    )
                continue
            first = seen.first(value, number)
            if first is not None:
                ok = False
                what = "primary key" if index == key_index else "value"
                result.row_problem(
                    Problem(
                        number,
                        names[index],
                        Code.UNIQUE,
                        f"The {what} {quoted(canonical(value))} is also in row {first}.",
                    )
                )
        if ok:
            result.valid += 1
            kept = result.records
            if kept is not None:
                kept.append((number, values))
                if sink is not None and len(kept) >= SINK_BATCH:
                    sink(kept)
                    result.records = []
    if table.unknown_keys:
        for name, first in table.unknown_keys.items():
            result.whole_problem(
                Code.UNKNOWN_COLUMN,
                f"Record {first} has the key {quoted(name)}, which is not a field of the "
                f"job's schema ({', '.join(names[:20])}).",
                name,
            )
    if result.rows > max_records:
        result.whole_problem(
            Code.TOO_MANY_ROWS,
            f"The delivery has {result.rows:,} rows; at most {max_records:,} are taken"
            f"{limit_reason}. Rows past that were not checked.",
        )
    if result.rows == 0:
        result.whole_problem(Code.EMPTY, "The delivery has no data rows.")


def _stray_column(cells: list[Any], width: int, nameless: set[int]) -> int | None:
    for index, cell in enumerate(cells):
        if (index >= width or index in nameless) and _filled(cell):
            return index
    return None


def _filled(cell: Any) -> bool:
    return cell is not None and (not isinstance(cell, str) or bool(cell.strip()))
