"""``verify --junit FILE``: one JUnit test case per company, for CI dashboards."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from dmsa_migrate.cli import main
from dmsa_migrate.emulator import Emulator, load_world, serve_in_thread
from dmsa_migrate.verify.fleet import FleetRow
from dmsa_migrate.verify.junit import fleet_junit

from .test_cli import _args, files  # noqa: F401  (the fixture)


def _cases(path: Path) -> dict[str, ET.Element]:
    root = ET.parse(path).getroot()
    return {case.get("name", ""): case for case in root.iter("testcase")}


def test_each_company_is_a_case_that_fails_as_the_summary_says(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]  # noqa: F811
) -> None:
    report, stem = files["dir"] / "verify.xml", files["dir"] / "fleet"
    with serve_in_thread(Emulator(load_world("demo"))) as url:
        code = main(_args(files, url, "--manifest", str(files["manifest"]),
                          "--summary", str(stem), "--junit", str(report)))
    assert code == 1
    rows = json.loads((files["dir"] / "fleet.json").read_text(encoding="utf-8"))["rows"]
    cases = _cases(report)
    assert set(cases) == {f"{row['company']} ({row['company_id']})" for row in rows}
    for row in rows:
        case = cases[f"{row['company']} ({row['company_id']})"]
        failing = not row["ok"] or row["lost_since_last_run"] > 0
        assert (case.find("failure") is not None) == failing, row
    root = ET.parse(report).getroot()
    assert root.get("tests") == str(len(rows))
    assert root.get("failures") == str(sum(not r["ok"] or r["lost_since_last_run"] for r in rows))
    assert f"wrote {report}" in capsys.readouterr().err


def _row(**changes: object) -> FleetRow:
    base = dict(company_id=7, company="Acme", install_status="installed", permitted_projects=3,
                old_projects=3, lost_since_last_run=0, permission_gaps=0, errors=0, ok=True)
    return FleetRow(**{**base, **changes})  # type: ignore[arg-type]


def test_an_unread_company_is_an_error_and_lost_projects_fail() -> None:
    text = fleet_junit([
        _row(), _row(company_id=8, lost_since_last_run=2),
        _row(company_id=9, install_status="unread", unread_reason="503 from Procore",
             permitted_projects=0, old_projects=0),
    ], "2026-12-03T00:00:00Z")
    root = ET.fromstring(text)
    cases = {case.get("name"): case for case in root.iter("testcase")}
    assert cases["Acme (7)"].find("failure") is None and cases["Acme (7)"].find("error") is None
    assert "2 project(s) lost" in cases["Acme (8)"].find("failure").get("message", "")  # type: ignore[union-attr]
    assert "503 from Procore" in cases["Acme (9)"].find("error").get("message", "")  # type: ignore[union-attr]
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("3", "1", "1")


def test_a_hostile_company_name_stays_well_formed_xml() -> None:
    name = 'Acme <script>&"\x07\x1b[2J\ufffe'
    root = ET.fromstring(fleet_junit([_row(company=name, ok=False, permission_gaps=1)], "t"))
    (case,) = root.iter("testcase")
    shown = case.get("name", "")
    assert "<script>&" in shown  # escaped by the writer, read back as written
    assert "\x07" not in shown and "\x1b" not in shown and "\ufffe" not in shown
