"""A JSON object whose one large array member is read an item at a time, never held whole.

A delivery's `records` may be 50,000 objects in a body of 25 MiB: parsed at once, as
dicts, they take some six times the body's size. Here the body, in a file, is read a
chunk at a time, twice, by the standard library's own scanner, so that what parses, and
to which values (integers of any size, NaN, escapes), is exactly what `json.loads`
makes of it: `scan_object` checks the whole body, reads every other member and hands
each item of the array to its caller once; the `StreamedArray` left in the array's
place reads it again, an item at a time, for whatever consumes it (the check of a
delivery against its schema). Only the item being read, and the chunk it is in, are in
memory at a time.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import re
from collections.abc import Callable, Iterator
from typing import IO, Any

_WHITESPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()
READ_CHUNK = 64 * 1024
# Past this many characters before the end of what was read, a parse error is the
# value's own, not a value cut short (the longest token, `-Infinity`, or an escape).
_LONGEST_TOKEN = 16
# Items are written canonically this many at a time: one json.dumps of a list costs far
# less than one a dict.
_CANONICAL_BATCH = 1000
CANONICAL_SEPARATORS = (",", ":")


class StreamedArray:
    """An array member of the JSON object in a file, read again from the file each time
    it is iterated (the member at `position` among the object's, counted from 0).

    `objects` is False when an item is not a JSON object; `length` counts the items.
    """

    def __init__(
        self, stream: IO[bytes], position: int, length: int, objects: bool, digest: str | None
    ) -> None:
        self._stream = stream
        self._position = position
        self.length = length
        self.objects = objects
        self._digest = digest

    def __iter__(self) -> Iterator[Any]:
        scanner = _Scanner(self._stream)
        scanner.expect("{", "'{'")
        for position, _key in enumerate(_members(scanner)):
            if position == self._position:
                yield from _items(scanner)
                return
            scanner.value()  # a member before the array, read past

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


class _Scanner:
    """JSON text read from a file a chunk at a time, values parsed by the standard
    library's scanner: only what is not yet consumed is held, however large the file."""

    def __init__(self, stream: IO[bytes]) -> None:
        stream.seek(0)
        head = stream.read(4)
        # As json.loads decodes bytes: UTF-8, -16 or -32, told by the first four bytes.
        decoder = codecs.getincrementaldecoder(json.detect_encoding(head))("surrogatepass")
        self._decoder = decoder
        self._stream = stream
        self._done = False
        self._text = decoder.decode(head)
        self._pos = 0

    def _more(self) -> bool:
        """Read on (at least as much again as is pending, so that a long value is parsed
        a bounded number of times); False at the end of the file."""
        if self._done:
            return False
        chunk = self._stream.read(max(READ_CHUNK, len(self._text) - self._pos))
        self._done = not chunk
        self._text = self._text[self._pos :] + self._decoder.decode(chunk, final=self._done)
        self._pos = 0
        return True

    def peek(self) -> str:
        """The next character that is not whitespace, not consumed ("" at the end)."""
        while True:
            self._pos = _WHITESPACE.match(self._text, self._pos).end()  # type: ignore[union-attr]
            if self._pos < len(self._text):
                return self._text[self._pos]
            if not self._more():
                return ""

    def expect(self, char: str, what: str) -> None:
        if self.peek() != char:
            raise self.error(f"Expecting {what}")
        self._pos += 1

    def error(self, message: str) -> json.JSONDecodeError:
        return json.JSONDecodeError(message, self._text, self._pos)

    def value(self) -> Any:
        self.peek()
        while True:
            try:
                value, end = _DECODER.raw_decode(self._text, self._pos)
            except json.JSONDecodeError as error:
                if self._cut_short(error) and self._more():
                    continue
                raise
            # A number near the end of what was read may go on in the next chunk (`2.5`
            # read of `2.5e3`): the value is read again with more behind it.
            if end >= len(self._text) - _LONGEST_TOKEN and self._more():
                continue
            self._pos = end
            return value

    def _cut_short(self, error: json.JSONDecodeError) -> bool:
        """Whether the error may be the end of what was read rather than of the value."""
        near_end = error.pos >= len(self._text) - _LONGEST_TOKEN
        return near_end or error.msg.startswith("Unterminated string")


def _members(scanner: _Scanner) -> Iterator[str]:
    """The keys of an object whose `{` was consumed, each given with the scanner at its
    value, which the caller reads before asking for the next; the text must end with the
    object."""
    if scanner.peek() == "}":
        scanner.expect("}", "'}'")
    else:
        while True:
            if scanner.peek() != '"':
                raise scanner.error("Expecting property name enclosed in double quotes")
            key = scanner.value()
            scanner.expect(":", "':' delimiter")
            yield key
            if scanner.peek() == "}":
                scanner.expect("}", "'}'")
                break
            scanner.expect(",", "',' delimiter")
    if scanner.peek() != "":
        raise scanner.error("Extra data")


def _items(scanner: _Scanner) -> Iterator[Any]:
    """The items of the array the scanner is at, its `]` consumed after the last."""
    scanner.expect("[", "'['")
    if scanner.peek() == "]":
        scanner.expect("]", "']'")
        return
    while True:
        yield scanner.value()
        if scanner.peek() == "]":
            scanner.expect("]", "']'")
            return
        scanner.expect(",", "',' delimiter")


def scan_object(
    stream: IO[bytes], member: str, each: Callable[[Any], None], *, digest: bool = False
) -> dict | None:
    """The JSON object in the file, with its member `member`, when an array, left unread:
    a `StreamedArray` in its place. Every item of that array is given to `each` as it is
    read (and hashed canonically, with `digest`). None when the text is not an object
    (then it is for json.loads); a ValueError (JSONDecodeError, UnicodeDecodeError), or a
    RecursionError for nesting too deep, when it is not JSON. A member that appears twice
    counts once, the last, as in json.loads.
    """
    scanner = _Scanner(stream)
    if scanner.peek() != "{":
        return None
    scanner.expect("{", "'{'")
    members: dict[str, Any] = {}
    for position, key in enumerate(_members(scanner)):
        if key != member or scanner.peek() != "[":
            members[key] = scanner.value()
            continue
        canonical = _Canonical() if digest else None
        length = 0
        objects = True
        for item in _items(scanner):
            length += 1
            objects = objects and isinstance(item, dict)
            each(item)
            if canonical is not None:
                canonical.add(item)
        hashed = canonical.hexdigest() if canonical is not None else None
        members[key] = StreamedArray(stream, position, length, objects, hashed)
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
