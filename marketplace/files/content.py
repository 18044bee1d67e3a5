"""What a source file holds, told from its bytes: never from its name or a client's header.

Binary kinds are known by their first bytes (the `filetype` package's signatures); an
XLSX workbook is a zip whose directory names `xl/workbook.xml` (read from the zip's
central directory: nothing is extracted). Anything else must be UTF-8 text without
control characters, which only the whole file can show: the start decides at once, and
the rest is checked as it streams to storage, where a refusal midway leaves nothing.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from typing import BinaryIO

import filetype

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
TIFF = "image/tiff"
WEBP = "image/webp"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv"
TEXT = "text/plain"
BINARY_TYPES = frozenset({PDF, PNG, JPEG, TIFF, WEBP})
CONTENT_TYPES = (PDF, PNG, JPEG, TIFF, WEBP, XLSX, CSV, TEXT)
TEXT_TYPES = frozenset({CSV, TEXT})

# How much of the start decides: signatures need a few bytes, CSV a few lines.
HEAD_SIZE = 64 * 1024
ZIP_SIGNATURE = b"PK\x03\x04"
WORKBOOK = "xl/workbook.xml"
CSV_DELIMITERS = (",", ";", "\t")
# C0 controls but tab, line feed and carriage return; DEL; C1 controls.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class Refused(ValueError):
    """The bytes are none of the kinds a source file may be; the message says why."""


class Empty(ValueError):
    """A file without a single byte."""


def inspect(stream: BinaryIO) -> tuple[str, BinaryIO]:
    """The content type of a seekable stream, and a stream of its bytes to store.

    For text, the stream returned checks every byte as it is read (raising Refused);
    for the other kinds the first bytes were proof enough.
    """
    head = stream.read(HEAD_SIZE)
    stream.seek(0)
    if not head:
        raise Empty("The file is empty.")
    if head.startswith(ZIP_SIGNATURE):
        _check_workbook(stream)
        return XLSX, stream
    kind = filetype.guess(head)
    if kind is not None:
        if kind.mime in BINARY_TYPES:
            return kind.mime, stream
        raise Refused(f"{kind.mime} files are not taken.")
    complete = len(head) < HEAD_SIZE
    text = _text_of(head, complete=complete)
    content_type = CSV if _is_table(text, complete=complete) else TEXT
    return content_type, io.BufferedReader(_CheckedText(stream))


def _check_workbook(stream: BinaryIO) -> None:
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        raise Refused("The file starts like a zip archive but is not a readable one.") from None
    finally:
        stream.seek(0)
    if WORKBOOK not in names:
        raise Refused(f"A zip archive is taken only as an XLSX workbook (with {WORKBOOK}).")


def _text_of(head: bytes, *, complete: bool) -> str:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        text = decoder.decode(head, final=complete)
    except UnicodeDecodeError:
        raise Refused(_NOT_TEXT) from None
    if _CONTROL.search(text):
        raise Refused(_NOT_TEXT)
    return text


_NOT_TEXT = (
    "The file is not one of the kinds taken: PDF, PNG, JPEG, TIFF, WebP, XLSX, or UTF-8 "
    "text without control characters (such as CSV)."
)


def _is_table(text: str, *, complete: bool) -> bool:
    """At least two rows of the same number of fields, two or more, by one delimiter."""
    text = text.removeprefix("\ufeff")
    if not complete:
        # The last line may be cut short (or a quoted field open): judge whole lines only.
        text = text[: text.rfind("\n") + 1]
    for delimiter in CSV_DELIMITERS:
        if delimiter not in text:
            continue
        try:
            rows = [row for row in csv.reader(io.StringIO(text), delimiter=delimiter, strict=True)]
        except csv.Error:
            continue
        rows = [row for row in rows if row]
        widths = {len(row) for row in rows}
        if len(rows) >= 2 and len(widths) == 1 and widths.pop() >= 2:
            return True
    return False


class _CheckedText(io.RawIOBase):
    """The bytes of a stream, refused (Refused) as soon as they stop being clean UTF-8 text."""

    def __init__(self, stream: BinaryIO):
        self._stream = stream
        self._decoder = codecs.getincrementaldecoder("utf-8")()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._stream.read(len(buffer))
        try:
            text = self._decoder.decode(data, final=not data)
        except UnicodeDecodeError:
            raise Refused(_NOT_TEXT) from None
        if _CONTROL.search(text):
            raise Refused(_NOT_TEXT)
        buffer[: len(data)] = data
        return len(data)
