"""Gold records: the client's known answers, and a delivery's accuracy measured on them."""

import io
import json
import re

import pytest
from sqlalchemy import func, select

from marketplace.contracts.models import MilestoneSubmission
from marketplace.deliveries.models import DeliveryRecord, DeliveryRefusal, GoldRecord
from marketplace.extensions import db
from tests.client import assert_problem
from tests.deliveries import upload
from tests.money import fund
from tests.work import place_bid, post_job

# A key and three fields to compare: one gold row is three compared fields.
INVOICES = {
    "fields": [
        {"name": "invoice", "type": "string", "constraints": {"required": True}},
        {"name": "supplier", "type": "string"},
        {"name": "net", "type": "number"},
        {"name": "day", "type": "date", "format": "%d/%m/%Y"},
    ],
    "primaryKey": "invoice",
}
HEADER = "invoice,supplier,net,day"


def invoice(n: int, **changes) -> dict:
    values = {
        "invoice": f"INV-{n}",
        "supplier": f"Supplier {n}",
        "net": 100 + n,
        "day": "03/11/2026",
    }
    return {**values, **changes}


def lines(*rows: str, header: str = HEADER) -> bytes:
    return ("\r\n".join([header, *rows]) + "\r\n").encode()


def put_csv(user, job_id: int, data: bytes):
    return user.put(f"/jobs/{job_id}/gold", data=data, content_type="text/csv")


def put_json(user, job_id: int, records: list):
    return user.put(f"/jobs/{job_id}/gold", json={"records": records})


def put_chunked(user, job_id: int, data: bytes):
    """A CSV body as a WSGI server hands a chunked one over: no Content-Length."""
    return user.put(
        f"/jobs/{job_id}/gold",
        input_stream=io.BytesIO(data),
        headers={"Transfer-Encoding": "chunked", "Content-Type": "text/csv"},
        environ_overrides={"wsgi.input_terminated": True},
    )


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, (response.status_code, response.json)
    return response.json


@pytest.fixture
def people(api, factory):
    class People:
        client = api.as_user(factory.client())
        freelancer = api.as_user(factory.freelancer())
        admin = api.as_user(factory.admin())
        other_client = api.as_user(factory.client())
        other_freelancer = api.as_user(factory.freelancer())

    return People


class Work:
    """A funded milestone of a contract on a job with a record schema and gold records."""

    def __init__(self, people, *, gold=None, min_accuracy=None, schema=INVOICES):
        self.people = people
        quality = None if min_accuracy is None else {"min_accuracy": min_accuracy}
        self.job = post_job(people.client, schema=schema, quality=quality)["id"]
        if gold is not None:
            ok(put_json(people.client, self.job, gold))
        bid = place_bid(people.freelancer, self.job)
        contract = ok(people.client.post(f"/bids/{bid['id']}/accept"), 201)
        self.contract = contract["id"]
        self.milestone = contract["milestones"][0]["id"]
        assert fund(people.client, self.milestone).status_code == 200

    def deliver(self, records: list):
        path = f"/milestones/{self.milestone}/submit"
        return self.people.freelancer.post(path, json={"records": records})

    def deliver_csv(self, data: bytes):
        return upload(self.people.freelancer, self.milestone, data)

    def report(self, user) -> dict:
        """The latest submission's report as `user` reads it on the contract."""
        contract = ok(user.get(f"/contracts/{self.contract}"))
        return contract["milestones"][0]["submissions"][-1]["report"]


def counts(app) -> dict:
    with app.app_context():
        return {
            model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
            for model in (DeliveryRecord, MilestoneSubmission, DeliveryRefusal, GoldRecord)
        }


# -- the gold set ------------------------------------------------------------------------


def test_a_gold_set_sent_as_csv_is_checked_stored_and_read_back_typed(people):
    job = post_job(people.client, schema=INVOICES)["id"]
    data = "\ufeff".encode() + lines(
        "03/11/2026,INV-1, Harbour  Stationers ,120.50",
        "04/11/2026,INV-2,,7",
        header="day,invoice,supplier,net",
    )

    assert ok(put_csv(people.client, job, data)) == {"rows": 2, "fields": 4}
    assert ok(put_chunked(people.client, job, data)) == {"rows": 2, "fields": 4}

    assert ok(people.client.get(f"/jobs/{job}/gold")) == {
        "rows": 2,
        "records": [
            {
                "invoice": "INV-1",
                "supplier": " Harbour  Stationers ",
                "net": 120.5,
                "day": "2026-11-03",
            },
            {"invoice": "INV-2", "supplier": None, "net": 7, "day": "2026-11-04"},
        ],
    }


