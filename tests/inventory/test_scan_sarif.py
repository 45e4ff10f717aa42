"""``scan --sarif FILE``: the findings as SARIF 2.1.0 for code-scanning dashboards."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dmsa_migrate.cli import main

SECRET = "Zq8wK2mVx7RbT4nLp9sJd3HfG6yUc1Ea"
LEVELS = {"error", "warning", "note", "none"}


def _tree(root: Path) -> Path:
    (root / "config").mkdir(parents=True)
    (root / "config" / "procore.yml").write_text(
        f"procore:\n  client_id: tsa-acme-sync-4f1b9c2e7d\n  client_secret: {SECRET}\n",
        encoding="utf-8")
    (root / "sync.py").write_text(
        "import requests\n"
        "API = 'https://api.procore.com'\n"
        "def go(pid, url_of):\n"
        "    requests.get(API + f'/rest/v1.0/projects/{pid}/rfis')\n"
        "    requests.get(API + '/vapid/projects')\n"
        "    requests.get(API + f'/rest/v1.0/projects/{pid}/teleporters')\n"
        "    requests.get(url_of(pid))  # procore\n",
        encoding="utf-8")
    return root


def _sarif(tmp_path: Path, *extra: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    target = tmp_path / "scan.sarif"
    code = main(["scan", str(tmp_path / "code"), "--sarif", str(target), *extra])
    return code, json.loads(target.read_text(encoding="utf-8"))


def test_every_finding_is_a_result_on_its_line(tmp_path: Path) -> None:
    _tree(tmp_path / "code")
    code, log = _sarif(tmp_path)
    assert code == 1  # the same exit as without --sarif: a new credential
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    rules = {rule["id"] for rule in run["tool"]["driver"]["rules"]}
    found = {(r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
              r["locations"][0]["physicalLocation"]["region"]["startLine"], r["level"])
             for r in run["results"]}
    assert found == {
        ("procore-client-id", "config/procore.yml", 2, "warning"),
        ("procore-client-secret", "config/procore.yml", 3, "error"),
        ("procore-vapid-endpoint", "sync.py", 5, "warning"),
        ("procore-unmapped-endpoint", "sync.py", 6, "note"),
        ("procore-blind-spot", "sync.py", 7, "note"),
    }
    assert {r["ruleId"] for r in run["results"]} == rules  # each rule used is described
    assert all(r["level"] in LEVELS and r["message"]["text"] for r in run["results"])


def test_no_credential_value_reaches_the_file(tmp_path: Path) -> None:
    _tree(tmp_path / "code")
    _sarif(tmp_path)
    text = (tmp_path / "scan.sarif").read_text(encoding="utf-8")
    assert SECRET not in text and SECRET[:12] not in text
    assert "tsa-acme-sync-4f1b9c2e7d" not in text  # client ids are masked too


def test_baselined_credentials_stay_as_unchanged_notes(tmp_path: Path) -> None:
    _tree(tmp_path / "code")
    baseline = tmp_path / "baseline.json"
    assert main(["scan", str(tmp_path / "code"), "--write-baseline", str(baseline)]) == 1
    code, log = _sarif(tmp_path, "--baseline", str(baseline))
    assert code == 0
    secrets = [r for r in log["runs"][0]["results"] if r["ruleId"].startswith("procore-client")]
    assert {(r["level"], r.get("baselineState")) for r in secrets} == {("note", "unchanged")}
    fingerprints = {r["partialFingerprints"]["dmsaMigrateFingerprint/v1"] for r in secrets}
    assert fingerprints == set(json.loads(baseline.read_text())["fingerprints"])


def test_a_folder_as_the_sarif_path_is_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _tree(tmp_path / "code")
    code = main(["scan", str(tmp_path / "code"), "--sarif", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err and str(tmp_path) in err
