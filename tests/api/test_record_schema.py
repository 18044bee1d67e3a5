"""A job's record schema and quality bar: what is taken, how it is shown, when it is fixed."""

import pytest

from tests.client import assert_problem
from tests.money import expect_ok, fund
from tests.work import place_bid, post_job

INVOICES = {
    "fields": [
        {
            "name": "invoice",
            "type": "string",
            "title": "Invoice number",
            "description": "As printed at the top right.",
            "format": "default",
            "constraints": {"required": True, "unique": True, "pattern": "INV-[0-9]{4,8}"},
        },
        {"name": "email", "type": "string", "format": "email", "constraints": {}},
        {"name": "site", "type": "string", "format": "uri", "constraints": {"maxLength": 200}},
        {
            "name": "lines",
            "type": "integer",
            "constraints": {"minimum": 1, "maximum": 500, "enum": [1, 2, 3, 500]},
        },
        {"name": "total", "type": "number", "constraints": {"minimum": 0, "maximum": 1e9}},
        {"name": "paid", "type": "boolean", "constraints": {"enum": [True, False]}},
        {
            "name": "issued",
            "type": "date",
            "format": "%d/%m/%Y",
            "constraints": {"minimum": "01/01/2020", "maximum": "31/12/2030"},
        },
        {"name": "due", "type": "date", "constraints": {"minimum": "2020-01-01"}},
        {
            "name": "scanned",
            "type": "datetime",
            "constraints": {"minimum": "2020-01-01T00:00:00Z", "maximum": "2031-01-01T00:00:00"},
        },
        {"name": "keyed", "type": "datetime", "format": "%d/%m/%Y %H:%M"},
        {
            "name": "currency",
            "type": "string",
            "constraints": {"enum": ["EUR", "USD"], "minLength": 3, "maxLength": 3},
        },
    ],
    "primaryKey": ["invoice"],
}
# What the marketplace shows: primaryKey a string, `format: default` and empty
# constraints left out; everything else as sent.
INVOICES_SHOWN = {
    "fields": [
        {
            "name": "invoice",
            "type": "string",
            "title": "Invoice number",
            "description": "As printed at the top right.",
            "constraints": {"required": True, "unique": True, "pattern": "INV-[0-9]{4,8}"},
        },
        {"name": "email", "type": "string", "format": "email"},
        *INVOICES["fields"][2:],
    ],
    "primaryKey": "invoice",
}


@pytest.fixture
def company(api, factory):
    return api.as_user(factory.client())


@pytest.fixture
def freelancer(api, factory):
    return api.as_user(factory.freelancer())


def one_field(**field) -> dict:
    return {"fields": [{"name": "value", "type": "string", **field}]}


@pytest.mark.parametrize(
    ("sent", "shown"),
    [
        (INVOICES, INVOICES_SHOWN),
        (one_field(), one_field()),
        (one_field(type="integer", format="default"), one_field(type="integer")),
        (
            {"fields": [{"constraints": {"enum": [1.5, 2]}, "type": "number", "name": "x"}]},
            {"fields": [{"name": "x", "type": "number", "constraints": {"enum": [1.5, 2]}}]},
        ),
        ({**one_field(), "primaryKey": "value"}, {**one_field(), "primaryKey": "value"}),
        (
            {"fields": [{"name": f"column {n}", "type": "string"} for n in range(100)]},
            {"fields": [{"name": f"column {n}", "type": "string"} for n in range(100)]},
        ),
    ],
)
def test_a_record_schema_is_kept_normalised_and_shown_to_everyone(company, freelancer, sent, shown):
    job = post_job(company, schema=sent)

    assert job["schema"] == shown
    assert company.get(f"/jobs/{job['id']}").json["schema"] == shown
    assert freelancer.get(f"/jobs/{job['id']}").json["schema"] == shown
    listed = {j["id"]: j for j in freelancer.get("/jobs").json["data"]}
    assert listed[job["id"]]["schema"] == shown


