"""Where uploaded files live: a folder (the embedded default) or an S3-compatible store.

`FILE_STORAGE` names it: a path (default `instance/files`) or `s3://bucket/prefix`.
Callers name each object by a key of their own (`jobs/12/files/<uuid>`); a key is written
once and never changed, so a reader on another host sees either nothing or the whole file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO, Protocol

CHUNK_SIZE = 64 * 1024


class StoredFileMissing(LookupError):
    """No object is stored under the key."""


class TooLarge(ValueError):
    """The stream went past the size the caller allowed; nothing was kept."""


class StorageUnavailable(RuntimeError):
    """The store did not answer, or failed on its side: retrying later may work."""


@dataclass(frozen=True)
class StoredObject:
    key: str
    size: int
    sha256: str


@dataclass(frozen=True)
class Listed:
    """An object as a listing shows it: its key and when it was written (UTC)."""

    key: str
    written_at: datetime


class FileStorage(Protocol):
    def save(self, key: str, stream: BinaryIO, *, max_bytes: int | None = None) -> StoredObject:
        """Store the stream under `key`, all or nothing; `TooLarge` past `max_bytes`."""
        ...

    def open(self, key: str) -> Iterator[bytes]:
        """The object's bytes in chunks, read as they are sent; `StoredFileMissing`."""
        ...

    def delete(self, key: str) -> None:
        """Remove the object; a missing one is not an error."""
        ...

    def listing(self) -> Iterator[Listed]:
        """Every object stored (a write under way or abandoned included), in no set
        order; read as it is iterated, so a store of millions is never held whole."""
        ...


def chunks(stream: BinaryIO, max_bytes: int | None = None) -> Iterator[bytes]:
    """The stream's bytes in chunks, raising `TooLarge` once they pass `max_bytes`."""
    total = 0
    while chunk := stream.read(CHUNK_SIZE):
        total += len(chunk)
        if max_bytes is not None and total > max_bytes:
            raise TooLarge(max_bytes)
        yield chunk


class Digest:
    """Counts and hashes the bytes passing through, for the stored object's record."""

    def __init__(self) -> None:
        self.size = 0
        self._hash = hashlib.sha256()

    def through(self, pieces: Iterable[bytes]) -> Iterator[bytes]:
        for piece in pieces:
            self.size += len(piece)
            self._hash.update(piece)
            yield piece

    def result(self, key: str) -> StoredObject:
        return StoredObject(key=key, size=self.size, sha256=self._hash.hexdigest())


def build_storage(config) -> FileStorage:
    """The storage the settings name (`FILE_STORAGE`)."""
    location: str = config["FILE_STORAGE"]
    if location.startswith("s3://"):
        from marketplace.storage.s3 import S3Storage

        return S3Storage.from_config(config)
    from marketplace.storage.folder import FolderStorage

    return FolderStorage(location)


def get_storage() -> FileStorage:
    """The app's file storage, built on first use from its settings."""
    from flask import current_app

    extensions = current_app.extensions
    if "file_storage" not in extensions:
        extensions["file_storage"] = build_storage(current_app.config)
    return extensions["file_storage"]
