"""The keyset condition, on an in-memory table, against a sorted list."""

import itertools

import pytest
from sqlalchemy import Integer, String, create_engine, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from marketplace.errors import ValidationFailed
from marketplace.pagination import SortKey, decode_cursor, paginate


class _Base(DeclarativeBase):
    pass


class Row(_Base):
    __tablename__ = "rows"
    id: Mapped[int] = mapped_column(primary_key=True)
    score: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String)


@pytest.fixture
def session():
    engine = create_engine("sqlite://")
    _Base.metadata.create_all(engine)
    with Session(engine) as session:
        for i, (score, label) in enumerate(itertools.product([3, 1, 2], "bca"), start=1):
            session.add(Row(id=i, score=score, label=label))
        session.commit()
        yield session
    engine.dispose()


@pytest.mark.parametrize("limit", [1, 2, 4, 9, 20])
@pytest.mark.parametrize(
    "keys",
    [
        (SortKey(Row.score), SortKey(Row.id)),
        (SortKey(Row.score, descending=False), SortKey(Row.label), SortKey(Row.id, False)),
        (SortKey(Row.label, descending=False), SortKey(Row.score), SortKey(Row.id)),
    ],
)
def test_pages_concatenate_to_the_full_order(session, keys, limit):
    expected = list(session.scalars(select(Row).order_by(*(k.order_by for k in keys))))

    seen, cursor = [], None
    while True:
        page = paginate(session, select(Row), keys, limit=limit, cursor=cursor)
        assert len(page.data) <= limit
        seen += page.data
        cursor = page.next_cursor
        if cursor is None:
            break

    assert [r.id for r in seen] == [r.id for r in expected]


def test_a_cursor_from_another_order_is_refused(session):
    by_score = (SortKey(Row.score), SortKey(Row.id))
    by_label = (SortKey(Row.label), SortKey(Row.id))
    cursor = paginate(session, select(Row), by_score, limit=2, cursor=None).next_cursor

    with pytest.raises(ValidationFailed):
        decode_cursor(by_label, cursor)


@pytest.mark.parametrize("cursor", ["", "!!!", "e30", "W10", "eyJrIjoiIiwidiI6W119"])
def test_garbage_cursors_are_refused(cursor):
    with pytest.raises(ValidationFailed):
        decode_cursor((SortKey(Row.score), SortKey(Row.id)), cursor or "x")
