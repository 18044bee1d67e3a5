"""Deliveries as files: CSV and XLSX, well made and hostile."""

import io
import zipfile

import pytest
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from tests.api.test_deliveries import counts, errors_of
from tests.client import assert_problem
from tests.deliveries import NAMES, as_csv, funded_milestone, multipart, record, upload, xlsx


@pytest.fixture
def work(app, api, factory):
    class Work:
        client = api.as_user(factory.client())
        freelancer = api.as_user(factory.freelancer())

    Work.milestone = funded_milestone(app, Work.client, Work.freelancer)
    return Work


def send(work, data: bytes, name="records.csv", **fields):
    return upload(work.freelancer, work.milestone, data, name, **fields)


def test_a_csv_with_a_bom_columns_in_any_order_and_blank_lines(app, work):
    names = list(reversed(NAMES))
    body = as_csv([record(1), record(2)], names).decode().splitlines()
    text = "\r\n".join([body[0], body[1], "", ",,,,,,,", body[2]]) + "\r\n"

    response = send(work, b"\xef\xbb\xbf" + text.encode(), note="Two rows.")

    assert response.status_code == 200, response.json
    assert response.json["submissions"][-1]["report"]["rows"] == 2
    assert response.json["submissions"][-1]["note"] == "Two rows."
    page = work.client.get(f"/milestones/{work.milestone}/records?format=json").json
    # Rows keep their place in the spreadsheet: the blank ones are skipped, not renumbered.
    assert [item["row"] for item in page["data"]] == [1, 4]
    assert page["data"][1]["values"]["day"] == "2026-02-28"


def test_row_numbers_are_the_spreadsheets(work):
    body = as_csv([record(1), record(2), record(3, amount="x")]).decode().splitlines()
    text = "\n".join([body[0], body[1], "", body[2], body[3]]) + "\n"

    assert errors_of(send(work, text.encode())) == [(4, "amount", "type")]


HEADERS = {
    "unknown column": ([*NAMES, "extra"], [(None, "extra", "unknown_column")]),
    "missing column": (NAMES[:-1], [(None, "country", "missing_column")]),
    "duplicate column": ([*NAMES, "email"], [(None, "email", "unknown_column")]),
}


@pytest.mark.parametrize(("names", "expected"), HEADERS.values(), ids=HEADERS.keys())
def test_the_header_must_name_the_schemas_fields(work, names, expected):
    response = send(work, as_csv([record(1)], names))

    assert errors_of(response) == expected
    assert response.json["report"]["rows"] == 1
    assert response.json["report"]["valid"] == 0


def test_a_value_under_no_column_name(work):
    text = as_csv([record(1)]).decode().rstrip("\r\n") + ",surprise\r\n"

    assert errors_of(send(work, text.encode())) == [(None, None, "unknown_column")]


UNREADABLE = {
    "latin-1": as_csv([record(1, name="Zoë")]).decode().encode("latin-1"),
    "utf-16": as_csv([record(1)]).decode().encode("utf-16"),
    "NUL byte": as_csv([record(1, name="a\x00b")]),
    "one long line": b"id," + b"x" * (2 * 1024 * 1024),
    "unclosed quote": as_csv([record(1)]) + b'2,"never closed\n',
    "a PDF": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n",
    "nothing": b"",
    "a zip that is none": b"PK\x03\x04" + b"\x00" * 100,
}


@pytest.mark.parametrize("data", UNREADABLE.values(), ids=UNREADABLE.keys())
def test_what_is_not_a_utf8_table_is_unreadable(app, work, data):
    response = send(work, data)

    assert errors_of(response) == [(None, None, "unreadable")]
    assert counts(app)["delivery_records"] == 0