def test_a_job_without_a_schema_shows_null_and_a_patch_sets_or_removes_it(company):
    job = post_job(company)
    assert job["schema"] is None
    assert job["quality"] is None

    changed = expect_ok(company.patch(f"/jobs/{job['id']}", json={"schema": INVOICES}))
    assert changed["schema"] == INVOICES_SHOWN

    removed = expect_ok(company.patch(f"/jobs/{job['id']}", json={"schema": None}))
    assert removed["schema"] is None
    assert company.get(f"/jobs/{job['id']}").json["schema"] is None


def field(**changes) -> dict:
    """A descriptor of two good fields whose third field is changed (fields.2)."""
    third = {"name": "third", "type": "string", **changes}
    return {
        "fields": [
            {"name": "first", "type": "string"},
            {"name": "second", "type": "integer"},
            {k: v for k, v in third.items() if v is not DROP},
        ]
    }


DROP = object()


def constraint(kind: str = "string", **constraints) -> dict:
    return field(type=kind, constraints=constraints)


BAD_DESCRIPTORS = [
    ("not an object", "schema"),
    ([{"name": "a", "type": "string"}], "schema"),
    ({}, "schema.fields"),
    ({"fields": []}, "schema.fields"),
    ({"fields": {"name": "a", "type": "string"}}, "schema.fields"),
    ({"fields": [{"name": f"c{n}", "type": "string"} for n in range(101)]}, "schema.fields"),
    ({**field(), "missingValues": [""]}, "schema.missingValues"),
    ({**field(), "foreignKeys": []}, "schema.foreignKeys"),
    ({"fields": ["a"]}, "schema.fields.0"),
    (
        {
            "fields": [
                {"name": f"c{n}", "type": "integer", "constraints": {"enum": list(range(1000))}}
                for n in range(11)
            ]
        },
        "schema.fields",
    ),
    (field(rdfType="https://schema.org/price"), "schema.fields.2.rdfType"),
    (field(name=DROP), "schema.fields.2.name"),
    (field(name=""), "schema.fields.2.name"),
    (field(name=" third"), "schema.fields.2.name"),
    (field(name="a\tb"), "schema.fields.2.name"),
    (field(name="x" * 101), "schema.fields.2.name"),
    (field(name=3), "schema.fields.2.name"),
    (field(name="first"), "schema.fields.2.name"),
    (field(type=DROP), "schema.fields.2.type"),
    (field(type="geopoint"), "schema.fields.2.type"),
    (field(type="any"), "schema.fields.2.type"),
    (field(type="year"), "schema.fields.2.type"),
    (field(type=["string"]), "schema.fields.2.type"),
    (field(title=""), "schema.fields.2.title"),
    (field(title=5), "schema.fields.2.title"),
    (field(description="x" * 2001), "schema.fields.2.description"),
    (field(format="binary"), "schema.fields.2.format"),
    (field(format="uuid"), "schema.fields.2.format"),
    (field(format=None), "schema.fields.2.format"),
    (field(type="integer", format="email"), "schema.fields.2.format"),
    (field(type="boolean", format="%Y"), "schema.fields.2.format"),
    (field(type="date", format="any"), "schema.fields.2.format"),
    (field(type="date", format="DD/MM/YYYY"), "schema.fields.2.format"),
    (field(type="date", format="%d/%m"), "schema.fields.2.format"),
    (field(type="date", format="%d/%d/%Y"), "schema.fields.2.format"),
    (field(type="date", format="%Q"), "schema.fields.2.format"),
    (field(type="datetime", format="%d/%m/%Y"), "schema.fields.2.format"),
    (field(type="datetime", format="%d/%m/%Y %H:%M %z"), "schema.fields.2.format"),
    (field(constraints="required"), "schema.fields.2.constraints"),
    (constraint(exclusiveMinimum=1), "schema.fields.2.constraints.exclusiveMinimum"),
    (constraint(required="yes"), "schema.fields.2.constraints.required"),
    (constraint(unique=1), "schema.fields.2.constraints.unique"),
    (constraint("integer", pattern="[0-9]+"), "schema.fields.2.constraints.pattern"),
    (constraint(pattern=""), "schema.fields.2.constraints.pattern"),
    (constraint(pattern="[a-z"), "schema.fields.2.constraints.pattern"),
    (constraint(pattern="a{1000}{1000}"), "schema.fields.2.constraints.pattern"),
    (constraint(pattern=5), "schema.fields.2.constraints.pattern"),
    (constraint("number", minLength=1), "schema.fields.2.constraints.minLength"),
    (constraint(minLength=-1), "schema.fields.2.constraints.minLength"),
    (constraint(maxLength=2.5), "schema.fields.2.constraints.maxLength"),
    (constraint(maxLength=True), "schema.fields.2.constraints.maxLength"),
    (constraint(minLength=5, maxLength=2), "schema.fields.2.constraints.maxLength"),
    (constraint(minimum="a"), "schema.fields.2.constraints.minimum"),
    (constraint("boolean", maximum=True), "schema.fields.2.constraints.maximum"),
    (constraint("integer", minimum=1.5), "schema.fields.2.constraints.minimum"),
    (constraint("integer", minimum="1"), "schema.fields.2.constraints.minimum"),
    (constraint("integer", maximum=True), "schema.fields.2.constraints.maximum"),
    (constraint("number", minimum="0"), "schema.fields.2.constraints.minimum"),
    (constraint("integer", minimum=5, maximum=1), "schema.fields.2.constraints.maximum"),
    (constraint("date", minimum="2020-13-01"), "schema.fields.2.constraints.minimum"),
    (constraint("date", minimum=20200101), "schema.fields.2.constraints.minimum"),
    (
        field(type="date", format="%d/%m/%Y", constraints={"minimum": "2020-01-31"}),
        "schema.fields.2.constraints.minimum",
    ),
    (
        constraint("date", minimum="2021-01-01", maximum="2020-01-01"),
        "schema.fields.2.constraints.maximum",
    ),
    (
        constraint("datetime", minimum="2021-01-01T00:00:00Z", maximum="2020-01-01T00:00:00"),
        "schema.fields.2.constraints.maximum",
    ),
    (constraint("datetime", minimum="yesterday"), "schema.fields.2.constraints.minimum"),
    (constraint(enum=[]), "schema.fields.2.constraints.enum"),
    (constraint(enum="EUR"), "schema.fields.2.constraints.enum"),
    (constraint(enum=["x"] * 1001), "schema.fields.2.constraints.enum"),
    (constraint(enum=["EUR", "EUR"]), "schema.fields.2.constraints.enum.1"),
    (constraint("integer", enum=[1, "2"]), "schema.fields.2.constraints.enum.1"),
    (constraint("integer", enum=[True]), "schema.fields.2.constraints.enum.0"),
    (constraint("boolean", enum=["yes"]), "schema.fields.2.constraints.enum.0"),
    (
        field(format="email", constraints={"enum": ["not an address"]}),
        "schema.fields.2.constraints.enum.0",
    ),
    ({**field(), "primaryKey": "fourth"}, "schema.primaryKey"),
    ({**field(), "primaryKey": ["first", "second"]}, "schema.primaryKey"),
    ({**field(), "primaryKey": []}, "schema.primaryKey"),
    ({**field(), "primaryKey": 1}, "schema.primaryKey"),
    ({**field(), "primaryKey": None}, "schema.primaryKey"),
]


