"""Bounded concurrency for fan-out work (e.g. one request per project).

Only ``limit`` items run at once; results come back in input order. The first failure
cancels the work still running and is raised as it is (a :class:`DmsaError`, not an
``ExceptionGroup``), so the CLI can print it; coroutines that never started are closed so
Python does not warn about them.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar

from dmsa_migrate.procore.stats import ProgressListener

T = TypeVar("T")
R = TypeVar("R")

DEFAULT_LIMIT = 8
"""Concurrent items by default: enough to hide latency, few enough to pace smoothly."""


async def bounded_map(
    fn: Callable[[T], Awaitable[R]],
    items: Iterable[T],
    *,
    limit: int = DEFAULT_LIMIT,
    on_progress: ProgressListener | None = None,
) -> list[R]:
    """``[await fn(item) for item in items]`` with at most ``limit`` running at once."""
    pending = list(enumerate(items))
    total = len(pending)
    results: list[Any] = [None] * total
    queue = iter(pending)
    done = 0

    async def worker() -> None:
        nonlocal done
        for index, item in queue:
            results[index] = await fn(item)
            done += 1
            if on_progress is not None:
                on_progress(done, total)

    workers = [asyncio.ensure_future(worker()) for _ in range(min(max(1, limit), total))]
    try:
        await asyncio.gather(*workers)
    except BaseException:
        for task in workers:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        raise
    return results


async def bounded_gather(
    awaitables: Iterable[Awaitable[T]],
    *,
    limit: int = DEFAULT_LIMIT,
    on_progress: ProgressListener | None = None,
) -> list[T]:
    """Await ``awaitables`` with at most ``limit`` in progress; results in input order."""
    todo = list(awaitables)

    async def run(awaitable: Awaitable[T]) -> T:
        return await awaitable

    try:
        return await bounded_map(run, todo, limit=limit, on_progress=on_progress)
    finally:
        for awaitable in todo:
            if inspect.iscoroutine(awaitable) and (
                inspect.getcoroutinestate(awaitable) == inspect.CORO_CREATED
            ):
                awaitable.close()
