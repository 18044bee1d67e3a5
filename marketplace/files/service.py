"""Use cases of source files: add, list, read, download, remove."""

import logging
import unicodedata
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO, cast

from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from marketplace import audit
from marketplace.accounts.models import User
from marketplace.contracts.models import Contract
from marketplace.errors import (
    Forbidden,
    InvalidTransition,
    NotFound,
    PayloadTooLarge,
    UnsupportedMediaType,
    ValidationFailed,
    log_error,
    safe_rollback,
)
from marketplace.extensions import db
from marketplace.files import content, policy
from marketplace.files.models import MAX_NAME_LENGTH, SourceFile
from marketplace.inputs import too_large_detail, upload_limit
from marketplace.jobs.models import Job
from marketplace.jobs.service import get_job_row
from marketplace.lookup import one_or_404
from marketplace.pagination import Page, SortKey, paginate
from marketplace.storage import StoredFileMissing, TooLarge, get_storage

OLDEST_FIRST = (SortKey(SourceFile.created_at, False), SortKey(SourceFile.id, False))
log = logging.getLogger(__name__)


def _freelancer_of(job_id: int) -> int | None:
    """The freelancer of the job's contract (a job has at most one), if it has one."""
    return db.session.scalar(select(Contract.freelancer_id).where(Contract.job_id == job_id))


def clean_name(raw: str | None) -> str:
    """The name to keep for an uploaded file: its last path part, without control
    characters, in NFC, at most MAX_NAME_LENGTH characters (the extension kept)."""
    name = (raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFC", name)
    name = "".join(c for c in name if unicodedata.category(c) not in ("Cc", "Cf", "Zl", "Zp"))
    name = name.strip()
    if name in ("", ".", ".."):
        raise ValidationFailed({"file": ["The file needs a name (its part's filename)."]})
    if len(name) > MAX_NAME_LENGTH:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) <= 20:
            name = stem[: MAX_NAME_LENGTH - len(extension) - 1].rstrip() + "." + extension
        else:
            name = name[:MAX_NAME_LENGTH]
    return name


def _size_of(stream: BinaryIO) -> int:
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(0)
    return size


def add_file(user: User, job_id: int, upload: FileStorage, *, sample: bool) -> SourceFile:
    """Store a file the job's client uploads, in any state of the job.

    Its kind is told from its bytes as they go to storage. Nothing holds a transaction
    (on SQLite, the database's write lock) while they travel; a refused or failed upload
    leaves neither an object in storage nor a row.
    """
    job = get_job_row(job_id)
    if not policy.can_change_files(user, job):
        raise Forbidden("Only the job's client adds files to it.")
    db.session.rollback()
    name = clean_name(upload.filename)
    limit = upload_limit()
    stream = cast(BinaryIO, upload.stream)
    if _size_of(stream) > limit:
        raise PayloadTooLarge(too_large_detail())
    try:
        content_type, checked = content.inspect(stream)
    except content.Empty as empty:
        raise ValidationFailed({"file": [str(empty)]}) from None
    except content.Refused as refused:
        raise UnsupportedMediaType(str(refused)) from None
    key = f"jobs/{job_id}/files/{uuid.uuid4().hex}"
    storage = get_storage()
    try:
        stored = storage.save(key, checked, max_bytes=limit)
    except TooLarge:
        raise PayloadTooLarge(too_large_detail()) from None
    except content.Refused as refused:
        raise UnsupportedMediaType(str(refused)) from None
    try:
        record = SourceFile(
            job_id=job_id,
            uploader_id=user.id,
            name=name,
            content_type=content_type,
            size=stored.size,
            sha256=stored.sha256,
            sample=sample,
            storage_key=key,
        )
        db.session.add(record)
        db.session.commit()
    except BaseException:
        safe_rollback()
        _forget(key)
        raise
    return record


def _forget(key: str) -> None:
    """Remove a stored object whose row is not (or no longer) there; log if it stays."""
    try:
        get_storage().delete(key)
    except Exception as error:
        log_error(f"stored object {key} could not be removed", error, logging.WARNING)


def list_files(user: User, job_id: int, *, limit: int, cursor: str | None):
    """The job's files the caller may see, oldest first."""
    job = get_job_row(job_id)
    stmt = select(SourceFile).where(SourceFile.job_id == job.id)
    if not policy.sees_every_file(user, job, _freelancer_of(job.id)):
        if not policy.sees_samples(job):
            return Page([], None)
        stmt = stmt.where(SourceFile.sample.is_(True))
    return paginate(db.session, stmt, OLDEST_FIRST, limit=limit, cursor=cursor)


@dataclass(frozen=True)
class Visible:
    file: SourceFile
    job: Job


def _visible_file(user: User, file_id: int) -> Visible:
    """A file the caller may see, with its job; NotFound for anyone else."""
    file = one_or_404(select(SourceFile).where(SourceFile.id == file_id), SourceFile, what="file")
    job = get_job_row(file.job_id)
    if not policy.can_view_file(user, job, _freelancer_of(job.id), sample=file.sample):
        raise NotFound("No such file.")
    return Visible(file, job)


def get_file(user: User, file_id: int) -> SourceFile:
    """A file's record (whoever may see the file)."""
    return _visible_file(user, file_id).file


@dataclass(frozen=True)
class Download:
    file: SourceFile
    chunks: Iterator[bytes]


def download_file(user: User, file_id: int, *, sends_bytes: bool = True) -> Download:
    """The file's bytes, streamed from storage. A download by anyone but its uploader is
    written to the audit log once its content could be opened (not for a file whose
    object is gone or a store that is down: nothing was sent), and only when the bytes
    are sent (`sends_bytes`: not for HEAD)."""
    file = _visible_file(user, file_id).file
    try:
        chunks = get_storage().open(file.storage_key)
    except StoredFileMissing:
        # Removed between reading its row and opening it.
        raise NotFound("No such file.") from None
    try:
        if sends_bytes and user.id != file.uploader_id:
            audit.record(
                user.id,
                "file.download",
                f"file:{file.id}",
                job_id=file.job_id,
                name=file.name,
                sha256=file.sha256,
            )
        db.session.commit()
    except BaseException:
        _close(chunks)
        raise
    return Download(file, chunks)


def _close(chunks: Iterator[bytes]) -> None:
    close = getattr(chunks, "close", None)
    if close is not None:
        close()


def remove_file(user: User, file_id: int) -> None:
    """Remove a file of an open job (its client): its row, then its stored bytes."""
    visible = _visible_file(user, file_id)
    if not policy.can_change_files(user, visible.job):
        raise Forbidden("Only the job's client removes its files.")
    job = get_job_row(visible.job.id, lock=True)
    if not policy.can_remove_files_now(job):
        raise InvalidTransition(
            f"Files can be removed only while the job is open, not {job.status}."
        )
    file = one_or_404(
        select(SourceFile).where(SourceFile.id == file_id), SourceFile, lock=True, what="file"
    )
    key = file.storage_key
    db.session.delete(file)
    db.session.commit()
    # The row goes first: once it is gone no one can reach the bytes, so an object the
    # store fails to remove is an orphan to log, never a file that lost its content.
    _forget(key)
