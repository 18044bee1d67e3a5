"""A list request makes the same number of SQL queries whatever its page size."""

from contextlib import contextmanager

import pytest
from sqlalchemy import event

from marketplace.extensions import db
from tests.work import make_contract, place_bid, post_job


@contextmanager
def counting(app):
    statements = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def queries_for(app, client, path, query):
    with counting(app) as statements:
        response = client.get(path, query_string=query)
    assert response.status_code == 200, response.json
    assert len(response.json["data"]) == query["limit"]
    return len(statements)


# Every test here only reads: they share one market (see shared_data in tests/conftest.py).
pytestmark = pytest.mark.shared_data("query counts: busy market")


def build_busy_market(api, factory):
    """Twelve jobs with bids and contracts, messages on one contract."""
    company = factory.client()
    freelancers = [factory.freelancer() for _ in range(3)]
    contracts = []
    for n in range(12):
        plan = [{"title": f"part {i}", "amount": 1_000} for i in range(3)]
        contracts.append(
            make_contract(
                api.as_user(company), api.as_user(freelancers[n % 3]), amount=3_000, milestones=plan
            )
        )
        job = post_job(api.as_user(company), skills=["excel", "ocr", f"skill {n}"])
        for freelancer in freelancers:
            place_bid(api.as_user(freelancer), job["id"], amount=3_000, milestones=plan)
    for n in range(12):
        path = f"/contracts/{contracts[0]['id']}/messages"
        response = api.as_user(company).post(path, json={"body": f"m{n}"})
        assert response.status_code == 201, response.json
    return company, freelancers[0], contracts[0]


@pytest.fixture
def busy_market(api, factory, shared_data):
    """The market, and a client, a freelancer and a contract of it with their own clients."""
    company, freelancer, contract = shared_data(lambda: build_busy_market(api, factory))
    return api.as_user(company), api.as_user(freelancer), contract


LISTS = [
    ("company", "/jobs", {}),
    ("company", "/jobs", {"q": "invoices"}),
    ("company", "/jobs", {"skill": ["ocr", "excel"], "sort": "budget_desc"}),
    ("company", "/contracts", {}),
    ("freelancer", "/bids", {}),
    ("company", "JOB_BIDS", {}),
    ("company", "MESSAGES", {}),
]


@pytest.mark.parametrize(("who", "path", "query"), LISTS)
def test_list_queries_do_not_grow_with_the_page(app, busy_market, who, path, query, capsys):
    company, freelancer, contract = busy_market
    client = {"company": company, "freelancer": freelancer}[who]
    if path == "JOB_BIDS":
        job_id = company.get("/jobs", query_string={"limit": 1}).json["data"][0]["id"]
        path = f"/jobs/{job_id}/bids"
    elif path == "MESSAGES":
        path = f"/contracts/{contract['id']}/messages"
    large = 3 if "bids" in path else 10

    one = queries_for(app, client, path, {**query, "limit": 1})
    many = queries_for(app, client, path, {**query, "limit": large})

    with capsys.disabled():
        print(f"\n  GET {path} {query}: {one} queries for 1 item, {many} for {large}")
    assert one == many


def test_a_page_of_a_jobs_bids_does_not_count_all_of_them(app, busy_market):
    company, _, _ = busy_market
    job_id = company.get("/jobs", query_string={"limit": 1}).json["data"][0]["id"]

    with counting(app) as statements:
        page = company.get(f"/jobs/{job_id}/bids", query_string={"limit": 1})

    assert page.status_code == 200
    assert len(page.json["data"]) == 1
    # Every bid of a popular job counted on every page would cost more the more it has.
    assert not [s for s in statements if "count(" in s.lower()], statements
