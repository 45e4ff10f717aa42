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

:data:`LEGACY_POOL` is the behaviour before this change (httpx's defaults, no gate, anyio
sockets), kept
selectable so ``benchmarks/`` can measure old and new side by side in one run.
"""

from __future__ import annotations

import asyncio
import ssl
from contextlib import AbstractAsyncContextManager, nullcontext
from dataclasses import dataclass

import httpx

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

    def gate(self) -> AbstractAsyncContextManager[object]:
        """An ``async with`` admitting at most ``connections`` exchanges at once."""
        if not self.gated or self.connections is None:
            return nullcontext()
        return asyncio.Semaphore(self.connections)


DEFAULT_POOL = PoolSettings()
LEGACY_POOL = PoolSettings(connections=None, gated=False, asyncio_sockets=False)
"""httpx's defaults and no gate: the client before issue 18 (for benchmarks)."""
