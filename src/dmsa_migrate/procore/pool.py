"""How many HTTP exchanges one client has in flight, and the connection pool behind them.

Why this exists: httpcore 1.0 re-plans its whole pool every time a request arrives or an
answer is closed (``_assign_requests_to_connections``): it walks every connection, asks
each idle one whether its socket has become readable (a ``poll`` plus a fresh dict of
socket attributes per connection), and then walks again per *queued* request. With httpx's
defaults (100 connections, 20 kept alive) and 64 requests in flight, verify paid about
3.4 ms of client CPU per request, a third of it in that bookkeeping, and every burst above
20 connections closed and reopened sockets (a TCP handshake, and a server thread, each).

:class:`PoolSettings` fixes both: a semaphore admits at most ``connections`` exchanges into
httpcore at once, so its queue never holds a request without a connection, and the pool
keeps exactly that many connections alive, so none is closed between bursts. Callers may
still start far more requests than that (companies x requests per company); they wait on
the semaphore, which costs nothing per idle connection.

:class:`PoolSettings` also chooses the HTTP path: the lean HTTP/1.1 path of :mod:`.wire`
(the default), or httpx over the same gate (asyncio sockets, :mod:`.network`). httpx is
used whenever the lean path cannot do the job: an injected transport (the in-process
emulator, tests' ``MockTransport``) or a proxy named in the environment, and whenever the
user asks for it with ``DMSA_MIGRATE_HTTP=httpx`` (:func:`lean_path_allowed`): the lean
path is the tool's own HTTP/1.1 code, so a network it does not suit (a TLS-inspecting
middlebox, a CDN quirk) must not leave the user waiting for a release.

:data:`LEGACY_POOL` is the behaviour before issue 18 (httpx's defaults, no gate, anyio
sockets) and :data:`GATED_POOL` the httpx path alone (the client before the lean path);
both stay selectable so ``benchmarks/`` can measure old and new side by side in one run.
"""

from __future__ import annotations

import asyncio
import os
import ssl
import urllib.request
from collections.abc import Callable, Mapping
from contextlib import AbstractAsyncContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Protocol

import httpx

from dmsa_migrate.errors import InputError
from dmsa_migrate.procore.answers import Answer, receive
from dmsa_migrate.procore.wire import WirePool, WireRequest

HTTP_PATH_VARIABLE = "DMSA_MIGRATE_HTTP"
"""The environment variable that picks the HTTP path: ``httpx``, or ``lean`` (the default)."""

DEFAULT_CONNECTIONS = 16
"""Connections per client: verify's companies x per-company concurrency (8 x 8) still
overlap their latency well with 16 sockets, and the pool's per-request walk stays short."""


@dataclass(frozen=True)
class PoolSettings:
    """The connection pool of one :class:`~dmsa_migrate.procore.ProcoreClient`.

    ``connections``: sockets kept open and exchanges in flight at most (``None``: httpx's
    defaults, 100 connections of which 20 stay alive). ``gated``: hold requests beyond
    ``connections`` in front of httpcore instead of in its queue.
    """

    connections: int | None = DEFAULT_CONNECTIONS
    gated: bool = True
    asyncio_sockets: bool = True
    """Sockets through :mod:`.network` (asyncio streams) instead of httpcore's anyio backend."""
    lean: bool = True
    """Send through :mod:`.wire` when possible (no injected transport, no proxy)."""
    connect_to: Mapping[str, tuple[str, int]] = field(default_factory=dict)
    """Lean path only: ``"host:port"`` → the address to connect to instead (tests)."""

    def limits(self) -> httpx.Limits:
        """The httpx limits: as many kept-alive connections as connections at all."""
        if self.connections is None:
            return httpx.Limits(max_connections=100, max_keepalive_connections=20)
        return httpx.Limits(
            max_connections=self.connections, max_keepalive_connections=self.connections
        )

    def transport(self, ssl_context: ssl.SSLContext) -> httpx.AsyncBaseTransport | None:
        """The transport to send through (``None``: httpx's own, built from ``limits``)."""
        if not self.asyncio_sockets:
            return None
        from dmsa_migrate.procore.network import pooled_transport

        return pooled_transport(ssl_context, self.limits())

    def sender(
        self,
        transport: httpx.AsyncBaseTransport | None,
        ssl_context: Callable[[], ssl.SSLContext],
        timeout: float,
        headers: Mapping[str, str],
    ) -> Sender:
        """What the client sends through: the lean path, or httpx when it must.

        ``ssl_context`` is called only when needed (the lean path: at the first ``https``
        connection), so a run against the emulator on plain loopback builds none.
        """
        keep = self.connections if self.lean and transport is None else None
        if keep is not None and lean_path_allowed() and not environment_has_proxy():
            pool = WirePool(ssl_context, timeout=timeout, keep=keep, connect_to=self.connect_to)
            return WireSender(pool, headers)
        context = ssl_context()
        http = httpx.AsyncClient(
            transport=transport or self.transport(context),
            verify=context,
            timeout=timeout,
            limits=self.limits(),
            headers=dict(headers),
        )
        return HttpxSender(http)

    def gate(self) -> AbstractAsyncContextManager[object]:
        """An ``async with`` admitting at most ``connections`` exchanges at once."""
        if not self.gated or self.connections is None:
            return nullcontext()
        return asyncio.Semaphore(self.connections)


