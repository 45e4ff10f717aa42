"""verify's fleet outputs, byte for byte, against files written by the code of 2026-12-03.

The golden files in ``golden/fleet/`` were written by main at 6d7909c, before the verify
step's CPU work of issue 18 (plain tuples instead of per-project objects, a compact spill
of the old access, journal lines reused as written): that code is the independent witness
here, so a faster path that changes one byte of ``verification.json``, of the fleet
summary (CSV and JSON) or of what verify prints fails this test. Only the run's own times
and the temporary folder are replaced by placeholders.

The world has a little of everything a fleet run reports: a disconnected company, one
the app was removed from, missing, extra and inactive projects, a hand-set template (a
permission gap and a manual edit), a company reached by two old accounts, a company the
app is installed in that no old account reached, and, on the second run with
``--previous``, permitted projects reset by an app update.

Regenerate (only when a contract change is intended, and say so in the commit):
``DMSA_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/verify/test_fleet_golden.py``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from dmsa_migrate.cli import main
from dmsa_migrate.emulator import Emulator, World, generate_world, serve_in_thread
from dmsa_migrate.emulator.world import DirectoryRecord, Membership, ServiceAccount, User
from tests.inventory.conftest import accounts_toml

GOLDEN = Path(__file__).parent / "golden" / "fleet"
SECRET_ENV = "GOLDEN_FLEET_DMSA_SECRET"
UPDATE = os.environ.get("DMSA_UPDATE_GOLDEN") == "1"
MANIFEST = {
    "schema_version": "4.1",
    "permissions": {"company": {"directory": "readonly"},
                    "project": {"rfi": "standard", "directory": "readonly"}},
}


def _installation(world: World, company_id: int, **changes: Any) -> World:
    rows = [row.model_copy(update=changes) if row.company_id == company_id else row
            for row in world.installations]
    return world.model_copy(update={"installations": rows})


def _fleet() -> World:
    """Nine companies of 12 projects (ids 101–109), each with something to report."""
    world = generate_world(companies=9, projects_per_company=12)
    world = _installation(world, 102, status="disconnected")
    world = _installation(world, 103, permitted_projects=[30005, 30007, 30009, 30011])
    world = _installation(world, 105, permitted_projects=[
        *range(50001, 50013, 2), 50002, 50004])  # two projects the old account never reached
    world = _installation(world, 106, status="uninstalled")
    template = next(t for t in world.templates if t.company_id == 104 and t.type == "project")
    second = User(id=9901, name="Second Sync", email="second@procore.com",
                  kind="service_account")
    return world.model_copy(update={
        # the app's Directory user on project 40003 carries a hand-set template (rfi readonly)
        "memberships": [
            *world.memberships,
            Membership(user_id=9504, project_id=40003, template_id=template.id),
            # a second old account in company 101 reaches two even projects too
            Membership(user_id=9901, project_id=10002, template_id=1011),
            Membership(user_id=9901, project_id=10004, template_id=1011),
        ],
        "users": [*world.users, second],
        "directory": [*world.directory, DirectoryRecord(user_id=9901, company_id=101)],
        "service_accounts": [*world.service_accounts, ServiceAccount(
            client_id="tsa-second", client_secret="tsa-secret-second", user_id=9901,
            company_id=101)],
    })


def _normalised(text: str, folder: Path, times: dict[str, str]) -> str:
    for value, placeholder in times.items():
        text = text.replace(value, placeholder)
    return text.replace(str(folder), "<dir>")


def _check(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    assert path.read_bytes().decode("utf-8") == text, name


def _run(verify: list[str], out: Path, stem: Path, capsys: pytest.CaptureFixture[str]) -> str:
    capsys.readouterr()
    assert main([*verify, "--out", str(out), "--summary", str(stem)]) == 1
    return capsys.readouterr().out


def test_fleet_outputs_are_byte_for_byte_the_golden_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    world = _fleet()
    monkeypatch.setenv(SECRET_ENV, world.apps[0].client_secret)
    accounts = tmp_path / "accounts.toml"
    # company 109's old account is left out: the app is installed where none was
    accounts.write_text(accounts_toml(world, only={u.id for u in world.users} - {9009}),
                        encoding="utf-8")
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps(MANIFEST), encoding="utf-8")
    inventory = tmp_path / "inventory.json"
    first, again = tmp_path / "verification.json", tmp_path / "reverification.json"
    with serve_in_thread(Emulator(world)) as base:
        assert main(["inventory", "--accounts", str(accounts), "--out", str(inventory),
                     "--api-base", base]) == 0
        verify = ["verify", "--inventory", str(inventory), "--dmsa", world.apps[0].client_id,
                  "--dmsa-secret", f"env:{SECRET_ENV}", "--manifest", str(manifest),
                  "--api-base", base]
        printed = _run(verify, first, tmp_path / "fleet", capsys)
    # an app update reset company 107's permitted projects
    with serve_in_thread(Emulator(_installation(world, 107, permitted_projects=[]))) as base:
        verify = [*verify[:-1], base, "--previous", str(first)]
        printed_again = _run(verify, again, tmp_path / "fleet-again", capsys)

    times = {
        json.loads(again.read_text(encoding="utf-8"))["generated_at"]: "<second run>",
        json.loads(first.read_text(encoding="utf-8"))["generated_at"]: "<first run>",
    }
    outputs = {
        "verification.json": first, "fleet.csv": tmp_path / "fleet.csv",
        "fleet.json": tmp_path / "fleet.json", "reverification.json": again,
        "fleet-again.csv": tmp_path / "fleet-again.csv",
        "fleet-again.json": tmp_path / "fleet-again.json",
    }
    for name, path in outputs.items():
        _check(name, _normalised(path.read_bytes().decode("utf-8"), tmp_path, times))
    _check("stdout.txt", _normalised(printed, tmp_path, times))
    _check("stdout-again.txt", _normalised(printed_again, tmp_path, times))
    assert not UPDATE, "golden files written; rerun without DMSA_UPDATE_GOLDEN"
