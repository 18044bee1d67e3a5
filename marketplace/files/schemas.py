"""The shapes of source files: the multipart upload and the file's record."""

from marshmallow import Schema, fields

from marketplace.fields import FormFlag, Upload
from marketplace.files.content import CONTENT_TYPES


class FileUploadSchema(Schema):
    file = Upload(
        required=True,
        metadata={
            "description": "The file. Its kind is told from its bytes (not its name or "
            "Content-Type): PDF, PNG, JPEG, TIFF, WebP, XLSX, or UTF-8 text without "
            "control characters (CSV when it reads as a table of at least two columns); "
            "anything else is a 415. At most `MAX_UPLOAD_BYTES` (25 MiB by default): "
            "413 past it. Its filename is kept as its `name`."
        },
    )
    sample = FormFlag(
        load_default=False,
        metadata={
            "description": "`true`: shown to every signed-in user while the job is open, "
            "so bidders can judge the work. `false` (default): only the job's client, the "
            "freelancer of its contract and admins see it."
        },
    )


class SourceFileSchema(Schema):
    id = fields.Integer()
    job_id = fields.Integer()
    name = fields.String(metadata={"description": "The uploaded file's name."})
    content_type = fields.String(
        metadata={"description": "What the bytes are, as sniffed.", "enum": list(CONTENT_TYPES)}
    )
    size = fields.Integer(metadata={"description": "In bytes."})
    sha256 = fields.String(
        metadata={"description": "The SHA-256 of the bytes, in hex; the content's ETag."}
    )
    sample = fields.Boolean()
    created_at = fields.DateTime()