@pytest.mark.parametrize(("descriptor", "place"), BAD_DESCRIPTORS)
def test_a_bad_descriptor_is_refused_naming_the_place(company, descriptor, place):
    body = assert_problem(company.post("/jobs", json={**JOB_BODY, "schema": descriptor}), 422)

    assert list(body["errors"]) == [place], body["errors"]
    assert company.get("/jobs").json["data"] == []


JOB_BODY = {
    "title": "Key in invoices",
    "description": "Scanned invoices into records.",
    "budget": 50_000,
    "currency": "USD",
}


def test_every_problem_of_a_descriptor_is_named_at_once(company):
    descriptor = {
        "fields": [
            {"name": "a", "type": "text"},
            {"name": "a", "type": "string", "constraints": {"pattern": "(x)\\1"}},
            {"name": "b", "type": "integer", "format": "email"},
        ],
        "primaryKey": "a",
        "$schema": "https://datapackage.org/profiles/2.0/tableschema.json",
    }
    body = assert_problem(company.post("/jobs", json={**JOB_BODY, "schema": descriptor}), 422)

    assert set(body["errors"]) == {
        "schema.fields.0.type",
        "schema.fields.1.name",
        "schema.fields.1.constraints.pattern",
        "schema.fields.2.format",
        "schema.$schema",
    }


