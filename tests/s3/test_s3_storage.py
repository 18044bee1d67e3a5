"""The S3 storage against a real S3-compatible server (moto's, started by the tests).

An object appears whole or not at all: small files are one PUT, large ones a multipart
upload that is aborted when anything stops it, so nothing of a refused upload remains.
"""

import hashlib
import io
import os

import pytest

from marketplace.storage import StorageUnavailable, StoredFileMissing, TooLarge, build_storage
from marketplace.storage.s3 import MIN_PART_SIZE, S3Storage, parse_location
from tests.s3_server import aws_environment, moto_server, new_bucket, s3_client

MiB = 1024 * 1024


@pytest.fixture(scope="module")
def endpoint():
    with aws_environment(), moto_server() as url:
        yield url


@pytest.fixture
def bucket(endpoint):
    return new_bucket(endpoint)


@pytest.fixture
def storage(endpoint, bucket):
    return S3Storage.from_config(
        {"FILE_STORAGE": f"s3://{bucket}/some/prefix/", "S3_ENDPOINT_URL": endpoint}
    )


def objects(endpoint, bucket) -> list[str]:
    answer = s3_client(endpoint).list_objects_v2(Bucket=bucket)
    return [item["Key"] for item in answer.get("Contents", [])]


def unfinished_uploads(endpoint, bucket) -> list:
    return s3_client(endpoint).list_multipart_uploads(Bucket=bucket).get("Uploads", [])


class Refusing(io.RawIOBase):
    """A stream that fails after `size` bytes, as content refused midway would."""

    def __init__(self, size: int):
        self.left = size

    def readable(self):
        return True

    def readinto(self, buffer):
        if self.left <= 0:
            raise ValueError("refused halfway")
        n = min(len(buffer), self.left)
        buffer[:n] = b"y" * n
        self.left -= n
        return n


def test_a_small_file_is_one_object_under_the_prefix(endpoint, bucket, storage):
    data = b"invoice,total\n1,2\n" * 100

    stored = storage.save("jobs/1/files/a", io.BytesIO(data))

    assert stored.size == len(data)
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert objects(endpoint, bucket) == ["some/prefix/jobs/1/files/a"]
    assert b"".join(storage.open("jobs/1/files/a")) == data


def test_a_large_file_goes_up_in_parts_and_reads_back_whole(endpoint, bucket):
    storage = S3Storage.from_config({"FILE_STORAGE": f"s3://{bucket}", "S3_ENDPOINT_URL": endpoint})
    storage.part_size = MIN_PART_SIZE
    data = os.urandom(2 * MIN_PART_SIZE + 12345)

    stored = storage.save("big", io.BytesIO(data))

    assert (stored.size, stored.sha256) == (len(data), hashlib.sha256(data).hexdigest())
    head = s3_client(endpoint).head_object(Bucket=bucket, Key="big")
    assert head["ETag"].strip('"').endswith("-3")  # three parts
    received = list(storage.open("big"))
    assert b"".join(received) == data
    assert len(received) > 1  # streamed in chunks, not read whole
    assert unfinished_uploads(endpoint, bucket) == []


def test_past_the_limit_in_a_multipart_upload_nothing_remains(endpoint, bucket, storage):
    storage.part_size = MIN_PART_SIZE
    data = b"x" * (2 * MIN_PART_SIZE + 1)

    with pytest.raises(TooLarge):
        storage.save("jobs/1/files/big", io.BytesIO(data), max_bytes=2 * MIN_PART_SIZE)

    assert objects(endpoint, bucket) == []
    assert unfinished_uploads(endpoint, bucket) == []


def test_past_the_limit_in_a_small_file_nothing_is_sent(endpoint, bucket, storage):
    with pytest.raises(TooLarge):
        storage.save("jobs/1/files/a", io.BytesIO(b"x" * 1001), max_bytes=1000)

    assert objects(endpoint, bucket) == []