def test_a_put_replaces_the_whole_set(people):
    job = post_job(people.client, schema=INVOICES)["id"]
    ok(put_json(people.client, job, [invoice(1), invoice(2), invoice(3)]))

    assert ok(put_json(people.client, job, [invoice(7)])) == {"rows": 1, "fields": 4}
    read = ok(people.client.get(f"/jobs/{job}/gold"))
    assert read == {
        "rows": 1,
        "records": [
            {"invoice": "INV-7", "supplier": "Supplier 7", "net": 107, "day": "2026-11-03"}
        ],
    }


# Each case: gold records sent as JSON, the errors the report lists as (row, field, code).
REFUSED = {
    "type": ([invoice(1), invoice(2, net="twelve")], [(2, "net", "type")]),
    "date in the schema's format": ([invoice(1, day="2026-11-03")], [(1, "day", "type")]),
    "primary key required": ([invoice(1, invoice=None)], [(1, "invoice", "required")]),
    "primary key unique": ([invoice(1), invoice(2), invoice(1)], [(3, "invoice", "unique")]),
    "unknown key": ([invoice(1, note="x")], [(None, "note", "unknown_column")]),
    "no rows": ([], [(None, None, "empty")]),
    # Keys are matched with spaces trimmed and collapsed: two such keys are one.
    "keys equal but for spaces": (
        [invoice(1, invoice="INV 1"), invoice(2), invoice(3, invoice=" INV  1")],
        [(3, "invoice", "unique")],
    ),
}


@pytest.mark.parametrize(("records", "expected"), REFUSED.values(), ids=REFUSED.keys())
def test_gold_rows_are_checked_as_a_delivery_is_and_a_refused_set_changes_nothing(
    app, people, records, expected
):
    job = post_job(people.client, schema=INVOICES)["id"]
    ok(put_json(people.client, job, [invoice(9)]))

    body = assert_problem(put_json(people.client, job, records), 422)

    assert body["type"] == "/problems/gold-refused"
    report = body["report"]
    assert [(e["row"], e["field"], e["code"]) for e in report["errors"]] == expected
    assert report["error_count"] == len(expected)
    assert (report["gold"], report["passed"]) == (None, False)
    assert set(report) == {"rows", "valid", "error_count", "errors", "gold", "passed"}
    assert ok(people.client.get(f"/jobs/{job}/gold"))["records"][0]["invoice"] == "INV-9"
    assert counts(app)["gold_records"] == 1


def test_a_csv_gold_set_is_checked_like_a_csv_delivery(people):
    job = post_job(people.client, schema=INVOICES)["id"]

    missing = assert_problem(
        put_csv(people.client, job, lines("INV-1,A,1", header="invoice,supplier,net")), 422
    )
    unreadable = assert_problem(put_csv(people.client, job, b"\xff\xfe\x00junk"), 422)

    assert [(e["row"], e["field"], e["code"]) for e in missing["report"]["errors"]] == [
        (None, "day", "missing_column")
    ]
    assert unreadable["report"]["errors"][0]["code"] == "unreadable"


