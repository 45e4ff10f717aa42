"""What one benchmark run measures: the world's shape and limits, and which parts to run.

Two presets: ``FULL`` is the issue's configuration (20 companies x 500 projects, 30 ms
latency, 25 requests per 10 s spike window, 3,600 per hour); ``QUICK`` keeps every
mechanism (rate-limit waits included) but shrinks the world and the spike window so the
whole run takes a couple of minutes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class BenchConfig:
    """One run's configuration; every field can be overridden on the command line."""

    name: str
    companies: int
    projects_per_company: int
    latency_ms: float
    spike: int
    spike_window_s: float
    hourly: int
    max_per_page: int = 100
    naive_companies: int = 2
    """Companies the naive baseline covers; its figures are scaled up to ``companies``."""
    tui_rows: int = 10_000
    page_downs: int = 30
    run_tool: bool = True
    run_naive: bool = True
    run_tui: bool = True
    emulator_process: bool = False
    """Serve the emulator from its own process for the tool's runs (its CPU is not the
    tool's; the default shares this process, as the runs before 2026-12-03 did)."""

    @property
    def projects(self) -> int:
        return self.companies * self.projects_per_company

    @property
    def naive_sample(self) -> int:
        return max(1, min(self.naive_companies, self.companies))

    @property
    def naive_scale(self) -> float:
        """Factor from the naive sample to the whole world (companies are identical)."""
        return self.companies / self.naive_sample

    def with_overrides(self, **changes: object) -> BenchConfig:
        kept = {key: value for key, value in changes.items() if value is not None}
        return replace(self, **kept)  # type: ignore[arg-type]


FULL = BenchConfig(
    name="full",
    companies=20,
    projects_per_company=500,
    latency_ms=30.0,
    spike=25,
    spike_window_s=10.0,
    hourly=3600,
    naive_companies=2,
)

QUICK = BenchConfig(
    name="quick",
    companies=5,
    projects_per_company=200,
    latency_ms=10.0,
    spike=25,
    spike_window_s=1.0,
    hourly=3600,
    naive_companies=2,
    tui_rows=10_000,
    page_downs=20,
)
