"""verify --out streams (issue 18): the file is composed from the journal a company at a
time and no result is kept, yet it is the document a run that keeps every company writes;
the printed summary, the fleet summary and the comparison with ``--previous`` are the same."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from dmsa_migrate.artifacts import load_verification
from dmsa_migrate.cli import main
from dmsa_migrate.emulator import Emulator, World, generate_world, serve_in_thread
from dmsa_migrate.engagement._common import model_text
from dmsa_migrate.verify.fleet import fleet_rows
from dmsa_migrate.verify.render import render_summary
from tests.inventory.conftest import accounts_toml

SECRET_ENV = "STREAMED_VERIFY_SECRET"


def _changed(world: World, index: int, **changes: Any) -> World:
    """The world with one installation changed (worlds are frozen)."""
    rows = list(world.installations)
    rows[index] = rows[index].model_copy(update=changes)
    return world.model_copy(update={"installations": rows})


def _fleet() -> World:
    """12 companies; one disconnected, one missing two of its old projects."""
    world = generate_world(companies=12, projects_per_company=6)
    world = _changed(world, 3, status="disconnected")
    return _changed(world, 7, permitted_projects=world.installations[7].permitted_projects[2:])


def _without_time(text: str) -> dict[str, Any]:
    data = json.loads(text)
    data.pop("generated_at")
    data.pop("previous_generated_at", None)
    return dict(data)


def test_streamed_verification_is_the_whole_document_with_the_same_summaries(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    world = _fleet()
    monkeypatch.setenv(SECRET_ENV, world.apps[0].client_secret)
    accounts = tmp_path / "accounts.toml"
    accounts.write_text(accounts_toml(world), encoding="utf-8")
    inventory, out = tmp_path / "inventory.json", tmp_path / "verification.json"
    again = tmp_path / "again.json"
    with serve_in_thread(Emulator(world)) as base:
        assert main(["inventory", "--accounts", str(accounts), "--out", str(inventory),
                     "--api-base", base]) == 0
        verify = ["verify", "--inventory", str(inventory), "--dmsa", world.apps[0].client_id,
                  "--dmsa-secret", f"env:{SECRET_ENV}", "--api-base", base]
        capsys.readouterr()
        assert main([*verify, "--out", str(out), "--summary", str(tmp_path / "fleet")]) == 1
        printed = capsys.readouterr().out
        assert main([*verify, "--json"]) == 1
        whole = capsys.readouterr().out
    # re-verification after an app update reset one company's permitted projects: the
    # streamed file as --previous, streamed and kept whole
    with serve_in_thread(Emulator(_changed(world, 5, permitted_projects=[]))) as base:
        verify = [*verify[:-1], base]
        assert main([*verify, "--previous", str(out), "--out", str(again)]) == 1
        capsys.readouterr()
        assert main([*verify, "--previous", str(out), "--json"]) == 1
        whole_again = capsys.readouterr().out

    streamed = out.read_text(encoding="utf-8")
    result = load_verification(out)
    assert len(result.companies) == 12
    assert streamed == model_text(result)  # what the whole-document writer writes
    assert _without_time(streamed) == _without_time(whole)
    assert {c.status for c in result.companies} == {"installed", "disconnected"}
    assert sum(len(c.missing_projects) for c in result.companies) >= 2
    assert printed.splitlines() == [*render_summary(result).splitlines(), f"wrote {out}"]
    rows = json.loads((tmp_path / "fleet.json").read_text(encoding="utf-8"))["rows"]
    assert [row["company_id"] for row in rows] == [r.company_id for r in fleet_rows(result)]
    assert rows == [vars(r) for r in fleet_rows(result)]

    reset = load_verification(again)
    assert reset.previous_generated_at == result.generated_at
    lost = next(c for c in reset.companies if c.lost_projects)
    assert any(f.code == "permitted_projects_reset" for f in lost.findings)
    assert _without_time(again.read_text(encoding="utf-8")) == _without_time(whole_again)
    assert sorted(p.name for p in tmp_path.iterdir() if "partial" in p.name) == []


def test_spilled_old_access_merges_each_company_as_the_in_memory_one() -> None:
    """Accounts that reach the same companies (each account twice): united either way."""
    from dmsa_migrate.models.inventory import Inventory
    from dmsa_migrate.verify.old_access import SpilledOldAccess, old_access

    from .conftest import demo_inventory

    inventory = demo_inventory()
    twice = inventory.model_copy(update={"accounts": [
        *inventory.accounts,
        *(a.model_copy(update={"label": a.label + "-copy"}) for a in inventory.accounts),
    ]})
    for source in (inventory, twice):
        assert isinstance(source, Inventory)
        kept = old_access(source)
        spilled = SpilledOldAccess(source.accounts)
        assert list(spilled) == list(kept) and len(spilled) == len(kept)
        assert {cid: spilled[cid] for cid in spilled} == kept
        assert 999_999 not in spilled and spilled.get(999_999) is None
        spilled.close()
    assert any(len(company.accounts) == 2 for company in old_access(twice).values())


def test_session_reverification_streamed_keeps_the_previous_run_whole(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The session's last verification is the previous run automatically; a streamed
    re-verification keeps only a slim copy of it in memory, yet finds the reset and
    stores the previous run whole for the TUI's run comparison."""
    world = _fleet()
    monkeypatch.setenv(SECRET_ENV, world.apps[0].client_secret)
    accounts = tmp_path / "accounts.toml"
    accounts.write_text(accounts_toml(world), encoding="utf-8")
    sessions, inventory = tmp_path / "sessions", tmp_path / "inventory.json"
    common = ["--session", "fleet", "--sessions-dir", str(sessions)]
    dmsa = ["--dmsa", world.apps[0].client_id, "--dmsa-secret", f"env:{SECRET_ENV}"]
    with serve_in_thread(Emulator(world)) as base:
        assert main(["session", "new", "fleet", "--customer", "Fleet", "--api-base", base,
                     "--sessions-dir", str(sessions)]) == 0
        assert main(["inventory", "--accounts", str(accounts), "--out", str(inventory),
                     *common]) == 0
        assert main(["verify", *dmsa, "--out", str(tmp_path / "first.json"), *common]) == 1
    with serve_in_thread(Emulator(_changed(world, 5, permitted_projects=[]))) as base:
        assert main(["verify", *dmsa, "--api-base", base, "--out", str(tmp_path / "second.json"),
                     *common]) == 1
    capsys.readouterr()
    first = (tmp_path / "first.json").read_text(encoding="utf-8")
    stored = sessions / "fleet" / "verification.previous.json"
    assert stored.read_text(encoding="utf-8") == first  # whole, not the slim copy
    second = load_verification(tmp_path / "second.json")
    assert second.previous_generated_at == json.loads(first)["generated_at"]
    reset = [c for c in second.companies if c.lost_projects]
    assert [c.id for c in reset] == [world.installations[5].company_id]
    assert any(f.code == "permitted_projects_reset" for f in reset[0].findings)
