"""Full-text search on jobs: PostgreSQL tsvector with GIN, SQLite FTS5 when embedded.

Both stem English words ("invoices" finds "invoice") and require every word of the
query. The search structures are created by the migrations, outside the models.

Ranking is bounded: a query is ranked over its most recent matches only, at most
`SEARCH_RANK_CANDIDATES` of them (1,000 by default), newest first by id. Finding those
follows an index in id order and stops once enough have matched, so a word in a third
of all jobs costs what a rare one does, and the work per request does not grow with
the number of jobs. Every match still appears when sorting by `newest`; the spec says so.
"""

import re

from sqlalchemy import (
    ColumnElement,
    Double,
    Subquery,
    cast,
    exists,
    func,
    literal_column,
    select,
    table,
)

from marketplace.errors import ValidationFailed
from marketplace.jobs.models import Job

# On SQLite, words matching at least this many jobs are "common" (see match).
COMMON = 2000

_fts = table("jobs_fts")
_fts_rowid: ColumnElement[int] = literal_column("jobs_fts.rowid")


def _words(q: str) -> list[str]:
    words = re.findall(r"\w+", q)
    if not words:
        raise ValidationFailed({"q": ["Give at least one word to search for."]})
    return words


def _pg_query(words: list[str]):
    return func.plainto_tsquery("english", " ".join(words))


def _fts_expression(words: list[str]) -> str:
    # Each word quoted (no operators from users), all required; porter stems them.
    return " ".join(f'"{w}"' for w in words)


def _fts_match(words: list[str]) -> ColumnElement[bool]:
    return literal_column("jobs_fts").op("MATCH")(_fts_expression(words))


def match(session, q: str) -> ColumnElement[bool]:
    """The condition "job matches q", for lists in an order of the jobs' own indexes."""
    words = _words(q)
    if session.get_bind().dialect.name == "postgresql":
        return literal_column("jobs.search_vector").op("@@")(_pg_query(words))
    # SQLite has no statistics on words, so ask how common they are. Rare: collect the
    # matches first (few). Common: walk the jobs in list order and test each one (a
    # seek in the full-text index), stopping when the page is full, instead of
    # collecting hundreds of thousands of matches to sort.
    matches = select(_fts_rowid).select_from(_fts).where(_fts_match(words))
    sample = matches.limit(COMMON).subquery()
    if session.scalar(select(func.count()).select_from(sample)) < COMMON:
        return Job.id.in_(matches)
    return exists(matches.where(_fts_rowid == Job.id))


def ranked(dialect: str, q: str, conditions: list, candidates: int) -> Subquery:
    """The most recent jobs (at most `candidates`) meeting `conditions` and matching q,
    as rows of (id, rank), rank higher for a better match."""
    words = _words(q)
    if dialect == "postgresql":
        vector: ColumnElement = literal_column("jobs.search_vector")
        query = _pg_query(words)
        # ts_rank is a float4, which reaches Python rounded; as a float8 it round-trips
        # exactly, so a page cursor can compare ranks for equality.
        rank: ColumnElement[float] = cast(func.ts_rank(vector, query), Double)
        stmt = select(Job.id, rank.label("rank")).where(*conditions, vector.op("@@")(query))
        order = Job.id.desc()
    else:
        # bm25() reads the full-text cursor, so the FTS table drives the query; it hands
        # matches over in descending rowid order without sorting them.
        rank = -func.bm25(literal_column("jobs_fts"))
        stmt = (
            select(Job.id, rank.label("rank"))
            .select_from(_fts)
            .join(Job, Job.id == _fts_rowid)
            .where(_fts_match(words), *conditions)
        )
        order = _fts_rowid.desc()
    return stmt.order_by(order).limit(candidates).subquery("ranked")
