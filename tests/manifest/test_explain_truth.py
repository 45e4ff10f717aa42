"""What ``manifest`` says about its levels matches the evidence, through the real command.

The explanation must show the old-access rows that decided a level (cutting short only the
rows below it), and an ``exceeds_old_access`` finding may say "the old integration was
failing there" only when the Activity Report shows the 403s.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from dmsa_migrate.cli import main

from .conftest import demo_inventory_data

HEADER = "Date,Response Code,HTTP Method,Normalized Route,Count\n"


def _inventory(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "inventory.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_explain_shows_every_row_that_decided_the_old_level(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = demo_inventory_data()
    acme = data["accounts"][0]["companies"][0]
    acme["projects"] = [{"id": 1000 + n, "name": f"P{n}", "permissions": {"documents": "readonly"}}
                        for n in range(1, 13)]
    out = tmp_path / "manifest.json"
    code = main(["manifest", "--inventory", str(_inventory(tmp_path, data)), "--mode", "mirror",
                 "--out", str(out)])
    capsys.readouterr()
    assert code == 0
    explain = json.loads((tmp_path / "manifest.explain.json").read_text())
    documents = next(p for p in explain["permissions"]
                     if (p["scope"], p["tool"]) == ("project", "documents"))
    assert documents["level"] == "standard"
    # the two Cedar rows at Standard decided the level: both shown, though they come last
    assert [row for row in documents["old_access"] if row.endswith(": standard")] == [
        "cedar-doc-bridge: project 3001 (P3001): standard",
        "cedar-doc-bridge: project 3002 (P3002): standard",
    ]
    assert documents["old_access"][-1] == "... and 6 more at lower levels"


def _rfi_readonly(data: dict[str, Any]) -> dict[str, Any]:
    """The demo inventory with Acme's old account at read-only on RFIs (copied per project:
    the fixture's projects share one permissions dict)."""
    for project in data["accounts"][0]["companies"][0]["projects"]:
        project["permissions"] = {**project["permissions"], "rfi": "readonly"}
    return data


def _exceeds_message(tmp_path: Path, capsys: pytest.CaptureFixture[str], rows: str) -> str:
    data = _rfi_readonly(demo_inventory_data())
    report = tmp_path / "activity.csv"
    report.write_text(HEADER + rows, encoding="utf-8")
    code = main(["manifest", "--inventory", str(_inventory(tmp_path, data)), "--usage",
                 str(report), "--out", str(tmp_path / "manifest.json")])
    printed = capsys.readouterr().out
    assert code == 0
    (line,) = [line for line in printed.splitlines() if "[exceeds_old_access]" in line]
    return line


def test_a_refused_call_says_the_old_integration_was_failing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    line = _exceeds_message(
        tmp_path, capsys, "2025-02-01,403,POST,/v1.0/projects/:project_id/rfis,5\n")
    assert "5 call(s) answered 403, so the old integration was failing there" in line


def test_calls_answered_200_never_say_the_old_integration_was_failing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    line = _exceeds_message(
        tmp_path, capsys, "2025-02-01,201,POST,/v1.0/projects/:project_id/rfis,12\n")
    assert "failing" not in line
    assert "12 call(s) answered 2xx and none 403, so the old access was enough there" in line


def test_a_scan_alone_does_not_claim_the_old_integration_failed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _rfi_readonly(demo_inventory_data())
    data["usage"] = [{"method": "POST", "template": "/rest/v1.0/projects/{project_id}/rfis",
                      "source": "scan:sync.py:3"}]
    code = main(["manifest", "--inventory", str(_inventory(tmp_path, data)),
                 "--out", str(tmp_path / "manifest.json")])
    printed = capsys.readouterr().out
    assert code == 0
    (line,) = [line for line in printed.splitlines() if "[exceeds_old_access]" in line]
    assert "whether the old integration was failing there is not known" in line


def test_a_report_given_twice_is_counted_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], demo_activity_file: Path
) -> None:
    from dmsa_migrate.inventory.activity import read_activity_report

    data = demo_inventory_data()
    data["usage"] = [entry.model_dump(mode="json")
                     for entry in read_activity_report(demo_activity_file)]
    out = tmp_path / "manifest.json"
    code = main(["manifest", "--inventory", str(_inventory(tmp_path, data)),
                 "--usage", str(demo_activity_file), "--out", str(out)])
    printed = capsys.readouterr().out
    assert code == 0
    # the report holds 4 refused DELETEs: inventory usage and --usage are the same rows
    assert "the Activity Report shows 4 call(s) answered 403" in printed
    explain = json.loads((tmp_path / "manifest.explain.json").read_text())
    rfi = next(p for p in explain["permissions"] if p["tool"] == "rfi")
    counts = {item["method"]: item["count"] for item in rfi["evidence"]}
    assert counts == {"GET": 810, "POST": 12, "DELETE": 4}