@pytest.mark.parametrize(
    "pattern",
    [r"(a+)\1", r"(?P<x>a)(?P=x)", r"\d+(?=EUR)", r"\d+(?!EUR)", r"(?<=EUR)\d+", r"(?<!-)\d+"],
)
def test_a_pattern_with_backreferences_or_lookaround_is_refused(company, pattern):
    body = assert_problem(
        company.post(
            "/jobs", json={**JOB_BODY, "schema": one_field(constraints={"pattern": pattern})}
        ),
        422,
    )

    assert list(body["errors"]) == ["schema.fields.0.constraints.pattern"]
    assert "RE2" in body["errors"]["schema.fields.0.constraints.pattern"][0]


@pytest.mark.parametrize("pattern", [r"(?i)inv-\d{4,8}", r"[A-Z]{2}\d{2}( ?\d{4}){4}", "é+|ü?"])
def test_an_re2_pattern_is_taken(company, pattern):
    job = post_job(company, schema=one_field(constraints={"pattern": pattern}))

    assert job["schema"]["fields"][0]["constraints"]["pattern"] == pattern


def test_a_bad_descriptor_changes_nothing_in_a_patch(company):
    job = post_job(company, schema=INVOICES)

    assert_problem(
        company.patch(f"/jobs/{job['id']}", json={"title": "Renamed", "schema": {"fields": []}}),
        422,
        "schema.fields",
    )
    assert company.get(f"/jobs/{job['id']}").json == job


@pytest.mark.parametrize("withdrawn", [False, True])
def test_the_schema_is_fixed_once_anyone_has_bid(company, freelancer, withdrawn):
    job = post_job(company, schema=INVOICES)
    bid = place_bid(freelancer, job["id"])
    if withdrawn:
        expect_ok(freelancer.post(f"/bids/{bid['id']}/withdraw"))
    job = company.get(f"/jobs/{job['id']}").json

    assert_problem(company.patch(f"/jobs/{job['id']}", json={"schema": one_field()}), 409)
    assert_problem(company.patch(f"/jobs/{job['id']}", json={"schema": None}), 409)
    assert_problem(
        company.patch(f"/jobs/{job['id']}", json={"title": "Renamed", "schema": one_field()}),
        409,
    )
    assert company.get(f"/jobs/{job['id']}").json == job
    # The same schema again, even as first sent, is no change; other edits still pass.
    same = expect_ok(
        company.patch(f"/jobs/{job['id']}", json={"schema": INVOICES, "title": "Renamed"})
    )
    assert same["schema"] == INVOICES_SHOWN
    assert same["title"] == "Renamed"


def test_a_schema_cannot_be_added_once_anyone_has_bid(company, freelancer):
    job = post_job(company)
    place_bid(freelancer, job["id"])

    assert_problem(company.patch(f"/jobs/{job['id']}", json={"schema": INVOICES}), 409)
    assert expect_ok(company.patch(f"/jobs/{job['id']}", json={"schema": None}))["schema"] is None