def test_an_upload_over_the_limit_is_413(app, work, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_UPLOAD_BYTES", 100_000)

    response = send(work, b"id," + b"x" * 200_000)

    assert_problem(response, 413)
    assert counts(app)["delivery_refusals"] == 0


def test_a_multipart_delivery_needs_its_file(work):
    path = f"/milestones/{work.milestone}/submit"
    csv_file = (as_csv([record(1)]), "a.csv")
    assert_problem(work.freelancer.post(path, **multipart(note="x")), 422, "file")
    assert_problem(work.freelancer.post(path, **multipart(file=csv_file, other="1")), 422, "other")
    assert_problem(work.freelancer.post(path, **multipart(file=csv_file, note="")), 422, "note")


def test_a_part_sent_twice_is_a_422(app, work):
    # Which one would count? And an idempotent retry compares parts as a set.
    path = f"/milestones/{work.milestone}/submit"
    one, two = (as_csv([record(1)]), "a.csv"), (as_csv([record(2)]), "b.csv")
    body = encode_multipart(
        MultiDict([("file", FileStorage(io.BytesIO(d), filename=n)) for d, n in (one, two)])
    )
    twice_file = {"data": body[1], "content_type": f"multipart/form-data; boundary={body[0]}"}
    body = encode_multipart(
        MultiDict(
            [
                ("file", FileStorage(io.BytesIO(one[0]), filename=one[1])),
                ("note", "a"),
                ("note", "b"),
            ]
        )
    )
    twice_note = {"data": body[1], "content_type": f"multipart/form-data; boundary={body[0]}"}

    assert_problem(work.freelancer.post(path, **twice_file), 422, "file")
    assert_problem(work.freelancer.post(path, **twice_note), 422, "note")
    assert counts(app)["milestone_submissions"] == 0


def test_a_multipart_note_is_held_to_the_rules_of_json_text(app, work):
    # A NUL cannot be stored in PostgreSQL text; JSON bodies are refused for it, and so
    # must a form field be.
    path = f"/milestones/{work.milestone}/submit"
    csv_file = (as_csv([record(1)]), "a.csv")

    response = work.freelancer.post(path, **multipart(file=csv_file, note="a\x00b"))

    assert_problem(response, 422, "note")
    assert counts(app)["milestone_submissions"] == 0
    assert counts(app)["delivery_records"] == 0


def test_an_xlsx_delivery_reads_the_first_sheet_typed_by_the_spreadsheet(app, work):
    from datetime import datetime

    rows = [
        NAMES,
        [1, "Ann", "a@example.test", 120.5, datetime(2026, 2, 28), True, "ABC-12", "US"],
        [],
        [2.0, "Bob", "b@example.test", 7, "01/03/2026", "false", "XYZ-99", "DE"],
    ]

    response = send(work, xlsx(rows), "records.xlsx")

    assert response.status_code == 200, response.json
    page = work.client.get(f"/milestones/{work.milestone}/records?format=json").json
    assert [(item["row"], item["values"]["id"]) for item in page["data"]] == [(1, 1), (3, 2)]
    assert page["data"][0]["values"]["day"] == "2026-02-28"
    assert page["data"][1]["values"]["paid"] is False


def test_formulas_are_never_computed(app, api, factory):
    schema = {"fields": [{"name": "id", "type": "integer"}, {"name": "label", "type": "string"}]}
    company, freelancer = api.as_user(factory.client()), api.as_user(factory.freelancer())
    milestone = funded_milestone(app, company, freelancer, schema)
    data = xlsx(
        [["id", "label"], [1, "x"], [2, "y"]], formulas={"B2": '=HYPERLINK("x")', "A3": "=1+1"}
    )

    response = upload(freelancer, milestone, data, "f.xlsx")

    # Saved without values: the cells are empty, and an empty id is no integer of 2.
    assert response.status_code == 200, response.json
    page = company.get(f"/milestones/{milestone}/records?format=json").json
    assert [item["values"] for item in page["data"]] == [
        {"id": 1, "label": None},
        {"id": None, "label": "y"},
    ]


def test_a_zip_bomb_is_refused_before_it_is_decompressed(app, work):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (64 * 1024 * 1024))

    response = send(work, out.getvalue(), "bomb.xlsx")

    assert errors_of(response) == [(None, None, "unreadable")]
    assert "compressed far more" in response.json["report"]["errors"][0]["message"]


def test_a_damaged_workbook_is_unreadable(work):
    data = xlsx([NAMES, list(record(1).values())])

    response = send(work, data[: len(data) // 2], "cut.xlsx")

    assert errors_of(response) == [(None, None, "unreadable")]


def test_a_delivery_that_does_not_commit_leaves_no_file_behind(app, work, monkeypatch):
    from pathlib import Path

    from marketplace.milestones import service

    def kept() -> list[Path]:
        return [p for p in Path(app.config["FILE_STORAGE"]).rglob("*") if p.is_file()]

    before = kept()

    def fail(*_args, **_kwargs):
        raise RuntimeError("the database went away")

    # The last write of the submit, after the file was kept and before the commit.
    monkeypatch.setattr(service.audit, "record", fail)

    response = work.freelancer.post(
        f"/milestones/{work.milestone}/submit",
        expect_5xx=True,
        **multipart(file=(as_csv([record(1), record(2)]), "a.csv")),
    )

    assert response.status_code == 500
    assert kept() == before
    assert counts(app)["delivery_records"] == 0
