"""Gold records: a job's known answers, and a delivery's accuracy measured on them.

A job's client sends a set of records of the job's schema; it is checked as a delivery
is, and kept one row per record, keyed by its primary key's value (`key_matcher`). A
delivery that passed every other check is compared with the gold records whose key it
holds, a batch of checked rows at a time, under the milestone's lock: only the keys of
the set, and the values of the gold rows a batch matches, are ever read. Each field but the key
counts once per matched row, typed values compared as such (numbers as numbers, dates as
dates), text trimmed and with inner whitespace collapsed; an empty gold cell expects an
empty one.

What a report says of it depends on who reads it (`shaped`): the client and admins see
the counts and which rows and fields differed; a freelancer only the accuracy to two
decimals, never how many or which gold rows a delivery held.
"""

import hashlib
import json
from collections.abc import Callable, Iterator
from typing import Any, cast

from sqlalchemy import Table, delete, insert, select

from marketplace.accounts.models import Role
from marketplace.deliveries.checks import (
    Checked,
    Code,
    Problem,
    as_json,
    canonical_number,
    check,
    quoted,
)
from marketplace.deliveries.models import GoldRecord
from marketplace.deliveries.reading import Table as RecordTable
from marketplace.deliveries.record_schema import field_names, primary_key
from marketplace.extensions import db

# Accuracies are compared in ten-thousandths, as contracts keep min_accuracy.
BASIS_POINTS = 10_000
# Places of the accuracy the client and admins see, and the one a freelancer sees.
FULL_PLACES = 4
FREELANCER_PLACES = 2
# The differences a report lists, in row order (all are counted, in fields - correct).
MAX_DIFFERENCES = 100
# A text value quoted in a difference is cut to this many characters.
SHOWN_CHARS = 100
# Keys are kept as their text up to this many characters, longer ones as a digest.
MAX_KEY_TEXT = 100
KEY_DIGEST_BYTES = 16
# Gold records read back this many to a statement.
READ_BATCH = 1000
TIMED = ("date", "datetime")
# Who may read a gold set, and a report's comparison in full.
GOLD_READERS = frozenset({Role.CLIENT, Role.ADMIN})


def sees_gold(role: str) -> bool:
    """Whether a reader of a report may see its comparison in full. Clients only ever
    read their own contracts' reports; a freelancer, or anyone else, sees the accuracy."""
    return role in GOLD_READERS


def _collapsed(text: str | None) -> str | None:
    """Text trimmed, runs of whitespace as one space (None stays None)."""
    return text if text is None else " ".join(text.split())


def _same(value: Any) -> Any:
    return value


# How a field's values are compared, by type: its typed value (or its JSON form: dates
# as ISO text) as compared. Numbers compare as numbers (1 == 1.0), None is an empty cell.
COMPARED_AS: dict[str, Callable[[Any], Any]] = {
    "string": _collapsed,
    "integer": _same,
    "number": _same,
    "boolean": _same,
    "date": as_json,
    "datetime": as_json,
}
# The text a key's value is matched by, by type (never None: a primary key is required).
KEY_TEXT: dict[str, Callable[[Any], str]] = {
    "string": lambda value: " ".join(value.split()),
    "integer": str,
    "number": canonical_number,
    "boolean": lambda value: "true" if value else "false",
    "date": as_json,
    "datetime": as_json,
}


def key_matcher(descriptor: dict) -> Callable[[Any], str]:
    """The primary key's value as gold rows and delivered rows are matched on it: its
    canonical text (text trimmed and with whitespace collapsed). A text longer than
    MAX_KEY_TEXT is kept as a space and its digest, so that any key fits an index (a
    trimmed text never starts with a space)."""
    key = primary_key(descriptor)
    spec = next(spec for spec in descriptor["fields"] if spec["name"] == key)
    text_of = KEY_TEXT[spec["type"]]
    blake2b = hashlib.blake2b

    def match_key(value: Any) -> str:
        text = text_of(value)
        if len(text) <= MAX_KEY_TEXT:
            return text
        return " " + blake2b(text.encode(), digest_size=KEY_DIGEST_BYTES).hexdigest()

    return match_key


def rounded(correct: int, compared: int, places: int) -> float:
    """correct / compared to `places` decimals, half up, in integers (no float on the way)."""
    scale = 10**places
    return ((2 * correct * scale + compared) // (2 * compared)) / scale


# -- the gold set ------------------------------------------------------------------------


def gold_problem(descriptor: dict | None) -> str | None:
    """Why a job with this record schema cannot have gold records, or None if it can."""
    if descriptor is None:
        return "This job has no record schema: gold records are records of the job's schema."
    if primary_key(descriptor) is None:
        return (
            "The job's record schema has no primaryKey: gold records are matched with "
            "delivered rows by it."
        )
    if len(descriptor["fields"]) < 2:
        return (
            "The job's record schema has no field besides its primary key: a gold record "
            "would have nothing to compare."
        )
    return None


class _GoldWriter:
    """The check's sink for a gold set: each record a row, a batch per executemany.

    Text keys are matched with whitespace trimmed and collapsed, so two keys the check
    found different may match the same rows (`INV-1` and `INV-1 `): the later is held
    back here and reported as `unique` once the check is over.
    """

    def __init__(self, descriptor: dict, job_id: int):
        self.job_id = job_id
        self.names = field_names(descriptor)
        self.key_name = cast(str, primary_key(descriptor))
        self.key_index = self.names.index(self.key_name)
        specs = descriptor["fields"]
        self.timed = [i for i, spec in enumerate(specs) if spec["type"] in TIMED]
        # Other types' keys differ as values exactly when they differ as text.
        self.first_rows: dict[str, int] | None = (
            {} if specs[self.key_index]["type"] == "string" else None
        )
        self.same_keys: list[Problem] = []
        self.match_key = key_matcher(descriptor)
        self.table = cast(Table, GoldRecord.__table__)

    def __call__(self, rows: list[tuple[int, list[Any]]]) -> None:
        params = []
        for number, values in rows:
            key = values[self.key_index]
            matched_by = self.match_key(key)
            if self.first_rows is not None:
                first = self.first_rows.setdefault(matched_by, number)
                if first != number:
                    self.same_keys.append(
                        Problem(
                            number,
                            self.key_name,
                            Code.UNIQUE,
                            f"The primary key {quoted(key)} is the one in row {first} but "
                            "for spaces: gold records are matched with spaces trimmed and "
                            "runs of spaces as one.",
                        )
                    )
                    continue
            for i in self.timed:
                values[i] = as_json(values[i])
            params.append(
                {
                    "job_id": self.job_id,
                    "key": matched_by,
                    "row": number,
                    "record_values": dict(zip(self.names, values, strict=True)),
                }
            )
        if params:
            db.session.execute(insert(self.table), params)

    def report(self, checked: Checked) -> None:
        for problem in self.same_keys:
            checked.valid -= 1
            checked.row_problem(problem)


def replace_gold(
    descriptor: dict, job_id: int, open_table: Callable[[], RecordTable], *, max_records: int
) -> Checked:
    """Check a gold set as a delivery is checked and make it the job's, in the caller's
    transaction (which the caller rolls back when the check did not pass)."""
    db.session.execute(delete(GoldRecord).where(GoldRecord.job_id == job_id))
    writer = _GoldWriter(descriptor, job_id)
    checked = check(descriptor, open_table, max_records=max_records, sink=writer)
    if checked.passed:
        writer.report(checked)
    return checked


def clear_gold(job_id: int) -> None:
    """Remove a job's gold records (its record schema changed), in the caller's transaction."""
    db.session.execute(delete(GoldRecord).where(GoldRecord.job_id == job_id))


def gold_json(descriptor: dict | None, job_id: int) -> Iterator[str]:
    """The job's gold set as JSON, `{"records": [...], "rows": n}`, records in the order
    they were sent: read and written a batch at a time, so that 50,000 are never held."""
    yield '{"records":['
    names = [] if descriptor is None else field_names(descriptor)
    count = last = 0
    while descriptor is not None:
        batch = db.session.execute(
            select(GoldRecord.row, GoldRecord.values.label("cells"))
            .where(GoldRecord.job_id == job_id, GoldRecord.row > last)
            .order_by(GoldRecord.row)
            .limit(READ_BATCH)
        ).all()
        records = (
            json.dumps({name: cells.get(name) for name in names}, separators=(",", ":"))
            for _, cells in batch
        )
        if batch:
            yield ("," if count else "") + ",".join(records)
        count += len(batch)
        if len(batch) < READ_BATCH:
            break
        last = batch[-1].row
    yield f'],"rows":{count}}}'


# -- a delivery's accuracy ----------------------------------------------------------------


class GoldComparison:
    """A delivery's rows compared with the job's gold records, a batch at a time."""

    def __init__(self, descriptor: dict, job_id: int, keys: set[str]):
        self.job_id = job_id
        self.keys = keys
        names = field_names(descriptor)
        key = cast(str, primary_key(descriptor))
        self.key_index = names.index(key)
        self.match_key = key_matcher(descriptor)
        # (position in a row, name, how its values compare) of every field but the key.
        self.compared = [
            (i, spec["name"], COMPARED_AS[spec["type"]])
            for i, spec in enumerate(descriptor["fields"])
            if spec["name"] != key
        ]
        self.rows = 0
        self.fields = 0
        self.correct = 0
        self.differences: list[dict] = []

    def compare(self, rows: list[tuple[int, list[Any]]]) -> None:
        """Compare a batch of passing rows (typed values in schema order) with the gold
        records their keys match: one statement for the batch, none if it matches none."""
        matched = []
        keys, match_key, key_index = self.keys, self.match_key, self.key_index
        for number, values in rows:
            matched_by = match_key(values[key_index])
            if matched_by in keys:
                matched.append((matched_by, number, values))
        if not matched:
            return
        gold: dict[str, dict] = {
            key: values
            for key, values in db.session.execute(
                select(GoldRecord.key, GoldRecord.values).where(
                    GoldRecord.job_id == self.job_id,
                    GoldRecord.key.in_({key for key, _, _ in matched}),
                )
            )
        }
        for matched_by, number, values in matched:
            expected_values = gold.get(matched_by)
            if expected_values is None:
                continue  # not while the job is locked against a new gold set
            self.rows += 1
            self.fields += len(self.compared)
            for index, name, compared_as in self.compared:
                expected, delivered = expected_values.get(name), values[index]
                # Values alike as they are are alike as compared (most of them, cheaply).
                if expected == delivered or compared_as(expected) == compared_as(delivered):
                    self.correct += 1
                elif len(self.differences) < MAX_DIFFERENCES:
                    self.differences.append(
                        {
                            "row": number,
                            "field": name,
                            "expected": _shown(expected),
                            "delivered": _shown(as_json(delivered)),
                        }
                    )

    def summary(self) -> dict | None:
        """The report's `gold` in full; None when no gold record's key was delivered."""
        if not self.rows:
            return None
        return {
            "rows": self.rows,
            "fields": self.fields,
            "correct": self.correct,
            "accuracy": rounded(self.correct, self.fields, FULL_PLACES),
            "differences": self.differences,
        }

    def meets(self, min_accuracy_bps: int) -> bool:
        """Whether the exact accuracy is at least the bar (in ten-thousandths)."""
        return self.correct * BASIS_POINTS >= min_accuracy_bps * self.fields


def _shown(value: Any) -> Any:
    if isinstance(value, str) and len(value) > SHOWN_CHARS:
        return value[: SHOWN_CHARS - 1] + "…"
    return value


def comparison_for(descriptor: dict, job_id: int) -> GoldComparison | None:
    """The comparison a delivery of the job gets, or None when the job has no gold
    records (then no delivery reads any). The caller holds the job against a new gold
    set until its transaction ends, so every batch reads the same set."""
    if gold_problem(descriptor) is not None:
        return None
    keys = set(db.session.scalars(select(GoldRecord.key).where(GoldRecord.job_id == job_id)))
    if not keys:
        return None
    return GoldComparison(descriptor, job_id, keys)


def judged(
    checked: Checked, comparison: GoldComparison | None, min_accuracy_bps: int | None
) -> dict:
    """The delivery's full report: the check's, with its accuracy on the gold records when
    it had no error, and `passed` false when that accuracy is under the contract's bar."""
    report = checked.report()
    if not checked.passed or comparison is None:
        return report
    report["gold"] = comparison.summary()
    if report["gold"] is not None and min_accuracy_bps is not None:
        report["passed"] = comparison.meets(min_accuracy_bps)
    return report


def shaped(report: dict, *, full: bool) -> dict:
    """A stored report as its reader may see it: in full, or with `gold` cut to the
    accuracy to two decimals (how many and which gold rows were compared left out)."""
    gold = report.get("gold")
    if full or gold is None or "correct" not in gold:
        return report
    accuracy = rounded(gold["correct"], gold["fields"], FREELANCER_PLACES)
    return {**report, "gold": {"accuracy": accuracy}}
