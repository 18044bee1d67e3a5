"""Deliveries of records: read and checked, stored when they pass, exported on request.

What a milestone is and who may act on it is for the milestones package, which calls
these functions from its submit action and its reads: the check (into a `RowSpool`)
and the file's trip to storage before the milestone is locked, the records and the
file's row under its lock.
"""

import csv
import io
import logging
import math
import pickle
import tempfile
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import IO, Any, BinaryIO, cast

from flask import current_app
from sqlalchemy import Table, bindparam, delete, insert, select, update
from werkzeug.datastructures import FileStorage

from marketplace.database import utcnow
from marketplace.deliveries import reading
from marketplace.deliveries.checks import Checked, as_json, canonical, check
from marketplace.deliveries.models import DeliveryFile, DeliveryRecord, DeliveryRefusal
from marketplace.deliveries.record_schema import field_names
from marketplace.errors import log_error
from marketplace.extensions import db
from marketplace.pagination import Page, SortKey, paginate_rows
from marketplace.storage import get_storage

REFUSALS_WINDOW = timedelta(hours=24)
# Records are written this many to a statement, and exports read this many at a time.
BATCH = 1000
# A delivery's checked rows are kept in memory up to this many bytes, then on disk.
SPOOL_IN_MEMORY = 1024 * 1024
# A string cell starting with one of these is a formula to a spreadsheet: an export
# writes it with a leading apostrophe, which spreadsheets show as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TIMED = ("date", "datetime")
JSON_TYPE = "application/json"
CSV_TYPE = "text/csv"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Delivery:
    """What the freelancer sent: records as JSON, or a CSV or XLSX file."""

    name: str
    stream: BinaryIO
    records: Iterable[dict] | None = None

    @property
    def content_type(self) -> str:
        if self.records is not None:
            return JSON_TYPE
        head = self.stream.read(len(reading.ZIP_MAGIC))
        self.stream.seek(0)
        return XLSX_TYPE if reading.sniff(head) == "xlsx" else CSV_TYPE

    def table(self, names: list[str]) -> reading.Table:
        if self.records is not None:
            return reading.records_table(self.records, names)
        return reading.read_file(self.stream)


def json_delivery(records: Iterable[dict], body: IO[bytes]) -> Delivery:
    """Records sent as JSON; the body as sent (in a temporary file) is what is kept."""
    return Delivery("records.json", cast(BinaryIO, body), records)


def file_delivery(upload: FileStorage) -> Delivery:
    # werkzeug spools the part to a temporary file (or keeps a small one in memory).
    return Delivery(_file_name(upload.filename), cast(BinaryIO, upload.stream))


def _file_name(name: str | None) -> str:
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    printable = "".join(c for c in base if c.isprintable())
    return printable[:255] or "delivery"


# -- the check --------------------------------------------------------------------------


def max_records(milestone_limit: int | None) -> tuple[int, str]:
    """The most rows a delivery may hold, and what sets it (for the report's message)."""
    setting = current_app.config["MAX_RECORDS_PER_DELIVERY"]
    if milestone_limit is not None and milestone_limit < setting:
        return milestone_limit, " (the milestone's max_records)"
    return setting, ""


class RowSpool:
    """The typed rows of a delivery while it is checked, until they are written.

    The check runs before the milestone is locked (on SQLite, before the database's
    write lock is taken), so its rows wait here: in memory up to SPOOL_IN_MEMORY, then
    in a temporary file, a batch at a time, so that a large delivery is never held
    whole. The bytes are this request's own, read back only by it.
    """

    def __init__(self, descriptor: dict) -> None:
        self._file = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115
        # Only dates and times need a conversion to be JSON, done before they are kept
        # (ISO text is kept and read back faster than date objects).
        self._timed = [i for i, spec in enumerate(descriptor["fields"]) if spec["type"] in TIMED]

    def add(self, rows: list[tuple[int, list[Any]]]) -> None:
        for _number, values in rows:
            for i in self._timed:
                values[i] = as_json(values[i])
        pickle.dump(rows, self._file, protocol=pickle.HIGHEST_PROTOCOL)

    def batches(self) -> Iterator[list[tuple[int, list[Any]]]]:
        self._file.seek(0)
        while True:
            try:
                yield pickle.load(self._file)  # noqa: S301 (written above, by this request)
            except EOFError:
                return

    def close(self) -> None:
        self._file.close()


def check_delivery(
    descriptor: dict,
    delivery: Delivery,
    *,
    milestone_limit: int | None,
    spool: RowSpool | None = None,
) -> Checked:
    """The delivery checked against the job's record schema. With a spool, the typed
    records go there as they pass (all of them once the whole delivery passed)."""
    limit, reason = max_records(milestone_limit)
    names = field_names(descriptor)
    return check(
        descriptor,
        lambda: delivery.table(names),
        max_records=limit,
        limit_reason=reason,
        sink=None if spool is None else spool.add,
    )


def write_records(descriptor: dict, submission_id: int, spool: RowSpool) -> None:
    """The spooled rows as records of the submission, a batch per executemany."""
    names = field_names(descriptor)
    table = cast(Table, DeliveryRecord.__table__)
    for rows in spool.batches():
        # Core, not the ORM's bulk insert: no objects, one executemany (on PostgreSQL,
        # several rows to a statement).
        db.session.execute(
            insert(table),
            [
                {
                    "submission_id": submission_id,
                    "row": number,
                    "record_values": dict(zip(names, values, strict=True)),
                }
                for number, values in rows
            ],
        )


