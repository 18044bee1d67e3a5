"""Files in an S3-compatible object store: the only module that imports boto3.

`FILE_STORAGE=s3://bucket/prefix`; credentials and region come from the usual `AWS_*`
variables (or any other source boto3 reads), and `S3_ENDPOINT_URL` points at a store
other than AWS's (MinIO, Ceph, R2...). An object appears under its key only once it is
whole: a small file is one PUT, a larger one a multipart upload completed at its end and
aborted on any failure, so that a refused or broken upload leaves no object and no
parts the store would keep (and bill) until a lifecycle rule removed them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import suppress
from typing import Any, BinaryIO

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from marketplace.storage import (
    CHUNK_SIZE,
    Digest,
    Listed,
    StorageUnavailable,
    StoredFileMissing,
    StoredObject,
    chunks,
)

# S3 takes parts of at least 5 MiB (all but the last); a file up to one part is sent
# whole. One part is the most an upload holds in memory.
PART_SIZE = 8 * 1024 * 1024
MIN_PART_SIZE = 5 * 1024 * 1024
_MISSING = frozenset({"NoSuchKey", "404", "NotFound"})


def parse_location(location: str) -> tuple[str, str]:
    """`s3://bucket/some/prefix` as (bucket, prefix without slashes at its ends)."""
    if not location.startswith("s3://"):
        raise ValueError(f"not an s3:// location: {location!r}")
    bucket, _, prefix = location.removeprefix("s3://").partition("/")
    if not bucket:
        raise ValueError(f"FILE_STORAGE names no bucket: {location!r}")
    return bucket, prefix.strip("/")


def _unavailable(error: Exception) -> bool:
    """A failure of the store or the way to it (worth retrying), not a refusal of ours."""
    if isinstance(error, ClientError):
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
        code = error.response.get("Error", {}).get("Code", "")
        return status >= 500 or status == 429 or code in {"SlowDown", "RequestTimeout"}
    return isinstance(error, BotoCoreError)


class S3Storage:
    def __init__(self, client: Any, bucket: str, prefix: str = "", *, part_size: int = PART_SIZE):
        if part_size < MIN_PART_SIZE:
            raise ValueError(f"S3 parts are at least {MIN_PART_SIZE} bytes")
        self.client = client
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.part_size = part_size
        # Objects a listing asks for at a time (S3 answers at most 1,000).
        self.list_page = 1000

    @classmethod
    def from_config(cls, config) -> S3Storage:
        """The store `FILE_STORAGE` names, reached at `S3_ENDPOINT_URL` (AWS's if empty)."""
        bucket, prefix = parse_location(config["FILE_STORAGE"])
        endpoint = config.get("S3_ENDPOINT_URL") or None
        session = boto3.session.Session()
        settings = Config(
            # Stores other than AWS's address buckets by path (MinIO's default), and not
            # all of them take the checksums newer SDKs add to every request.
            s3={"addressing_style": "path"} if endpoint else {},
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
            connect_timeout=5,
            read_timeout=20,
            retries={"mode": "standard", "max_attempts": 3},
        )
        client = session.client(
            "s3",
            endpoint_url=endpoint,
            region_name=session.region_name or "us-east-1",
            config=settings,
        )
        return cls(client, bucket, prefix)

    def _name(self, key: str) -> str:
        parts = key.split("/")
        if not key or any(part in ("", ".", "..") for part in parts):
            raise ValueError(f"not a storage key: {key!r}")
        return f"{self.prefix}/{key}" if self.prefix else key

    def save(self, key: str, stream: BinaryIO, *, max_bytes: int | None = None) -> StoredObject:
        name = self._name(key)
        digest = Digest()
        pieces = digest.through(chunks(stream, max_bytes))
        try:
            first = _take(pieces, self.part_size)
            if len(first) < self.part_size:
                self.client.put_object(Bucket=self.bucket, Key=name, Body=first)
            else:
                self._upload_in_parts(name, first, pieces)
        except (BotoCoreError, ClientError) as error:
            if _unavailable(error):
                raise StorageUnavailable(str(error)) from error
            raise
        return digest.result(key)

    def _upload_in_parts(self, name: str, first: bytes, pieces: Iterator[bytes]) -> None:
        upload = self.client.create_multipart_upload(Bucket=self.bucket, Key=name)
        upload_id = upload["UploadId"]
        try:
            parts: list[dict] = []
            part = first
            while part:
                number = len(parts) + 1
                answer = self.client.upload_part(
                    Bucket=self.bucket, Key=name, UploadId=upload_id, PartNumber=number, Body=part
                )
                parts.append({"PartNumber": number, "ETag": answer["ETag"]})
                part = _take(pieces, self.part_size)
            self.client.complete_multipart_upload(
                Bucket=self.bucket,
                Key=name,
                UploadId=upload_id,
                MultipartUpload={"Parts": parts},
            )
        except BaseException:
            # Whatever stopped it (too large, refused content, the store failing): the
            # parts sent so far are dropped, so nothing of this upload remains.
            # If the abort fails too, the store's rule for incomplete uploads is the backstop.
            with suppress(BotoCoreError, ClientError):
                self.client.abort_multipart_upload(Bucket=self.bucket, Key=name, UploadId=upload_id)
            raise

    def open(self, key: str) -> Iterator[bytes]:
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self._name(key))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in _MISSING:
                raise StoredFileMissing(key) from None
            if _unavailable(error):
                raise StorageUnavailable(str(error)) from error
            raise
        except BotoCoreError as error:
            raise StorageUnavailable(str(error)) from error
        return _Chunks(answer["Body"])

    def delete(self, key: str) -> None:
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self._name(key))
        except (BotoCoreError, ClientError) as error:
            if _unavailable(error):
                raise StorageUnavailable(str(error)) from error
            raise

    def listing(self) -> Iterator[Listed]:
        # A page at a time; only the prefix's objects are ours.
        start = f"{self.prefix}/" if self.prefix else ""
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=start, PaginationConfig={"PageSize": self.list_page}
        )
        try:
            for page in pages:
                for item in page.get("Contents", []):
                    yield Listed(item["Key"].removeprefix(start), item["LastModified"])
        except (BotoCoreError, ClientError) as error:
            if _unavailable(error):
                raise StorageUnavailable(str(error)) from error
            raise


def _take(pieces: Iterator[bytes], size: int) -> bytes:
    """The next `size` bytes of the stream (fewer at its end), as one part."""
    buffer = bytearray()
    for piece in pieces:
        buffer += piece
        if len(buffer) >= size:
            break
    return bytes(buffer)


class _Chunks:
    """An object's body in chunks; closed at its end, or by `close` before (a HEAD
    answer never reads it), so its connection goes back to the pool either way."""

    def __init__(self, body) -> None:
        self._body = body
        self._chunks = body.iter_chunks(CHUNK_SIZE)

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        try:
            return next(self._chunks)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        self._body.close()
