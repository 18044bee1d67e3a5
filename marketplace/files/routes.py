"""HTTP endpoints of source files."""

from flask import Response, request
from flask_login import current_user

from marketplace.accounts.auth import roles
from marketplace.accounts.models import Role
from marketplace.extensions import Blueprint
from marketplace.files import schemas, service
from marketplace.files.content import CONTENT_TYPES, TEXT_TYPES
from marketplace.headers import attachment
from marketplace.inputs import takes_upload
from marketplace.pagination import PageArgsSchema, page_schema
from marketplace.transactions import writes

blp = Blueprint(
    "files",
    __name__,
    url_prefix="/api/v1",
    description="Source files: what a job's client attaches to be keyed in",
)

BINARY = {"type": "string", "format": "binary"}
CONTENT_RESPONSE = {
    "description": "The file's bytes, streamed, as the type sniffed when it was added.",
    "content": {content_type: {"schema": BINARY} for content_type in CONTENT_TYPES},
    "headers": {
        "Content-Disposition": {
            "description": "`attachment`, with the file's name (RFC 6266; `filename*` "
            "holds a name beyond ASCII).",
            "required": True,
            "schema": {"type": "string"},
        },
        "ETag": {
            "description": "The quoted SHA-256 of the bytes (the file's `sha256`).",
            "required": True,
            "schema": {"type": "string", "pattern": '^"[0-9a-f]{64}"$'},
        },
        "X-Content-Type-Options": {
            "description": "`nosniff`: browsers take the type given, never guess one.",
            "required": True,
            "schema": {"type": "string", "enum": ["nosniff"]},
        },
    },
}


@blp.post("/jobs/<id:job_id>/files", tags=["jobs"])
@blp.arguments(schemas.FileUploadSchema, location="files", content_type="multipart/form-data")
@blp.response(201, schemas.SourceFileSchema)
@roles(Role.CLIENT)
@takes_upload
def add_file(data, job_id):
    """Attach a file to a job, in any state (its client): multipart `file`, `sample`."""
    return service.add_file(current_user, job_id, data["file"], sample=data["sample"])


@blp.get("/jobs/<id:job_id>/files", tags=["jobs"])
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, page_schema(schemas.SourceFileSchema))
def list_files(args, job_id):
    """The job's files the caller may see, oldest first."""
    return service.list_files(current_user, job_id, **args)


@blp.get("/files/<id:file_id>")
@blp.response(200, schemas.SourceFileSchema)
def get_file(file_id):
    """A file's record (whoever may see the file; samples of open jobs: everyone)."""
    return service.get_file(current_user, file_id)


@blp.get("/files/<id:file_id>/content")
@blp.doc(responses={"200": CONTENT_RESPONSE})
@writes  # a download by anyone but the uploader is written to the audit log (not a HEAD)
def download_file(file_id):
    """Download a file's bytes (whoever may see it); written to the audit log."""
    download = service.download_file(current_user, file_id, sends_bytes=request.method != "HEAD")
    file = download.file
    mimetype = file.content_type
    response = Response(
        download.chunks,
        content_type=f"{mimetype}; charset=utf-8" if mimetype in TEXT_TYPES else mimetype,
        direct_passthrough=True,
    )
    response.content_length = file.size
    response.headers["Content-Disposition"] = attachment(file.name)
    response.set_etag(file.sha256)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@blp.delete("/files/<id:file_id>")
@blp.response(204)
def remove_file(file_id):
    """Remove a file while its job is open (its client); its bytes go too."""
    service.remove_file(current_user, file_id)
