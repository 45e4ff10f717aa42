"""Pacing from ``X-Rate-Limit-*``: many concurrent requests, no 429."""

from __future__ import annotations

import asyncio
import math

import httpx
import pytest

from dmsa_migrate.procore.ratelimit import RateLimiter

from ._fakes import FakeTime, json_answer, make_client, with_token

pytestmark = pytest.mark.anyio


class FixedWindowServer:
    """A strict fixed-window limiter on the fake clock, answering after a few loop turns."""

    def __init__(self, fake: FakeTime, limit: int, window_s: float) -> None:
        self.fake = fake
        self.limit = limit
        self.window_s = window_s
        self.start: float | None = None
        self.count = 0
        self.served = 0
        self.refused = 0
        self.in_flight = 0
        self.max_in_flight = 0

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        for _ in range(3):
            await asyncio.sleep(0)  # let other requests overlap with this one
        self.in_flight -= 1
        now = self.fake.now
        if self.start is None or now >= self.start + self.window_s:
            self.start, self.count = now, 0
        reset = str(math.ceil(self.start + self.window_s))
        if self.count >= self.limit:
            self.refused += 1
            headers = {
                "X-Rate-Limit-Limit": str(self.limit),
                "X-Rate-Limit-Remaining": "0",
                "X-Rate-Limit-Reset": reset,
                "Retry-After": "1",
            }
            return json_answer(429, {"error": {"error": "slow down"}}, headers)
        self.count += 1
        self.served += 1
        headers = {
            "X-Rate-Limit-Limit": str(self.limit),
            "X-Rate-Limit-Remaining": str(self.limit - self.count),
            "X-Rate-Limit-Reset": reset,
        }
        return json_answer(200, {"n": int(request.url.params["n"])}, headers)


async def test_fan_out_paces_itself_and_never_meets_429() -> None:
    fake = FakeTime()
    server = FixedWindowServer(fake, limit=25, window_s=10)
    async with make_client(with_token(server), fake) as client:  # type: ignore[arg-type]
        results = await client.gather(
            (client.get("/rest/v1.0/projects", params={"n": n}) for n in range(120)), limit=16
        )
    assert [r["n"] for r in results] == list(range(120))
    assert server.refused == 0 and client.stats.rate_limited == 0
    assert client.stats.rate_limit_waits > 0 and client.stats.rate_limit_wait_s > 0
    assert server.max_in_flight > 1  # the pacing still lets requests overlap


async def test_first_request_probes_alone_then_the_bucket_opens() -> None:
    fake = FakeTime()
    limiter = RateLimiter(sleep=fake.sleep, clock=fake.clock)
    await limiter.acquire("k")
    second = asyncio.ensure_future(limiter.acquire("k"))
    await asyncio.sleep(0.01)
    assert not second.done()  # nothing known yet: only the probe may be in flight
    reset = str(int(fake.now) + 10)
    limiter.release(
        "k",
        {"X-Rate-Limit-Limit": "25", "X-Rate-Limit-Remaining": "3", "X-Rate-Limit-Reset": reset},
    )
    await asyncio.wait_for(second, 1)
    await asyncio.wait_for(limiter.acquire("k"), 1)
    await asyncio.wait_for(limiter.acquire("k"), 1)
    fourth = asyncio.ensure_future(limiter.acquire("k"))
    await asyncio.sleep(0.01)
    assert not fourth.done()  # 3 remaining, 3 in flight: no room
    fourth.cancel()


async def test_out_of_order_answers_keep_the_lowest_remaining() -> None:
    fake = FakeTime()
    limiter = RateLimiter(sleep=fake.sleep, clock=fake.clock)
    reset = str(int(fake.now) + 10)
    for remaining in ("1", "5"):  # the later answer is older news
        await limiter.acquire("k")
        limiter.release(
            "k",
            {
                "X-Rate-Limit-Limit": "25",
                "X-Rate-Limit-Remaining": remaining,
                "X-Rate-Limit-Reset": reset,
            },
        )
    await limiter.acquire("k")
    blocked = asyncio.ensure_future(limiter.acquire("k"))
    await asyncio.sleep(0.01)
    assert not blocked.done()
    blocked.cancel()


async def test_servers_without_rate_limit_headers_are_not_slowed_down() -> None:
    fake = FakeTime()
    limiter = RateLimiter(sleep=fake.sleep, clock=fake.clock)
    await limiter.acquire("k")
    limiter.release("k", {})
    for _ in range(50):
        await asyncio.wait_for(limiter.acquire("k"), 1)
    assert fake.sleeps == []


async def test_buckets_are_per_company_for_client_credentials() -> None:
    keys: list[object] = []
    async with make_client(with_token(lambda r: json_answer(200, {}))) as client:
        original = client._limiter.acquire

        async def spy(key: object) -> None:
            keys.append(key)
            await original(key)  # type: ignore[arg-type]

        client._limiter.acquire = spy  # type: ignore[method-assign]
        await client.get("/rest/v1.0/me", company_id=1)
        await client.get("/rest/v1.0/me", company_id=2)
    api_keys = [k for k in keys if isinstance(k, tuple) and k[0] == "api"]
    assert len(set(api_keys)) == 2
