"""The inventory step streams ``--out`` (issue 18): through the CLI and the engagement the
file is the document the whole-inventory writer produces, the session keeps the same bytes,
the console summary is unchanged, and an interrupted run still leaves its partial file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from dmsa_migrate.artifacts import load_inventory
from dmsa_migrate.cli import main
from dmsa_migrate.emulator import Emulator, World, generate_world, serve_in_thread
from dmsa_migrate.engagement._common import model_text
from dmsa_migrate.inventory.accounts import parse_accounts
from dmsa_migrate.inventory.output import summary_lines
from tests.inventory.conftest import accounts_toml
from tests.inventory.test_build import FailingTransport


@pytest.fixture
def fleet() -> World:
    return generate_world(companies=12, projects_per_company=5)


def _without_time(text: str) -> dict[str, Any]:
    data = json.loads(text)
    data.pop("generated_at")
    return dict(data)


def test_streamed_out_is_the_whole_document_and_the_session_keeps_it(
    fleet: World, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from dmsa_migrate.inventory import build

    monkeypatch.setattr(build, "WRITE_AHEAD", 2)  # accounts finish out of order and wait
    accounts = tmp_path / "accounts.toml"
    accounts.write_text(accounts_toml(fleet), encoding="utf-8")
    sessions, out = tmp_path / "sessions", tmp_path / "inventory.json"
    common = ["--session", "fleet", "--sessions-dir", str(sessions)]
    with serve_in_thread(Emulator(fleet)) as base:
        assert main(["session", "new", "fleet", "--customer", "Fleet", "--api-base", base,
                     "--sessions-dir", str(sessions)]) == 0
        capsys.readouterr()
        assert main(["inventory", "--accounts", str(accounts), "--out", str(out), *common]) == 0
        streamed_run = capsys.readouterr().out
        assert main(["inventory", "--accounts", str(accounts), "--json", *common]) == 0
        whole_text = capsys.readouterr().out

    streamed = out.read_text(encoding="utf-8")
    read_back = load_inventory(out)
    assert len(read_back.accounts) == len(fleet.service_accounts) == 12
    # byte for byte what the whole-document writer gives for the same inventory
    assert streamed == model_text(read_back)
    # and the same document a run that keeps every account in memory produces
    assert _without_time(streamed) == _without_time(whole_text)
    runs = sorted((sessions / "fleet" / "runs").iterdir())
    assert (runs[0] / "inventory.json").read_text(encoding="utf-8") == streamed
    assert (sessions / "fleet" / "inventory.json").read_text(encoding="utf-8") == whole_text
    # the console summary is the one the whole inventory gives
    assert streamed_run.splitlines() == [*summary_lines(read_back), f"written: {out}"]
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


@pytest.mark.anyio
async def test_interrupted_streamed_step_leaves_the_partial_inventory(
    demo_world: World, tmp_path: Path, no_backoff: None
) -> None:
    from dmsa_migrate.engagement import InventoryRequest, plain_engagement, run_inventory
    from dmsa_migrate.inventory.build import InventoryInterrupted
    from dmsa_migrate.procore import Environment
    from dmsa_migrate.runtime import Connection

    accounts = tmp_path / "accounts.toml"
    accounts.write_text(accounts_toml(demo_world), encoding="utf-8")
    out = tmp_path / "inventory.json"
    out.write_text("an older inventory\n", encoding="utf-8")
    engagement = plain_engagement()
    transport = FailingTransport(Emulator(demo_world).async_transport(), "/companies/202/")
    engagement.ready_connection = Connection(
        Environment("emulator", "https://emulator.invalid", "https://emulator.invalid"),
        transport,
    )
    with pytest.raises(InventoryInterrupted) as caught:
        await run_inventory(engagement, InventoryRequest(accounts=str(accounts), out=str(out)))
    assert "company 202" in caught.value.message
    partial = load_inventory(out)  # replaced, whole and valid
    listed = parse_accounts(accounts.read_text(encoding="utf-8"), "accounts.toml").accounts
    assert [a.label for a in partial.accounts] == [a.label for a in listed]  # file order
    assert partial.accounts[0].complete and partial.accounts[0].companies[0].projects
    assert not partial.accounts[1].complete
    assert any("stopped:" in note for note in partial.accounts[1].notes)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["accounts.toml", "inventory.json"]
