"""Deliveries of records: checked on submit, stored when they pass, exported as CSV or JSON."""

import pytest
from sqlalchemy import func, select

from marketplace.contracts.models import MilestoneSubmission
from marketplace.deliveries.models import DeliveryFile, DeliveryRecord, DeliveryRefusal
from marketplace.extensions import db
from tests.client import assert_problem
from tests.deliveries import funded_milestone, record


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
