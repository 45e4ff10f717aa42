"""A lean HTTP/1.1 client for the hot path: keep-alive connections over asyncio streams.

Why this exists: profiling a fleet verify (docs/performance.md, issue 18) showed that,
after the pool gate, most of the client's CPU per request was spent in layers that do
nothing for a bearer-token JSON API: httpx's request and response models, its cookie jar
(a ``urllib`` request object per answer), auth and redirect generators, httpcore's
connection-pool re-plan (quadratic in connections), h11's event machinery and anyio locks.
This module sends the same bytes with a fraction of the work: one formatted request head,
one ``readuntil`` for the response head, the body read by ``Content-Length`` or chunked
framing, decoded from gzip/deflate when the server compressed it.

What it does: ``http`` and ``https`` (certificate verification with the client's SSL
context, ALPN ``http/1.1``), keep-alive with an idle expiry, ``Connection: close`` and
HTTP/1.0 answers, bodies read until EOF when neither framing is given, 1xx answers
skipped, per-phase timeouts (connect; write; each read, as httpx counts them), size caps
on the response head (64 KiB) and body (64 MiB after decoding, :data:`MAX_BODY`), and
refusal of header values that would split the request (CR/LF). What it does not do, and
why that is fine here: proxies (the client uses httpx when one is configured), cookies
(Procore's API authenticates by bearer token), redirects (the client never follows them
either), HTTP/2.

Failures are :class:`WireError` (``timed_out`` says which kind), which the client maps to
:class:`~dmsa_migrate.errors.TransportError` and retries like httpx's transport errors.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import ssl
import time
import zlib
from collections.abc import Callable, Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

from dmsa_migrate.errors import AnswerError
from dmsa_migrate.secrets import redact

fast_json_loads: Callable[[bytes], Any] | None
try:  # twice as fast as the standard library on Procore's pages (docs/performance.md)
    from orjson import loads as fast_json_loads
except ImportError:  # pragma: no cover - orjson is a dependency; a platform without its wheel
    fast_json_loads = None

logger = logging.getLogger("dmsa_migrate.procore.wire")
"""DEBUG: each connection opened and each exchange (``METHOD URL`` redacted, status), the
lines httpx and httpcore log on the other path; checked only when DEBUG is on."""

MAX_HEAD = 64 * 1024
"""Largest response head (status line and headers) accepted."""
MAX_BODY = 64 * 1024 * 1024
"""Largest response body accepted, after decompression (Procore pages are far smaller)."""
KEEPALIVE_EXPIRY_S = 5.0
"""An idle connection older than this is closed instead of reused (httpx's default too):
servers drop idle connections after a while, and a request on a dropped one fails."""
_READ_CHUNK = 256 * 1024
_DEFAULT_PORTS = {"http": 80, "https": 443}


class WireError(Exception):
    """No usable answer: refused, dropped, malformed, too large, or timed out."""

    def __init__(self, message: str, *, timed_out: bool = False) -> None:
        super().__init__(message)
        self.timed_out = timed_out


class Headers(Mapping[str, str]):
    """Response headers, looked up case-insensitively; repeated fields joined by ``, ``."""

    __slots__ = ("_fields",)

    def __init__(self, fields: dict[str, str]) -> None:
        self._fields = fields  # lower-cased name -> value

    def __getitem__(self, name: str) -> str:
        return self._fields[name.lower()]

    def get(self, name: str, default: Any = None) -> Any:
        return self._fields.get(name.lower(), default)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._fields

    def __iter__(self) -> Iterator[str]:
        return iter(self._fields)

    def __len__(self) -> int:
        return len(self._fields)


class WireRequest:
    """A request as sent: what errors and progress events name (``METHOD URL``)."""

    __slots__ = ("body", "headers", "method", "url")

    def __init__(self, method: str, url: str, headers: Mapping[str, str], body: bytes) -> None:
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body


class WireResponse:
    """A complete answer: status, headers and the whole (decoded) body."""

    __slots__ = ("content", "headers", "request", "status_code")

    def __init__(
        self, status_code: int, headers: Headers, content: bytes, request: WireRequest
    ) -> None:
        self.status_code = status_code
        self.headers = headers
        self.content = content
        self.request = request

    def json(self) -> Any:
        """The body as JSON, unchecked (the client reads bodies with ``answers.answer_json``)."""
        return json.loads(self.content)

    @property
    def text(self) -> str:
        return self.content.decode(_charset(self.headers.get("content-type")), errors="replace")

    @property
    def links(self) -> dict[str, dict[str, str]]:
        """The ``Link`` header by ``rel`` (as ``httpx.Response.links``)."""
        return parse_links(self.headers.get("link", ""))


def parse_links(value: str) -> dict[str, dict[str, str]]:
    """``<url>; rel="next", <url>; rel="last"`` → ``{"next": {"url": …, "rel": …}, …}``."""
    found: dict[str, dict[str, str]] = {}
    rest = value
    while True:
        start = rest.find("<")
        end = rest.find(">", start + 1)
        if start < 0 or end < 0:
            return found
        link = {"url": rest[start + 1 : end].strip()}
        following = rest.find("<", end)
        params = rest[end + 1 : following if following >= 0 else len(rest)]
        for param in params.split(";"):
            key, _, raw = param.partition("=")
            key = key.strip(" ,").lower()
            if key:
                link[key] = raw.strip(" ,\"'")
        found[link.get("rel") or link["url"]] = link
        if following < 0:
            return found
        rest = rest[following:]


def _charset(content_type: str | None) -> str:
    for part in (content_type or "").split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            name = value.strip().strip('"')
            with contextlib.suppress(LookupError):
                "".encode(name)
                return name
    return "utf-8"


class _Connection:
    """One open socket to an origin, with when it was last used."""

    __slots__ = ("idle_since", "reader", "writer")

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.idle_since = 0.0

    def reusable(self, now: float) -> bool:
        """Still open, nothing unread (the server's FIN would show as EOF), not stale."""
        return (
            not self.writer.is_closing()
            and not self.reader.at_eof()
            and not self.reader._buffer  # type: ignore[attr-defined]  # stray bytes: unusable
            and now - self.idle_since < KEEPALIVE_EXPIRY_S
        )

    def close(self) -> None:
        self.writer.close()


Origin = tuple[str, str, int]


class WirePool:
    """Keep-alive connections per origin; at most ``keep`` idle ones are kept.

    ``connect_to`` sends ``"host:port"`` to another address (as curl's ``--connect-to``):
    the URL, ``Host`` and the certificate checked stay the named host's. Tests use it to
    serve ``https://api.test`` on loopback.

    How many exchanges run at once is the caller's business (the client's gate admits as
    many as it keeps connections), so this pool never queues: a request takes an idle
    connection or opens one.
    """

    def __init__(
        self,
        ssl_context: Callable[[], ssl.SSLContext],
        *,
        timeout: float,
        keep: int,
        connect_to: Mapping[str, tuple[str, int]] | None = None,
    ) -> None:
        self._ssl_context = ssl_context  # built on the first https connection, not before
        self._timeout = timeout
        self._keep = keep
        self._connect_to = dict(connect_to or {})
        self._idle: dict[Origin, list[_Connection]] = {}
        self._closed = False

    async def send(self, request: WireRequest) -> WireResponse:
        """One exchange. Raises :class:`WireError` when no complete answer came."""
        if self._closed:
            raise WireError("the client is closed")
        origin, target = _split(request.url)
        head = _request_head(request, origin, target)
        connection = await self._connection(origin)
        try:
            status, headers, content, keep = await _exchange(
                connection, head + request.body, request.method, self._timeout
            )
        except _TooLarge:
            connection.close()  # the rest of the answer is never read
            raise AnswerError(
                redact(f"{request.method} {request.url}"),
                f"the answer is larger than {MAX_BODY // (1024 * 1024)} MiB",
            ) from None
        except BaseException:
            connection.close()
            raise
        if keep and not self._closed:
            self._release(origin, connection)
        else:
            connection.close()
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug("%s -> %d (%d bytes)", redact(f"{request.method} {request.url}"),
                         status, len(content))
        return WireResponse(status, headers, content, request)

    async def aclose(self) -> None:
        """Close every idle connection; later sends fail."""
        self._closed = True
        for connections in self._idle.values():
            for connection in connections:
                connection.close()
        self._idle.clear()

    async def _connection(self, origin: Origin) -> _Connection:
        idle = self._idle.get(origin)
        now = time.monotonic()
        while idle:
            connection = idle.pop()  # the most recently used: the least likely to be stale
            if connection.reusable(now):
                return connection
            connection.close()
        return await self._open(origin)

    async def _open(self, origin: Origin) -> _Connection:
        scheme, host, port = origin
        tls = self._tls() if scheme == "https" else None
        address = self._connect_to.get(f"{host}:{port}", (host, port))
        try:
            async with asyncio.timeout(self._timeout):
                reader, writer = await asyncio.open_connection(
                    *address, ssl=tls, server_hostname=host if tls else None, limit=MAX_HEAD
                )
        except TimeoutError as exc:
            raise WireError(f"connecting to {host}:{port} timed out", timed_out=True) from exc
        except (OSError, ssl.SSLError) as exc:
            raise WireError(f"cannot connect to {host}:{port}: {exc}") from exc
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug("connected to %s:%d%s", host, port, " (TLS)" if tls else "")
        return _Connection(reader, writer)

    def _tls(self) -> ssl.SSLContext:
        context = self._ssl_context()
        with contextlib.suppress(NotImplementedError):
            context.set_alpn_protocols(["http/1.1"])  # what httpcore offers without HTTP/2
        return context

    def _release(self, origin: Origin, connection: _Connection) -> None:
        idle = self._idle.setdefault(origin, [])
        if len(idle) >= self._keep:
            connection.close()
            return
        connection.idle_since = time.monotonic()
        idle.append(connection)


def _split(url: str) -> tuple[Origin, str]:
    """``(scheme, host, port)`` and the request target (path and query) of a URL.

    The origin part (``scheme://authority``) is the same for nearly every request of a
    client, so it is parsed once (cached); the rest is cut with string operations.
    """
    start = url.find("://")
    end = len(url)
    if start > 0:
        for mark in "/?#":
            found = url.find(mark, start + 3)
            if 0 <= found < end:
                end = found
    origin = _origin(url[:end])
    target = url[end:].partition("#")[0]
    if not target.startswith("/"):
        target = f"/{target}"
    return origin, target


@functools.lru_cache(maxsize=256)
def _origin(prefix: str) -> Origin:
    parts = urlsplit(prefix)
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise WireError(f"cannot send to {prefix!r}: not an http(s) URL")
    try:
        port = parts.port or _DEFAULT_PORTS[scheme]
    except ValueError as exc:
        raise WireError(f"cannot send to {prefix!r}: bad port") from exc
    return scheme, parts.hostname, port


def _request_head(request: WireRequest, origin: Origin, target: str) -> bytes:
    scheme, host, port = origin
    authority = host if port == _DEFAULT_PORTS[scheme] else f"{host}:{port}"
    if ":" in host:  # an IPv6 literal
        authority = f"[{host}]" if port == _DEFAULT_PORTS[scheme] else f"[{host}]:{port}"
    lines = [f"{request.method} {target} HTTP/1.1", f"Host: {authority}"]
    for name, value in request.headers.items():
        if "\r" in value or "\n" in value or "\r" in name or "\n" in name or ":" in name:
            raise WireError(f"header {name!r} has a character that would split the request")
        lines.append(f"{name}: {value}")
    if request.body or request.method in ("POST", "PUT", "PATCH"):
        lines.append(f"Content-Length: {len(request.body)}")
    lines.append("\r\n")
    return "\r\n".join(lines).encode("ascii")


async def _exchange(
    connection: _Connection, data: bytes, method: str, timeout: float
) -> tuple[int, Headers, bytes, bool]:
    """Write the request, read one answer: ``(status, headers, body, keep_alive)``."""
    writer, reader = connection.writer, connection.reader
    try:
        writer.write(data)
        if writer.transport.get_write_buffer_size():
            async with asyncio.timeout(timeout):
                await writer.drain()
        async with asyncio.timeout(timeout) as deadline:
            while True:
                status, version, fields = _parse_head(await reader.readuntil(b"\r\n\r\n"))
                if not 100 <= status < 200:
                    break
            body, until_eof = await _read_body(reader, fields, method, status, deadline, timeout)
    except TimeoutError as exc:
        raise WireError("timed out waiting for the answer", timed_out=True) from exc
    except asyncio.IncompleteReadError as exc:
        raise WireError("the server closed the connection before answering") from exc
    except asyncio.LimitOverrunError as exc:
        raise WireError(f"the answer's head is larger than {MAX_HEAD} bytes") from exc
    except (OSError, ssl.SSLError) as exc:
        raise WireError(f"connection failed: {exc}") from exc
    except ValueError as exc:  # readuntil's limit, chunk sizes, decompression
        raise WireError(f"malformed answer: {exc}") from exc
    encoding = fields.get("content-encoding", "").strip().lower()
    if encoding and encoding != "identity":
        body = _decode(body, encoding)
    tokens = {token.strip().lower() for token in fields.get("connection", "").split(",")}
    keep = not until_eof and (
        "keep-alive" in tokens if version == "HTTP/1.0" else "close" not in tokens
    )
    return status, Headers(fields), body, keep


def _parse_head(raw: bytes) -> tuple[int, str, dict[str, str]]:
    lines = raw.decode("latin-1").split("\r\n")
    version, _, rest = lines[0].partition(" ")
    code = rest[:3]
    if not version.startswith("HTTP/1.") or not code.isdigit():
        raise WireError(f"not an HTTP/1.x answer: {lines[0][:80]!r}")
    fields: dict[str, str] = {}
    for line in lines[1:]:
        if not line:
            continue
        name, colon, value = line.partition(":")
        if not colon or not name or name[0] in " \t" or name != name.strip():
            raise WireError(f"malformed header line: {line[:80]!r}")
        key = name.lower()
        value = value.strip()
        fields[key] = f"{fields[key]}, {value}" if key in fields else value
    return int(code), version, fields


async def _read_body(
    reader: asyncio.StreamReader,
    fields: dict[str, str],
    method: str,
    status: int,
    deadline: asyncio.Timeout,
    timeout: float,
) -> tuple[bytes, bool]:
    """The body and whether it ended with the connection (so it cannot be reused)."""
    if method == "HEAD" or status in (204, 304):
        return b"", False
    if "chunked" in fields.get("transfer-encoding", "").lower():
        return await _read_chunked(reader, deadline, timeout), False
    length = fields.get("content-length")
    if length is not None:
        if not length.strip().isdigit():
            raise WireError(f"bad Content-Length: {length[:40]!r}")
        size = int(length)
        if size > MAX_BODY:
            raise _TooLarge
        return await _read_exactly(reader, size, deadline, timeout), False
    parts: list[bytes] = []
    total = 0
    while chunk := await reader.read(_READ_CHUNK):
        total += len(chunk)
        if total > MAX_BODY:
            raise _TooLarge
        parts.append(chunk)
        _extend(deadline, timeout)
    return b"".join(parts), True


async def _read_exactly(
    reader: asyncio.StreamReader, size: int, deadline: asyncio.Timeout, timeout: float
) -> bytes:
    """``size`` bytes; the read timeout restarts whenever bytes arrive (as httpx's does)."""
    if not size:
        return b""
    first = await reader.read(size)
    if not first:
        raise asyncio.IncompleteReadError(b"", size)
    if len(first) == size:
        return first
    parts, got = [first], len(first)
    while got < size:
        _extend(deadline, timeout)
        chunk = await reader.read(min(size - got, _READ_CHUNK))
        if not chunk:
            raise asyncio.IncompleteReadError(b"".join(parts), size)
        parts.append(chunk)
        got += len(chunk)
    return b"".join(parts)


async def _read_chunked(
    reader: asyncio.StreamReader, deadline: asyncio.Timeout, timeout: float
) -> bytes:
    parts: list[bytes] = []
    total = 0
    while True:
        line = await reader.readuntil(b"\r\n")
        size_text = line.split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError as exc:
            raise WireError(f"bad chunk size {size_text[:20]!r}") from exc
        if size == 0:
            while (await reader.readuntil(b"\r\n")) != b"\r\n":
                pass  # trailer fields: not used
            return b"".join(parts)
        total += size
        if total > MAX_BODY:
            raise _TooLarge
        parts.append(await _read_exactly(reader, size, deadline, timeout))
        if await reader.readexactly(2) != b"\r\n":
            raise WireError("a chunk does not end with CRLF")
        _extend(deadline, timeout)


class _TooLarge(Exception):
    """The answer is over :data:`MAX_BODY`; :meth:`WirePool.send` names the request."""


def _extend(deadline: asyncio.Timeout, timeout: float) -> None:
    deadline.reschedule(asyncio.get_running_loop().time() + timeout)


def _decode(body: bytes, encoding: str) -> bytes:
    """Undo ``Content-Encoding`` (gzip, deflate), never inflating past :data:`MAX_BODY`."""
    out = body
    for step in reversed([part.strip() for part in encoding.split(",") if part.strip()]):
        if step in ("gzip", "x-gzip"):
            decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif step == "deflate":
            decoder = zlib.decompressobj(zlib.MAX_WBITS if out[:1] == b"\x78" else -zlib.MAX_WBITS)
        elif step == "identity":
            continue
        else:
            raise WireError(f"unsupported Content-Encoding {step!r}")
        try:
            decoded = decoder.decompress(out, MAX_BODY + 1)
        except zlib.error as exc:
            raise WireError(f"cannot decode {step} body: {exc}") from exc
        if len(decoded) > MAX_BODY or decoder.unconsumed_tail:
            raise _TooLarge
        out = decoded
    return out
