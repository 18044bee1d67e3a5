"""A gold set replaced while a delivery is being measured on the old one, on real connections.

The delivery is held after its first batch of rows was compared; the client's new set
must wait for it (the job's row is held by the delivery until it commits), or the
delivery's later batches would be compared with another set than its first.
"""

import threading

from marketplace.deliveries.gold import GoldComparison
from tests.client import ApiClient, assert_problem
from tests.money import fund
from tests.work import place_bid, post_job

SCHEMA = {
    "fields": [
        {"name": "invoice", "type": "integer"},
        {"name": "supplier", "type": "string"},
    ],
    "primaryKey": "invoice",
}
ROWS = 2500  # three batches of the check


def records(supplier: str) -> list[dict]:
    return [{"invoice": n, "supplier": supplier} for n in range(1, ROWS + 1)]


def test_a_new_gold_set_waits_for_the_delivery_measured_on_the_old_one(app, factory, monkeypatch):
    client = ApiClient(app, factory.client().token)
    freelancer = ApiClient(app, factory.freelancer().token)
    job = post_job(client, schema=SCHEMA)["id"]
    assert client.put(f"/jobs/{job}/gold", json={"records": records("Old")}).status_code == 200
    bid = place_bid(freelancer, job)
    contract = client.post(f"/bids/{bid['id']}/accept").json
    milestone = contract["milestones"][0]["id"]
    assert fund(client, milestone).status_code == 200

    compared_once, go_on = threading.Event(), threading.Event()
    compare = GoldComparison.compare

    def held_compare(self, rows):
        compare(self, rows)
        if not compared_once.is_set():
            compared_once.set()
            go_on.wait(timeout=20)

    monkeypatch.setattr(GoldComparison, "compare", held_compare)
    answers: dict = {}

    def deliver():
        answers["delivery"] = freelancer.post(
            f"/milestones/{milestone}/submit", json={"records": records("Old")}
        )

    def replace():
        answers["gold"] = client.put(f"/jobs/{job}/gold", json={"records": records("New")})

    delivering = threading.Thread(target=deliver)
    delivering.start()
    assert compared_once.wait(timeout=20)
    replacing = threading.Thread(target=replace)
    replacing.start()
    replacing.join(timeout=1)
    waited = replacing.is_alive()
    go_on.set()
    delivering.join(timeout=30)
    replacing.join(timeout=30)

    assert waited, "the new gold set did not wait for the delivery being measured"
    assert answers["delivery"].status_code == 200, answers["delivery"].json
    assert answers["gold"].status_code == 200, answers["gold"].json
    report = client.get(f"/contracts/{contract['id']}").json["milestones"][0]["submissions"][0]
    assert report["report"]["gold"]["accuracy"] == 1.0
    assert report["report"]["gold"]["rows"] == ROWS
    assert client.get(f"/jobs/{job}/gold").json["records"][0]["supplier"] == "New"
    assert_problem(freelancer.get(f"/jobs/{job}/gold"), 404)
