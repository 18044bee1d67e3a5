"""The folder storage keeps a file whole or not at all, and refuses keys that leave it."""

import hashlib
import io

import pytest

from marketplace.storage import StoredFileMissing, TooLarge
from marketplace.storage.folder import FolderStorage


def test_a_saved_file_reads_back_with_its_size_and_hash(tmp_path):
    storage = FolderStorage(tmp_path)
    data = b"invoice,total\n" * 10_000

    stored = storage.save("jobs/1/files/a", io.BytesIO(data))

    assert stored.size == len(data)
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert b"".join(storage.open("jobs/1/files/a")) == data


def test_a_file_past_the_limit_leaves_nothing_behind(tmp_path):
    storage = FolderStorage(tmp_path)

    with pytest.raises(TooLarge):
        storage.save("jobs/1/files/big", io.BytesIO(b"x" * 200_001), max_bytes=200_000)

    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []
    with pytest.raises(StoredFileMissing):
        storage.open("jobs/1/files/big")


def test_delete_removes_the_file_and_forgives_a_missing_one(tmp_path):
    storage = FolderStorage(tmp_path)
    storage.save("a/b", io.BytesIO(b"x"))

    storage.delete("a/b")
    storage.delete("a/b")

    with pytest.raises(StoredFileMissing):
        storage.open("a/b")


@pytest.mark.parametrize("key", ["", "../x", "a/../../x", "a//b", "/etc/passwd"])
def test_keys_cannot_leave_the_folder(tmp_path, key):
    with pytest.raises(ValueError, match="not a storage key"):
        FolderStorage(tmp_path / "root").save(key, io.BytesIO(b"x"))
