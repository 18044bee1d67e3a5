"""What a request must be before any view reads it, checked once for every endpoint.

The body is read here, whatever its framing (Content-Length or chunked), so the size
cap and the text checks apply to every body. For the JSON API (the views flask-smorest
documents), the body and the query string must also match what the view declares: a
body where none is taken, a query parameter no view reads, or a body that is not JSON
is refused, never silently ignored.

Bodies are capped at MAX_CONTENT_LENGTH (1 MiB), except for the views marked
@takes_upload (files, deliveries, gold records): theirs may carry MAX_UPLOAD_BYTES.
A view marked @streams_array reads one array of its JSON body an item at a time
(json_stream.py): the body is checked whole here all the same.
"""

import json
import re
import tempfile
from functools import cache
from typing import IO

from flask import Request, current_app, g, request
from marshmallow import Schema

from marketplace import json_stream
from marketplace.context import this_request
from marketplace.errors import (
    MalformedBody,
    PayloadTooLarge,
    UnsupportedMediaType,
    UriTooLong,
    ValidationFailed,
)

API_PREFIX = "/api/v1/"
JSON_LOCATION = "json"
QUERY_LOCATION = "query"
# Locations whose body is not JSON (file uploads): the view reads them itself.
NON_JSON_LOCATIONS = frozenset({"files", "form", "json_or_form"})
# Arguments in "files" are the parts of a multipart body: its form fields and its files.
FILES_LOCATION = "files"
MULTIPART = "multipart/form-data"
# Longest request target (path and query) the API reads; gunicorn, given
# --limit-request-line 8190 (scripts/gunicorn.conf.py), lets longer
# ones through to here (up to its own hard cap), so they get a problem+json 414.
MAX_URL_LENGTH = 4096


# Idempotency-Key (idempotency.py): a request carrying one has its body hashed.
IDEMPOTENCY_HEADER = "Idempotency-Key"
# Multipart framing around an upload's file: boundaries, part headers, small fields.
UPLOAD_FRAMING_BYTES = 64 * 1024


def takes_upload(view):
    """A view whose body may be upload-sized: MAX_UPLOAD_BYTES (25 MiB), not 1 MiB.

    A multipart body (or any body that is not JSON) is left to the view, whose form
    parser spools large parts to temporary files and answers 413 past the cap; a JSON
    body is checked as every other one, under the larger cap. The view checks each file
    against `upload_limit()` itself, since the cap also counts the framing.
    """
    view.takes_upload = True
    return view


def streams_array(member: str):
    """A view whose JSON body's member `member`, when an array, is read an item at a time
    (a `json_stream.StreamedArray` in the parsed body, whose `objects` says whether
    every item is an object): 50,000 records never sit in memory as dicts all at once.
    The body is spooled to a temporary file (`json_body()`), and checked whole before
    the view as every body is."""

    def mark(view):
        view.streamed_array = member
        return view

    return mark


def upload_limit() -> int:
    """The most bytes one uploaded file may have (MAX_UPLOAD_BYTES)."""
    return current_app.config["MAX_UPLOAD_BYTES"]


class ApiRequest(Request):
    """Flask's request, closing every temporary file its form parser made.

    Werkzeug spools each large file part to a temporary file; when a body is refused
    midway (413 past the cap), the part being written is in no request.files yet and
    would stay open until the garbage collector found it.
    """

    def _get_file_stream(self, *args, **kwargs) -> IO[bytes]:
        stream = super()._get_file_stream(*args, **kwargs)
        self.__dict__.setdefault("_spooled", []).append(stream)
        return stream

    def close(self) -> None:
        super().close()
        for stream in self.__dict__.pop("_spooled", ()):
            stream.close()


def raw_body(view):
    """A view that reads its body itself, as bytes (a signed webhook): no JSON rules."""
    view.raw_body = True
    return view


def parsed_json():
    """The request's JSON body, already checked by check_request_input (None if none)."""
    return g.get("parsed_json")


def _bad_text(value) -> bool:
    """Text no database stores: NUL characters, or lone surrogates that are not Unicode."""
    if "\x00" in value:
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _walk_strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _walk_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _walk_strings(item)


