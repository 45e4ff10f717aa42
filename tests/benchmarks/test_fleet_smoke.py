"""The fleet benchmark still runs end to end on a tiny fleet; no timing is asserted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from benchmarks.fleet import main


def test_tiny_fleet_compares_legacy_gated_and_current(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    raw = tmp_path / "fleet.json"
    assert main(["--companies", "2", "--projects", "4", "--repeats", "1",
                 "--json", str(raw)]) == 0
    report = capsys.readouterr().out
    for variant in ("legacy", "gated", "current"):
        assert f"| 2 | verify | {variant} |" in report
    assert "current ÷ legacy" in report and "gated ÷ legacy" in report
    runs = json.loads(raw.read_text(encoding="utf-8"))
    verifies = [r for r in runs if r["step"] == "verify"]
    # every variant did the same work: the same requests for the same fleet
    assert len({r["requests"] for r in verifies}) == 1 and verifies[0]["requests"] > 2
    assert {r["variant"] for r in verifies} == {"legacy", "gated", "current"}
    assert all(r["startup_cpu_s"] > 0 for r in runs)  # start-up is measured, apart


def test_marginal_cpu_cancels_the_fixed_cost_of_a_step() -> None:
    from benchmarks.fleet import StepRun, marginal

    # 0.2 s fixed in every run, then 1 ms (legacy) or 0.25 ms (current) per request.
    runs = [StepRun("verify", variant, size, 1.0, 0.2 + per * requests, requests, 50.0)
            for variant, per in (("legacy", 0.001), ("current", 0.00025))
            for size, requests in ((10, 62), (100, 602))]
    (line,) = marginal(runs, [10, 100])
    assert "legacy 1.00 ms" in line and "current 0.25 ms" in line
    assert "current ÷ legacy = 0.25" in line
    assert marginal(runs, [10]) == []
