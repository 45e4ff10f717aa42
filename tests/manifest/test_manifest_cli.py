"""``dmsa-migrate manifest``: files written, sidecar, reports and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dmsa_migrate.cli import main


def test_writes_manifest_and_sidecar(
    tmp_path: Path, demo_inventory_file: Path, demo_activity_file: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "out" / "manifest.json"
    code = main(["manifest", "--inventory", str(demo_inventory_file), "--usage",
                 str(demo_activity_file), "--out", str(out), "--explain",
                 "--instruction-notes", "Choose the ERP projects.",
                 "--instruction-url", "https://example.com/setup",
                 "--instruction-label", "Setup guide"])
    assert code == 0
    manifest = json.loads(out.read_text())
    assert manifest["schema_version"] == "4.1"
    assert manifest["post_installation_instruction"] == {
        "notes": "Choose the ERP projects.",
        "page": {"url": "https://example.com/setup", "label": "Setup guide"}}
    assert manifest["permissions"]["company"]["directory"] == "readonly"
    sidecar = json.loads((tmp_path / "out" / "manifest.explain.json").read_text())
    assert sidecar["schema"] == "dmsa-migrate/manifest-explain/1"
    assert sidecar["mode"] == "least-privilege"
    assert {p["tool"] for p in sidecar["permissions"]} >= {"rfi", "directory"}
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    printed = capsys.readouterr().out
    assert "project.daily_log = readonly: least privilege" in printed
    assert "[exceeds_old_access]" in printed


def test_stdout_manifest_and_findings_on_stderr(
    demo_inventory_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["manifest", "--inventory", str(demo_inventory_file), "--mode", "mirror"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["permissions"]["company"]["directory"] == "admin"
    assert "[company_directory_admin]" in captured.err


def test_missing_inventory_option_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["manifest"]) == 2
    assert "--inventory FILE or --session NAME is required" in capsys.readouterr().err


def test_unknown_level_in_inventory_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "inventory.json"
    bad.write_text(json.dumps({"schema": "dmsa-migrate/inventory/1", "accounts": [
        {"label": "a", "client_id": "x", "companies": [
            {"id": 1, "permissions": {"rfi": "write"}}]}]}), encoding="utf-8")
    assert main(["manifest", "--inventory", str(bad)]) == 2
    err = capsys.readouterr().err
    assert str(bad) in err and "accounts.0.companies.0.permissions.rfi" in err


def test_bad_csv_usage_exits_2_with_line(
    tmp_path: Path, demo_inventory_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv = tmp_path / "report.csv"
    csv.write_text("Date,Response Code,HTTP Method,Normalized Route,Count\n"
                   "2025-02-01,200,GET,/v1.0/me,lots\n", encoding="utf-8")
    assert main(["manifest", "--inventory", str(demo_inventory_file), "--usage", str(csv)]) == 2
    assert f"{csv}:2: Count" in capsys.readouterr().err


def test_generated_manifest_diffs_cleanly_against_mirror(
    tmp_path: Path, demo_inventory_file: Path, demo_activity_file: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    mirror, least = tmp_path / "mirror.json", tmp_path / "least.json"
    assert main(["manifest", "--inventory", str(demo_inventory_file), "--mode", "mirror",
                 "--out", str(mirror)]) == 0
    assert main(["manifest", "--inventory", str(demo_inventory_file), "--usage",
                 str(demo_activity_file), "--out", str(least)]) == 0
    assert main(["manifest", "diff", str(mirror), str(least)]) == 0
    assert main(["manifest", "diff", str(least), str(mirror)]) == 1
