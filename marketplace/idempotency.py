"""Idempotency-Key for every authenticated POST, in one place for every endpoint.

The first request with a key stores a record (committed on its own, before the work
starts); when the work ends its response is stored on the record, and the same key
from the same user within 24 hours replays it. The record's writes are transactions
of their own, before and after the request's work, never part of it.
"""

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Flask, Response, current_app, g, request
from flask_login import current_user
from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint, delete, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Mapped, Session, mapped_column, scoped_session

from marketplace.database import Base, UTCDateTime, rowcount, utcnow
from marketplace.errors import Conflict, ValidationFailed, log_error, safe_rollback
from marketplace.extensions import db
from marketplace.inputs import IDEMPOTENCY_HEADER, parsed_json
from marketplace.json_stream import canonical_json

HEADER = IDEMPOTENCY_HEADER
MAX_KEY_LENGTH = 255
RETENTION = timedelta(hours=24)
# A key is claimed by its request for IDEMPOTENCY_LEASE_SECONDS (60 s by default: twice
# gunicorn's 30 s timeout, after which a worker's request is stopped). A record still
# without a response after that belongs to a request that died with its process (a 5xx
# or an exception frees the key at once), and the next request with the key runs.
DEFAULT_LEASE = 60
CHUNK_SIZE = 64 * 1024


class IdempotencyRecord(Base):
    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(MAX_KEY_LENGTH))
    request_hash: Mapped[str] = mapped_column(String(64))
    response_status: Mapped[int | None] = mapped_column(Integer)
    response_body: Mapped[str | None] = mapped_column(Text)
    response_type: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


def exempt(view):
    """Mark a view whose responses must never be stored (they carry secrets or cookies)."""
    view.idempotency_exempt = True
    return view


def _multipart_digest() -> bytes:
    """A multipart body by what it carries, not how it was framed (boundary, part order):
    each field's name and value, each file's field name, filename and SHA-256."""
    fields = sorted(request.form.items(multi=True))
    files = []
    for name, upload in request.files.items(multi=True):
        digest = hashlib.sha256()
        stream = upload.stream
        stream.seek(0)
        while chunk := stream.read(CHUNK_SIZE):
            digest.update(chunk)
        stream.seek(0)
        files.append((name, upload.filename or "", digest.hexdigest()))
    return json.dumps({"fields": fields, "files": sorted(files)}).encode()


def _request_hash() -> str:
    parsed = parsed_json()
    if parsed is not None:  # JSON is compared by meaning (a streamed array by its digest)
        body = canonical_json(parsed)
    elif request.mimetype == "multipart/form-data":
        body = _multipart_digest()
    else:  # anything else as bytes
        body = request.get_data(cache=True)
    digest = hashlib.sha256()
    for part in (request.method.encode(), request.full_path.encode(), body):
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.hexdigest()


@dataclass(frozen=True)
class _Claim:
    """What a request learned about its key; plain values, so reading them runs no SQL."""

    record_id: int
    ours: bool
    request_hash: str
    response_status: int | None = None
    response_body: str | None = None
    response_type: str | None = None


def _replay(claim: _Claim) -> Response:
    response = Response(
        claim.response_body, status=claim.response_status, content_type=claim.response_type
    )
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _lease() -> timedelta:
    return timedelta(seconds=current_app.config.get("IDEMPOTENCY_LEASE_SECONDS", DEFAULT_LEASE))


