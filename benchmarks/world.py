"""The benchmark world, its accounts file, and the emulator served on real loopback HTTP.

The emulator runs in a background thread of this process (``serve_in_thread``), so the
latency it adds is real sleeping on real sockets and concurrency is real. A small recorder
is wrapped around the emulator's rate limiter to count requests per rate-limit bucket, the
unit the time bound is computed from.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from collections.abc import Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from benchmarks.config import BenchConfig
from dmsa_migrate.emulator import Emulator, World, generate_world, serve_in_thread
from dmsa_migrate.emulator.generate import ADMIN_TOKEN
from dmsa_migrate.emulator.ratelimit import RateDecision
from dmsa_migrate.emulator.server import _Handler
from dmsa_migrate.emulator.world import Limits
from dmsa_migrate.inventory.demo import DemoServiceAccount, demo_accounts
from dmsa_migrate.models.accounts import AccountsFile
from dmsa_migrate.runtime import Connection, connection_from_options, expose_demo_secret


def build_world(config: BenchConfig) -> World:
    """The generated world of the configuration, on the real clock, TSAs still working.

    The emulator counts rate windows in world time. A world pinned to a past ``now`` makes
    the client's clock and the server's differ by months; the client learns the offset
    from token answers, but a user token (the Directory credential) has none, so its first
    window would end in a 429 that Procore, whose clock is the real one, never causes.
    The benchmark world therefore runs on real time, with the sunset moved a year past
    today so the old credentials still authenticate, as they did before 2025-03-18.
    """
    limits = Limits(
        hourly=config.hourly,
        spike=config.spike,
        spike_window_s=config.spike_window_s,
        latency_ms=config.latency_ms,
        max_per_page=config.max_per_page,
    )
    world = generate_world(config.companies, config.projects_per_company, now=None,
                           limits=limits)
    sunset = dt.date.today() + dt.timedelta(days=365)
    return world.model_copy(update={"world": world.world.model_copy(update={"sunset": sunset})})


def accounts_for(world: World, companies: int | None = None) -> AccountsFile:
    """An accounts file naming every TSA of the world (or the first ``companies``), with the
    admin token as the ``[directory]`` credential; secrets only as ``env:`` references."""
    names = {user.id: user.name for user in world.users}
    rows = sorted(world.service_accounts, key=lambda row: row.company_id)
    rows = rows[:companies] if companies is not None else rows
    accounts = [
        DemoServiceAccount(
            row.client_id, row.client_secret, row.company_id, row.user_id, names[row.user_id]
        )
        for row in rows
    ]
    return demo_accounts(accounts, ADMIN_TOKEN, expose_demo_secret)


@dataclass
class BucketRecorder:
    """Requests admitted per emulator rate-limit bucket (token, or token + company)."""

    admitted: Counter[Hashable] = field(default_factory=Counter)
    refused: Counter[Hashable] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def attach(self, emulator: Emulator) -> None:
        check = emulator.limiter.check

        def recording(key: Hashable, now: float) -> RateDecision:
            decision = check(key, now)
            with self.lock:
                (self.admitted if decision.allowed else self.refused)[key] += 1
            return decision

        emulator.limiter.check = recording  # type: ignore[method-assign]

    def snapshot(self) -> Counter[Hashable]:
        with self.lock:
            return Counter(self.admitted)


@dataclass(frozen=True)
class Counts:
    """What the emulator has seen so far: requests, 429s, requests per path template and
    per rate-limit bucket (picklable: it crosses from an emulator served in its own
    process)."""

    requests: int
    rate_limited: int
    paths: Counter[str]
    buckets: Counter[Hashable]
    cpu_s: float | None = None
    """CPU time of the emulator's process so far, when that process is its own."""


@dataclass
class Served:
    """A running emulator and a client connection to it."""

    emulator: Emulator
    connection: Connection
    buckets: BucketRecorder
    base_url: str

    def counts(self) -> Counts:
        stats = self.emulator.stats
        return Counts(stats.requests, stats.responses[429], Counter(stats.paths),
                      self.buckets.snapshot())


def disable_nagle() -> bool:
    """Answer without Nagle's delay; returns whether the emulator needed the change.

    The stdlib handler writes the headers and the body of an answer in two ``send`` calls.
    With Nagle's algorithm on, the body then waits for the client's delayed ACK: about
    40 ms per request on Linux loopback, which would dwarf the 30 ms latency being
    measured. ``TCP_NODELAY`` (the handler's ``disable_nagle_algorithm``) removes it.
    """
    if _Handler.disable_nagle_algorithm:
        return False
    _Handler.disable_nagle_algorithm = True
    return True


@contextmanager
def served(world: World) -> Iterator[Served]:
    """Serve ``world`` on 127.0.0.1 (a free port) for the duration of the block."""
    emulator = Emulator(world)
    recorder = BucketRecorder()
    recorder.attach(emulator)
    with serve_in_thread(emulator) as base_url:
        connection = connection_from_options(None, base_url, base_url)
        yield Served(emulator, connection, recorder, base_url)
