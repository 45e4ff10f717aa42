"""``STEP --session S`` with no other flag, the run history, re-verification in one command,
``session diff``, and flags that override the session for one run (recorded)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from dmsa_migrate.cli import main
from dmsa_migrate.emulator import Emulator, load_world, serve_in_thread
from dmsa_migrate.emulator.world import builtin_world_path
from dmsa_migrate.engagement.history import list_runs
from dmsa_migrate.sessions import SessionStore

SECRETS = {
    "ACME_SECRET": "tsa-secret-acme-erp-5b9e1f7a3c2d",
    "DMSA_SECRET": "dmsa-secret-acme-sync-7c3e9a1f5b2d",
    "ADMIN_TOKEN": "demo-admin-token-dana-3f9a1c7e5b",
}
DMSA = "dmsa-acme-sync-2f6b8d4e1a9c"


@pytest.fixture
def base() -> Iterator[str]:
    with serve_in_thread(Emulator(load_world("demo"))) as url:
        yield url


@pytest.fixture
def update_reset_base(tmp_path: Path) -> Iterator[str]:
    """The demo world after an app update reset company 101's permitted projects to two."""
    text = builtin_world_path("demo").read_text(encoding="utf-8")
    before = "permitted_projects = [1001, 1002, 1003, 1004, 1005, 1006, 1007]"
    assert before in text
    world = tmp_path / "after-update.toml"
    world.write_text(text.replace(before, "permitted_projects = [1001, 1002]"), "utf-8")
    with serve_in_thread(Emulator(load_world(world))) as url:
        yield url


@pytest.fixture
def acme(base: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A session that holds everything: API base, accounts, DMSA id and secret reference."""
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    accounts = tmp_path / "accounts.toml"
    accounts.write_text(
        '[[accounts]]\nlabel = "acme-erp-sync"\nclient_id = "tsa-acme-erp-sync-6c1f0e2d"\n'
        'client_secret = "env:ACME_SECRET"\ncompany_id = 101\nuser_id = 9001\n\n'
        '[directory]\ntoken = "env:ADMIN_TOKEN"\n'
    )
    sessions = tmp_path / "sessions"
    assert main([
        "session", "new", "acme", "--customer", "Acme Builders", "--company-id", "101",
        "--api-base", base, "--accounts", str(accounts), "--dmsa", DMSA,
        "--dmsa-secret", "env:DMSA_SECRET", "--sessions-dir", str(sessions),
    ]) == 0
    return sessions


def test_every_step_runs_with_only_the_session_named(
    acme: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    s = ["--session", "acme", "--sessions-dir", str(acme)]
    assert main(["inventory", *s]) == 0
    assert main(["manifest", *s]) == 0
    assert main(["verify", *s]) == 1, "1008 is not permitted in the demo world"
    assert main(["checklist", *s, "--out", str(tmp_path / "out")]) == 0
    capsys.readouterr()

    store = SessionStore(acme)
    session = store.load("acme")
    runs = list_runs(store, session)
    assert [r.id for r in runs] == ["0001-inventory", "0002-manifest", "0003-verify",
                                    "0004-checklist"]
    inventory_run = runs[0]
    assert inventory_run.api_base == session.connection.api_base, "the session's API base"
    assert {i.role for i in inventory_run.inputs} == {"accounts"}
    assert all(len(i.sha256) == 64 for i in inventory_run.inputs)
    assert inventory_run.tool_version and inventory_run.permission_map_version
    assert runs[1].playbook == f"{session.playbook.id} {session.playbook.version}"
    assert runs[1].playbook_sha256 == session.playbook.sha256 != ""
    assert {i.role for i in runs[2].inputs} == {"inventory", "manifest"}, "no previous yet"
    assert runs[2].exit_code == 1 and session.steps["verify"].last_run == "0003-verify"
    verification = json.loads((acme / "acme" / "runs" / "0003-verify" /
                               "verification.json").read_text())
    assert verification["companies"][0]["missing_projects"] == [1008]

    assert main(["session", "history", "acme", "--sessions-dir", str(acme)]) == 0
    history = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in history] == [r.id for r in runs]
    assert "exit 1" in history[2] and session.connection.api_base in history[2]

    assert main(["session", "list", "--json", "--sessions-dir", str(acme)]) == 0
    (row,) = json.loads(capsys.readouterr().out)["sessions"]
    items = json.loads((acme / "acme" / "checklist.json").read_text())["items"]
    open_rows = [r for r in items if r["status"] in ("pending", "blocked")]
    assert row["open_items"] == len(open_rows) > 0
    assert row["blocked_items"] == sum(r["status"] == "blocked" for r in open_rows)
    real_today = dt.datetime.now(dt.UTC).date().isoformat()
    assert row["overdue_items"] == sum(bool(r["due"]) and r["due"] < real_today for r in open_rows)
    assert row["last_verification"] == "gaps"
    assert row["last_verified_at"].startswith(session.steps["verify"].last_run_at.date()
                                              .isoformat())
    all_text = "".join(p.read_text() for p in (acme / "acme").rglob("*") if p.is_file())
    assert not any(value in all_text for value in SECRETS.values())


def test_reverification_compares_with_the_last_run_and_diff_shows_the_lost_projects(
    acme: Path, update_reset_base: str, capsys: pytest.CaptureFixture[str]
) -> None:
    s = ["--session", "acme", "--sessions-dir", str(acme)]
    assert main(["inventory", *s]) == 0
    assert main(["verify", *s]) == 1
    # The app update reached the customer: verify again, with the session's flags only
    # changed where the emulator now is (an override, recorded in the run).
    assert main(["verify", *s, "--api-base", update_reset_base]) == 1
    capsys.readouterr()
    store = SessionStore(acme)
    runs = list_runs(store, store.load("acme"))
    again = runs[-1]
    assert {i.role for i in again.inputs} == {"inventory", "previous"}
    assert again.overrides == {"api_base": update_reset_base}
    second = json.loads((acme / "acme" / "verification.json").read_text())
    codes = {f["code"] for c in second["companies"] for f in c["findings"]}
    assert "permitted_projects_reset" in codes, "found by comparing with the last run"
    first = json.loads((acme / "acme" / "runs" / "0002-verify" / "verification.json").read_text())
    assert "permitted_projects_reset" not in {
        f["code"] for c in first["companies"] for f in c["findings"]
    }

    assert main(["session", "diff", "acme", "2", "3", "--sessions-dir", str(acme)]) == 0
    text = capsys.readouterr().out
    assert "verify: run 0002-verify → run 0003-verify" in text
    assert "  company 101: lost 1003, 1004, 1005, 1006, 1007" in text.splitlines()
    assert "findings new:" in text

    assert main(["session", "diff", "acme", "1", "3", "--sessions-dir", str(acme)]) == 2
    assert "same step" in capsys.readouterr().err
    assert main(["session", "diff", "acme", "9", "3", "--sessions-dir", str(acme)]) == 2
    assert "runs: 0001-inventory, 0002-verify, 0003-verify" in capsys.readouterr().err


def test_steps_without_the_session_input_say_what_to_give(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sessions = str(tmp_path / "s")
    assert main(["session", "new", "bare", "--customer", "X", "--sessions-dir", sessions]) == 0
    assert main(["inventory", "--session", "bare", "--sessions-dir", sessions]) == 2
    assert "--accounts FILE" in capsys.readouterr().err
    assert main(["manifest", "--session", "bare", "--sessions-dir", sessions]) == 2
    assert "run the inventory first" in capsys.readouterr().err
