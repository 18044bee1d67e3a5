"""A delivery's table as it arrives: CSV, XLSX or JSON records, read in bounded memory.

Each reader gives the header (the column names, as written) and the data rows, each
with its number as a person finds it in the spreadsheet: data rows count from 1 below
the header, and rows left blank keep their place (they are skipped, not renumbered).
Cells are text to be read by the field's type, or a value a spreadsheet or JSON already
typed (int, float, bool, date, datetime, time), or None when empty.

Anything that cannot be read as a table raises `Unreadable` with a reason for a person;
it may be raised after some rows were given (bytes that are not UTF-8 at line 9,000).
"""

from __future__ import annotations

import codecs
import csv
import io
import pyexpat
import struct
import warnings
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

# A physical line of a CSV file: longer ones are refused, so one line cannot fill memory.
MAX_LINE_CHARS = 1024 * 1024
READ_CHUNK = 64 * 1024
# A column's name.
MAX_HEADER_CHARS = 200
# XLSX is a zip: what its entries say they hold once decompressed, in all, and each
# entry's ratio of decompressed to compressed size, before anything is decompressed. A
# zip bomb claims far more; a real sheet compresses about 5 to 20 times.
XLSX_MAX_UNCOMPRESSED = 100 * 1024 * 1024
XLSX_MAX_RATIO = 100
XLSX_RATIO_FROM = 1024 * 1024  # small entries may compress as well as they like
XLSX_MAX_ENTRIES = 1000
# openpyxl parses the sheet's XML with the standard library (no defusedxml: its pure-Python
# parser is several times slower); expat refuses entity-expansion bombs from 2.4.1 on, and
# the standard parser never fetches external entities.
SAFE_EXPAT = (2, 4, 1)
# Excel's own limit: a sheet claiming rows past it is not a spreadsheet's.
XLSX_MAX_ROWS = 1_048_576
XLSX_MAX_COLUMNS = 16_384
ZIP_MAGIC = b"PK\x03\x04"
# What the zip module raises for a damaged or unusual archive.
ZIP_ERRORS = (
    zipfile.BadZipFile,
    OSError,
    ValueError,
    EOFError,
    NotImplementedError,
    RuntimeError,
    struct.error,
)


class Unreadable(Exception):
    """The delivery cannot be read as a table: why, for a person."""


@dataclass
class Table:
    """The header as written, and the data rows: (row number, cells), blank rows left out.

    `named` is False when the header came from the schema itself (JSON records have no
    header row; each record names its own keys, see `records_table`).
    """

    header: list[str]
    rows: Iterator[tuple[int, list[Any]]]
    named: bool = True
    # Keys of JSON records that are no field, in the order first seen (filled as rows
    # are read).
    unknown_keys: dict[str, int] | None = None
    close: Callable[[], None] = lambda: None


def sniff(head: bytes) -> str:
    """`xlsx` for a zip (a workbook), else `csv`: the bytes decide, not the name."""
    return "xlsx" if head.startswith(ZIP_MAGIC) else "csv"


def read_file(stream: IO[bytes]) -> Table:
    """A CSV or XLSX file, told apart by its first bytes."""
    head = stream.read(len(ZIP_MAGIC))
    stream.seek(0)
    return read_xlsx(stream) if sniff(head) == "xlsx" else read_csv(stream)


# -- CSV --------------------------------------------------------------------------------


