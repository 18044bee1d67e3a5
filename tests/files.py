"""Source files for tests: small files of each kind, uploads, and what storage holds."""

import io
import uuid
import zipfile

from marketplace.storage import get_storage
from marketplace.storage.folder import FolderStorage

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(64))
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01" + bytes(range(64))
TIFF = b"II*\x00\x08\x00\x00\x00" + bytes(range(64))
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + bytes(range(64))
CSV = b"invoice,date,total\n1001,2026-01-05,120.50\n1002,2026-01-06,99.00\n"
TEXT = "Type the totals of each invoice.\nNaïve café receipts are in batch 3.\n".encode()
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(200)


def zip_of(*names: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


XLSX = zip_of("[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/worksheets/sheet1.xml")
DOCX = zip_of("[Content_Types].xml", "_rels/.rels", "word/document.xml")

KINDS = {
    "application/pdf": (PDF, "scan.pdf"),
    "image/png": (PNG, "page-1.png"),
    "image/jpeg": (JPEG, "photo.jpg"),
    "image/tiff": (TIFF, "fax.tiff"),
    "image/webp": (WEBP, "receipt.webp"),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (XLSX, "book.xlsx"),
    "text/csv": (CSV, "totals.csv"),
    "text/plain": (TEXT, "instructions.txt"),
}


def upload(client, job_id: int, data: bytes = CSV, name: str = "totals.csv", **fields):
    """POST a file to the job as multipart; `fields` are more form fields (sample=...)."""
    form = {"file": (io.BytesIO(data), name), **fields}
    return client.post(f"/jobs/{job_id}/files", data=form, content_type="multipart/form-data")


def add_file(client, job_id: int, data: bytes = CSV, name: str = "totals.csv", **fields) -> dict:
    response = upload(client, job_id, data, name, **fields)
    assert response.status_code == 201, response.json
    return response.json


def multipart(parts: list[tuple[str, str | None, bytes]], boundary: str | None = None):
    """A multipart body framed by hand: (field name, filename or None, bytes) per part."""
    boundary = boundary or uuid.uuid4().hex
    body = bytearray()
    for name, filename, value in parts:
        disposition = f'form-data; name="{name}"'
        if filename is not None:
            disposition += f'; filename="{filename}"'
        body += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n".encode()
        if filename is not None:
            body += b"Content-Type: application/octet-stream\r\n"
        body += b"\r\n" + value + b"\r\n"
    body += f"--{boundary}--\r\n".encode()
    return bytes(body), f"multipart/form-data; boundary={boundary}"


def stored_keys(app) -> list[str]:
    """Every object the app's file storage holds (a folder's files, a bucket's objects)."""
    with app.app_context():
        storage = get_storage()
    if isinstance(storage, FolderStorage):
        root = storage.root
        return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
    answer = storage.client.list_objects_v2(Bucket=storage.bucket)  # type: ignore[attr-defined]
    return sorted(item["Key"] for item in answer.get("Contents", []))
