"""Deliveries of records: read and checked, stored when they pass, exported on request.

What a milestone is and who may act on it is for the milestones package, which calls
these functions from its submit action (under the milestone's lock) and its reads.
"""

import csv
import io
import math
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, BinaryIO, cast

from flask import current_app
from sqlalchemy import Table, delete, insert, select
from werkzeug.datastructures import FileStorage

from marketplace.database import utcnow
from marketplace.deliveries import reading
from marketplace.deliveries.checks import Checked, as_json, canonical, check
from marketplace.deliveries.gold import GoldComparison
from marketplace.deliveries.models import DeliveryFile, DeliveryRecord, DeliveryRefusal
from marketplace.deliveries.record_schema import field_names
from marketplace.extensions import db
from marketplace.pagination import Page, SortKey, paginate_rows
from marketplace.storage import get_storage

REFUSALS_WINDOW = timedelta(hours=24)
# Records are written this many to a statement, and exports read this many at a time.
BATCH = 1000
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
    records: list[dict] | None = None

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


def json_delivery(records: list[dict], body: bytes) -> Delivery:
    """Records sent as JSON; the body as sent is what is kept."""
    return Delivery("records.json", io.BytesIO(body), records)


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


def check_delivery(
    descriptor: dict,
    delivery: Delivery,
    *,
    milestone_limit: int | None,
    submission_id: int | None = None,
    gold: GoldComparison | None = None,
) -> Checked:
    """The delivery checked against the job's record schema. With a submission, its
    records are written as they pass (the caller rolls back when the check fails); with
    a gold comparison, they are compared with the job's gold records on their way."""
    limit, reason = max_records(milestone_limit)
    names = field_names(descriptor)
    sink = None if submission_id is None else _record_writer(descriptor, submission_id)
    if gold is not None:
        sink = gold.sink(sink)
    return check(
        descriptor,
        lambda: delivery.table(names),
        max_records=limit,
        limit_reason=reason,
        sink=sink,
    )


def _record_writer(descriptor: dict, submission_id: int):
    """Writes rows of typed values as records of the submission, a batch per executemany."""
    names = field_names(descriptor)
    table = cast(Table, DeliveryRecord.__table__)
    # Only dates and times need a conversion to be JSON.
    timed = [i for i, spec in enumerate(descriptor["fields"]) if spec["type"] in TIMED]

    def write(rows: list[tuple[int, list[Any]]]) -> None:
        params = []
        for number, values in rows:
            for i in timed:
                values[i] = as_json(values[i])
            params.append(
                {
                    "submission_id": submission_id,
                    "row": number,
                    "record_values": dict(zip(names, values, strict=True)),
                }
            )
        # Core, not the ORM's bulk insert: no objects, one executemany (on PostgreSQL,
        # several rows to a statement).
        db.session.execute(insert(table), params)

    return write


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


def keep_file(milestone_id: int, submission_id: int, delivery: Delivery) -> str:
    """Keep the file the records came in; returns its storage key, which the caller
    deletes if its transaction does not commit."""
    content_type = delivery.content_type
    key = f"deliveries/{milestone_id}/{submission_id}-{uuid.uuid4().hex}"
    delivery.stream.seek(0)
    stored = get_storage().save(key, delivery.stream)
    db.session.add(
        DeliveryFile(
            submission_id=submission_id,
            storage_key=key,
            name=delivery.name,
            content_type=content_type,
            size=stored.size,
            sha256=stored.sha256,
        )
    )
    return key


def forget_file(key: str) -> None:
    """Remove a stored delivery file whose records were never committed."""
    get_storage().delete(key)


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
    writer.writerow(names)
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
            "rejected": None,
        }

    return paginate_rows(
        db.session,
        select(DeliveryRecord.row, DeliveryRecord.values.label("cells")).where(
            DeliveryRecord.submission_id == submission_id
        ),
        ROW_KEYS,
        item,
        limit=limit,
        cursor=cursor,
    )
