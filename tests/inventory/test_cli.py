"""``dmsa-migrate inventory`` end to end over the loopback emulator."""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path

import pytest

from dmsa_migrate.cli import main
from dmsa_migrate.emulator import Emulator, World, serve_in_thread
from tests.inventory.conftest import ADMIN_TOKEN, FIXTURES


@pytest.fixture
def served(demo_world: World):
    with serve_in_thread(Emulator(demo_world)) as base_url:
        yield base_url


def canaries(world: World) -> list[str]:
    return [a.client_secret for a in world.service_accounts] + [ADMIN_TOKEN]


def test_inventory_writes_private_json_and_prints_no_secret(
    served: str, demo_world: World, write_accounts, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    accounts = write_accounts(demo_world)
    out = tmp_path / "inventory.json"
    code = main([
        "-v", "inventory", "--accounts", str(accounts), "--out", str(out),
        "--api-base", served, "--activity", str(FIXTURES / "activity.csv"),
        "--scan", str(FIXTURES / "integration"),
    ])
    printed = capsys.readouterr()
    assert code == 0
    assert out.stat().st_mode & 0o777 == 0o600
    data = json.loads(out.read_text())
    assert data["schema"] == "dmsa-migrate/inventory/1"
    statuses = {a["label"]: (a["status"], a["status_reason"]) for a in data["accounts"]}
    assert statuses == {
        "erp-sync": ("active", ""),
        "reporting-export": ("active", ""),
        "document-bridge": ("rejected", "revoked"),
    }
    erp = data["accounts"][0]
    assert erp["found_in"] == [".env:2"] and "scan" in erp["sources"]
    (posts,) = [u for u in data["usage"]
                if u["source"] == "activity:activity.csv" and u["method"] == "POST"]
    assert posts["template"] == "/rest/v1.0/projects/{project_id}/daily_logs"
    assert (posts["count"], posts["statuses"]) == (27, {"201": 20, "403": 7})
    assert any(u["source"].startswith("scan:") for u in data["usage"])
    assert "requests:" in printed.err and "live" in printed.err
    assert "erp-sync" in printed.out and "written:" in printed.out
    for secret in canaries(demo_world):
        assert secret not in printed.out + printed.err + out.read_text()


def test_inventory_toml_output_and_company_filter(
    served: str, demo_world: World, write_accounts, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "inventory.toml"
    code = main([
        "inventory", "--accounts", str(write_accounts(demo_world)), "--company-id", "303",
        "--out", str(out), "--api-base", served,
    ])
    capsys.readouterr()
    assert code == 0
    assert out.stat().st_mode & 0o777 == 0o600
    data = tomllib.loads(out.read_text())
    (account,) = data["accounts"]
    assert account["label"] == "document-bridge" and account["status"] == "rejected"
    assert [p["id"] for p in account["companies"][0]["projects"]] == [
        3001, 3002, 3003, 3004, 3005, 3006
    ]


def test_json_goes_to_stdout_without_out(
    served: str, demo_world: World, write_accounts, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main([
        "inventory", "--accounts", str(write_accounts(demo_world)), "--no-live",
        "--api-base", served,
    ])
    printed = capsys.readouterr()
    assert code == 0
    data = json.loads(printed.out)
    assert {a["status"] for a in data["accounts"]} == {"unverified"}
    assert all(a["sources"] == ["directory"] for a in data["accounts"])
    assert printed.err == ""


def test_network_failure_exits_3_and_keeps_what_was_collected(
    demo_world: World, write_accounts, tmp_path: Path, no_backoff,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "inventory.json"
    code = main([
        "inventory", "--accounts", str(write_accounts(demo_world)), "--out", str(out),
        "--api-base", "http://127.0.0.1:9",
    ])
    printed = capsys.readouterr()
    assert code == 3
    assert "company 101" in printed.err and "/oauth/token" in printed.err
    assert "Traceback" not in printed.err
    partial = json.loads(out.read_text())
    assert [a["complete"] for a in partial["accounts"]] == [False, False, False]
    for secret in canaries(demo_world):
        assert secret not in printed.err + out.read_text()
    assert os.stat(out).st_mode & 0o777 == 0o600
