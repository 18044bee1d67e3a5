"""A deep page is an index range, not a filter over every row before it."""

from contextlib import contextmanager

from sqlalchemy import Column, event
from sqlalchemy.sql import visitors

from marketplace.bids.models import Bid
from marketplace.bids.service import BID_COUNT
from marketplace.extensions import db
from marketplace.jobs import search
from tests.work import place_bid, post_job


@contextmanager
def statements(app):
    """Every SELECT the app runs meanwhile, with its parameters."""
    seen = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, parameters))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def plan(app, statement: str, parameters) -> str:
    with app.app_context(), db.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            # The test table is tiny, so a sequential scan would win on cost alone: ask
            # which index range the statement can use, not which plan is cheapest here.
            connection.exec_driver_sql("SET enable_seqscan = off")
            rows = connection.exec_driver_sql("EXPLAIN " + statement, parameters).all()
        else:
            rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
            rows = [(row[-1],) for row in rows]
        connection.rollback()
    return "\n".join(str(row[0]) for row in rows)


def test_the_next_page_of_jobs_is_a_range_on_the_index(api, app, factory):
    client = api.as_user(factory.client())
    for n in range(6):
        post_job(client, title=f"Invoices batch {n}")
    cursor = client.get("/jobs?limit=2").json["next_cursor"]

    with statements(app) as seen:
        page = client.get(f"/jobs?limit=2&cursor={cursor}")

    assert page.status_code == 200
    assert len(page.json["data"]) == 2
    statement, parameters = next((s, p) for s, p in seen if "FROM jobs" in s and "LIMIT" in s)
    explained = plan(app, statement, parameters)
    assert "ix_jobs_status_created_at_id" in explained, explained
    if "Index Cond" in explained:  # PostgreSQL: the cursor bounds the index scan itself
        index_condition = explained.split("Index Cond:")[1].splitlines()[0]
        assert "created_at" in index_condition, explained
    else:  # SQLite: a SEARCH on the index with the row-value range
        assert "SEARCH" in explained, explained
        assert "created_at<" in explained.replace(" ", ""), explained


def test_a_relevance_search_ranks_a_bounded_set_of_matches(api, app, factory):
    client = api.as_user(factory.client())
    for n in range(4):
        post_job(client, title=f"Invoices batch {n}", description="invoice " * (n + 1))

    with statements(app) as seen:
        page = client.get("/jobs?q=invoice&limit=2")

    assert len(page.json["data"]) == 2
    statement, parameters = next((s, p) for s, p in seen if "rank" in s and "LIMIT" in s)
    explained = plan(app, statement, parameters)
    if app_dialect(app) == "postgresql":
        # The ranks are sorted after the candidates were cut, not over every match.
        ranks_sorted = explained.index("ts_rank")
        assert "Limit" in explained[ranks_sorted:], explained
    else:
        # The full-text index hands matches over newest first: nothing sorts them all.
        candidates = explained.split("CO-ROUTINE ranked")[1].split("SCAN ranked")[0]
        assert "jobs_fts" in candidates, explained
        assert "TEMP B-TREE" not in candidates, explained


def test_a_search_for_common_words_walks_the_list_index(api, app, factory, monkeypatch):
    if app_dialect(app) == "postgresql":
        return  # PostgreSQL's planner weighs how common the words are on its own
    monkeypatch.setattr(search, "COMMON", 2)
    client = api.as_user(factory.client())
    for n in range(3):
        post_job(client, title=f"Invoices batch {n}")

    with statements(app) as seen:
        page = client.get("/jobs?q=invoice&sort=newest&limit=2")

    assert len(page.json["data"]) == 2
    statement, parameters = next((s, p) for s, p in seen if "ORDER BY" in s and "jobs_fts" in s)
    explained = plan(app, statement, parameters)
    assert "ix_jobs_status_created_at_id" in explained, explained
    assert "LIST SUBQUERY" not in explained, explained


def app_dialect(app) -> str:
    with app.app_context():
        return db.engine.dialect.name


def test_a_jobs_bid_count_reads_only_what_an_index_holds(api, app, factory):
    """The bid count on every listed job can be answered from ix_bids_job_id_status alone.

    SQLite says so in its plan. PostgreSQL's choice depends on how much of the table
    VACUUM has marked all-visible (an index-only scan is priced by it), which a test
    database emptied between tests does not settle, so there the test checks what
    makes the scan possible: the count reads no column of bids outside that index (it
    once counted bids.id, which sent every count to each bid's row).
    """
    counted = {
        column.name
        for column in visitors.iterate(BID_COUNT)
        if isinstance(column, Column) and column.table is Bid.__table__
    }
    index = next(i for i in Bid.__table__.indexes if i.name == "ix_bids_job_id_status")
    assert counted <= {column.name for column in index.columns}, counted
    if app_dialect(app) == "postgresql":
        return
    client = api.as_user(factory.client())
    job = post_job(client, title="Invoices with bids")
    for _ in range(3):
        place_bid(api.as_user(factory.freelancer()), job["id"])

    with statements(app) as seen:
        page = client.get("/jobs?limit=1")

    assert page.json["data"][0]["bid_count"] == 3
    statement, parameters = next((s, p) for s, p in seen if "FROM jobs" in s and "LIMIT" in s)
    explained = plan(app, statement, parameters)
    assert "COVERING INDEX ix_bids_job_id_status" in explained, explained
