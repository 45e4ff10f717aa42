"""Bounded fan-out: at most ``limit`` at once, results in order, first error raised as is."""

from __future__ import annotations

import asyncio

import pytest

from dmsa_migrate.errors import NotFoundError
from dmsa_migrate.procore.fanout import bounded_gather, bounded_map

pytestmark = pytest.mark.anyio


async def test_map_bounds_concurrency_keeps_order_and_reports_progress() -> None:
    running = peak = 0
    progress: list[tuple[int, int]] = []

    async def work(n: int) -> int:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.001 * (n % 3))
        running -= 1
        return n * n

    results = await bounded_map(work, range(30), limit=4, on_progress=lambda *p: progress.append(p))
    assert results == [n * n for n in range(30)]
    assert peak == 4
    assert progress[-1] == (30, 30) and len(progress) == 30


async def test_first_failure_is_raised_and_unstarted_work_is_closed() -> None:
    started: list[int] = []

    async def work(n: int) -> int:
        started.append(n)
        await asyncio.sleep(0)
        if n == 2:
            raise NotFoundError("GET /x", 404)
        await asyncio.sleep(1)
        return n

    coroutines = [work(n) for n in range(20)]
    with pytest.raises(NotFoundError):
        await bounded_gather(coroutines, limit=3)
    assert len(started) < 20  # the rest never ran (and were closed: no warning)


async def test_empty_input() -> None:
    assert await bounded_gather([], limit=3) == []