def test_a_stream_failing_midway_aborts_the_upload(endpoint, bucket, storage):
    storage.part_size = MIN_PART_SIZE

    with pytest.raises(ValueError, match="refused halfway"):
        storage.save("jobs/1/files/c", io.BufferedReader(Refusing(MIN_PART_SIZE + 3 * MiB)))

    assert objects(endpoint, bucket) == []
    assert unfinished_uploads(endpoint, bucket) == []


def test_a_missing_object_and_delete(endpoint, bucket, storage):
    storage.save("a/b", io.BytesIO(b"x"))

    storage.delete("a/b")
    storage.delete("a/b")  # a missing one is no error

    with pytest.raises(StoredFileMissing):
        storage.open("a/b")
    assert objects(endpoint, bucket) == []


def test_an_unreachable_store_is_unavailable_not_a_crash(bucket):
    storage = S3Storage.from_config(
        {"FILE_STORAGE": f"s3://{bucket}", "S3_ENDPOINT_URL": "http://127.0.0.1:9"}
    )

    with pytest.raises(StorageUnavailable):
        storage.save("a", io.BytesIO(b"x"))
    with pytest.raises(StorageUnavailable):
        storage.open("a")


def test_the_settings_choose_s3(endpoint, bucket):
    storage = build_storage({"FILE_STORAGE": f"s3://{bucket}/p", "S3_ENDPOINT_URL": endpoint})

    assert isinstance(storage, S3Storage)
    assert (storage.bucket, storage.prefix) == (bucket, "p")


@pytest.mark.parametrize("key", ["", "../x", "a//b", "/etc/passwd"])
def test_keys_must_be_plain(storage, key):
    with pytest.raises(ValueError, match="not a storage key"):
        storage.save(key, io.BytesIO(b"x"))


@pytest.mark.parametrize(
    ("location", "expected"),
    [("s3://b", ("b", "")), ("s3://b/", ("b", "")), ("s3://b/x/y/", ("b", "x/y"))],
)
def test_locations(location, expected):
    assert parse_location(location) == expected


def test_a_location_needs_a_bucket():
    with pytest.raises(ValueError, match="no bucket"):
        parse_location("s3:///prefix")


def test_the_listing_names_the_prefixs_objects_by_their_keys(endpoint, bucket, storage):
    from datetime import UTC, datetime, timedelta

    storage.save("jobs/1/files/a", io.BytesIO(b"a"))
    storage.save("deliveries/7/b", io.BytesIO(b"b"))
    outside = s3_client(endpoint)
    outside.put_object(Bucket=bucket, Key="some/prefixed-too-far/x", Body=b"x")
    outside.put_object(Bucket=bucket, Key="elsewhere/y", Body=b"y")

    listed = {entry.key: entry.written_at for entry in storage.listing()}

    assert sorted(listed) == ["deliveries/7/b", "jobs/1/files/a"]
    now = datetime.now(UTC)
    assert all(
        now - timedelta(minutes=5) < moment <= now + timedelta(minutes=1)
        for moment in listed.values()
    )
    storage.delete("deliveries/7/b")  # a listed key is one delete takes
    assert [entry.key for entry in storage.listing()] == ["jobs/1/files/a"]


def test_the_listing_reads_page_after_page(endpoint, bucket):
    storage = S3Storage.from_config({"FILE_STORAGE": f"s3://{bucket}", "S3_ENDPOINT_URL": endpoint})
    storage.list_page = 2  # S3's own pages hold up to 1,000 keys
    client = s3_client(endpoint)
    for n in range(5):
        client.put_object(Bucket=bucket, Key=f"k/{n}", Body=b"")

    assert sorted(entry.key for entry in storage.listing()) == [f"k/{n}" for n in range(5)]


def test_an_unreachable_store_cannot_be_listed(bucket):
    storage = S3Storage.from_config(
        {"FILE_STORAGE": f"s3://{bucket}", "S3_ENDPOINT_URL": "http://127.0.0.1:9"}
    )

    with pytest.raises(StorageUnavailable):
        list(storage.listing())
