"""``--activity LABEL=FILE``: a report tied to one old account speaks for that account only.

Run end to end (inventory over the loopback emulator, then manifest), because what a user
notices is the manifest's levels: a report about one integration must not narrow a tool
another account held and nothing says that account stopped using.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from dmsa_migrate.cli import main
from dmsa_migrate.emulator import Emulator, World, serve_in_thread

REPORT = (
    "Date,Response Code,HTTP Method,Normalized Route,Count\n"
    "2025-02-01,200,GET,/v1.0/folders,51\n"
    "2025-02-01,200,GET,/v1.0/projects/:project_id/daily_logs,40\n"
)


@pytest.fixture
def report(tmp_path: Path) -> Path:
    """An Activity Report of the ERP sync's own calls."""
    path = tmp_path / "erp-activity.csv"
    path.write_text(REPORT, encoding="utf-8")
    return path


@pytest.fixture
def served(demo_world: World):
    with serve_in_thread(Emulator(demo_world)) as base_url:
        yield base_url


def _run(served: str, accounts: Path, spec: str, out: Path) -> tuple[dict[str, Any], ...]:
    inventory, manifest = out / "inventory.json", out / "manifest.json"
    out.mkdir()
    assert main(["inventory", "--accounts", str(accounts), "--api-base", served,
                 "--activity", spec, "--out", str(inventory)]) == 0
    assert main(["manifest", "--inventory", str(inventory), "--out", str(manifest)]) == 0
    explain = json.loads((out / "manifest.explain.json").read_text())
    return (json.loads(inventory.read_text()), json.loads(manifest.read_text()), explain)


def test_a_report_tied_to_one_account_lowers_only_that_accounts_levels(
    served: str, demo_world: World, write_accounts, tmp_path: Path, report: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    accounts = write_accounts(demo_world)
    _, untied, _ = _run(served, accounts, str(report), tmp_path / "untied")
    inventory, tied, explain = _run(served, accounts, f"erp-sync={report}", tmp_path / "tied")
    capsys.readouterr()
    # control: a report for the whole integration narrows every account's documents
    assert untied["permissions"]["project"]["documents"] == "readonly"
    # tied to erp-sync, it says nothing about document-bridge, whose Standard is kept
    assert tied["permissions"]["project"]["documents"] == "standard"
    # ... while erp-sync's own Standard on daily logs is narrowed by its report
    assert tied["permissions"]["project"]["daily_log"] == "readonly"
    documents = next(p for p in explain["permissions"]
                     if (p["scope"], p["tool"]) == ("project", "documents"))
    assert documents["basis"] == "kept-no-usage-evidence"
    assert "document-bridge" in documents["reason"] and "erp-sync" in documents["reason"]
    assert any(item["accounts"] == ["erp-sync"] for item in documents["evidence"])
    sources = {account["label"]: account["sources"] for account in inventory["accounts"]}
    assert "activity" in sources["erp-sync"]
    assert not any("activity" in sources[label] for label in sources if label != "erp-sync")
    tied_to = {u.get("account") for u in inventory["usage"] if u["source"].startswith("activity:")}
    assert tied_to == {"erp-sync"}


def test_a_mistyped_label_names_the_labels_instead_of_a_missing_file(
    served: str, demo_world: World, write_accounts, tmp_path: Path, report: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(["inventory", "--accounts", str(write_accounts(demo_world)), "--api-base", served,
                 "--activity", f"erp-synk={report}", "--out", str(tmp_path / "inv.json")])
    err = capsys.readouterr().err
    assert code == 2
    assert "no account labelled 'erp-synk'" in err
    assert "document-bridge, erp-sync, reporting-export" in err
    assert not (tmp_path / "inv.json").exists()