def _lines(stream: IO[bytes]) -> Iterator[str]:
    """The file's lines as text (ends kept), UTF-8 with or without a BOM, each at most
    MAX_LINE_CHARS: decoded a chunk at a time, so a file of one huge line never sits in
    memory whole."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")("strict")
    pending = ""
    number = 0
    while True:
        chunk = stream.read(READ_CHUNK)
        try:
            text = decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError:
            raise Unreadable(
                f"Line {number + 1} is not UTF-8 text: save the file as CSV UTF-8."
            ) from None
        if "\x00" in text:
            raise Unreadable(
                f"The file holds a NUL character (near line {number + 1}): it is not text."
            )
        pending += text
        start = 0
        while (end := pending.find("\n", start)) >= 0:
            number += 1
            if end + 1 - start > MAX_LINE_CHARS:
                raise _too_long(number)
            yield pending[start : end + 1]
            start = end + 1
        pending = pending[start:]
        if len(pending) > MAX_LINE_CHARS:
            raise _too_long(number + 1)
        if not chunk:
            if pending:
                yield pending
            return


def _too_long(number: int) -> Unreadable:
    return Unreadable(f"Line {number} is longer than {MAX_LINE_CHARS:,} characters.")


def read_csv(stream: IO[bytes]) -> Table:
    """A CSV file: comma-separated, fields quoted with double quotes where needed."""
    reader = csv.reader(_lines(stream), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as error:
        raise Unreadable(f"The header row is not CSV: {error}.") from None
    if header is None:
        raise Unreadable("The file is empty: it needs a header row naming the columns.")
    return Table(_header(header), _csv_rows(reader))


def _csv_rows(reader) -> Iterator[tuple[int, list[Any]]]:
    number = 0
    while True:
        try:
            cells = next(reader, None)
        except csv.Error as error:
            raise Unreadable(f"Row {number + 1} is not CSV: {error}.") from None
        if cells is None:
            return
        number += 1
        if "".join(cells).strip():
            yield number, cells


# -- XLSX -------------------------------------------------------------------------------


def _check_zip(stream: IO[bytes]) -> None:
    """Refuse a workbook whose entries claim more than a sheet holds, before any is read."""
    try:
        with zipfile.ZipFile(stream) as archive:
            entries = archive.infolist()
    except ZIP_ERRORS:
        raise Unreadable("The file starts like an XLSX workbook but is not one.") from None
    if len(entries) > XLSX_MAX_ENTRIES:
        raise Unreadable(f"The workbook has more than {XLSX_MAX_ENTRIES} parts.")
    total = 0
    for entry in entries:
        total += entry.file_size
        ratio_applies = entry.file_size > XLSX_RATIO_FROM
        if ratio_applies and entry.file_size > XLSX_MAX_RATIO * max(entry.compress_size, 1):
            raise Unreadable(
                "The workbook is compressed far more than a spreadsheet is "
                f"({entry.file_size:,} bytes from {entry.compress_size:,}): refused."
            )
    if total > XLSX_MAX_UNCOMPRESSED:
        raise Unreadable(
            f"The workbook holds more than {XLSX_MAX_UNCOMPRESSED // 2**20} MiB once "
            "decompressed: refused."
        )
    if "xl/workbook.xml" not in {entry.filename for entry in entries}:
        raise Unreadable("The file is a zip but not an XLSX workbook.")
    stream.seek(0)


def read_xlsx(stream: IO[bytes]) -> Table:
    """The first sheet of an XLSX workbook.

    A formula cell counts as the value the spreadsheet saved with it (formulas are never
    computed here); one saved without a value is empty.
    """
    _check_zip(stream)
    if pyexpat.version_info < SAFE_EXPAT:
        raise Unreadable("This server cannot read XLSX safely (its expat is too old): send CSV.")
    from openpyxl import load_workbook  # imported on first use: a large package

    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles and extensions it skips: nothing for the reader.
            warnings.simplefilter("ignore")
            book = load_workbook(stream, read_only=True, data_only=True, keep_links=False)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise Unreadable(f"The workbook cannot be read: {type(error).__name__}.") from None
    sheets = book.worksheets
    if not sheets or not hasattr(sheets[0], "iter_rows"):
        book.close()
        raise Unreadable("The workbook's first sheet is not a worksheet.")
    sheet = sheets[0]
    # Its declared size is not trusted: the header row is read as wide as it is, the
    # data rows one column wider than the header (to see a value with no column name).
    sheet.reset_dimensions()
    # Both bounds are given, or openpyxl would first read the whole sheet to find them.
    header_row = next(_xlsx_rows(book, sheet, max_row=1, max_col=XLSX_MAX_COLUMNS), None)
    if not header_row:
        book.close()
        raise Unreadable("The first sheet is empty: it needs a header row naming the columns.")
    while header_row and header_row[-1] is None:
        header_row.pop()
    header = _header(["" if cell is None else str(cell) for cell in header_row])
    rows = _xlsx_rows(book, sheet, min_row=2, max_row=XLSX_MAX_ROWS, max_col=len(header) + 1)
    return Table(header, _xlsx_data(rows), close=book.close)


def _xlsx_rows(book, sheet, **bounds) -> Iterator[list[Any]]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for values in sheet.iter_rows(values_only=True, **bounds):
                yield list(values)
    except Exception as error:
        book.close()
        raise Unreadable(f"The first sheet cannot be read: {type(error).__name__}.") from None


def _xlsx_data(rows: Iterator[list[Any]]) -> Iterator[tuple[int, list[Any]]]:
    for number, cells in enumerate(rows, start=1):
        if number >= XLSX_MAX_ROWS:
            raise Unreadable("The first sheet has more rows than a spreadsheet holds.")
        if any(cell is not None and (not isinstance(cell, str) or cell.strip()) for cell in cells):
            yield number, cells


# -- JSON -------------------------------------------------------------------------------


def records_table(records: Iterable[dict], names: list[str]) -> Table:
    """JSON records: objects keyed by field names (a missing key is an empty cell).

    Every record is a row, numbered from 1, even an empty object. The records are read
    once, as they are checked: a delivery's come from its body one at a time
    (json_stream.StreamedArray), so that 50,000 of them are never in memory at once.
    """
    unknown: dict[str, int] = {}
    known = set(names)

    def rows() -> Iterator[tuple[int, list[Any]]]:
        for number, record in enumerate(records, start=1):
            for key in record:
                if key not in known and key not in unknown:
                    unknown[key] = number
            yield number, [record.get(name) for name in names]

    return Table(list(names), rows(), named=False, unknown_keys=unknown)


def _header(cells: list[str]) -> list[str]:
    names = [cell.strip() for cell in cells]
    for name in names:
        if len(name) > MAX_HEADER_CHARS:
            raise Unreadable(
                f"A column name is longer than {MAX_HEADER_CHARS} characters: is the first "
                "row a header?"
            )
    return names


def as_stream(data: bytes) -> IO[bytes]:
    return io.BytesIO(data)
