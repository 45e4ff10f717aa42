"""Retries: 5xx and lost connections back off with jitter; 429/503 wait as the server asks."""

from __future__ import annotations

import random
import re

import httpx
import pytest

from dmsa_migrate import errors
from dmsa_migrate.procore import RetryPolicy
from dmsa_migrate.procore.retry import retry_after_seconds

from ._fakes import FakeTime, json_answer, make_client, with_token

pytestmark = pytest.mark.anyio


def failing_then_ok(*failures: httpx.Response | Exception) -> tuple[list[float], object]:
    """A handler that answers the given failures first, then 200."""
    queue = list(failures)

    def handler(request: httpx.Request) -> httpx.Response:
        if queue:
            failure = queue.pop(0)
            if isinstance(failure, Exception):
                raise failure
            return failure
        return json_answer(200, {"ok": True})

    return [], handler


def test_backoff_doubles_with_jitter_and_is_capped() -> None:
    policy = RetryPolicy(base_delay_s=1, max_delay_s=8)
    rng = random.Random(1)
    for retry, step in [(1, 1), (2, 2), (3, 4), (4, 8), (9, 8)]:
        delays = [policy.backoff(retry, rng) for _ in range(50)]
        assert all(step / 2 <= d <= step for d in delays)
        assert len(set(delays)) > 1  # jitter: not all equal


async def test_server_errors_are_retried_with_growing_backoff() -> None:
    fake = FakeTime()
    _, handler = failing_then_ok(json_answer(500, {}), json_answer(502, {}), json_answer(504, {}))
    async with make_client(with_token(handler), fake) as client:  # type: ignore[arg-type]
        assert await client.get("/rest/v1.0/me") == {"ok": True}
    assert client.stats.retries == 3 and client.stats.server_errors == 3
    assert len(fake.sleeps) == 3
    assert 0.25 <= fake.sleeps[0] <= 0.5 and 0.5 <= fake.sleeps[1] <= 1 and 1 <= fake.sleeps[2] <= 2


async def test_retries_are_bounded_then_the_error_is_raised() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return json_answer(500, {"errors": "still broken"})

    async with make_client(with_token(handler), retry=RetryPolicy(max_attempts=3)) as client:
        with pytest.raises(errors.ServerError, match="still broken"):
            await client.get("/rest/v1.0/me")
    assert client.stats.server_errors == 3 and client.stats.retries == 2


async def test_total_time_bounds_retries() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return json_answer(502, {})

    policy = RetryPolicy(max_attempts=100, max_elapsed_s=5, base_delay_s=1, max_delay_s=2)
    fake = FakeTime()
    async with make_client(with_token(handler), fake, retry=policy) as client:
        with pytest.raises(errors.ServerError):
            await client.get("/rest/v1.0/me")
    assert sum(fake.sleeps) <= 5
    assert client.stats.retries < 10


async def test_dropped_connections_and_timeouts_are_retried() -> None:
    _, handler = failing_then_ok(httpx.RemoteProtocolError("dropped"), httpx.ReadTimeout("slow"))
    async with make_client(with_token(handler)) as client:  # type: ignore[arg-type]
        assert await client.get("/rest/v1.0/me") == {"ok": True}
    assert client.stats.transport_errors == 2 and client.stats.retries == 2


async def test_no_answer_after_retries_is_a_transport_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused")

    async with make_client(with_token(handler)) as client:
        with pytest.raises(errors.TransportError, match=re.escape("GET https://api.test/rest/v1.0/me")):
            await client.get("/rest/v1.0/me")


async def test_post_is_not_resent_after_a_server_error() -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return json_answer(500, {"errors": "maybe created"})

    async with make_client(with_token(handler)) as client:
        with pytest.raises(errors.ServerError):
            await client.request("POST", "/rest/v1.0/things", json={"a": 1})
    assert calls == 1


@pytest.mark.parametrize("status", [429, 503])
async def test_retry_after_is_honoured(status: int) -> None:
    fake = FakeTime()
    _, handler = failing_then_ok(json_answer(status, {}, {"Retry-After": "7"}))
    async with make_client(with_token(handler), fake) as client:  # type: ignore[arg-type]
        assert await client.get("/rest/v1.0/me") == {"ok": True}
    assert fake.sleeps and abs(sum(fake.sleeps) - 7) < 0.2
    assert client.stats.rate_limited == (1 if status == 429 else 0)
    assert client.stats.retries == 1


async def test_429_without_retry_after_waits_for_the_reset() -> None:
    fake = FakeTime()
    reset = str(int(fake.now) + 4)
    headers = {
        "X-Rate-Limit-Limit": "25",
        "X-Rate-Limit-Remaining": "0",
        "X-Rate-Limit-Reset": reset,
    }
    _, handler = failing_then_ok(json_answer(429, {}, headers))
    async with make_client(with_token(handler), fake) as client:  # type: ignore[arg-type]
        await client.get("/rest/v1.0/me")
    assert 4 <= sum(fake.sleeps) <= 4.5
    assert client.stats.rate_limit_waits == 1


def test_retry_after_accepts_seconds_and_http_dates() -> None:
    assert retry_after_seconds({"Retry-After": "3"}, 0) == 3
    assert retry_after_seconds({"Retry-After": "Thu, 01 Jan 1970 00:00:10 GMT"}, 4) == 6
    assert retry_after_seconds({"Retry-After": "soon"}, 0) is None
    assert retry_after_seconds({}, 0) is None
