"""``dmsa-migrate demo --headless --out DIR``: the whole pipeline on the built-in worlds."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import stat
from pathlib import Path

import pytest

from dmsa_migrate.cli import main

SEVEN_FILES = [
    "inventory.json", "manifest.json", "verification.json",
    "checklist.md", "checklist.html", "checklist.json", "checklist.csv",
]
WORLD_SECRETS = [
    "tsa-secret-acme-erp-5b9e1f7a3c2d",
    "tsa-secret-bayview-rpt-8e2c4a6d0f1b",
    "tsa-secret-cedar-docs-1d7f3b9e5a0c",
    "dmsa-secret-acme-sync-7c3e9a1f5b2d",
    "demo-admin-token-dana-3f9a1c7e5b",
]


@pytest.fixture(scope="module")
def demo_out(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    out = tmp_path_factory.mktemp("demo") / "out"
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        assert main(["demo", "--headless", "--out", str(out)]) == 0
    return out, stdout.getvalue(), stderr.getvalue()


def _items(out: Path) -> dict[tuple[int, str], dict[str, str]]:
    data = json.loads((out / "checklist.json").read_text())
    return {(item["company_id"], item["item_id"]): item for item in data["items"]}


def test_writes_the_seven_files_privately_and_lists_them(demo_out: tuple[Path, str, str]) -> None:
    out, stdout, _ = demo_out
    assert sorted(p.name for p in out.iterdir()) == sorted(SEVEN_FILES)
    assert stdout.split() == [str(out / name) for name in SEVEN_FILES]
    for name in SEVEN_FILES:
        assert stat.S_IMODE((out / name).stat().st_mode) == 0o600


def test_inventory_shows_every_account_and_its_evidence(demo_out: tuple[Path, str, str]) -> None:
    inventory = json.loads((demo_out[0] / "inventory.json").read_text())
    status = {a["label"]: (a["status"], set(a["sources"])) for a in inventory["accounts"]}
    assert status["erp-sync"] == ("active", {"live", "directory", "scan"})
    assert status["reporting-export"][0] == "active"
    assert status["document-bridge"] == ("rejected", {"directory"})
    assert {u["source"].split(":")[0] for u in inventory["usage"]} == {"activity", "scan"}


def test_verification_finds_the_planted_problems(demo_out: tuple[Path, str, str]) -> None:
    verification = json.loads((demo_out[0] / "verification.json").read_text())
    companies = {c["id"]: c for c in verification["companies"]}
    assert verification["ok"] is False
    assert companies[101]["missing_projects"] == [1008]
    assert "manual_directory_edit" in {f["code"] for f in companies[101]["findings"]}
    assert companies[202]["missing_projects"] == []
    assert companies[303]["status"] == "disconnected"


def test_checklist_shows_planted_problems_as_open_items(demo_out: tuple[Path, str, str]) -> None:
    items = _items(demo_out[0])
    missing = items[(101, "permitted-projects")]
    assert missing["status"] == "pending"
    assert "1008" in missing["evidence"]
    assert items[(101, "no-manual-directory-edits")]["status"] == "pending"
    assert items[(303, "app-installed")]["status"] == "blocked"
    assert items[(101, "app-installed")]["status"] == "done"


def test_csv_and_json_exports_carry_the_same_rows(demo_out: tuple[Path, str, str]) -> None:
    with (demo_out[0] / "checklist.csv").open(newline="") as handle:
        rows = {(int(r["company_id"]), r["item_id"]): r["status"] for r in csv.DictReader(handle)}
    assert rows == {key: item["status"] for key, item in _items(demo_out[0]).items()}


def test_no_world_secret_in_any_output(demo_out: tuple[Path, str, str]) -> None:
    out, stdout, stderr = demo_out
    texts = [stdout, stderr] + [(out / name).read_text() for name in SEVEN_FILES]
    for secret in WORLD_SECRETS:
        assert not any(secret in text for text in texts), secret


def test_post_sunset_world_rejects_every_old_credential(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(["demo", "--headless", "--world", "post-sunset", "--out", str(out)]) == 0
    inventory = json.loads((out / "inventory.json").read_text())
    assert {a["status"] for a in inventory["accounts"]} == {"rejected"}
    assert all(a["companies"] and a["companies"][0]["projects"] for a in inventory["accounts"])


def test_headless_without_out_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--headless"]) == 2
    assert "--out" in capsys.readouterr().err
