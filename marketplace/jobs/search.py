"""Full-text search on jobs: PostgreSQL tsvector with GIN, SQLite FTS5 when embedded.

Both stem English words ("invoices" finds "invoice") and require every word of the
query. The search structures are created by the migrations, outside the models.
"""

import re

from sqlalchemy import ColumnElement, Double, cast, func, literal_column, select, table

from marketplace.errors import ValidationFailed
from marketplace.jobs.models import Job

_fts = table("jobs_fts")


def _words(q: str) -> list[str]:
    words = re.findall(r"\w+", q)
    if not words:
        raise ValidationFailed({"q": ["Give at least one word to search for."]})
    return words


def match(dialect: str, q: str) -> tuple[ColumnElement[bool], ColumnElement[float]]:
    """The condition "job matches q" and its relevance (higher is better)."""
    words = _words(q)
    if dialect == "postgresql":
        vector = literal_column("jobs.search_vector")
        query = func.plainto_tsquery("english", " ".join(words))
        # ts_rank is a float4, which reaches Python rounded; as a float8 it round-trips
        # exactly, so a page cursor can compare ranks for equality.
        return vector.op("@@")(query), cast(func.ts_rank(vector, query), Double)
    # FTS5: each word quoted (no operators from users), all required; porter stems them.
    expression = " ".join(f'"{w}"' for w in words)
    matching = (
        select(literal_column("rowid"))
        .select_from(_fts)
        .where(literal_column("jobs_fts").op("MATCH")(expression))
    )
    rank = (
        select(-func.bm25(literal_column("jobs_fts")))
        .select_from(_fts)
        .where(literal_column("jobs_fts").op("MATCH")(expression))
        .where(literal_column("rowid") == Job.id)
        .scalar_subquery()
    )
    return Job.id.in_(matching), rank