def _claim(session: Session | scoped_session, user_id: int, key: str, request_hash: str) -> _Claim:
    """Claim the key for this request, or report who holds it; commits either way."""
    now = utcnow()
    record = session.scalar(
        select(IdempotencyRecord).where(
            IdempotencyRecord.user_id == user_id, IdempotencyRecord.key == key
        )
    )
    if record is not None and record.created_at < now - RETENTION:
        session.delete(record)
        session.flush()
        record = None
    if record is None:
        record = IdempotencyRecord(user_id=user_id, key=key, request_hash=request_hash)
        session.add(record)
        try:
            session.flush()
        except IntegrityError:  # another request with this key got there first
            session.rollback()
            return _claim(session, user_id, key, request_hash)
        claim = _Claim(record.id, True, request_hash)
        session.commit()
        return claim
    ours = False
    if (
        record.response_status is None
        and record.request_hash == request_hash
        and record.created_at < now - _lease()
    ):
        ours = (
            rowcount(
                session.execute(
                    update(IdempotencyRecord)
                    .where(
                        IdempotencyRecord.id == record.id,
                        IdempotencyRecord.response_status.is_(None),
                        IdempotencyRecord.created_at == record.created_at,
                    )
                    .values(created_at=now)
                )
            )
            == 1
        )
    claim = _Claim(
        record.id,
        ours,
        record.request_hash,
        record.response_status,
        record.response_body,
        record.response_type,
    )
    session.commit()
    return claim


def begin_request():
    """Before a POST runs: replay, refuse, or claim its key."""
    if request.method != "POST":
        return None
    key = request.headers.get(HEADER)
    if key is None or not current_user.is_authenticated:
        return None
    view = current_app.view_functions.get(request.endpoint or "")
    if view is None or getattr(view, "idempotency_exempt", False):
        return None
    if not 1 <= len(key) <= MAX_KEY_LENGTH:
        raise ValidationFailed({HEADER: [f"Must be 1 to {MAX_KEY_LENGTH} characters."]})
    request_hash = _request_hash()
    claim = _claim(db.session, current_user.id, key, request_hash)
    if claim.ours:
        g.idempotency_record_id = claim.record_id
        return None
    if claim.request_hash != request_hash:
        raise ValidationFailed(
            {HEADER: ["This key was already used with another method, path or body."]}
        )
    if claim.response_status is None:
        raise Conflict("A request with this Idempotency-Key is still being processed.")
    return _replay(claim)


def finish_request(response: Response) -> Response:
    """After the work: store a 2xx or 4xx response; forget the key on a 5xx, a 429, or
    any answer that says to retry later (Retry-After: a payment operation in progress
    on the milestone), which replayed would tell the client so for 24 hours."""
    record_id = g.pop("idempotency_record_id", None)
    if record_id is None:
        return response
    keep = (
        200 <= response.status_code < 500
        and response.status_code != 429
        and "Retry-After" not in response.headers
    )
    session = db.session
    try:
        session.rollback()  # the work has committed or failed by now: nothing of it is pending
        if keep:
            session.execute(
                update(IdempotencyRecord)
                .where(IdempotencyRecord.id == record_id)
                .values(
                    response_status=response.status_code,
                    response_body=response.get_data(as_text=True),
                    response_type=response.content_type,
                )
            )
        else:
            session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.id == record_id))
        session.commit()
    except SQLAlchemyError as error:
        # The work is done (or refused) and the client must hear how, not a 500. The key
        # stays claimed: a retry is told it is in progress until the lease ends, then
        # runs again and meets the state the work left.
        safe_rollback()
        log_error("could not store the response of an idempotent request", error, logging.WARNING)
    return response


def release_unfinished(_exc):
    """If the response never reached finish_request, free the key so a retry can run."""
    record_id = g.pop("idempotency_record_id", None)
    if record_id is not None:
        db.session.rollback()
        db.session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.id == record_id))
        db.session.commit()


def purge_expired() -> int:
    """Delete records past their 24 hours; returns how many."""
    deleted = rowcount(
        db.session.execute(
            delete(IdempotencyRecord).where(IdempotencyRecord.created_at < utcnow() - RETENTION)
        )
    )
    db.session.commit()
    return deleted


def init_app(app: Flask) -> None:
    app.before_request(begin_request)
    app.after_request(finish_request)
    app.teardown_request(release_unfinished)
