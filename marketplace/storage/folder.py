"""Files in a folder on this host: the embedded default."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from marketplace.storage import (
    CHUNK_SIZE,
    Digest,
    Listed,
    StoredFileMissing,
    StoredObject,
    chunks,
)


class FolderStorage:
    def __init__(self, root: str | os.PathLike) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        parts = key.split("/")
        if not key or any(part in ("", ".", "..") for part in parts):
            raise ValueError(f"not a storage key: {key!r}")
        return self.root.joinpath(*parts)

    def save(self, key: str, stream: BinaryIO, *, max_bytes: int | None = None) -> StoredObject:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        digest = Digest()
        # Written beside its place and renamed into it once complete and on disk, so a
        # reader never sees part of a file and a failed write leaves nothing behind.
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as out:
                for piece in digest.through(chunks(stream, max_bytes)):
                    out.write(piece)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return digest.result(key)

    def open(self, key: str) -> Iterator[bytes]:
        try:
            handle = self._path(key).open("rb")
        except FileNotFoundError:
            raise StoredFileMissing(key) from None
        return _Chunks(handle)

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def listing(self) -> Iterator[Listed]:
        # A save's temporary file (`.upload-...`) is listed too: one a crash left behind
        # is as much an orphan as a file whose row never committed.
        for folder, _subfolders, names in os.walk(self.root):
            for name in names:
                path = Path(folder, name)
                try:
                    written = path.stat().st_mtime
                except FileNotFoundError:  # removed since the folder was read
                    continue
                key = path.relative_to(self.root).as_posix()
                yield Listed(key, datetime.fromtimestamp(written, UTC))


class _Chunks:
    """An open file's bytes in chunks; closed at its end, or by `close` before (a HEAD
    answer never reads it, a failed request drops it), never left to the collector."""

    def __init__(self, handle: BinaryIO) -> None:
        self._handle = handle

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        chunk = self._handle.read(CHUNK_SIZE)
        if not chunk:
            self.close()
            raise StopIteration
        return chunk

    def close(self) -> None:
        self._handle.close()
