"""A JSON object whose one large array member is read an item at a time, never held whole.

A delivery's `records` may be 50,000 objects in a body of 25 MiB: parsed at once, as
dicts, they take some six times the body's size. Here the body is read twice by the
standard library's own scanner, so that what parses, and to which values (integers of
any size, NaN, escapes), is exactly what `json.loads` makes of it: `scan_object` checks
the whole body, reads every other member and hands each item of the array to its
caller once; the `StreamedArray` left in the array's place reads it again, an item at a
time, for whatever consumes it.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

_WHITESPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()
# Items are written canonically this many at a time: one json.dumps of a list costs far
# less than one a dict.
_CANONICAL_BATCH = 1000
CANONICAL_SEPARATORS = (",", ":")


class StreamedArray:
    """An array in a JSON text, read again from its start each time it is iterated.

    `objects` is False when an item is not a JSON object; `length` counts the items.
    """

    def __init__(
        self, text: str, start: int, length: int, objects: bool, digest: str | None = None
    ) -> None:
        self._text = text
        self._start = start
        self.length = length
        self.objects = objects
        self._digest = digest

    def __iter__(self) -> Iterator[Any]:
        return _items(self._text, self._start)

    def __len__(self) -> int:
        return self.length

    def digest(self) -> str:
        """SHA-256 of the array as `json.dumps(..., sort_keys=True)` writes it compactly:
        equal for equal arrays however they were spaced or their objects' keys ordered."""
        if self._digest is None:
            canonical = _Canonical()
            for item in self:
                canonical.add(item)
            self._digest = canonical.hexdigest()
        return self._digest


class _Canonical:
    """The canonical text of an array, hashed as its items come."""

    def __init__(self) -> None:
        self._hash = hashlib.sha256(b"[")
        self._pending: list[Any] = []
        self._first = True

    def add(self, item: Any) -> None:
        self._pending.append(item)
        if len(self._pending) >= _CANONICAL_BATCH:
            self._flush()

    def _flush(self) -> None:
        if not self._pending:
            return
        text = json.dumps(self._pending, sort_keys=True, separators=CANONICAL_SEPARATORS)
        self._pending = []
        # The batch's own brackets dropped: the items joined as in one list.
        self._hash.update((text[1:-1] if self._first else "," + text[1:-1]).encode())
        self._first = False

    def hexdigest(self) -> str:
        self._flush()
        self._hash.update(b"]")
        return self._hash.hexdigest()


def decode(body: bytes) -> str:
    """The body as text, as json.loads decodes bytes (UTF-8, -16 or -32, a BOM allowed)."""
    return body.decode(json.detect_encoding(body), "surrogatepass")


def _skip(text: str, index: int) -> int:
    return _WHITESPACE.match(text, index).end()  # type: ignore[union-attr]  # always matches


def _expected(what: str, text: str, index: int) -> json.JSONDecodeError:
    return json.JSONDecodeError(f"Expecting {what}", text, index)


def _items(text: str, start: int) -> Iterator[Any]:
    """The items of the array at `start` (its `[`), already checked by `scan_object`."""
    index = _skip(text, start + 1)
    if text[index] == "]":
        return
    while True:
        item, index = _DECODER.raw_decode(text, index)
        yield item
        index = _skip(text, index)
        if text[index] != ",":
            return
        index = _skip(text, index + 1)


def _scan_array(
    text: str, start: int, each: Callable[[Any], None], canonical: _Canonical | None
) -> tuple[StreamedArray, int]:
    index = _skip(text, start + 1)
    length = 0
    objects = True
    if text[index : index + 1] == "]":
        hashed = canonical.hexdigest() if canonical is not None else None
        return StreamedArray(text, start, length, objects, hashed), index + 1
    while True:
        item, index = _DECODER.raw_decode(text, index)
        length += 1
        objects = objects and isinstance(item, dict)
        each(item)
        if canonical is not None:
            canonical.add(item)
        index = _skip(text, index)
        mark = text[index : index + 1]
        if mark == "]":
            hashed = canonical.hexdigest() if canonical is not None else None
            return StreamedArray(text, start, length, objects, hashed), index + 1
        if mark != ",":
            raise _expected("',' delimiter", text, index)
        index = _skip(text, index + 1)


def scan_object(
    text: str, member: str, each: Callable[[Any], None], *, digest: bool = False
) -> dict | None:
    """The JSON object in `text`, with its member `member`, when an array, left unread:
    a `StreamedArray` in its place. Every item of that array is given to `each` as it is
    read (and hashed canonically, with `digest`). None when the text is not an object
    (then it is for json.loads); JSONDecodeError, or RecursionError for nesting too deep,
    when it is not JSON. A member that appears twice counts once, the last, as in
    json.loads.
    """
    index = _skip(text, 0)
    if text[index : index + 1] != "{":
        return None
    members: dict[str, Any] = {}
    index = _skip(text, index + 1)
    if text[index : index + 1] == "}":
        index += 1
    else:
        while True:
            if text[index : index + 1] != '"':
                raise _expected("property name enclosed in double quotes", text, index)
            key, index = _DECODER.raw_decode(text, index)
            index = _skip(text, index)
            if text[index : index + 1] != ":":
                raise _expected("':' delimiter", text, index)
            index = _skip(text, index + 1)
            if key == member and text[index : index + 1] == "[":
                canonical = _Canonical() if digest else None
                members[key], index = _scan_array(text, index, each, canonical)
            else:
                members[key], index = _DECODER.raw_decode(text, index)
            index = _skip(text, index)
            mark = text[index : index + 1]
            if mark == "}":
                index += 1
                break
            if mark != ",":
                raise _expected("',' delimiter", text, index)
            index = _skip(text, index + 1)
    index = _skip(text, index)
    if index != len(text):
        raise json.JSONDecodeError("Extra data", text, index)
    return members


def canonical_json(value: Any) -> bytes:
    """A JSON value written so that equal values give equal bytes (keys sorted, compact);
    a streamed array as its digest, under a key no body can hold (a NUL, refused)."""

    def streamed(item: Any) -> Any:
        if isinstance(item, StreamedArray):
            return {"\x00streamed": item.digest()}
        raise TypeError(f"{type(item).__name__} is not JSON")

    return json.dumps(
        value, sort_keys=True, separators=CANONICAL_SEPARATORS, default=streamed
    ).encode()
