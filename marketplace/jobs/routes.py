"""HTTP endpoints of jobs."""

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

from flask import Response, current_app, request, stream_with_context
from flask_login import current_user

from marketplace.accounts.auth import roles
from marketplace.accounts.models import Role
from marketplace.deliveries import reading
from marketplace.deliveries.schemas import (
    GoldProblemSchema,
    GoldRecordsSchema,
    GoldSetSchema,
    GoldSummarySchema,
)
from marketplace.errors import PayloadTooLarge, UnsupportedMediaType, ValidationFailed
from marketplace.extensions import Blueprint
from marketplace.inputs import streams_array, takes_upload, too_large_detail, upload_limit
from marketplace.jobs import gold, schemas, service
from marketplace.pagination import page_response, page_schema
from marketplace.spec import problem_schema

blp = Blueprint("jobs", __name__, url_prefix="/api/v1", description="Jobs companies post")

CSV_TYPE = "text/csv"
# A CSV body is copied to a temporary file, in memory up to this size.
SPOOLED_IN_MEMORY = 1024 * 1024
READ_CHUNK = 64 * 1024


@blp.post("/jobs")
@blp.arguments(schemas.JobCreateSchema)
@blp.response(201, schemas.JobSchema)
@roles(Role.CLIENT)
def post_job(data):
    """Post a data-entry job (clients only)."""
    return service.post_job(current_user, data)


@blp.get("/jobs")
@blp.arguments(schemas.JobQueryArgsSchema, location="query")
@blp.response(200, page_schema(schemas.JobSchema))
def list_jobs(args):
    """Find jobs: open ones by default; full-text `q`, skills, currency, budget, client."""
    return page_response(service.list_jobs(args))


@blp.get("/jobs/<id:job_id>")
@blp.response(200, schemas.JobSchema)
def get_job(job_id):
    """One job."""
    # JSON already (the schema's, see schemas.job_item): flask-smorest passes it through.
    return current_app.json.response(service.job_json(job_id))


@blp.patch("/jobs/<id:job_id>")
@blp.arguments(schemas.JobUpdateSchema)
@blp.response(200, schemas.JobSchema)
def update_job(changes, job_id):
    """Edit a job while it is open (its client only)."""
    return service.update_job(current_user, job_id, changes)


@blp.post("/jobs/<id:job_id>/close")
@blp.response(200, schemas.JobSchema)
def close_job(job_id):
    """Close an open job; its pending bids are declined."""
    return service.close_job(current_user, job_id)


@blp.put("/jobs/<id:job_id>/gold")
@blp.arguments(GoldRecordsSchema)
@blp.response(200, GoldSummarySchema)
@problem_schema(
    422,
    GoldProblemSchema,
    "Gold records that failed their check are `/problems/gold-refused` with the check's "
    "`report` (as a delivery's: the header, every row against the schema, `unique` and the "
    "primary key within the set, at most `MAX_RECORDS_PER_DELIVERY` rows); so is a job "
    "whose record schema has no primaryKey, or no field besides it (no `report`). The "
    "job's gold set is unchanged.",
)
@blp.doc(
    requestBody={
        "content": {
            CSV_TYPE: {
                "schema": {
                    "type": "string",
                    "format": "binary",
                    "description": "CSV in UTF-8 (with or without a BOM): a header row naming "
                    "the schema's fields in any order, then one gold record a row; up to "
                    "`MAX_UPLOAD_BYTES`.",
                }
            }
        }
    }
)
@takes_upload
@streams_array("records")
def replace_gold_records(data, job_id):
    """Replace the job's gold records, the known answers deliveries are measured on (its
    client): CSV with a header row, or JSON `{records}`, checked as a delivery is."""
    if request.mimetype == CSV_TYPE:
        with _csv_body() as body:
            return gold.replace_gold(current_user, job_id, lambda _names: reading.read_csv(body))
    if request.is_json:
        records = data.get("records")
        if records is None:
            raise ValidationFailed({"records": ["Missing data for required field."]})
        return gold.replace_gold(
            current_user, job_id, lambda names: reading.records_table(records, names)
        )
    if not request.content_length and "Transfer-Encoding" not in request.headers:
        raise ValidationFailed(
            {"_body": ["A body is required: CSV (text/csv) or JSON {records}."]},
            "This request needs a body.",
        )
    raise UnsupportedMediaType("The body must be text/csv or application/json.")


@contextmanager
def _csv_body() -> Iterator[IO[bytes]]:
    """The request's body, up to MAX_UPLOAD_BYTES (413 past it), in a temporary file."""
    limit = upload_limit()
    size = 0
    with tempfile.SpooledTemporaryFile(max_size=SPOOLED_IN_MEMORY) as spool:
        while chunk := request.stream.read(READ_CHUNK):
            size += len(chunk)
            if size > limit:
                raise PayloadTooLarge(too_large_detail())
            spool.write(chunk)
        spool.seek(0)
        yield spool


@blp.get("/jobs/<id:job_id>/gold")
@blp.response(200, GoldSetSchema)
def get_gold_records(job_id):
    """The job's gold records, in the order they were sent (its client, admins)."""
    body = gold.read_gold(current_user, job_id)
    return Response(stream_with_context(body), mimetype="application/json")