def environment_has_proxy() -> bool:
    """Whether ``HTTP(S)_PROXY``/``ALL_PROXY`` (or the OS's settings) name a proxy.

    Here rather than in :mod:`.network`: the lean path asks it once per client, and
    importing that module would import httpcore and h11, which the lean path never uses
    (a fixed cost of every run: docs/performance.md).
    """
    found = urllib.request.getproxies()
    return any(found.get(scheme) for scheme in ("http", "https", "all"))


def lean_path_allowed() -> bool:
    """Whether ``DMSA_MIGRATE_HTTP`` lets the client use the lean path (unset: yes).

    A value other than ``lean`` or ``httpx`` is refused rather than ignored: a user who
    typed the switch to get around a network problem must learn it did not take. The value
    is not repeated in the message (an environment variable may hold anything).
    """
    value = os.environ.get(HTTP_PATH_VARIABLE, "").strip().lower()
    if value in ("", "lean"):
        return True
    if value == "httpx":
        return False
    raise InputError(
        f"{HTTP_PATH_VARIABLE} must be 'httpx' (send through httpx) or 'lean' (the default "
        "HTTP path); unset it for the default"
    )


class Sender(Protocol):
    """One HTTP path: sends a request, returns its whole answer.

    Raises ``httpx.TransportError`` or :class:`~dmsa_migrate.procore.wire.WireError` when
    no answer came (the client maps both to :class:`~dmsa_migrate.errors.TransportError`).
    """

    async def send(self, request: WireRequest) -> Answer: ...

    async def aclose(self) -> None: ...


class WireSender:
    """The lean path: :class:`~dmsa_migrate.procore.wire.WirePool`, with default headers."""

    def __init__(self, pool: WirePool, headers: Mapping[str, str]) -> None:
        self._pool = pool
        self._defaults = {**headers, "Accept-Encoding": "gzip, deflate"}

    async def send(self, request: WireRequest) -> Answer:
        request.headers = {**self._defaults, **request.headers}
        return await self._pool.send(request)

    async def aclose(self) -> None:
        await self._pool.aclose()


class HttpxSender:
    """httpx's client: for injected transports and proxies (and the benchmarks' variants)."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self._http = http

    async def send(self, request: WireRequest) -> Answer:
        built = self._http.build_request(
            request.method, request.url, headers=dict(request.headers),
            content=request.body or None,
        )
        return await receive(self._http, built)  # capped as the lean path caps

    async def aclose(self) -> None:
        await self._http.aclose()


DEFAULT_POOL = PoolSettings()
GATED_POOL = PoolSettings(lean=False)
"""The httpx path over the gate and asyncio sockets: the client before the lean path."""
LEGACY_POOL = PoolSettings(connections=None, gated=False, asyncio_sockets=False, lean=False)
"""httpx's defaults and no gate: the client before issue 18 (for benchmarks)."""
