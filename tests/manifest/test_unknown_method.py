"""A call whose method the scan could not tell is a possible write in the manifest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dmsa_migrate.cli import main


def _inventory(path: Path) -> Path:
    path.write_text(json.dumps({"schema": "dmsa-migrate/inventory/1", "accounts": [
        {"label": "erp", "client_id": "x", "companies": [
            {"id": 1, "permissions": {}, "projects": [
                {"id": 7, "permissions": {"rfi": "admin", "submittal_logs": "admin"}}]}]}]}),
        encoding="utf-8")
    return path


def test_unknown_method_is_never_narrowed_to_readonly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "code").mkdir()
    (tmp_path / "code" / "sync.py").write_text(
        "def sync(client, project_id):\n"
        "    client.send(f'/rest/v1.0/projects/{project_id}/rfis', verb=CONFIGURED)\n"
        "    client.get(f'/rest/v1.1/projects/{project_id}/submittals')\n"
    )
    scan = tmp_path / "scan.json"
    assert main(["scan", str(tmp_path / "code"), "--out", str(scan)]) == 0
    methods = {u["method"] for u in json.loads(scan.read_text())["usage"]}
    assert methods == {"UNKNOWN", "GET"}
    out = tmp_path / "manifest.json"
    code = main(["manifest", "--inventory", str(_inventory(tmp_path / "inv.json")),
                 "--usage", str(scan), "--mode", "least-privilege", "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    project = json.loads(out.read_text())["permissions"]["project"]
    assert project["submittal_logs"] == "readonly"  # a known GET narrows
    assert project["rfi"] in ("standard", "admin")  # unknown: a possible write, never GET
