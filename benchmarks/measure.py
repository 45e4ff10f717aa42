"""Measuring one phase: wall time, requests and 429s seen by the emulator, per-bucket
counts, and peak memory.

Requests are counted by the emulator (the server side), so the client cannot under-report
them; the client's own count is kept beside it as a cross-check. Peak memory is the
tracemalloc peak of Python allocations made during the phase (client and the in-process
emulator's request handling; the world loaded before the phase is not counted), with the
process's resident-set high-water mark (``ru_maxrss``) next to it. CPU time is split into
the client's thread (the event loop) and the whole process (plus the emulator's threads):
client and emulator share one interpreter lock, so on a small machine their CPU adds up.
With the emulator in its own process (``benchmarks.run --emulator-process``) the whole
process is the tool, and the emulator's CPU is counted in its process.
"""

from __future__ import annotations

import resource
import sys
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from benchmarks.world import Counts
from dmsa_migrate.runtime import Connection

T = TypeVar("T")


class Counted(Protocol):
    """An emulator being served, in this process (``world.Served``) or its own
    (``run.RemoteServed``): a connection to it and what it has seen."""

    connection: Connection
    base_url: str

    def counts(self) -> Counts: ...


@dataclass
class PhaseResult:
    """What one phase cost."""

    name: str
    wall_s: float
    requests: int
    rate_limited: int
    peak_mib: float
    maxrss_mib: float
    buckets: list[int] = field(default_factory=list)
    paths: dict[str, int] = field(default_factory=dict)
    cpu_client_s: float = 0.0
    """CPU time of the thread running the client's event loop."""
    cpu_total_s: float = 0.0
    """CPU time of the whole process: the client plus the emulator's server threads."""
    cpu_emulator_s: float | None = None
    """CPU time of the emulator's own process (``None``: it ran in this one)."""
    client_requests: int | None = None
    note: str = ""


def _maxrss_mib() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return usage / (1024 * 1024) if sys.platform == "darwin" else usage / 1024


async def measure(
    name: str, served: Counted, work: Callable[[], Awaitable[T]], *, trace_memory: bool = True
) -> tuple[PhaseResult, T]:
    """Run ``work`` once and measure it against the served emulator."""
    before = served.counts()
    if trace_memory:
        tracemalloc.start()
    started = time.perf_counter()
    cpu_thread, cpu_process = time.thread_time(), time.process_time()
    try:
        value = await work()
    finally:
        wall = time.perf_counter() - started
        cpu_client = time.thread_time() - cpu_thread
        cpu_total = time.process_time() - cpu_process
        peak = tracemalloc.get_traced_memory()[1] if trace_memory else 0
        if trace_memory:
            tracemalloc.stop()
    after = served.counts()
    buckets = after.buckets - before.buckets
    paths = after.paths - before.paths
    result = PhaseResult(
        name=name,
        wall_s=wall,
        requests=after.requests - before.requests,
        rate_limited=after.rate_limited - before.rate_limited,
        peak_mib=peak / (1024 * 1024),
        maxrss_mib=_maxrss_mib(),
        buckets=sorted(buckets.values(), reverse=True),
        paths=dict(sorted(paths.items())),
        cpu_client_s=cpu_client,
        cpu_total_s=cpu_total,
        cpu_emulator_s=None if after.cpu_s is None or before.cpu_s is None
        else after.cpu_s - before.cpu_s,
    )
    return result, value
