"""The client hands httpcore no more exchanges than it has connections (procore/pool.py)."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from dmsa_migrate.procore import Environment, ProcoreClient, UserToken
from dmsa_migrate.procore.network import PooledTransport, pooled_transport
from dmsa_migrate.procore.pool import LEGACY_POOL, PoolSettings

pytestmark = pytest.mark.anyio
ENV = Environment("test", "https://api.test", "https://login.test")


class InFlight(httpx.AsyncBaseTransport):
    """Answers every request after yielding to the loop a few times; counts overlap."""

    def __init__(self) -> None:
        self.now = 0
        self.most = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.now += 1
        self.most = max(self.most, self.now)
        for _ in range(5):
            await asyncio.sleep(0)  # let every other started request reach the transport
        self.now -= 1
        return httpx.Response(200, json={"ok": True})


async def _burst(pool: PoolSettings, requests: int) -> int:
    transport = InFlight()
    async with ProcoreClient(ENV, UserToken("t"), transport=transport, pool=pool) as client:
        await asyncio.gather(*(client.get("/rest/v1.0/me") for _ in range(requests)))
    return transport.most


async def test_requests_beyond_the_pool_wait_in_front_of_it() -> None:
    assert await _burst(PoolSettings(connections=4), 40) == 4


async def test_the_legacy_pool_lets_every_request_through_at_once() -> None:
    assert await _burst(LEGACY_POOL, 40) > 16  # what benchmarks compare against


def test_a_configured_proxy_keeps_httpx_own_transport(monkeypatch: pytest.MonkeyPatch) -> None:
    limits = PoolSettings().limits()
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    assert pooled_transport(httpx.create_ssl_context(), limits) is None
    monkeypatch.delenv("HTTPS_PROXY")
    for name in ("HTTP_PROXY", "ALL_PROXY", "https_proxy", "http_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    assert isinstance(pooled_transport(httpx.create_ssl_context(), limits), PooledTransport)
