"""A minimal JSON client over one keep-alive HTTP connection (the standard library's)."""

import http.client
import json


class UnexpectedStatus(RuntimeError):
    pass


class Client:
    def __init__(self, port: int, token: str | None = None, timeout: float = 60):
        self.port = port
        self.token = token
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)

    def request(self, method: str, path: str, *, token: str | None = None, body=None):
        """(status, decoded JSON or raw text); `token` overrides the client's own."""
        headers = {}
        token = token or self.token
        if token:
            headers["Authorization"] = f"Bearer {token}"
        payload = None
        if body is not None:
            payload = json.dumps(body)
            headers["Content-Type"] = "application/json"
        self.connection.request(method, path, body=payload, headers=headers)
        response = self.connection.getresponse()
        raw = response.read()
        if "json" in (response.getheader("Content-Type") or ""):
            return response.status, json.loads(raw)
        return response.status, raw.decode(errors="replace")

    def call(self, method: str, path: str, **kwargs):
        """The decoded answer of a request that must succeed (2xx)."""
        status, answer = self.request(method, path, **kwargs)
        if not 200 <= status < 300:
            raise UnexpectedStatus(f"{method} {path}: {status} {answer}")
        return answer

    def close(self) -> None:
        self.connection.close()
