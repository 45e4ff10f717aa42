"""The emulator clock: world time that moves with real time, or a hand-driven clock for tests.

Why: a world may be set "before the sunset" (``[world] now``) while tests still need token
expiry and rate-limit windows to move; tests that must not sleep drive a :class:`ManualClock`.
"""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    """Anything that tells the emulator the current time as UNIX seconds."""

    def now(self) -> float: ...


class WorldClock:
    """``base`` (the world's ``now``, or real time) plus the real time elapsed since start."""

    def __init__(self, base: float | None = None) -> None:
        self._base = time.time() if base is None else base
        self._start = time.monotonic()

    def now(self) -> float:
        return self._base + (time.monotonic() - self._start)


class ManualClock:
    """A clock that only moves when a test calls :meth:`advance` (or sets ``at``)."""

    def __init__(self, at: float = 1_739_620_800.0) -> None:
        self.at = at

    def now(self) -> float:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += seconds
