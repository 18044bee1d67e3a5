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


def test_the_listing_names_every_file_by_its_key_with_when_it_was_written(tmp_path):
    import os
    from datetime import UTC, datetime, timedelta

    storage = FolderStorage(tmp_path)
    storage.save("jobs/1/files/a", io.BytesIO(b"a"))
    storage.save("deliveries/7/b", io.BytesIO(b"b"))
    # A save cut off by a crash leaves its temporary file: listed, to be swept.
    (tmp_path / "jobs" / "1" / "files" / ".upload-x1").write_bytes(b"part")
    week_ago = (datetime.now(UTC) - timedelta(days=7)).timestamp()
    os.utime(tmp_path / "deliveries" / "7" / "b", (week_ago, week_ago))

    listed = {entry.key: entry.written_at for entry in storage.listing()}

    assert sorted(listed) == ["deliveries/7/b", "jobs/1/files/.upload-x1", "jobs/1/files/a"]
    assert abs(listed["deliveries/7/b"].timestamp() - week_ago) < 1
    assert listed["jobs/1/files/a"] > datetime.now(UTC) - timedelta(minutes=5)
    assert all(moment.tzinfo is not None for moment in listed.values())
    storage.delete("jobs/1/files/.upload-x1")  # a listed key is one delete takes
    assert len(list(storage.listing())) == 2


def test_an_empty_or_missing_folder_lists_nothing(tmp_path):
    assert list(FolderStorage(tmp_path / "not yet made").listing()) == []