def _declared_arguments(view) -> list[dict] | None:
    """The arguments an API view declares (None for a view outside the JSON API)."""
    apidoc = getattr(view, "_apidoc", None)
    if apidoc is None:
        return None
    return apidoc.get("arguments", {}).get("parameters", [])


def _accepted_names(schema) -> frozenset[str]:
    if isinstance(schema, type):
        return _names_of_class(schema)
    assert isinstance(schema, Schema)
    return _names_of(schema)


@cache
def _names_of_class(schema: type[Schema]) -> frozenset[str]:
    """Per schema class, once: making a schema instance deep-copies its every field."""
    return _names_of(schema())


def _names_of(instance: Schema) -> frozenset[str]:
    return frozenset(field.data_key or name for name, field in instance.load_fields.items())


def _check_query(view, arguments: list[dict], args) -> None:
    unknown = sorted(set(args) - _query_names(view, arguments))
    if unknown:
        raise ValidationFailed(
            {name: ["Unknown query parameter."] for name in unknown},
            "The request has query parameters this endpoint does not take.",
        )


# A view's declared arguments never change once it is registered.
_query_names_of_view: dict[object, frozenset[str]] = {}


def _query_names(view, arguments: list[dict]) -> frozenset[str]:
    names = _query_names_of_view.get(view)
    if names is None:
        accepted: set[str] = set()
        for argument in arguments:
            if argument["in"] == QUERY_LOCATION:
                accepted |= _accepted_names(argument["schema"])
        names = _query_names_of_view[view] = frozenset(accepted)
    return names


def _read_body() -> bytes:
    """The whole body, however it was framed; past MAX_CONTENT_LENGTH this raises a 413."""
    if not request.content_length and request.content_length is not None:
        return b""
    body = request.get_data(cache=True)
    limit = request.max_content_length
    if request.content_length is None and limit is not None and len(body) >= limit:
        # A chunked body is read up to the cap and no further, silently: one more byte
        # asked of the capped stream raises the 413 (so a chunked body must stay under it).
        request.stream.read(1)
    return body


BAD_TEXT = "Text in the body must be valid Unicode without NUL characters."
NOT_JSON = "The request body is not valid JSON."
# In the body's bytes: an escape that may make a NUL or half a surrogate pair, a
# surrogate written in UTF-8, or a NUL byte (which every UTF-16 or -32 text has).
_SUSPECT_BYTES = re.compile(rb"\\u(?:0000|[dD][89a-fA-F])|\xed[\xa0-\xbf]|\x00")
_SUSPECT_SPAN = 6
SPOOL_IN_MEMORY = 1024 * 1024
READ_CHUNK = 64 * 1024


def _spool_body() -> tuple[IO[bytes], bool]:
    """The body in a temporary file (on disk past SPOOL_IN_MEMORY), read as _read_body
    reads it (413 past the cap); and whether it holds anything that may make a NUL or
    half a surrogate pair, without which its strings need no look each."""
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115
    request.__dict__.setdefault("_spooled", []).append(spool)  # closed with the request
    suspect = False
    tail = b""
    if request.content_length != 0:
        while chunk := request.stream.read(READ_CHUNK):
            spool.write(chunk)
            if not suspect:
                suspect = _SUSPECT_BYTES.search(tail + chunk) is not None
                tail = chunk[-_SUSPECT_SPAN:]
    spool.seek(0)
    return spool, suspect


def _parse_streamed(spool: IO[bytes], member: str, suspect: bool):
    """The body as JSON, its member `member`, if an array, left to be read again an item
    at a time; its text checked as _check_body checks every body's."""

    def check(item) -> None:
        if suspect and any(_bad_text(value) for value in _walk_strings(item)):
            raise MalformedBody(BAD_TEXT)

    digest = request.method == "POST" and IDEMPOTENCY_HEADER in request.headers
    parsed = json_stream.scan_object(spool, member, check, digest=digest)
    if parsed is None:  # not an object: no member to stream
        spool.seek(0)
        parsed = json.loads(spool.read())
    if any(_bad_text(value) for value in _walk_strings(parsed)):
        raise MalformedBody(BAD_TEXT)
    return parsed


