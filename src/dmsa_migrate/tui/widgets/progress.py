"""Live progress of a long run: units done, requests, rate, 429 waits, ETA, cancel.

The step code reports through the Procore client's ``on_event`` hook; the events arrive
on the event loop (the workers are async), so :class:`RunStats` only counts and this
widget redraws from it on a timer, not on every event.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, ProgressBar, Static

from dmsa_migrate.procore import ClientEvent


@dataclass
class RunStats:
    """Counters of one run, fed by client events and step progress.

    ``clock`` is injectable so the line (rate, ETA) is tested without waiting.
    """

    requests: int = 0
    pages: int = 0
    retries: int = 0
    rate_limit_waits: int = 0
    waited_s: float = 0.0
    done: int = 0
    total: int = 0
    stage: str = ""
    clock: Callable[[], float] = time.monotonic
    started: float = field(default=-1.0)

    def __post_init__(self) -> None:
        if self.started < 0:
            self.started = self.clock()

    def on_event(self, event: ClientEvent) -> None:
        """Count one client event (the ``on_event`` hook)."""
        if event.kind == "request":
            self.requests += 1
        elif event.kind == "page":
            self.pages += 1
        elif event.kind == "retry":
            self.retries += 1
        elif event.kind == "rate_limit_wait":
            self.rate_limit_waits += 1
            self.waited_s += event.seconds

    def eta(self, elapsed: float) -> float | None:
        """Seconds left at the pace so far (``None`` before the first unit is done)."""
        if not self.total or not self.done or self.done >= self.total or elapsed <= 0:
            return None
        return elapsed / self.done * (self.total - self.done)

    def line(self) -> str:
        """``3/8 · 57 requests · 4.2 req/s · 429 waits 1 (2.0 s) · ETA 9 s`` (no secrets)."""
        elapsed = max(self.clock() - self.started, 0.0)
        parts = []
        if self.total:
            parts.append(f"{self.done}/{self.total}")
        parts.append(f"{self.requests} requests")
        if elapsed > 0:
            parts.append(f"{self.requests / elapsed:.1f} req/s")
        parts.append(f"429 waits {self.rate_limit_waits} ({self.waited_s:.1f} s)")
        if self.retries:
            parts.append(f"{self.retries} retries")
        eta = self.eta(elapsed)
        parts.append(f"ETA {duration(eta)}" if eta is not None else f"{duration(elapsed)} so far")
        return " · ".join(parts)


def duration(seconds: float) -> str:
    """``9 s``, ``2 min 5 s``: short enough for the progress line."""
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    return f"{whole // 60} min {whole % 60} s"


class RunProgress(Horizontal):
    """Shown while a step runs: what it is doing, the counters, and a Cancel button."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="run-progress")
        self.stats = RunStats()
        self.display = False

    def compose(self) -> ComposeResult:
        yield ProgressBar(total=None, show_eta=False, show_percentage=False, id="run-bar")
        yield Static("", id="run-line", classes="run-line", markup=False)
        yield Button("Cancel (c)", id="run-cancel", variant="warning", compact=True)

    def start(self, stage: str) -> RunStats:
        """Show the panel with fresh counters; returns them for the worker to feed."""
        self.stats = RunStats(stage=stage)
        self.display = True
        self._redraw()
        self._timer = self.set_interval(0.2, self._redraw)
        return self.stats

    def stop(self) -> None:
        """Hide the panel."""
        timer = getattr(self, "_timer", None)
        if timer is not None:
            timer.stop()
        self.display = False

    def _redraw(self) -> None:
        stats = self.stats
        bar = self.query_one(ProgressBar)
        if stats.total:
            bar.update(total=stats.total, progress=stats.done)
        stage = f"{stats.stage}: " if stats.stage else ""
        self.query_one("#run-line", Static).update(stage + stats.line())

    def snapshot_line(self) -> str:
        """What the progress line says now (tests and the help read it)."""
        return str(self.query_one("#run-line", Static).render())
