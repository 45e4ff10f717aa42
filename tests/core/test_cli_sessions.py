"""The four step commands with ``--session``: one engagement recorded from the CLI."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from dmsa_migrate.cli import main
from dmsa_migrate.emulator import Emulator, load_world, serve_in_thread
from dmsa_migrate.sessions import SessionStore

SECRETS = {
    "ACME_SECRET": "tsa-secret-acme-erp-5b9e1f7a3c2d",
    "DMSA_SECRET": "dmsa-secret-acme-sync-7c3e9a1f5b2d",
    "ADMIN_TOKEN": "demo-admin-token-dana-3f9a1c7e5b",
}


@pytest.fixture
def base() -> Iterator[str]:
    with serve_in_thread(Emulator(load_world("demo"))) as url:
        yield url


def test_steps_record_their_runs_in_the_session(
    base: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    sessions = tmp_path / "sessions"
    accounts = tmp_path / "accounts.toml"
    accounts.write_text(
        '[[accounts]]\nlabel = "acme-erp-sync"\nclient_id = "tsa-acme-erp-sync-6c1f0e2d"\n'
        'client_secret = "env:ACME_SECRET"\ncompany_id = 101\nuser_id = 9001\n\n'
        '[directory]\ntoken = "env:ADMIN_TOKEN"\n'
    )
    common = ["--session", "acme", "--sessions-dir", str(sessions)]
    assert main([
        "session", "new", "acme", "--customer", "Acme Builders", "--company-id", "101",
        "--api-base", base, "--sessions-dir", str(sessions),
    ]) == 0
    inventory, manifest = tmp_path / "inventory.json", tmp_path / "manifest.json"
    verification = tmp_path / "verification.json"
    assert main(["inventory", "--accounts", str(accounts), "--api-base", base,
                 "--out", str(inventory), *common]) == 0
    assert main(["manifest", "--inventory", str(inventory), "--out", str(manifest), *common]) == 0
    assert main(["verify", "--inventory", str(inventory), "--dmsa", "dmsa-acme-sync-2f6b8d4e1a9c",
                 "--dmsa-secret", "env:DMSA_SECRET", "--manifest", str(manifest),
                 "--api-base", base, "--out", str(verification), *common]) == 1
    assert main(["checklist", "--inventory", str(inventory), "--verification",
                 str(verification), "--format", "json", "--out", str(tmp_path / "export"),
                 *common]) == 0

    session = SessionStore(sessions).load("acme")
    statuses = {step: state.status for step, state in session.steps.items()}
    assert statuses["inventory"] == "done"
    assert statuses["verify"] == "needs_attention", "1008 is missing in company 101"
    assert statuses["checklist"] == "done", "built; nothing blocked (the TUI's rule too)"
    assert " pending" in session.steps["checklist"].summary, "open items are counted"
    assert session.steps["verify"].exit_code == 1
    stored = json.loads((sessions / "acme" / "verification.json").read_text())
    assert stored["companies"][0]["missing_projects"] == [1008]
    all_text = "".join(p.read_text() for p in (sessions / "acme").rglob("*") if p.is_file())
    assert not any(value in all_text for value in SECRETS.values())


def test_unknown_session_fails_before_any_request(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    accounts = tmp_path / "accounts.toml"
    accounts.write_text(
        '[[accounts]]\nlabel = "a"\nclient_id = "tsa-acme-erp-sync-6c1f0e2d"\n'
        'client_secret = "env:NOPE"\ncompany_id = 101\n'
    )
    code = main(["inventory", "--accounts", str(accounts), "--api-base", "http://127.0.0.1:9",
                 "--session", "nobody", "--sessions-dir", str(tmp_path / "s")])
    assert code == 2
    assert "nobody" in capsys.readouterr().err