def test_the_schema_changes_freely_before_any_bid(company, freelancer):
    job = post_job(company, schema=INVOICES)
    place_bid(freelancer, post_job(company)["id"])  # a bid on another job

    changed = expect_ok(company.patch(f"/jobs/{job['id']}", json={"schema": one_field()}))
    assert changed["schema"] == one_field()


@pytest.mark.parametrize(
    ("quality", "shown"),
    [
        ({"min_accuracy": 0.98}, {"min_accuracy": 0.98}),
        ({"min_accuracy": 0.9999}, {"min_accuracy": 0.9999}),
        ({"min_accuracy": 1}, {"min_accuracy": 1.0}),
        ({"min_accuracy": 0}, {"min_accuracy": 0.0}),
        ({"min_accuracy": None}, None),
        ({}, None),
        (None, None),
    ],
)
def test_a_quality_bar_is_taken(company, quality, shown):
    job = post_job(company, quality=quality)

    assert job["quality"] == shown
    assert company.get(f"/jobs/{job['id']}").json["quality"] == shown


@pytest.mark.parametrize(
    ("quality", "place"),
    [
        ({"min_accuracy": 1.01}, "quality.min_accuracy"),
        ({"min_accuracy": -0.1}, "quality.min_accuracy"),
        ({"min_accuracy": 0.98765}, "quality.min_accuracy"),
        ({"min_accuracy": "0.98"}, "quality.min_accuracy"),
        ({"min_accuracy": True}, "quality.min_accuracy"),
        ({"min_accuracy": 0.9, "max_errors": 3}, "quality.max_errors"),
        (0.98, "quality._schema"),
        ("high", "quality._schema"),
    ],
)
def test_a_bad_quality_bar_is_refused(company, quality, place):
    body = assert_problem(company.post("/jobs", json={**JOB_BODY, "quality": quality}), 422)

    assert list(body["errors"]) == [place], body["errors"]


def test_a_patch_changes_or_removes_the_quality_bar(company):
    job = post_job(company, quality={"min_accuracy": 0.9})

    changed = expect_ok(
        company.patch(f"/jobs/{job['id']}", json={"quality": {"min_accuracy": 0.95}})
    )
    assert changed["quality"] == {"min_accuracy": 0.95}
    removed = expect_ok(company.patch(f"/jobs/{job['id']}", json={"quality": None}))
    assert removed["quality"] is None


@pytest.mark.parametrize(
    ("quality", "min_accuracy"), [({"min_accuracy": 0.985}, 0.985), (None, None)]
)
def test_the_contract_copies_the_quality_bar(company, freelancer, quality, min_accuracy):
    job = post_job(company, schema=INVOICES, quality=quality)
    bid = place_bid(freelancer, job["id"])

    contract = expect_ok(company.post(f"/bids/{bid['id']}/accept"))

    assert contract["min_accuracy"] == min_accuracy
    assert company.get(f"/contracts/{contract['id']}").json["min_accuracy"] == min_accuracy
    assert freelancer.get(f"/contracts/{contract['id']}").json["min_accuracy"] == min_accuracy


def test_a_milestone_shows_its_records_and_a_note_delivery_has_no_report(company, freelancer):
    job = post_job(company)
    bid = place_bid(freelancer, job["id"])
    contract = expect_ok(company.post(f"/bids/{bid['id']}/accept"))
    milestone = contract["milestones"][0]

    neutral = {
        "unit_price": None,
        "max_records": None,
        "records": {"submitted": 0, "accepted": 0, "rejected": 0},
        "held": 0,
        "rejection_due_at": None,
    }
    assert {key: milestone[key] for key in neutral} == neutral
    expect_ok(fund(company, milestone["id"]))
    submitted = expect_ok(
        freelancer.post(f"/milestones/{milestone['id']}/submit", json={"note": "Done."})
    )
    assert {key: submitted[key] for key in neutral} == neutral
    assert submitted["submissions"][0]["report"] is None
