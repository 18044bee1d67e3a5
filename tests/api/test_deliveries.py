"""Deliveries of records: checked on submit, stored when they pass, exported as CSV or JSON."""

import pytest
from sqlalchemy import event, func, select

from marketplace.contracts.models import MilestoneSubmission
from marketplace.deliveries.models import DeliveryFile, DeliveryRecord, DeliveryRefusal
from marketplace.extensions import db
from tests.client import assert_problem
from tests.deliveries import funded_milestone, record
from tests.money import fund
from tests.work import make_contract


@pytest.fixture
def work(app, api, factory):
    class Work:
        client = api.as_user(factory.client())
        freelancer = api.as_user(factory.freelancer())
        admin = api.as_user(factory.admin())
        stranger = api.as_user(factory.client())

    Work.milestone = funded_milestone(app, Work.client, Work.freelancer)
    return Work


def submit_json(work, records, **body):
    return work.freelancer.post(
        f"/milestones/{work.milestone}/submit", json={"records": records, **body}
    )


def counts(app) -> dict:
    with app.app_context():
        return {
            model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
            for model in (DeliveryRecord, DeliveryFile, MilestoneSubmission, DeliveryRefusal)
        }


def errors_of(response) -> list[tuple]:
    body = assert_problem(response, 422)
    assert body["type"] == "/problems/delivery-refused"
    return [(e["row"], e["field"], e["code"]) for e in body["report"]["errors"]]


def test_a_passing_delivery_is_stored_and_the_milestone_submitted(app, work):
    records = [record(1), record(2, amount=0, paid=False, country="DE")]

    response = submit_json(work, records, note="Both rows.")

    assert response.status_code == 200, response.json
    milestone = response.json
    assert milestone["status"] == "submitted"
    assert milestone["records"]["submitted"] == 2
    report = milestone["submissions"][-1]["report"]
    assert report == {
        "rows": 2,
        "valid": 2,
        "error_count": 0,
        "errors": [],
        "gold": None,
        "passed": True,
    }
    assert milestone["submissions"][-1]["note"] == "Both rows."
    assert counts(app) == {
        "delivery_records": 2,
        "delivery_files": 1,
        "milestone_submissions": 1,
        "delivery_refusals": 0,
    }
    page = work.client.get(f"/milestones/{work.milestone}/records?format=json").json
    assert page["next_cursor"] is None
    assert page["data"][1] == {
        "row": 2,
        "values": {
            "id": 2,
            "name": "Person 2",
            "email": "p2@example.test",
            "amount": 0,
            "day": "2026-02-28",
            "paid": False,
            "code": "ABC-12",
            "country": "DE",
        },
        "rejected": None,
    }


# Each case: records sent as JSON, the errors the report lists as (row, field, code).
CASES = {
    "integer": ([record(1, id="seven")], [(1, "id", "type")]),
    "integer from a fraction": ([record(1, id=7.5)], [(1, "id", "type")]),
    "number": ([record(1, amount="12,5")], [(1, "amount", "type")]),
    "date in the schema's format": ([record(1, day="2026-02-28")], [(1, "day", "type")]),
    "impossible date": ([record(1, day="30/02/2026")], [(1, "day", "type")]),
    "boolean": ([record(1, paid="yes")], [(1, "paid", "type")]),
    "email format": ([record(1, email="not an address")], [(1, "email", "type")]),
    "a list is no value": ([record(1, name=["a"])], [(1, "name", "type")]),
    "required, empty": ([record(1), record(2, name="   ")], [(2, "name", "required")]),
    "required, key missing": (
        [{k: v for k, v in record(1).items() if k != "name"}],
        [(1, "name", "required")],
    ),
    "primary key required": ([record(1, id=None)], [(1, "id", "required")]),
    "minimum": ([record(1, amount=-0.5)], [(1, "amount", "constraint")]),
    "maximum": ([record(1, amount=1000.01)], [(1, "amount", "constraint")]),
    "maxLength": ([record(1, name="x" * 21)], [(1, "name", "constraint")]),
    "minLength": ([record(1, code="AB-12")], [(1, "code", "constraint")]),
    "pattern, whole value": ([record(1, code="ABC-123")], [(1, "code", "constraint")]),
    "enum": ([record(1, country="FR")], [(1, "country", "constraint")]),
    "unique": (
        [record(1), record(2), record(3, email="p1@example.test")],
        [(3, "email", "unique")],
    ),
    "primary key unique": (
        [record(1), record(2), record(1, email="other@example.test")],
        [(3, "id", "unique")],
    ),
    "unknown key": ([record(1), record(2, note="hi")], [(None, "note", "unknown_column")]),
    "no rows": ([], [(None, None, "empty")]),
    "several, whole delivery first": (
        [record(1, amount="x"), record(2, extra=1, country="FR", paid="maybe")],
        [
            (None, "extra", "unknown_column"),
            (1, "amount", "type"),
            (2, "paid", "type"),
            (2, "country", "constraint"),
        ],
    ),
}


