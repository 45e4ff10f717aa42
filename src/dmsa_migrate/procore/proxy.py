"""A forwarding HTTP proxy that tells a listener which calls went through it.

``dmsa-migrate record`` points an integration (or its test suite) at this proxy instead of
Procore: each request is forwarded to the upstream (Procore's sandbox, or the emulator)
and answered with the upstream's answer, and the listener hears ``(method, path, status)``
— the path without its query string, and nothing else: headers and bodies, where tokens
and secrets travel, are forwarded and never handed on.

The integration speaks plain HTTP to the proxy on loopback; the proxy speaks HTTPS to a
real upstream with certificate checks. Redirects pass through to the client unchanged.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import httpx

CallListener = Callable[[str, str, int], None]
"""``(method, path without query, status)``; status 502 when the upstream could not answer."""

MAX_BODY = 256 * 1024 * 1024
"""Request bodies above this are refused (413): a guard, far above any Procore upload the
proxy is meant to see in a test run."""

_HOP_BY_HOP = frozenset(
    {
        "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
        "trailers", "transfer-encoding", "upgrade", "host", "content-length",
        "content-encoding",
    }
)


class _Forwarder(BaseHTTPRequestHandler):
    server: RecordingProxy
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: request lines may carry tokens in query strings."""

    def _body(self) -> bytes | None:
        """The request body (Content-Length or chunked), or None when over :data:`MAX_BODY`."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks: list[bytes] = []
            size = 0
            while True:
                line = self.rfile.readline(1024).strip().split(b";")[0]
                length = int(line or b"0", 16)
                if length == 0:
                    self.rfile.readline(1024)  # the blank line after the last chunk
                    return b"".join(chunks)
                size += length
                if size > MAX_BODY:
                    return None
                chunks.append(self.rfile.read(length))
                self.rfile.readline(1024)
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            return None
        return self.rfile.read(length) if length else b""

    def _forward(self) -> None:
        path = urlsplit(self.path).path or "/"
        try:
            body = self._body()
        except ValueError:
            body = None
        if body is None:
            self.close_connection = True
            self._answer(413, {}, b"request body too large or malformed for the recording proxy")
            self.server.heard(self.command, path, 413)
            return
        headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
        try:
            upstream = self.server.client.request(
                self.command, self.server.upstream + self.path, headers=headers, content=body
            )
        except httpx.HTTPError as exc:
            message = f"recording proxy: upstream did not answer ({type(exc).__name__})"
            self._answer(502, {}, message.encode())
            self.server.heard(self.command, path, 502)
            return
        answer = {k: v for k, v in upstream.headers.multi_items()
                  if k.lower() not in _HOP_BY_HOP}
        self._answer(upstream.status_code, answer, upstream.content)
        self.server.heard(self.command, path, upstream.status_code)

    def _answer(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _forward


class RecordingProxy(ThreadingHTTPServer):
    """Forwards every request to ``upstream`` and tells ``listener`` about it."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, upstream: str, listener: CallListener, host: str = "127.0.0.1",
                 port: int = 0, *, timeout: float = 120.0) -> None:
        self.upstream = upstream.rstrip("/")
        self.listener = listener
        self.client = httpx.Client(timeout=timeout, follow_redirects=False)
        self.lock = threading.Lock()
        super().__init__((host, port), _Forwarder)

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        name = host.decode() if isinstance(host, bytes) else str(host)
        return f"http://{name}:{port}"

    def heard(self, method: str, path: str, status: int) -> None:
        with self.lock:
            self.listener(method, path, status)

    def server_close(self) -> None:
        super().server_close()
        self.client.close()
