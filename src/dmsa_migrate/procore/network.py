"""The sockets under the client's connection pool: asyncio streams, without anyio.

Why: profiling a fleet verify (docs/performance.md) showed, after the pool gate
(:mod:`.pool`), that a large share of the client's CPU per request went to httpcore's
default network backend (anyio): a cancel scope per read and write, and, each time the
pool re-plans, a fresh dictionary of socket attributes (``getpeername`` included) per idle
connection just to ask "has the server closed it?". httpcore lets a caller bring its own
backend (``httpcore.AsyncNetworkBackend``, public API); this one answers that question
with ``StreamReader.at_eof()`` (the server's FIN has already been read by the stream) and
times reads and writes with ``asyncio.timeout``.

It serves plain ``http`` and ``https`` on the asyncio event loop (the tool runs only on
asyncio). :func:`pooled_transport` builds the httpx transport around it; when a proxy is
configured in the environment it returns ``None`` and httpx's own transport (which honours
``HTTPS_PROXY``) is used, as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx

from dmsa_migrate.procore.pool import environment_has_proxy

SocketOption = Any


class AsyncioStream(httpcore.AsyncNetworkStream):
    """One TCP (or TLS) connection as an asyncio reader/writer pair."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        try:
            async with asyncio.timeout(timeout):
                return await self._reader.read(max_bytes)
        except TimeoutError as exc:
            raise httpcore.ReadTimeout(str(exc) or "read timed out") from exc
        except OSError as exc:
            raise httpcore.ReadError(str(exc)) from exc

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        try:
            self._writer.write(buffer)
            async with asyncio.timeout(timeout):
                await self._writer.drain()
        except TimeoutError as exc:
            raise httpcore.WriteTimeout(str(exc) or "write timed out") from exc
        except OSError as exc:
            raise httpcore.WriteError(str(exc)) from exc

    async def aclose(self) -> None:
        self._writer.close()
        with contextlib.suppress(OSError):  # the peer went first; closed either way
            await self._writer.wait_closed()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            async with asyncio.timeout(timeout):
                await self._writer.start_tls(ssl_context, server_hostname=server_hostname)
        except TimeoutError as exc:
            await self.aclose()
            raise httpcore.ConnectTimeout(str(exc) or "TLS handshake timed out") from exc
        except (OSError, ssl.SSLError) as exc:
            await self.aclose()
            raise httpcore.ConnectError(str(exc)) from exc
        return self  # the writer (and its reader) now speak TLS

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":
            # Asked of idle keep-alive connections: the server closed it if its EOF arrived.
            return self._reader.at_eof()
        if info == "ssl_object":
            return self._writer.get_extra_info("ssl_object")
        if info == "client_addr":
            return self._writer.get_extra_info("sockname")
        if info == "server_addr":
            return self._writer.get_extra_info("peername")
        if info == "socket":
            return self._writer.get_extra_info("socket")
        return None


class AsyncioBackend(httpcore.AsyncNetworkBackend):
    """Opens :class:`AsyncioStream` connections (asyncio sets ``TCP_NODELAY`` itself)."""

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        local = (local_address, 0) if local_address else None
        try:
            async with asyncio.timeout(timeout):
                reader, writer = await asyncio.open_connection(host, port, local_addr=local)
        except TimeoutError as exc:
            raise httpcore.ConnectTimeout(str(exc) or "connect timed out") from exc
        except OSError as exc:
            raise httpcore.ConnectError(str(exc)) from exc
        sock = writer.get_extra_info("socket")
        for option in socket_options or ():
            sock.setsockopt(*option)
        return AsyncioStream(reader, writer)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class PooledTransport(httpx.AsyncHTTPTransport):
    """httpx's transport over an httpcore pool that uses :class:`AsyncioBackend`.

    httpx's transport takes no network backend, so the pool it built is replaced by an
    equal one (same limits, TLS context, keep-alive) that does: the request and error
    mapping around it stay httpx's.
    """

    def __init__(self, ssl_context: ssl.SSLContext, limits: httpx.Limits) -> None:
        super().__init__(verify=ssl_context, limits=limits)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=AsyncioBackend(),
        )


def pooled_transport(ssl_context: ssl.SSLContext, limits: httpx.Limits) -> PooledTransport | None:
    """The asyncio-backed transport, or ``None`` (httpx's default) behind a proxy."""
    if environment_has_proxy():
        return None
    return PooledTransport(ssl_context, limits)
