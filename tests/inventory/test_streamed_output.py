"""inventory.json written an account at a time (issue 18): the streamed file is the one
``write_inventory`` writes for the same inventory, the accounts are those of a run that keeps
them in memory, in the same order, and the real name never holds a half file."""

from __future__ import annotations

import datetime as dt
import stat
from pathlib import Path
from typing import Any

import pytest

from dmsa_migrate.artifacts import load_inventory
from dmsa_migrate.emulator import World, generate_world
from dmsa_migrate.inventory import build
from dmsa_migrate.inventory.accounts import parse_accounts
from dmsa_migrate.inventory.build import InventoryInterrupted, build_inventory
from dmsa_migrate.inventory.output import InventoryFile, write_inventory
from tests.inventory.conftest import accounts_toml, connection_for
from tests.inventory.test_build import FailingTransport

pytestmark = pytest.mark.anyio


async def both_ways(world: World, conn: Any, target: Path) -> tuple[Any, Any]:
    """The same accounts inventoried in memory and streamed into ``target``."""
    accounts = parse_accounts(accounts_toml(world), "accounts.toml")
    today = world.world.now.date() if world.world.now else None
    kept = await build_inventory(accounts, connection_for(conn), today=today)
    sink = InventoryFile(target)
    streamed = await build_inventory(accounts, connection_for(conn), today=today, sink=sink)
    assert streamed.accounts == [], "a streamed run keeps no account"
    sink.commit(streamed.usage)
    return kept, streamed


@pytest.mark.parametrize("which", ["demo", "generated"])
async def test_streamed_inventory_is_the_file_write_inventory_writes(
    connect, demo_world, tmp_path: Path, which: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 12 companies with a write-ahead window of 2: accounts finish out of order and wait
    world = demo_world if which == "demo" else generate_world(companies=12, projects_per_company=5)
    monkeypatch.setattr(build, "WRITE_AHEAD", 2)
    target = tmp_path / "inventory.json"
    kept, streamed = await both_ways(world, connect(world), target)
    read_back = load_inventory(target)
    assert read_back.accounts == kept.accounts  # same accounts, same file order
    assert len(read_back.accounts) == len(world.service_accounts) > 1
    assert read_back.generated_at == streamed.generated_at
    whole = tmp_path / "whole.json"
    write_inventory(read_back, whole)
    assert target.read_bytes() == whole.read_bytes()
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["inventory.json", "whole.json"]


async def test_interrupted_streamed_run_leaves_the_old_file_until_commit(
    demo_world, tmp_path: Path, no_backoff
) -> None:
    """A failure mid-run: the accounts not yet handed over go to the sink with the failed
    one marked incomplete; until commit the real name keeps its old content, and the
    committed file is the whole partial inventory in file order."""
    from dmsa_migrate.emulator import Emulator
    from dmsa_migrate.procore import Environment
    from dmsa_migrate.runtime import Connection

    target = tmp_path / "inventory.json"
    target.write_text("old\n")
    transport = FailingTransport(Emulator(demo_world).async_transport(), "/companies/202/")
    conn = Connection(Environment("emulator", "https://emulator.invalid",
                                  "https://emulator.invalid"), transport)
    accounts = parse_accounts(accounts_toml(demo_world), "accounts.toml")
    sink = InventoryFile(target)
    with pytest.raises(InventoryInterrupted) as caught:
        await build_inventory(accounts, conn, today=dt.date(2025, 2, 15), sink=sink)
    assert caught.value.partial.accounts == []
    assert target.read_text() == "old\n"
    sink.commit(caught.value.partial.usage)
    partial = load_inventory(target)
    assert [a.label for a in partial.accounts] == [a.label for a in accounts.accounts]
    assert partial.accounts[0].complete and partial.accounts[0].companies[0].projects
    assert not partial.accounts[1].complete


def test_aborted_writer_leaves_no_file(tmp_path: Path) -> None:
    from dmsa_migrate.fileio import JsonListWriter

    target = tmp_path / "out.json"
    with pytest.raises(RuntimeError), JsonListWriter(target, {"schema": "x"}, "items") as writer:
        writer.add({"a": 1})
        raise RuntimeError("crash in the middle")
    assert list(tmp_path.iterdir()) == []
