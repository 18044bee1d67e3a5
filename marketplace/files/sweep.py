"""Stored objects no row refers to: found and removed.

A file goes to storage before its row is committed (so that no transaction, nor on
SQLite the database's write lock, is held while its bytes travel), and a failed
request removes it again. A crash in between, or a store that failed to remove it,
leaves an object nobody references: a source file whose upload never committed, a
delivery's file whose records were never written, one whose row was deleted, a save
cut off halfway. `sweep_files` removes those older than a grace period, which spares
the uploads under way.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from itertools import islice

from sqlalchemy import select

from marketplace.database import utcnow
from marketplace.deliveries.models import DeliveryFile
from marketplace.extensions import db
from marketplace.files.models import SourceFile
from marketplace.storage import get_storage

# Keys looked up in the database at a time.
BATCH = 500


@dataclass(frozen=True)
class Swept:
    """What a sweep saw: objects listed, old enough to judge, and removed (their keys)."""

    listed: int
    old: int
    removed: list[str]


def sweep_files(grace: timedelta, *, dry_run: bool = False) -> Swept:
    """Remove the stored objects written more than `grace` ago that no source file or
    delivery file names (`dry_run`: only say which)."""
    storage = get_storage()
    cutoff = utcnow() - grace
    listed = old = 0
    removed: list[str] = []

    def old_keys() -> Iterator[str]:
        nonlocal listed, old
        for entry in storage.listing():
            listed += 1
            if entry.written_at < cutoff:
                old += 1
                yield entry.key

    for keys in _batches(old_keys(), BATCH):
        known = _referenced(keys)
        # Nothing is held while the store works: the keys' rows were read, and an object
        # this old gets no new row (its upload gave up long ago).
        db.session.rollback()
        for key in keys:
            if key not in known:
                if not dry_run:
                    storage.delete(key)
                removed.append(key)
    return Swept(listed, old, removed)


def _referenced(keys: list[str]) -> set[str]:
    """Which of the keys a row names."""
    named = set(
        db.session.scalars(select(SourceFile.storage_key).where(SourceFile.storage_key.in_(keys)))
    )
    named.update(
        db.session.scalars(
            select(DeliveryFile.storage_key).where(DeliveryFile.storage_key.in_(keys))
        )
    )
    return named


def _batches(items: Iterable[str], size: int) -> Iterator[list[str]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch
