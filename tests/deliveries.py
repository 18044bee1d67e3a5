"""Builders for deliveries of records: a funded milestone of a job with a record schema."""

import csv
import io

from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from tests.money import fund
from tests.work import place_bid, post_job

# Eight fields of every type, with each constraint somewhere.
SCHEMA = {
    "fields": [
        {"name": "id", "type": "integer"},
        {"name": "name", "type": "string", "constraints": {"required": True, "maxLength": 20}},
        {
            "name": "email",
            "type": "string",
            "format": "email",
            "constraints": {"unique": True},
        },
        {"name": "amount", "type": "number", "constraints": {"minimum": 0, "maximum": 1000}},
        {"name": "day", "type": "date", "format": "%d/%m/%Y"},
        {"name": "paid", "type": "boolean"},
        {
            "name": "code",
            "type": "string",
            "constraints": {"pattern": "[A-Z]{3}-[0-9]{2}", "minLength": 6},
        },
        {"name": "country", "type": "string", "constraints": {"enum": ["US", "DE"]}},
    ],
    "primaryKey": "id",
}
NAMES = [field["name"] for field in SCHEMA["fields"]]


def record(n: int, **changes) -> dict:
    """A record that passes every check (row n), with some values changed."""
    values = {
        "id": n,
        "name": f"Person {n}",
        "email": f"p{n}@example.test",
        "amount": 120.5,
        "day": "28/02/2026",
        "paid": True,
        "code": "ABC-12",
        "country": "US",
    }
    return {**values, **changes}


def as_csv(records: list[dict], names: list[str] | None = None) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    names = names or NAMES
    writer.writerow(names)
    for item in records:
        writer.writerow(["" if item.get(n) is None else _text(item.get(n)) for n in names])
    return out.getvalue().encode()


def _text(value) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value)


def records_job(app, client, schema=SCHEMA) -> dict:
    """An open job of the client's with a record schema."""
    return post_job(client, schema=schema)


def funded_milestone(app, client, freelancer, schema=SCHEMA) -> int:
    """A funded milestone of a contract on a job with a record schema: its id."""
    job = records_job(app, client, schema)
    bid = place_bid(freelancer, job["id"])
    contract = client.post(f"/bids/{bid['id']}/accept")
    assert contract.status_code == 201, contract.json
    milestone = contract.json["milestones"][0]["id"]
    assert fund(client, milestone).status_code == 200
    return milestone


def xlsx(rows: list[list], *, formulas: dict[str, str] | None = None) -> bytes:
    """A workbook whose first sheet holds the rows (the header first); `formulas` puts a
    formula (saved without a value, as a program writes it) in the named cells."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for place, formula in (formulas or {}).items():
        sheet[place] = formula
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def multipart(**parts) -> dict:
    """Request arguments of a multipart body; a part given as (bytes, name) is a file.

    Encoded in memory: the test client would spool a large body to a temporary file that
    it never closes."""
    values = {
        key: FileStorage(io.BytesIO(value[0]), filename=value[1])
        if isinstance(value, tuple)
        else value
        for key, value in parts.items()
    }
    boundary, body = encode_multipart(values)
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}


def upload(freelancer, milestone_id: int, data: bytes, name: str = "records.csv", **fields):
    return freelancer.post(
        f"/milestones/{milestone_id}/submit", **multipart(file=(data, name), **fields)
    )
