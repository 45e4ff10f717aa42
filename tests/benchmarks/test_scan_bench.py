"""The scan benchmark still builds its tree and scans it (no timing is asserted)."""

from __future__ import annotations

import pytest
from benchmarks.scan_bench import main


def test_scan_bench_reports_every_figure(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--files", "120"]) == 0
    report = capsys.readouterr().out
    assert "| scan | files | 120 (of 120 written) |" in report
    assert "| scan | wall time (best of 1) |" in report
    assert "call sites" in report and "| scan | endpoints found | 0 |" not in report
