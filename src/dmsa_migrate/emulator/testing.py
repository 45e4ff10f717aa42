"""Helpers for test suites that run the same checks in-process and over loopback.

Why here and not in tests/: the client helper's suite, the benchmarks and the emulator's own
tests all need the same "give me a base URL and a transport for this world" step.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any, Literal

from dmsa_migrate.emulator.app import Emulator
from dmsa_migrate.emulator.clock import Clock
from dmsa_migrate.emulator.server import serve_in_thread
from dmsa_migrate.emulator.world import World

INPROCESS_BASE_URL = "https://emulator.invalid"


@dataclass(frozen=True)
class Connection:
    """Where a client should talk to: ``transport`` is None for real HTTP (loopback)."""

    base_url: str
    transport: Any  # httpx.AsyncBaseTransport | None
    emulator: Emulator


class Connector:
    """Builds connections of one mode; :meth:`close` stops every loopback server it started."""

    def __init__(self, mode: Literal["inprocess", "loopback"]) -> None:
        self.mode = mode
        self._stack = contextlib.ExitStack()

    def __call__(self, world: World, clock: Clock | None = None) -> Connection:
        emulator = Emulator(world, clock=clock)
        if self.mode == "inprocess":
            return Connection(INPROCESS_BASE_URL, emulator.async_transport(), emulator)
        base_url = self._stack.enter_context(serve_in_thread(emulator))
        return Connection(base_url, None, emulator)

    def close(self) -> None:
        self._stack.close()
