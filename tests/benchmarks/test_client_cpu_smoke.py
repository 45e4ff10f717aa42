"""The client-only benchmark still runs end to end on a tiny fleet; no timing is asserted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from benchmarks.client_cpu import main


def test_tiny_fleet_sends_the_same_requests_through_every_client(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    raw = tmp_path / "client.json"
    assert main(["--companies", "3", "--repeats", "1", "--json", str(raw)]) == 0
    report = capsys.readouterr().out
    for variant in ("legacy", "gated", "current"):
        assert f"| 3 | {variant} | 1 | 6 |" in report
    assert "current ÷ legacy" in report
    runs = json.loads(raw.read_text(encoding="utf-8"))
    assert {r["variant"] for r in runs} == {"legacy", "gated", "current"}
    assert all(r["requests"] == 6 and r["cpu_s"] > 0 for r in runs)