def _check_streamed_body(arguments: list[dict] | None, member: str) -> None:
    spool, suspect = _spool_body()
    if not spool.read(1):
        _check_body(arguments, b"")
        return
    try:
        g.parsed_json = _parse_streamed(spool, member, suspect)
    except (ValueError, RecursionError):
        # ValueError: JSONDecodeError, or UnicodeDecodeError for bytes that are no text.
        raise MalformedBody(NOT_JSON) from None
    g.json_body = spool


def json_body() -> IO[bytes]:
    """The JSON body of a view marked @streams_array, as sent, in a temporary file."""
    return g.json_body


def _check_body(arguments: list[dict] | None, body: bytes) -> None:
    locations = {argument["in"] for argument in arguments or []}
    if not body:
        json_arguments = [a for a in arguments or [] if a["in"] == JSON_LOCATION]
        if any(argument["required"] for argument in json_arguments):
            raise ValidationFailed(
                {"_body": ["A JSON body is required."]}, "This request needs a JSON body."
            )
        return
    if not request.is_json:
        if arguments is None:
            return  # outside the JSON API: the view decides what it reads
        raise UnsupportedMediaType("The request body must be application/json.")
    try:
        g.parsed_json = json.loads(body)
    except (ValueError, RecursionError):
        raise MalformedBody(NOT_JSON) from None
    if any(_bad_text(text) for text in _walk_strings(g.parsed_json)):
        raise MalformedBody(BAD_TEXT)
    if arguments is not None and JSON_LOCATION not in locations:
        _check_no_fields(g.parsed_json)


def _check_no_fields(value) -> None:
    """An action that takes no body accepts an empty object, as many clients send one."""
    if value == {}:
        return
    if isinstance(value, dict):
        raise ValidationFailed(
            {name: ["Unknown field."] for name in value},
            "This action takes no fields in its body.",
        )
    raise ValidationFailed({"_body": ["This action takes no body."]})


def check_request_input():
    """Before anything reads it: the query and the body must be what the endpoint takes."""
    req = this_request()  # once, not through the proxy on every use
    if not req.path.startswith(API_PREFIX):
        return  # the docs, the console and other pages have rules of their own
    target = req.environ.get("RAW_URI") or req.full_path
    if len(target) > MAX_URL_LENGTH:
        raise UriTooLong(f"The request's path and query must stay under {MAX_URL_LENGTH} bytes.")
    args = req.args
    if args:
        for key, value in args.items(multi=True):
            if _bad_text(key) or _bad_text(value):
                raise ValidationFailed({"query": ["Query values must not contain NUL characters."]})
    view = current_app.view_functions.get(req.endpoint or "")
    if view is not None and getattr(view, "raw_body", False):
        return
    arguments = _declared_arguments(view) if view is not None else None
    if arguments is not None:
        _check_query(view, arguments, args)
    uploads = view is not None and getattr(view, "takes_upload", False)
    if uploads:
        req.max_content_length = upload_limit() + UPLOAD_FRAMING_BYTES
        if (req.content_length or 0) > req.max_content_length:
            raise PayloadTooLarge(too_large_detail())
    locations = {argument["in"] for argument in arguments or []}
    if FILES_LOCATION in locations:
        if req.mimetype != MULTIPART and _has_body():
            raise UnsupportedMediaType("The request body must be multipart/form-data.")
        return  # its view parses the parts
    if locations & NON_JSON_LOCATIONS or (uploads and not req.is_json):
        return  # a body its view reads itself, under the cap set above
    streamed = getattr(view, "streamed_array", None)
    if streamed is not None and req.is_json:
        _check_streamed_body(arguments, streamed)
        return
    _check_body(arguments, _read_body())


def _has_body() -> bool:
    return bool(request.content_length) or "Transfer-Encoding" in request.headers


def too_large_detail() -> str:
    return f"A file may have at most {upload_limit()} bytes (MAX_UPLOAD_BYTES)."
