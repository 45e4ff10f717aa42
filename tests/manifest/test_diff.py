"""``manifest diff OLD NEW``: each change kind, the widening gate, v3 and bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from dmsa_migrate.cli import main


def _write(path: Path, permissions: dict[str, Any], version: str = "4.1") -> Path:
    path.write_text(json.dumps({"schema_version": version, "permissions": permissions},
                               indent=2), encoding="utf-8")
    return path


@pytest.fixture
def old(tmp_path: Path) -> Path:
    return _write(tmp_path / "old.json", {
        "company": {"documents": "readonly", "home": "standard"},
        "project": {"rfi": "standard", "daily_log": "readonly"},
    })


@pytest.mark.parametrize(
    ("new_permissions", "kind", "widens"),
    [
        ({"company": {"documents": "readonly", "home": "standard", "directory": "readonly"},
          "project": {"rfi": "standard", "daily_log": "readonly"}}, "added", True),
        ({"company": {"documents": "readonly"},
          "project": {"rfi": "standard", "daily_log": "readonly"}}, "removed", False),
        ({"company": {"documents": "readonly", "home": "standard"},
          "project": {"rfi": "admin", "daily_log": "readonly"}}, "raised", True),
        ({"company": {"documents": "readonly", "home": "readonly"},
          "project": {"rfi": "standard", "daily_log": "readonly"}}, "lowered", False),
    ],
)
def test_each_change_kind_and_exit_code(
    tmp_path: Path, old: Path, new_permissions: dict[str, Any], kind: str, widens: bool,
    capsys: pytest.CaptureFixture[str],
) -> None:
    new = _write(tmp_path / "new.json", new_permissions)
    assert main(["manifest", "diff", str(old), str(new), "--json"]) == (1 if widens else 0)
    data = json.loads(capsys.readouterr().out)
    assert data["widens"] is widens
    assert [change["change"] for change in data["changes"]] == [kind]


def test_identical_manifests_exit_0_with_text_report(
    old: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["manifest", "diff", str(old), str(old)]) == 0
    out = capsys.readouterr().out
    assert "no permission changes" in out and "does not widen" in out


def test_text_report_lists_changes(tmp_path: Path, old: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    new = _write(tmp_path / "new.json", {"company": {"documents": "admin"},
                                         "project": {"rfi": "standard", "daily_log": "none"}})
    assert main(["manifest", "diff", str(old), str(new)]) == 1
    out = capsys.readouterr().out
    assert "^ company.documents: readonly -> admin (raised)" in out
    assert "- company.home: standard -> - (removed)" in out
    assert "- project.daily_log: readonly -> - (removed)" in out
    assert "NEW widens access over OLD" in out


def test_legacy_v3_permissions_inside_the_oauth_component(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    legacy = tmp_path / "v3.json"
    legacy.write_text(json.dumps({
        "schema_version": "3.2",
        "components": {"oauth": {"instances": [{"grant_type": "client_credentials",
                                                "permissions": {"project": {"rfi": "admin"}}}]}},
    }), encoding="utf-8")
    new = _write(tmp_path / "new.json", {"project": {"rfi": "standard"}})
    assert main(["manifest", "diff", str(legacy), str(new), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["old_schema_version"] == "3.2"
    assert data["changes"] == [{"scope": "project", "tool": "rfi", "change": "lowered",
                                "old": "admin", "new": "standard"}]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"schema_version": "4.1", "permissions": {"project": {\n"rfi": "write"}}}',
         ":2: permissions.project.rfi: unknown level 'write'"),
        ('{"permissions": {}}', "schema_version: missing"),
        ('{"schema_version": "4.1", "permissions": {"global": {}}}', "unknown scope"),
        ('{"schema_version": "9"}', "unsupported"),
        ('{"schema_version": "4.1",\n "permissions": }', ":2: invalid JSON"),
    ],
)
def test_bad_manifest_exits_2_naming_file_and_field(
    tmp_path: Path, old: Path, content: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(content, encoding="utf-8")
    assert main(["manifest", "diff", str(old), str(bad)]) == 2
    err = capsys.readouterr().err
    assert str(bad) in err and message in err and "Traceback" not in err
