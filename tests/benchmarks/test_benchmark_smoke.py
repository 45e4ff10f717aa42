"""The benchmark script still runs end to end (on a tiny world); no timing is asserted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from benchmarks.run import main

TINY = [
    "--quick", "--companies", "2", "--projects", "12", "--latency-ms", "0",
    "--spike-window", "0.5", "--naive-companies", "1", "--tui-rows", "200",
    "--page-downs", "2",
]


def test_quick_run_reports_every_figure(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, raw = tmp_path / "report.md", tmp_path / "figures.json"
    assert main([*TINY, "--out", str(out), "--json", str(raw)]) == 0

    report = capsys.readouterr().out
    assert out.read_text(encoding="utf-8").strip() == report.strip()
    for needle in ("| inventory | requests |", "| verify | 429s received |",
                   "| verify | wall time |", "peak Python memory", "session picker interactive",
                   "DataTable 200 rows: page-down step", "scaled ×2"):
        assert needle in report

    figures = json.loads(raw.read_text(encoding="utf-8"))
    inventory, verify = figures["steps"]
    assert inventory["tool_summary"]["projects_with_levels"] == 12  # 6 TSA projects x 2
    assert verify["tool_summary"]["matched_projects"] == 12
    # the naive way asks per project, so even its one-company sample costs more requests
    assert inventory["naive"]["requests"] > inventory["tool"]["requests"] / 2
    assert inventory["naive_summary"]["projects_with_levels"] == 6


def test_emulator_in_its_own_process_counts_every_request_of_the_tool(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    raw = tmp_path / "figures.json"
    assert main([*TINY, "--no-naive", "--no-tui", "--emulator-process", "--json", str(raw)]) == 0
    report = capsys.readouterr().out
    assert "served from its own process" in report
    figures = json.loads(raw.read_text(encoding="utf-8"))
    for step in figures["steps"]:
        tool = step["tool"]
        # Counted by the emulator in its process, and the same as the client's own count.
        assert tool["requests"] == tool["client_requests"] == step["bound"]["requests"]
        assert tool["rate_limited"] == 0 and tool["cpu_emulator_s"] > 0
    assert figures["steps"][0]["tool_summary"]["projects_with_levels"] == 12
