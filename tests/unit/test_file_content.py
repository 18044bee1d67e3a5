"""Telling a file's kind from its bytes, and naming it in Content-Disposition."""

import io

import pytest

from marketplace.files import content
from marketplace.headers import attachment
from tests.files import CSV, DOCX, EXE, KINDS, XLSX


@pytest.mark.parametrize("expected", list(KINDS))
def test_each_kind(expected):
    data, _name = KINDS[expected]
    kind, stream = content.inspect(io.BytesIO(data))
    assert kind == expected
    assert stream.read() == data  # the whole file still comes through


def test_an_xlsx_is_read_back_from_the_start_after_its_directory_was_read():
    stream = io.BytesIO(XLSX)
    assert content.inspect(stream) == (content.XLSX, stream)
    assert stream.tell() == 0


def read_all(data: bytes) -> bytes:
    _kind, stream = content.inspect(io.BytesIO(data))
    read = b""
    while piece := stream.read(65536):
        read += piece
    return read


@pytest.mark.parametrize("data", [EXE, DOCX, b"\xff\xfe\x00\x00", b"ok\x1b[31m red\n"])
def test_refused(data):
    with pytest.raises(content.Refused):
        read_all(data)


def test_text_is_checked_to_its_last_byte_as_it_is_read():
    data = CSV * 5_000 + b"\x7f"
    assert content.inspect(io.BytesIO(data))[0] == content.CSV  # the start is clean
    with pytest.raises(content.Refused):
        read_all(data)


def test_a_multibyte_character_across_reads_is_fine():
    data = "é".encode() * 100_000
    _kind, stream = content.inspect(io.BytesIO(data))
    read = b""
    while piece := stream.read(4097):  # odd sizes cut characters in two
        read += piece
    assert read == data


def test_empty():
    with pytest.raises(content.Empty):
        content.inspect(io.BytesIO(b""))


@pytest.mark.parametrize(
    ("name", "header"),
    [
        ("a.pdf", 'attachment; filename="a.pdf"'),
        ('x"y\\z.pdf', 'attachment; filename="x\\"y\\\\z.pdf"'),
        ("é.pdf", "attachment; filename=\"e.pdf\"; filename*=UTF-8''%C3%A9.pdf"),
        (
            "請求書.pdf",
            "attachment; filename=\".pdf\"; filename*=UTF-8''%E8%AB%8B%E6%B1%82%E6%9B%B8.pdf",
        ),
        ("請求書", "attachment; filename=\"file\"; filename*=UTF-8''%E8%AB%8B%E6%B1%82%E6%9B%B8"),
    ],
)
def test_attachment(name, header):
    assert attachment(name) == header
