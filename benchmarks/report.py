"""Markdown rendering of one benchmark run (printed by ``benchmarks.run``)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from benchmarks.bounds import Bound, TimeBound
from benchmarks.config import BenchConfig
from benchmarks.measure import PhaseResult

REQUEST_TARGET = 1.1
TIME_TARGET = 1.5


@dataclass
class StepFigures:
    """The tool's and the naive run's figures for one step, with its bounds."""

    step: str
    bound: Bound
    time: TimeBound
    tool: PhaseResult | None = None
    naive: PhaseResult | None = None
    tool_summary: dict[str, int] = field(default_factory=dict)
    naive_summary: dict[str, int] = field(default_factory=dict)


def _verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def ratio(value: float, bound: float) -> str:
    return f"{value / bound:.2f}×" if bound > 0 else "n/a"


def path_template(path: str) -> str:
    """``/rest/v1.0/companies/101/users/9001`` → ``/rest/v1.0/companies/{id}/users/{id}``."""
    return re.sub(r"/\d+", "/{id}", path)


def grouped_paths(paths: dict[str, int]) -> dict[str, int]:
    grouped: Counter[str] = Counter()
    for path, count in paths.items():
        grouped[path_template(path)] += count
    return dict(sorted(grouped.items()))


def step_table(config: BenchConfig, steps: list[StepFigures]) -> list[str]:
    """The figures against the targets, one row per step and measure."""
    scale = config.naive_scale
    lines = [
        "| step | measure | lower bound | tool | tool ÷ bound | target | naive (scaled ×"
        f"{scale:g}) | naive ÷ bound |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for s in steps:
        tool, naive = s.tool, s.naive
        if tool is None:
            continue
        n_req = f"{naive.requests * scale:,.0f}" if naive else "—"
        n_req_ratio = ratio(naive.requests * scale, s.bound.requests) if naive else "—"
        n_wall = f"{naive.wall_s * scale:,.1f} s" if naive else "—"
        n_wall_ratio = ratio(naive.wall_s * scale, s.time.bound_s) if naive else "—"
        n_429 = f"{naive.rate_limited * scale:,.0f}" if naive else "—"
        req_ok = tool.requests <= REQUEST_TARGET * s.bound.requests
        time_ok = tool.wall_s <= TIME_TARGET * s.time.bound_s
        lines += [
            f"| {s.step} | requests | {s.bound.requests:,} | {tool.requests:,} | "
            f"{ratio(tool.requests, s.bound.requests)} | ≤ 1.1× ({_verdict(req_ok)}) | "
            f"{n_req} | {n_req_ratio} |",
            f"| {s.step} | 429s received | 0 | {tool.rate_limited} | — | 0 "
            f"({_verdict(tool.rate_limited == 0)}) | {n_429} | — |",
            f"| {s.step} | wall time | {s.time.bound_s:,.2f} s | {tool.wall_s:,.2f} s | "
            f"{ratio(tool.wall_s, s.time.bound_s)} | ≤ 1.5× ({_verdict(time_ok)}) | "
            f"{n_wall} | {n_wall_ratio} |",
            f"| {s.step} | peak Python memory (tracemalloc) | — | {tool.peak_mib:,.1f} MiB "
            f"(process RSS high-water {tool.maxrss_mib:,.0f} MiB) | — | — | "
            + (f"{naive.peak_mib:,.1f} MiB (sample) | — |" if naive else "— | — |"),
            f"| {s.step} | CPU: client thread / whole process | — | {tool.cpu_client_s:.2f} s / "
            f"{tool.cpu_total_s:.2f} s | — | — | "
            + (f"{naive.cpu_client_s * scale:.2f} s / {naive.cpu_total_s * scale:.2f} s | — |"
               if naive else "— | — |"),
        ]
    return lines


def bound_lines(steps: list[StepFigures]) -> list[str]:
    lines = ["| step | bound parts | busiest bucket (bound / tool) | chain depth | rate-window "
             "bound | latency bound | sustained-rate figure |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for s in steps:
        parts = ", ".join(f"{k} {v:,}" for k, v in s.bound.parts.items())
        busiest_tool = s.tool.buckets[0] if s.tool and s.tool.buckets else 0
        busiest = max(s.bound.buckets, default=0)
        lines.append(
            f"| {s.step} | {parts} | {busiest} / {busiest_tool} | {s.bound.depth} | "
            f"{s.time.rate_s:.2f} s | {s.time.latency_s:.2f} s | {s.time.sustained_s:.1f} s |"
        )
    return lines


def path_lines(steps: list[StepFigures]) -> list[str]:
    lines = ["| step | run | requests by endpoint |", "| --- | --- | --- |"]
    for s in steps:
        for label, phase in (("tool", s.tool), ("naive sample", s.naive)):
            if phase is None:
                continue
            parts = ", ".join(f"`{p}` {n:,}" for p, n in grouped_paths(phase.paths).items())
            lines.append(f"| {s.step} | {label} | {parts} |")
    return lines


def render(
    config: BenchConfig,
    machine: dict[str, str],
    steps: list[StepFigures],
    tui: list[tuple[str, str, str]],
    notes: list[str],
) -> str:
    """The whole report as Markdown."""
    head = [
        f"## Benchmark run `{config.name}`",
        "",
        "Machine: " + ", ".join(f"{k} {v}" for k, v in machine.items()),
        "",
        f"World: {config.companies} companies × {config.projects_per_company} projects "
        f"({config.projects:,} projects), latency {config.latency_ms:g} ms, spike "
        f"{config.spike} per {config.spike_window_s:g} s, hourly {config.hourly:,} per "
        f"token/company, server page cap {config.max_per_page}. Served over HTTP on "
        "127.0.0.1 by the emulator in a thread of the benchmark process.",
        "",
        f"Naive baseline: {config.naive_sample} of {config.companies} companies, run one "
        f"request at a time; its requests, 429s and wall time are multiplied by "
        f"{config.naive_scale:g} (companies are identical, and it runs them one after "
        "another, so the scaling is linear). Its memory is the sample's.",
        "",
    ]
    body: list[str] = []
    if steps:
        body += ["### Inventory and verify", "", *step_table(config, steps), "",
                 "### Bounds", "", *bound_lines(steps), "",
                 "### Requests by endpoint", "", *path_lines(steps), ""]
        for s in steps:
            if s.tool_summary:
                body.append(f"- {s.step} result (tool): {_fmt(s.tool_summary)}")
            if s.naive_summary:
                body.append(f"- {s.step} result (naive sample): {_fmt(s.naive_summary)}")
        body.append("")
    if tui:
        body += ["### TUI", "", "| measure | value | note |", "| --- | --- | --- |"]
        body += [f"| {name} | {value} | {note} |" for name, value, note in tui]
        body.append("")
    if notes:
        body += ["### Notes", "", *[f"- {n}" for n in notes], ""]
    return "\n".join(head + body)


def _fmt(values: dict[str, Any]) -> str:
    return ", ".join(f"{k} {v:,}" if isinstance(v, int) else f"{k} {v}" for k, v in values.items())