def refused_checks_wait(milestone_id: int) -> int | None:
    """Seconds until another delivery of the milestone may be checked, when it has had
    DELIVERY_CHECKS_PER_DAY refused in the last 24 hours; None while it may."""
    allowed = current_app.config["DELIVERY_CHECKS_PER_DAY"]
    now = utcnow()
    recent = db.session.scalars(
        select(DeliveryRefusal.created_at)
        .where(
            DeliveryRefusal.milestone_id == milestone_id,
            DeliveryRefusal.created_at > now - REFUSALS_WINDOW,
        )
        .order_by(DeliveryRefusal.created_at.desc())
        .limit(allowed)
    ).all()
    if len(recent) < allowed:
        return None
    # One more may be checked once the oldest of these leaves the window.
    return max(1, math.ceil((recent[-1] + REFUSALS_WINDOW - now).total_seconds()))


def count_refusal(milestone_id: int) -> None:
    """Count a refused check (the caller commits it); those out of the window go."""
    now = utcnow()
    db.session.execute(
        delete(DeliveryRefusal).where(
            DeliveryRefusal.milestone_id == milestone_id,
            DeliveryRefusal.created_at <= now - REFUSALS_WINDOW,
        )
    )
    db.session.add(DeliveryRefusal(milestone_id=milestone_id, created_at=now))


# -- storing ----------------------------------------------------------------------------


@dataclass(frozen=True)
class KeptFile:
    """A delivery's file in storage, before its row is written."""

    key: str
    name: str
    content_type: str
    size: int
    sha256: str


def keep_file(milestone_id: int, delivery: Delivery) -> KeptFile:
    """Put the file the records came in into storage (no database work: no lock is held
    while it travels); the caller writes its row with `file_row`, or deletes it with
    `forget_file` if its transaction does not commit."""
    content_type = delivery.content_type
    key = f"deliveries/{milestone_id}/{uuid.uuid4().hex}"
    delivery.stream.seek(0)
    stored = get_storage().save(key, delivery.stream)
    return KeptFile(key, delivery.name, content_type, stored.size, stored.sha256)


def file_row(submission_id: int, kept: KeptFile) -> None:
    """The row of a kept file, on the submission its records belong to."""
    db.session.add(
        DeliveryFile(
            submission_id=submission_id,
            storage_key=kept.key,
            name=kept.name,
            content_type=kept.content_type,
            size=kept.size,
            sha256=kept.sha256,
        )
    )


def forget_file(key: str) -> None:
    """Remove a stored delivery file whose records were never committed. A store that
    fails to is logged, not raised over the request's own error: `sweep-files` removes
    the object later."""
    try:
        get_storage().delete(key)
    except Exception as error:
        log_error(f"stored object {key} could not be removed", error, logging.WARNING)


# -- exports ----------------------------------------------------------------------------


def _neutral(value: Any) -> str:
    text = canonical(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def records_csv(descriptor: dict, submission_id: int) -> Iterator[str]:
    """The delivery as CSV, in row order, read and written a batch at a time."""
    names = field_names(descriptor)
    strings = [spec["type"] == "string" for spec in descriptor["fields"]]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    # Field names are the client's text too, and may start like a formula.
    writer.writerow([_neutral(name) for name in names])
    last = 0
    while True:
        batch = db.session.execute(
            select(DeliveryRecord.row, DeliveryRecord.values.label("cells"))
            .where(DeliveryRecord.submission_id == submission_id, DeliveryRecord.row > last)
            .order_by(DeliveryRecord.row)
            .limit(BATCH)
        ).all()
        for _row, values in batch:
            writer.writerow(
                [
                    _neutral(values.get(name)) if string else canonical(values.get(name))
                    for name, string in zip(names, strings, strict=True)
                ]
            )
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        if len(batch) < BATCH:
            return
        last = batch[-1].row


ROW_KEYS = (SortKey(DeliveryRecord.row, descending=False),)


def records_page(descriptor: dict, submission_id: int, *, limit: int, cursor: str | None) -> Page:
    """One page of the delivery's records as JSON, in row order."""
    names = field_names(descriptor)

    def item(found) -> dict:
        cells = found.cells
        return {
            "row": found.row,
            "values": {name: cells.get(name) for name in names},
            "rejected": found.rejection,
        }

    return paginate_rows(
        db.session,
        select(
            DeliveryRecord.row, DeliveryRecord.values.label("cells"), DeliveryRecord.rejection
        ).where(DeliveryRecord.submission_id == submission_id),
        ROW_KEYS,
        item,
        limit=limit,
        cursor=cursor,
    )


def rows_present(submission_id: int, rows: list[int]) -> list[int]:
    """Which of these row numbers the delivery holds."""
    return list(
        db.session.scalars(
            select(DeliveryRecord.row).where(
                DeliveryRecord.submission_id == submission_id, DeliveryRecord.row.in_(rows)
            )
        )
    )


def reject_rows(submission_id: int, rows: list[dict]) -> None:
    """Write each rejected row's reason on it, where both parties read it with the records."""
    table = cast(Table, DeliveryRecord.__table__)
    db.session.execute(
        update(table)
        .where(table.c.submission_id == submission_id, table.c.row == bindparam("number"))
        .values(rejection=bindparam("reason")),
        [{"number": r["row"], "reason": r["reason"]} for r in rows],
    )