def test_a_gold_set_holds_at_most_max_records_per_delivery(app, people, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_RECORDS_PER_DELIVERY", 2)
    job = post_job(people.client, schema=INVOICES)["id"]

    body = assert_problem(put_json(people.client, job, [invoice(1), invoice(2), invoice(3)]), 422)

    assert [(e["row"], e["code"]) for e in body["report"]["errors"]] == [(None, "too_many_rows")]
    assert ok(put_json(people.client, job, [invoice(1), invoice(2)]))["rows"] == 2


@pytest.mark.parametrize(
    "schema",
    [
        None,
        {"fields": INVOICES["fields"]},
        {"fields": [INVOICES["fields"][0]], "primaryKey": "invoice"},
    ],
    ids=["no schema", "no primaryKey", "nothing besides the key"],
)
def test_gold_needs_a_schema_with_a_primary_key_and_something_to_compare(app, people, schema):
    job = post_job(people.client, **({} if schema is None else {"schema": schema}))["id"]

    body = assert_problem(put_json(people.client, job, [invoice(1)]), 422)

    assert body["type"] == "/problems/gold-refused"
    assert "report" not in body
    assert counts(app)["gold_records"] == 0


def test_the_upload_limit_applies_to_gold_not_the_json_cap(app, people, monkeypatch):
    job = post_job(people.client, schema=INVOICES)["id"]
    # Over the 1 MiB of a JSON body, under MAX_UPLOAD_BYTES.
    many = [invoice(n, supplier="S" * 200) for n in range(1, 6001)]
    assert len(json.dumps({"records": many})) > 1024 * 1024

    assert ok(put_json(people.client, job, many))["rows"] == 6000

    monkeypatch.setitem(app.config, "MAX_UPLOAD_BYTES", 10_000)
    csv_body = lines(*(f"INV-{n},{'S' * 200},1,03/11/2026" for n in range(100)))
    assert_problem(put_csv(people.client, job, csv_body), 413)
    # A JSON body has the framing allowance a multipart one has, as a JSON delivery does.
    assert_problem(put_json(people.client, job, many[:400]), 413)
    assert_problem(put_chunked(people.client, job, csv_body), 413)
    read = ok(people.client.get(f"/jobs/{job}/gold"))
    assert read["rows"] == len(read["records"]) == 6000
    assert [r["invoice"] for r in read["records"]] == [f"INV-{n}" for n in range(1, 6001)]


def test_a_body_of_another_kind_or_none_is_refused(people):
    job = post_job(people.client, schema=INVOICES)["id"]

    assert_problem(
        people.client.put(f"/jobs/{job}/gold", data=b"a,b", content_type="text/plain"), 415
    )
    assert_problem(people.client.put(f"/jobs/{job}/gold"), 422, "_body")
    assert_problem(people.client.put(f"/jobs/{job}/gold", json={}), 422, "records")
    assert_problem(people.client.put(f"/jobs/{job}/gold", json={"records": {}}), 422, "records")
    assert_problem(people.client.put(f"/jobs/{job}/gold", json={"records": [], "x": 1}), 422, "x")


def test_only_the_client_and_admins_know_of_gold_records(app, people):
    with_gold = post_job(people.client, schema=INVOICES)["id"]
    ok(put_json(people.client, with_gold, [invoice(1)]))
    without = post_job(people.client, schema=INVOICES)["id"]
    place_bid(people.freelancer, with_gold)

    for outsider in (people.freelancer, people.other_freelancer, people.other_client):
        answers = [
            assert_problem(outsider.get(f"/jobs/{job}/gold"), 404) for job in (with_gold, without)
        ]
        answers += [
            assert_problem(put_json(outsider, job, [invoice(2)]), 404)
            for job in (with_gold, without)
        ]
        # Nothing tells a job with gold records from one without.
        assert all(answer == answers[0] for answer in answers)
    assert ok(people.admin.get(f"/jobs/{with_gold}/gold"))["rows"] == 1
    assert ok(people.admin.get(f"/jobs/{without}/gold")) == {"rows": 0, "records": []}
    assert_problem(put_json(people.admin, with_gold, [invoice(2)]), 403)
    assert_problem(people.client.get("/jobs/999999/gold"), 404)
    assert counts(app)["gold_records"] == 1


def test_changing_the_schema_clears_the_gold_records(app, people):
    job = post_job(people.client, schema=INVOICES)["id"]
    ok(put_json(people.client, job, [invoice(1), invoice(2)]))

    # The same schema again is no change.
    ok(people.client.patch(f"/jobs/{job}", json={"schema": INVOICES}))
    assert ok(people.client.get(f"/jobs/{job}/gold"))["rows"] == 2

    changed = {**INVOICES, "fields": [*INVOICES["fields"], {"name": "vat", "type": "number"}]}
    ok(people.client.patch(f"/jobs/{job}", json={"schema": changed}))
    assert ok(people.client.get(f"/jobs/{job}/gold")) == {"rows": 0, "records": []}
    assert counts(app)["gold_records"] == 0

    ok(put_json(people.client, job, [invoice(1, vat=20)]))
    ok(people.client.patch(f"/jobs/{job}", json={"schema": None}))
    assert ok(people.client.get(f"/jobs/{job}/gold")) == {"rows": 0, "records": []}


def test_gold_may_be_replaced_after_the_contract_is_made(people):
    work = Work(people, gold=[invoice(1)])

    ok(put_json(people.client, work.job, [invoice(1), invoice(2)]))

    ok(work.deliver([invoice(1), invoice(2, supplier="Wrong")]))
    assert work.report(people.client)["gold"]["rows"] == 2


# -- accuracy of a delivery --------------------------------------------------------------


def test_two_of_three_fields_right_is_0_6667_for_the_client_and_0_67_for_the_freelancer(
    app, people
):
    work = Work(people, gold=[invoice(2)])

    milestone = ok(work.deliver([invoice(1), invoice(2, net=5), invoice(3)]))

    assert milestone["status"] == "submitted"
    assert milestone["submissions"][-1]["report"] == {
        "rows": 3,
        "valid": 3,
        "error_count": 0,
        "errors": [],
        "gold": {"accuracy": 0.67},
        "passed": True,
    }
    full = {
        "rows": 1,
        "fields": 3,
        "correct": 2,
        "accuracy": 0.6667,
        "differences": [{"row": 2, "field": "net", "expected": 102, "delivered": 5}],
    }
    assert work.report(people.client)["gold"] == full
    assert work.report(people.admin)["gold"] == full
    assert work.report(people.freelancer)["gold"] == {"accuracy": 0.67}
    # Every place a milestone is shown to the freelancer: the list of contracts too.
    listed = ok(people.freelancer.get("/contracts"))["data"][0]
    assert listed["milestones"][0]["submissions"][-1]["report"]["gold"] == {"accuracy": 0.67}
    client_view = ok(
        people.client.post(f"/milestones/{work.milestone}/request-changes", json={"reason": "Fix"})
    )
    assert client_view["submissions"][-1]["report"]["gold"] == full
    assert counts(app)["delivery_records"] == 3


# Each case: a gold value and a delivered one (as a CSV cell or a JSON value), and
# whether they are the same.
NORMALISED = {
    "spaces around and between words": (
        "supplier",
        "Harbour Stationers",
        "  Harbour   Stationers ",
        True,
    ),
    "a tab and a newline are whitespace too": (
        "supplier",
        "Harbour Stationers",
        "Harbour\t\nStationers",
        True,
    ),
    "letter case counts": ("supplier", "Harbour Stationers", "harbour stationers", False),
    "1 and 1.0": ("net", 1, "1.0", True),
    "1 and ' 1 '": ("net", 1, " 1 ", True),
    "1.5 and 1.50": ("net", 1.5, "1.50", True),
    "1 and 1.01": ("net", 1, "1.01", False),
    "a number as JSON and as text": ("net", 120.5, 120.5, True),
    "dates as dates": ("day", "03/11/2026", "3/11/2026", True),
    "another date": ("day", "03/11/2026", "04/11/2026", False),
    "empty and missing": ("supplier", None, "missing", True),
    "empty and a cell of spaces": ("supplier", None, "   ", True),
    "empty expected, a value delivered": ("supplier", None, "Kettle", False),
    "a value expected, empty delivered": ("supplier", "Kettle", None, False),
}


@pytest.mark.parametrize(
    ("field", "expected", "delivered", "same"), NORMALISED.values(), ids=NORMALISED.keys()
)
def test_fields_are_compared_as_typed_values_with_whitespace_collapsed(
    people, field, expected, delivered, same
):
    work = Work(people, gold=[invoice(1, **{field: expected})])
    sent = invoice(1)
    if delivered == "missing":
        del sent[field]
    else:
        sent[field] = delivered

    ok(work.deliver([sent]))

    gold = work.report(people.client)["gold"]
    assert gold["correct"] == (3 if same else 2), gold
    assert len(gold["differences"]) == (0 if same else 1)


def test_a_csv_delivery_is_compared_as_its_cells_read(people):
    work = Work(people, gold=[invoice(1, supplier="Harbour Stationers", net=1)])

    ok(
        work.deliver_csv(
            lines("INV-1,  Harbour  Stationers ,1.00,3/11/2026", "INV-2,X,2,03/11/2026")
        )
    )

    assert work.report(people.client)["gold"] == {
        "rows": 1,
        "fields": 3,
        "correct": 3,
        "accuracy": 1.0,
        "differences": [],
    }


def test_a_text_key_matches_with_spaces_trimmed_and_collapsed(people):
    work = Work(people, gold=[invoice(1, invoice="INV 1")])

    ok(work.deliver_csv(lines(" INV  1 ,Supplier 1,101,03/11/2026")))

    assert work.report(people.client)["gold"]["rows"] == 1


def test_a_long_text_key_matches_too(app, people):
    long_key = "INV " + "x" * 300
    work = Work(people, gold=[invoice(1, invoice=long_key)])

    ok(work.deliver([invoice(1, invoice=f"  {long_key.replace(' ', '   ')} ", net=0)]))

    assert work.report(people.client)["gold"]["rows"] == 1
    assert work.report(people.client)["gold"]["correct"] == 2
    gold = ok(people.client.get(f"/jobs/{work.job}/gold"))
    assert gold["records"][0]["invoice"] == long_key


def test_accuracy_is_rounded_half_up(people):
    # Key and two fields: 16 rows are 32 fields compared; one right is 0.03125.
    schema = {"fields": INVOICES["fields"][:3], "primaryKey": "invoice"}
    gold = [{"invoice": f"INV-{n}", "supplier": "S", "net": n} for n in range(16)]
    work = Work(people, gold=gold, schema=schema)

    delivered = [{"invoice": f"INV-{n}", "supplier": "T", "net": n + 1} for n in range(16)]
    delivered[0]["supplier"] = "S"
    ok(work.deliver(delivered))

    assert work.report(people.client)["gold"]["accuracy"] == 0.0313
    assert work.report(people.freelancer)["gold"] == {"accuracy": 0.03}


def test_a_freelancer_is_shown_two_decimals_rounded_half_up_from_the_exact_accuracy(people):
    # One right of eight: 0.125 is 0.13 half up (0.12 would be rounding half to even).
    schema = {"fields": INVOICES["fields"][:3], "primaryKey": "invoice"}
    gold = [{"invoice": f"INV-{n}", "supplier": "S", "net": n} for n in range(4)]
    work = Work(people, gold=gold, schema=schema)

    delivered = [{"invoice": f"INV-{n}", "supplier": "T", "net": n + 1} for n in range(4)]
    delivered[0]["supplier"] = "S"
    ok(work.deliver(delivered))

    assert work.report(people.client)["gold"]["accuracy"] == 0.125
    assert work.report(people.freelancer)["gold"] == {"accuracy": 0.13}


def test_gold_is_null_when_no_gold_key_is_delivered(people):
    work = Work(people, gold=[invoice(9)], min_accuracy=0.99)

    milestone = ok(work.deliver([invoice(1), invoice(2)]))

    assert milestone["submissions"][-1]["report"]["gold"] is None
    assert work.report(people.client)["gold"] is None


def test_a_delivery_with_errors_is_not_compared(app, people):
    work = Work(people, gold=[invoice(1)], min_accuracy=0.5)

    body = assert_problem(work.deliver([invoice(1, supplier="Wrong"), invoice(2, net="x")]), 422)

    assert body["type"] == "/problems/delivery-refused"
    assert body["detail"].startswith("The delivery has 1 error")
    assert body["report"]["gold"] is None
    assert [(e["row"], e["field"]) for e in body["report"]["errors"]] == [(2, "net")]


def test_the_exact_accuracy_equal_to_min_accuracy_passes_and_under_it_fails(app, people):
    # Four gold rows are twelve fields: nine right is exactly 0.75.
    gold = [invoice(n) for n in range(1, 5)]
    work = Work(people, gold=gold, min_accuracy=0.75)
    under = [invoice(1, supplier="x", net=0), invoice(2, supplier="x", net=0), *gold[2:]]
    equal = [invoice(1, supplier="x", net=0), invoice(2, supplier="x"), *gold[2:]]

    refused = assert_problem(work.deliver(under), 422)

    assert refused["type"] == "/problems/delivery-refused"
    assert "accuracy" in refused["detail"]
    assert refused["report"] == {
        "rows": 4,
        "valid": 4,
        "error_count": 0,
        "errors": [],
        "gold": {"accuracy": 0.67},
        "passed": False,
    }
    assert counts(app)["delivery_records"] == 0
    assert counts(app)["delivery_refusals"] == 1

    milestone = ok(work.deliver(equal))
    assert milestone["submissions"][-1]["report"]["passed"] is True
    assert work.report(people.client)["gold"]["accuracy"] == 0.75


def test_the_bar_is_compared_exactly_not_as_the_rounded_accuracy(people):
    # Two of three is 0.6666...: shown as 0.6667 (and 0.67), still under 0.6667.
    work = Work(people, gold=[invoice(1)], min_accuracy=0.6667)

    refused = assert_problem(work.deliver([invoice(1, net=0)]), 422)
    assert refused["report"]["gold"] == {"accuracy": 0.67}

    passing = Work(people, gold=[invoice(1)], min_accuracy=0.6666)
    ok(passing.deliver([invoice(1, net=0)]))


def test_failing_accuracy_counts_as_a_refused_check_until_the_429(app, people, monkeypatch):
    monkeypatch.setitem(app.config, "DELIVERY_CHECKS_PER_DAY", 2)
    work = Work(people, gold=[invoice(1)], min_accuracy=0.9)

    for _ in range(2):
        assert_problem(work.deliver([invoice(1, net=0)]), 422)
    limited = work.deliver([invoice(1)])

    assert_problem(limited, 429)
    assert int(limited.headers["Retry-After"]) > 0
    assert counts(app)["delivery_refusals"] == 2
    assert counts(app)["milestone_submissions"] == 0
    contract = ok(people.client.get(f"/contracts/{work.contract}"))
    assert contract["milestones"][0]["status"] == "funded"


def test_without_min_accuracy_any_accuracy_passes(people):
    work = Work(people, gold=[invoice(1)])

    ok(work.deliver([invoice(1, supplier="x", net=0, day="01/01/2026")]))

    assert work.report(people.client)["gold"]["accuracy"] == 0.0
    assert work.report(people.client)["passed"] is True


def test_the_client_sees_the_first_hundred_differences_in_row_order(people):
    gold = [invoice(n) for n in range(1, 61)]
    work = Work(people, gold=gold)

    ok(work.deliver([invoice(n, supplier="x", net=0) for n in range(1, 61)]))

    gold_report = work.report(people.client)["gold"]
    assert (gold_report["fields"], gold_report["correct"]) == (180, 60)
    differences = gold_report["differences"]
    assert len(differences) == 100
    assert differences[:2] == [
        {"row": 1, "field": "supplier", "expected": "Supplier 1", "delivered": "x"},
        {"row": 1, "field": "net", "expected": 101, "delivered": 0},
    ]
    assert differences[-1]["row"] == 50


# -- nothing for a freelancer to find gold rows with -------------------------------------


def freelancer_view(response) -> dict:
    """What a response tells the freelancer, without what changes from call to call."""
    body = response.get_json()
    for volatile in ("id", "created_at", "auto_release_at", "contract_id"):
        body.pop(volatile, None)
    text = json.dumps(body, sort_keys=True)
    for word in ("differences", "correct", "expected", "delivered", '"fields"'):
        assert word not in text, text
    return body


def test_a_freelancer_cannot_tell_gold_rows_from_others_by_what_the_answers_say(
    app, people, monkeypatch
):
    monkeypatch.setitem(app.config, "DELIVERY_CHECKS_PER_DAY", 2)
    # Two contracts alike but for their gold: one row (INV-2) in one, three in the other.
    one = Work(people, gold=[invoice(2)], min_accuracy=0.9)
    three = Work(people, gold=[invoice(2), invoice(5), invoice(7)], min_accuracy=0.9)
    rows = [invoice(n) for n in range(1, 9)]

    # An error in a gold row and in another: the errors alone, the same in both.
    with_error = [*rows[:1], invoice(2, net="x"), *rows[2:]]
    answers = [freelancer_view(work.deliver(with_error)) for work in (one, three)]
    assert answers[0] == answers[1]
    assert answers[0]["report"]["gold"] is None

    # The same share of fields wrong: the same accuracy, whatever the gold rows are.
    wrong = [invoice(n, net=0) for n in range(1, 9)]
    answers = [freelancer_view(work.deliver(wrong)) for work in (one, three)]
    assert answers[0] == answers[1]
    assert answers[0]["report"]["gold"] == {"accuracy": 0.67}

    # Then a 429 before any check, the same in both.
    limited = [work.deliver(rows) for work in (one, three)]
    assert [response.status_code for response in limited] == [429, 429]
    bodies = [re.sub(r"\d+ seconds", "N seconds", r.get_json()["detail"]) for r in limited]
    assert bodies[0] == bodies[1]
    assert "gold" not in json.dumps([r.get_json() for r in limited]).lower()

    # Once stored, the freelancer's milestone shows the accuracy alone.
    monkeypatch.setitem(app.config, "DELIVERY_CHECKS_PER_DAY", 10)
    fresh = Work(people, gold=[invoice(2), invoice(5)])
    stored = freelancer_view(
        fresh.deliver([invoice(n, net=0) if n == 5 else invoice(n) for n in range(1, 9)])
    )
    assert stored["submissions"][-1]["report"]["gold"] == {"accuracy": 0.83}
    contract = freelancer_view(people.freelancer.get(f"/contracts/{fresh.contract}"))
    assert contract["milestones"][0]["submissions"][-1]["report"]["gold"] == {"accuracy": 0.83}
