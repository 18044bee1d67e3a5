"""`unique` and the primary key: which values are the same, and where each was first.

The check keeps a digest of each value rather than the value (deliveries/checks.py,
FirstRows), so these pin down that values equal as the schema reads them are the same
value, whatever their spelling, and that distinct values never are.
"""

import pytest

from tests.api.test_deliveries import errors_of
from tests.deliveries import funded_milestone, upload, xlsx


@pytest.fixture
def deliver(app, api, factory):
    client, freelancer = api.as_user(factory.client()), api.as_user(factory.freelancer())

    def deliver(schema: dict, records: list[dict]):
        milestone = funded_milestone(app, client, freelancer, schema)
        return freelancer.post(f"/milestones/{milestone}/submit", json={"records": records})

    deliver.client, deliver.freelancer = client, freelancer
    return deliver


def one_field(kind: str, **field) -> dict:
    return {"fields": [{"name": "v", "type": kind, **field}], "primaryKey": "v"}


SAME = {
    "numbers 1 and 1.0": ("number", {}, [1, 1.0]),
    "numbers 0 and -0.0": ("number", {}, [0, -0.0]),
    "numbers as text and as JSON": ("number", {}, ["2.50", 2.5]),
    "a number in exponent form": ("number", {}, [1200, "1.2e3"]),
    "integers with a sign and leading zeros": ("integer", {}, [7, "+007"]),
    "an integer as an integral float": ("integer", {}, [12, 12.0]),
    "a date in the field's pattern": ("date", {"format": "%d/%m/%Y"}, ["01/02/2026", "1/2/2026"]),
    "one instant at two offsets": (
        "datetime",
        {},
        ["2026-03-01T10:00:00+02:00", "2026-03-01T08:00:00Z"],
    ),
    "an instant with and without its Z": (
        "datetime",
        {},
        ["2026-03-01T08:00:00", "2026-03-01T08:00:00Z"],
    ),
    "booleans": ("boolean", {}, [True, "true"]),
}


@pytest.mark.parametrize(("kind", "field", "values"), SAME.values(), ids=SAME.keys())
def test_values_equal_as_read_are_the_same(deliver, kind, field, values):
    records = [{"v": value} for value in values]

    response = deliver(one_field(kind, **field), records)

    assert errors_of(response) == [(2, "v", "unique")]
    assert "also in row 1" in response.json["report"]["errors"][0]["message"]


DIFFERENT = {
    "strings differing in case or spaces": ("string", ["a", "A", " a", "a "]),
    "numbers close together": ("number", [0.1, 0.10000000000000002, 1e16, 1e16 + 2]),
    "integers past 2^53": ("integer", [2**53, 2**53 + 1, -(2**62), 2**62]),
    "a string that looks like a number": ("string", ["1", "1.0", "01"]),
    "datetimes a microsecond apart": (
        "datetime",
        ["2026-03-01T08:00:00Z", "2026-03-01T08:00:00.000001Z"],
    ),
}


@pytest.mark.parametrize(("kind", "values"), DIFFERENT.values(), ids=DIFFERENT.keys())
def test_distinct_values_are_never_the_same(deliver, kind, values):
    response = deliver(one_field(kind), [{"v": value} for value in values])

    assert response.status_code == 200, response.json


def test_a_large_delivery_finds_each_duplicate_and_its_first_row(deliver):
    # Thousands of values, so the table that remembers them grows several times; the
    # duplicates come after it did.
    schema = {
        "fields": [
            {"name": "id", "type": "integer"},
            {"name": "code", "type": "string", "constraints": {"unique": True}},
        ],
        "primaryKey": "id",
    }
    records = [{"id": n, "code": f"C{n:05d}"} for n in range(1, 6001)]
    records += [{"id": 6001, "code": "C00017"}, {"id": 4321, "code": "new"}]

    response = deliver(schema, records)

    errors = response.json["report"]["errors"]
    assert errors_of(response) == [(6001, "code", "unique"), (6002, "id", "unique")]
    assert "also in row 17" in errors[0]["message"]
    assert "also in row 4321" in errors[1]["message"]


def test_a_spreadsheets_date_and_the_same_date_as_text_are_the_same(app, deliver):
    from datetime import datetime

    milestone = funded_milestone(
        app, deliver.client, deliver.freelancer, one_field("date", format="%d/%m/%Y")
    )
    data = xlsx([["v"], [datetime(2026, 2, 28)], ["28/02/2026"]])

    response = upload(deliver.freelancer, milestone, data, "dates.xlsx")

    assert errors_of(response) == [(2, "v", "unique")]
