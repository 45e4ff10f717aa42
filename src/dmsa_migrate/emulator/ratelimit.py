"""Procore-style rate limiting: an hourly and a spike window per token (per company for DMSA).

Every answer carries ``X-Rate-Limit-Limit``/``-Remaining``/``-Reset`` for whichever window is
closer to exhaustion (Procore's rule); a request over either limit gets 429 and
``Retry-After``. Windows are fixed: they start at the first request and reset after their
length, which matches the "UNIX time when the window resets" the header promises.
"""

from __future__ import annotations

import math
from collections.abc import Hashable
from dataclasses import dataclass


@dataclass
class _Window:
    limit: int
    length: float
    start: float | None = None
    count: int = 0

    def roll(self, now: float) -> None:
        if self.start is None or now >= self.start + self.length:
            self.start = now
            self.count = 0

    @property
    def reset(self) -> float:
        return (self.start or 0.0) + self.length

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.count)


@dataclass(frozen=True)
class RateDecision:
    """The outcome of one request against its bucket, and the headers to report."""

    allowed: bool
    limit: int
    remaining: int
    reset: int
    retry_after: int

    def headers(self) -> list[tuple[str, str]]:
        return [
            ("X-Rate-Limit-Limit", str(self.limit)),
            ("X-Rate-Limit-Remaining", str(self.remaining)),
            ("X-Rate-Limit-Reset", str(self.reset)),
        ]


class RateLimiter:
    """Buckets keyed by token (or token + company); not thread-safe: the emulator locks."""

    def __init__(self, hourly: int, hourly_window_s: float, spike: int, spike_window_s: float):
        self._config = (hourly, hourly_window_s, spike, spike_window_s)
        self._buckets: dict[Hashable, tuple[_Window, _Window]] = {}

    def check(self, key: Hashable, now: float) -> RateDecision:
        """Count one request for ``key`` unless a window is exhausted."""
        hourly, hourly_s, spike, spike_s = self._config
        if key not in self._buckets:
            self._buckets[key] = (_Window(hourly, hourly_s), _Window(spike, spike_s))
        windows = self._buckets[key]
        for window in windows:
            window.roll(now)
        full = [w for w in windows if w.remaining == 0]
        if full:
            blocking = max(full, key=lambda w: w.reset)
            return self._decision(False, blocking, now)
        for window in windows:
            window.count += 1
        hourly_w, spike_w = windows
        closer = hourly_w if _fraction(hourly_w) < _fraction(spike_w) else spike_w
        return self._decision(True, closer, now)

    @staticmethod
    def _decision(allowed: bool, window: _Window, now: float) -> RateDecision:
        wait = max(1, math.ceil(window.reset - now))
        return RateDecision(allowed, window.limit, window.remaining, math.ceil(window.reset), wait)


def _fraction(window: _Window) -> float:
    return window.remaining / window.limit
