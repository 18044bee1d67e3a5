"""A deep page is an index range, not a filter over every row before it."""

from contextlib import contextmanager

from sqlalchemy import event

from marketplace.extensions import db
from tests.work import post_job


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