@pytest.mark.parametrize(("records", "expected"), CASES.values(), ids=CASES.keys())
def test_every_check_names_its_row_field_and_code(app, work, records, expected):
    response = submit_json(work, records)

    assert errors_of(response) == expected
    report = response.json["report"]
    assert report["error_count"] == len(expected)
    assert report["passed"] is False
    assert report["gold"] is None
    assert report["rows"] == len(records)
    assert all(e["message"] for e in report["errors"])


def test_too_many_rows_counts_against_the_limit(app, work, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_RECORDS_PER_DELIVERY", 3)
    assert submit_json(work, [record(n) for n in range(1, 4)]).status_code == 200

    other = funded_milestone(app, work.client, work.freelancer)
    response = work.freelancer.post(
        f"/milestones/{other}/submit", json={"records": [record(n) for n in range(1, 5)]}
    )

    assert errors_of(response) == [(None, None, "too_many_rows")]
    assert response.json["report"]["rows"] == 4


def test_the_report_lists_the_first_100_errors_and_counts_them_all(app, work):
    records = [record(n, amount="x") for n in range(1, 151)] + [record(151, extra=1)]

    response = submit_json(work, records)

    report = response.json["report"]
    assert report["error_count"] == 151
    assert report["valid"] == 1
    assert len(report["errors"]) == 100
    assert report["errors"][0]["code"] == "unknown_column"
    assert [e["row"] for e in report["errors"][1:]] == list(range(1, 100))


def test_a_refused_delivery_stores_nothing_and_leaves_the_milestone(app, work, tmp_path):
    before = work.freelancer.get(f"/contracts/{_contract_of(work)}").json

    response = submit_json(work, [record(1), record(2, amount="x")])

    errors_of(response)
    assert counts(app) == {
        "delivery_records": 0,
        "delivery_files": 0,
        "milestone_submissions": 0,
        "delivery_refusals": 1,
    }
    assert work.freelancer.get(f"/contracts/{_contract_of(work)}").json == before
    assert work.client.get(f"/milestones/{work.milestone}/records").status_code == 404


def _contract_of(work) -> int:
    contracts = work.freelancer.get("/contracts").json["data"]
    return next(
        c["id"] for c in contracts if any(m["id"] == work.milestone for m in c["milestones"])
    )


def test_refused_checks_are_limited_per_milestone(app, work, monkeypatch):
    monkeypatch.setitem(app.config, "DELIVERY_CHECKS_PER_DAY", 2)
    path = f"/milestones/{work.milestone}/submit"
    # Refused before any check: not counted.
    for _ in range(3):
        assert_problem(work.freelancer.post(path, json={"note": "No records."}), 422, "records")
    errors_of(submit_json(work, [record(1, amount="x")]))
    errors_of(submit_json(work, [record(1, amount="x")]))

    refused = submit_json(work, [record(1)])

    assert_problem(refused, 429)
    assert 86_000 < int(refused.headers["Retry-After"]) <= 86_400
    assert "report" not in refused.json
    other = funded_milestone(app, work.client, work.freelancer)
    assert (
        work.freelancer.post(
            f"/milestones/{other}/submit", json={"records": [record(1)]}
        ).status_code
        == 200
    )


def test_records_are_only_for_jobs_with_a_schema(app, api, factory, work):
    company, freelancer = api.as_user(factory.client()), api.as_user(factory.freelancer())
    contract = make_contract(company, freelancer)
    milestone = contract["milestones"][0]["id"]
    fund(company, milestone)
    path = f"/milestones/{milestone}/submit"

    assert_problem(freelancer.post(path, json={"records": [record(1)]}), 422, "records")
    assert_problem(freelancer.post(path, json={}), 422, "note")
    assert freelancer.post(path, json={"note": "Done."}).status_code == 200
    assert_problem(freelancer.get(f"/milestones/{milestone}/records"), 404)
    assert_problem(
        work.freelancer.post(f"/milestones/{work.milestone}/submit", json={"note": "x"}),
        422,
        "records",
    )
    assert_problem(
        work.freelancer.post(f"/milestones/{work.milestone}/submit", json={"records": {}}),
        422,
        "records",
    )


def test_a_pattern_is_matched_in_linear_time(app, api, factory):
    schema = {
        "fields": [
            {"name": "text", "type": "string", "constraints": {"pattern": "(a+)+$"}},
        ]
    }
    company, freelancer = api.as_user(factory.client()), api.as_user(factory.freelancer())
    milestone = funded_milestone(app, company, freelancer, schema)
    # Python's backtracking `re` would take longer than the universe's age on this cell.
    hostile = "a" * 50_000 + "!"

    response = freelancer.post(
        f"/milestones/{milestone}/submit",
        json={"records": [{"text": "aaaa"}, {"text": hostile}, {"text": "a" * 50_000}]},
    )

    assert errors_of(response) == [(2, "text", "constraint")]


def test_reading_a_contract_never_reads_records(app, work):
    assert submit_json(work, [record(n) for n in range(1, 6)]).status_code == 200
    statements = []

    def seen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        work.client.get(f"/contracts/{_contract_of(work)}")
        work.client.get("/contracts")
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert statements
    assert not [s for s in statements if "delivery_records" in s]


# -- exports ----------------------------------------------------------------------------

TEXTS = {
    "fields": [
        {"name": "id", "type": "integer"},
        {"name": "label", "type": "string"},
        {"name": "value", "type": "number"},
        {"name": "when", "type": "date"},
    ],
    "primaryKey": "id",
}


@pytest.fixture
def texts(app, api, factory):
    class Texts:
        client = api.as_user(factory.client())
        freelancer = api.as_user(factory.freelancer())

    Texts.milestone = funded_milestone(app, Texts.client, Texts.freelancer, TEXTS)
    return Texts


def test_the_csv_export_writes_canonical_values_and_neutralises_formulas(texts):
    labels = ["=SUM(A1:A2)", "+1", "-2", "@cmd", "\tx", "\ry", "plain, with comma", "é"]
    records = [
        {"id": n, "label": label, "value": -120.50 if n == 1 else 7, "when": "2026-03-01"}
        for n, label in enumerate(labels, start=1)
    ]
    records[1]["value"] = None
    submitted = texts.freelancer.post(
        f"/milestones/{texts.milestone}/submit", json={"records": records}
    )
    assert submitted.status_code == 200, submitted.json

    response = texts.client.get(f"/milestones/{texts.milestone}/records")

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    lines = response.get_data(as_text=True).split("\r\n")
    assert lines[0] == "id,label,value,when"
    assert lines[1:5] == [
        "1,'=SUM(A1:A2),-120.5,2026-03-01",
        "2,'+1,,2026-03-01",
        "3,'-2,7,2026-03-01",
        "4,'@cmd,7,2026-03-01",
    ]
    assert lines[5] == "5,'\tx,7,2026-03-01"
    assert lines[6] == '6,"\'\ry",7,2026-03-01'
    assert lines[7] == '7,"plain, with comma",7,2026-03-01'
    assert lines[8] == "8,é,7,2026-03-01"
    assert lines[9:] == [""]


def test_the_csv_exports_header_neutralises_field_names_that_start_like_formulas(app, api, factory):
    # A field's name has no control characters (no tab, no carriage return), but may
    # start with =, +, - or @.
    names = ["id", '=HYPERLINK("x")', "+total", "-change", "@who", "a=b"]
    schema = {"fields": [{"name": name, "type": "string"} for name in names]}
    company, freelancer = api.as_user(factory.client()), api.as_user(factory.freelancer())
    milestone = funded_milestone(app, company, freelancer, schema)
    records = [dict.fromkeys(names, "v")]
    submitted = freelancer.post(f"/milestones/{milestone}/submit", json={"records": records})
    assert submitted.status_code == 200, submitted.json

    lines = company.get(f"/milestones/{milestone}/records").get_data(as_text=True).split("\r\n")

    assert lines[0] == 'id,"\'=HYPERLINK(""x"")",\'+total,\'-change,\'@who,a=b'
    assert lines[1] == "v,v,v,v,v,v"
    for bad in ("\tname", "\rname"):
        refused = company.post(
            "/jobs",
            json={
                "title": "Key in forms",
                "description": "Forms.",
                "skills": ["data entry"],
                "budget": 1000,
                "currency": "USD",
                "schema": {"fields": [{"name": bad, "type": "string"}]},
            },
        )
        assert_problem(refused, 422, "schema.fields.0.name")


def test_the_json_export_pages_through_rows_in_order(texts):
    records = [{"id": n, "label": f"r{n}", "value": n / 2, "when": None} for n in range(1, 8)]
    path = f"/milestones/{texts.milestone}/submit"
    assert texts.freelancer.post(path, json={"records": records}).status_code == 200
    url = f"/milestones/{texts.milestone}/records"

    seen, cursor = [], None
    while True:
        query = {"format": "json", "limit": 3, **({"cursor": cursor} if cursor else {})}
        page = texts.freelancer.get(url, query_string=query).json
        seen.append([item["row"] for item in page["data"]])
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert seen == [[1, 2, 3], [4, 5, 6], [7]]
    first = texts.client.get(url, query_string={"format": "json"}).json["data"][0]
    assert first == {
        "row": 1,
        "values": {"id": 1, "label": "r1", "value": 0.5, "when": None},
        "rejected": None,
    }
    assert_problem(texts.client.get(url, query_string={"format": "json", "limit": 1001}), 422)
    assert_problem(texts.client.get(url, query_string={"format": "json", "cursor": "x"}), 422)
    assert_problem(texts.client.get(url, query_string={"limit": 5}), 422, "limit")
    assert_problem(texts.client.get(url, query_string={"cursor": ""}), 422, "cursor")
    assert_problem(texts.client.get(url, query_string={"format": "xml"}), 422, "format")


def test_records_are_404_before_a_delivery_and_to_strangers(app, work):
    url = f"/milestones/{work.milestone}/records"
    assert_problem(work.client.get(url), 404)
    assert submit_json(work, [record(1)]).status_code == 200

    assert work.client.get(url).status_code == 200
    assert work.admin.get(url).status_code == 200
    assert_problem(work.stranger.get(url), 404)
    assert_problem(work.client.get("/milestones/999999/records"), 404)
