"""Records sent as JSON (a delivery, a gold set): the body is read a record at a time,
and still refused, checked and replayed as any JSON body is."""

import json
import tracemalloc

import pytest
from sqlalchemy import func, select

from marketplace.contracts.models import MilestoneSubmission
from marketplace.deliveries.models import DeliveryRecord
from marketplace.extensions import db
from tests.client import assert_problem
from tests.deliveries import SCHEMA, funded_milestone, record
from tests.work import post_job


@pytest.fixture
def work(app, api, factory):
    class Work:
        client = api.as_user(factory.client())
        freelancer = api.as_user(factory.freelancer())

    Work.milestone = funded_milestone(app, Work.client, Work.freelancer)
    return Work


def submit_raw(work, body: bytes | str, **kwargs):
    return work.freelancer.post(
        f"/milestones/{work.milestone}/submit",
        data=body,
        content_type="application/json",
        **kwargs,
    )


def stored(app) -> tuple[int, int]:
    with app.app_context():
        return (
            db.session.scalar(select(func.count()).select_from(DeliveryRecord)),
            db.session.scalar(select(func.count()).select_from(MilestoneSubmission)),
        )


def test_the_note_may_come_after_the_records(app, work):
    body = json.dumps({"records": [record(1), record(2)], "note": "After the records."})

    response = submit_raw(work, body)

    assert response.status_code == 200, response.json
    assert response.json["submissions"][-1]["note"] == "After the records."
    assert response.json["records"]["submitted"] == 2
    assert stored(app) == (2, 1)


def test_a_body_cut_or_broken_in_the_middle_of_the_records_is_a_400(app, work):
    records = json.dumps({"records": [record(n) for n in range(1, 200)], "note": "n"})
    middle = records.index('{"id": 100')
    broken = [
        records[:middle],  # cut short
        records[:middle] + "]}",  # a trailing comma
        records[:middle] + '{"id": 100,, "name": "x"}]}',
        records[:middle] + '{"id": 100} {"id": 101}]}',
        records + " trailing",
        records.replace('"note": "n"', '"note" "n"'),
    ]
    for body in broken:
        body_problem = assert_problem(submit_raw(work, body), 400)
        assert body_problem["detail"] == "The request body is not valid JSON."

    assert stored(app) == (0, 0)


@pytest.mark.parametrize("text", ["a\\u0000b", "half \\ud800 a pair"])
def test_text_no_database_stores_in_a_record_is_a_400(app, work, text):
    records = [record(n) for n in range(1, 50)]
    body = json.dumps({"records": records}).replace("Person 30", text)

    assert_problem(submit_raw(work, body), 400)
    assert stored(app) == (0, 0)


def test_a_whole_surrogate_pair_escaped_is_text(app, work):
    body = json.dumps({"records": [record(1, name="Smile \U0001f600")]})
    assert "\\ud83d" in body

    response = submit_raw(work, body)

    assert response.status_code == 200, response.json
    page = work.client.get(f"/milestones/{work.milestone}/records?format=json").json
    assert page["data"][0]["values"]["name"] == "Smile \U0001f600"


def test_wrong_shapes_are_422s_as_before(work):
    assert_problem(submit_raw(work, json.dumps({"records": {}})), 422, "records")
    assert_problem(submit_raw(work, json.dumps({"records": "x"})), 422, "records")
    assert_problem(submit_raw(work, json.dumps({"records": [record(1), 7]})), 422, "records")
    assert_problem(submit_raw(work, json.dumps([record(1)])), 422)
    assert_problem(submit_raw(work, json.dumps({"records": [], "extra": 1})), 422, "extra")
    refused = assert_problem(
        submit_raw(work, json.dumps({"records": [record(1, name={"a": 1}), record(2, x=1)]})),
        422,
    )
    errors = [(e["row"], e["field"], e["code"]) for e in refused["report"]["errors"]]
    assert errors == [(None, "x", "unknown_column"), (1, "name", "type")]


def test_an_integer_past_64_bits_is_a_type_error_not_a_malformed_body(work):
    body = json.dumps({"records": [record(1, id=2**70)]})

    refused = assert_problem(submit_raw(work, body), 422)

    assert [(e["row"], e["field"], e["code"]) for e in refused["report"]["errors"]] == [
        (1, "id", "type")
    ]


def test_a_key_sent_twice_counts_once_the_last_time(app, work):
    body = (
        '{"note": "first", "records": [{"id": 1}], '
        f'"records": {json.dumps([record(1), record(2), record(3)])}, "note": "last"}}'
    )

    response = submit_raw(work, body)

    assert response.status_code == 200, response.json
    assert response.json["records"]["submitted"] == 3
    assert response.json["submissions"][-1]["note"] == "last"


def test_a_json_delivery_is_replayed_with_its_key_even_spaced_otherwise(app, work):
    records = [record(1), record(2)]
    headers = {"Idempotency-Key": "delivery-1"}
    first = submit_raw(work, json.dumps({"note": "n", "records": records}), headers=headers)
    assert first.status_code == 200, first.json

    # The same records, keys in another order and spaced otherwise: the same request.
    shuffled = [dict(reversed(list(item.items()))) for item in records]
    again = json.dumps({"records": shuffled, "note": "n"}, indent=2)
    replay = submit_raw(work, again, headers=headers)

    assert replay.status_code == 200
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json == first.json
    assert stored(app) == (2, 1)


def test_another_delivery_with_the_same_key_is_a_422(app, work):
    headers = {"Idempotency-Key": "delivery-2"}
    first = submit_raw(work, json.dumps({"records": [record(1)]}), headers=headers)
    assert first.status_code == 200, first.json

    other = submit_raw(work, json.dumps({"records": [record(1), record(2)]}), headers=headers)
    assert_problem(other, 422, "Idempotency-Key")
    changed = submit_raw(work, json.dumps({"records": [record(1, name="Other")]}), headers=headers)
    assert_problem(changed, 422, "Idempotency-Key")
    noted = submit_raw(work, json.dumps({"records": [record(1)], "note": "x"}), headers=headers)
    assert_problem(noted, 422, "Idempotency-Key")
    assert stored(app) == (1, 1)


def test_gold_records_as_json_are_read_the_same_way(api, factory):
    client = api.as_user(factory.client())
    job = post_job(client, schema=SCHEMA)["id"]
    path = f"/jobs/{job}/gold"

    def put(body: str):
        return client.put(path, data=body, content_type="application/json")

    records = json.dumps({"records": [record(n) for n in range(1, 30)]})
    assert_problem(put(records[: records.index('{"id": 15')]), 400)
    assert_problem(put(records.replace("Person 20", "\\u0000")), 400)
    assert_problem(put(json.dumps({"records": [record(1), []]})), 422, "records")
    response = put(records)
    assert response.status_code == 200, response.json
    assert response.json["rows"] == 29
    assert client.get(path).json["rows"] == 29


def test_the_records_of_a_json_delivery_are_never_all_in_memory_at_once(app, work):
    records = [record(n) for n in range(1, 10_001)]
    body = json.dumps({"records": records, "note": "Ten thousand."}).encode()
    del records

    tracemalloc.start()
    try:
        response = submit_raw(work, body)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert response.status_code == 200, response.json
    assert response.json["records"]["submitted"] == 10_000
    # Parsed whole, the records took some six times the body's size; read one at a time,
    # what stays is the check's own (its spool, the keys seen) and a chunk of the body.
    assert peak < 4 * len(body), (peak, len(body))
