"""Sending one webhook request to an address that was checked, and nowhere else.

A URL's host is resolved, every address it resolves to is checked, and the connection
is made to a checked address (TLS still verifies the name): a DNS answer that changes
between the check and the connection cannot lead anywhere else. No redirect is
followed, the whole exchange has a deadline, and at most MAX_RESPONSE_BYTES are read.
"""

import http.client
import ipaddress
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

TIMEOUT_SECONDS = 10.0
MAX_RESPONSE_BYTES = 64 * 1024

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class RefusedUrl(ValueError):
    """A URL webhooks may not be sent to."""


def _system_resolver(host: str, port: int) -> list[str]:
    answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in answers]


# Tests put a stub here, to answer names as a hostile DNS server would.
resolver: Callable[[str, int], list[str]] = _system_resolver


def forbidden(address: Address) -> bool:
    """Loopback, private, link-local, multicast, reserved or otherwise not public."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address.teredo:
            embedded = address.teredo[1]
        if embedded is not None:
            return forbidden(embedded)
    return address.is_multicast or not address.is_global


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str


def parse(url: str, *, allow_private: bool) -> Target:
    """The URL's parts, if webhooks may be sent there by its form (not yet its addresses)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise RefusedUrl(f"not a URL: {error}") from None
    schemes = ("https", "http") if allow_private else ("https",)
    if parts.scheme not in schemes:
        raise RefusedUrl("must be an https URL")
    if not parts.hostname:
        raise RefusedUrl("must name a host")
    if parts.username or parts.password:
        raise RefusedUrl("must not carry credentials")
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    default = 443 if parts.scheme == "https" else 80
    return Target(parts.scheme, parts.hostname, port or default, path)


def addresses(target: Target, *, allow_private: bool) -> list[str]:
    """The addresses to connect to: every one the host resolves to must be allowed."""
    try:
        literal = ipaddress.ip_address(target.host)
    except ValueError:
        literal = None
    if literal is not None:
        found = [str(literal)]
    else:
        try:
            found = resolver(target.host, target.port)
        except (OSError, UnicodeError) as error:
            raise RefusedUrl(f"the host could not be resolved ({error})") from None
        if not found:
            raise RefusedUrl("the host resolves to no address")
    if not allow_private:
        for raw in found:
            if forbidden(ipaddress.ip_address(raw.split("%")[0])):
                raise RefusedUrl(
                    f"the host resolves to {raw}: loopback, private, link-local and "
                    "reserved addresses are refused"
                )
    return found


def check(url: str, *, allow_private: bool) -> None:
    """Refuse a URL webhooks may not be sent to (its form, and where it resolves now)."""
    addresses(parse(url, allow_private=allow_private), allow_private=allow_private)


@dataclass(frozen=True)
class Answer:
    status_code: int | None
    error: str | None


class _Pinned(http.client.HTTPSConnection):
    """An HTTPS connection to one checked address, verifying the certificate of the host."""

    def __init__(self, host: str, port: int, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


class _PinnedPlain(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


def post(url: str, body: bytes, headers: dict[str, str], *, allow_private: bool) -> Answer:
    """POST `body` to `url` once: any 2xx within the deadline is success."""
    deadline = time.monotonic() + TIMEOUT_SECONDS
    try:
        target = parse(url, allow_private=allow_private)
        address = addresses(target, allow_private=allow_private)[0]
    except RefusedUrl as error:
        return Answer(None, f"refused: {error}")
    kind = _Pinned if target.scheme == "https" else _PinnedPlain
    connection = kind(target.host, target.port, address, TIMEOUT_SECONDS)
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        _left(connection, deadline)
        response = connection.getresponse()
        read = 0
        while read < MAX_RESPONSE_BYTES:
            _left(connection, deadline)
            chunk = response.read1(MAX_RESPONSE_BYTES - read)
            if not chunk:
                break
            read += len(chunk)
        status = response.status
    except (OSError, http.client.HTTPException) as error:
        kind_name = "timed out" if isinstance(error, TimeoutError) else type(error).__name__
        return Answer(None, f"{kind_name}: {error}"[:500])
    finally:
        connection.close()
    if 200 <= status < 300:
        return Answer(status, None)
    return Answer(
        status, f"HTTP {status}" + (" (redirects are not followed)" if 300 <= status < 400 else "")
    )


def _left(connection: http.client.HTTPConnection, deadline: float) -> None:
    """Every read waits no longer than what is left of the whole exchange's deadline."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("the endpoint took longer than 10 s")
    if connection.sock is not None:
        connection.sock.settimeout(left)
