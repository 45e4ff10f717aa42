"""One session, three doors: the CLI, the TUI (driven with Pilot) and ``demo --headless``
give the same outputs for the same session (timestamps aside), because all three run the
steps through ``dmsa_migrate.engagement``: all four steps, with a pinned playbook that is
not the default (least privilege, capped at readonly), a manifest override and a manual
checklist state applied. Also: the demo session reopened from the picker
(a new process: no demo setup in memory) runs its steps on the emulator, not on the
placeholder host, and without an environment variable set beforehand.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from dmsa_migrate.cli import main
from dmsa_migrate.engagement.demo import open_demo_session
from dmsa_migrate.engagement.history import list_runs
from dmsa_migrate.pipeline import run_headless_demo
from dmsa_migrate.runtime import DEMO_SECRET_PREFIX
from dmsa_migrate.sessions import SessionStore
from dmsa_migrate.tui.app import make_app
from dmsa_migrate.tui.screens.workspace import WorkspaceScreen

from .conftest import make_store, settle, wait_for

pytestmark = pytest.mark.anyio

TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)?")
OUTPUTS = {
    "inventory": ["inventory.json"],
    "manifest": ["manifest.json", "manifest.explain.json"],
    "verify": ["verification.json"],
    "checklist": ["checklist.json", "checklist.md", "checklist.csv", "checklist.html"],
}


def forget_demo_secrets() -> None:
    """What a new process looks like: no fixture secret in the environment yet."""
    for name in [n for n in os.environ if n.startswith(DEMO_SECRET_PREFIX)]:
        del os.environ[name]


def outputs(root: Path) -> dict[str, str]:
    """Every output of the demo session's runs, by step kind and file, timestamps blanked."""
    store = SessionStore(root)
    session = store.load("demo")
    found: dict[str, str] = {}
    for run in list_runs(store, session):
        assert run.exit_code in (0, 1), run
        for name in OUTPUTS[run.kind]:
            text = (root / "demo" / "runs" / run.id / name).read_text(encoding="utf-8")
            found[f"{run.kind}/{name}"] = TIMESTAMP.sub("<time>", text)
    return found


PLAYBOOK = "read-only-reporting"
OVERRIDE = ("project", "rfi", "standard")
WAIVED = ("reports-reconciled", 202)


def engage(store: SessionStore) -> None:
    """What a consultant sets before running the steps: a playbook pinned in place of the
    demo's default, one manifest level overridden, one checklist item waived."""
    from dmsa_migrate.playbooks import find_playbook_source

    session = store.load("demo")
    playbook, text = find_playbook_source(PLAYBOOK)
    session = store.pin_playbook(session, playbook, text)
    session = store.override_manifest_level(session, *OVERRIDE, reason="the ERP answers RFIs")
    store.set_item(session, *WAIVED, status="waived", waiver_reason="no reports there yet")


@pytest.fixture
def three_copies(tmp_path: Path) -> list[Path]:
    """The same fresh demo session in three sessions folders, one per door."""
    first = tmp_path / "cli"
    open_demo_session(make_store(first), "demo")
    engage(make_store(first))
    copies = [first]
    for door in ("tui", "headless"):
        shutil.copytree(first, tmp_path / door)
        copies.append(tmp_path / door)
    forget_demo_secrets()
    return copies


def run_cli(root: Path, out: Path) -> None:
    common = ["--session", "demo", "--sessions-dir", str(root)]
    assert main(["inventory", *common]) == 0
    assert main(["manifest", *common]) == 0
    assert main(["verify", *common]) == 1, "the demo world has gaps"
    assert main(["checklist", *common, "--out", str(out)]) == 0


async def run_tui(root: Path) -> None:
    app = make_app(session="demo", store=make_store(root))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, WorkspaceScreen))
        await settle(pilot)
        for key in ("1", "2", "3", "4"):
            await pilot.press(key, "r")
            await settle(pilot)
        screen = app.screen
        assert isinstance(screen, WorkspaceScreen)
        assert all(screen.workspace.status(k) != "not_started"
                   for k in ("inventory", "manifest", "verify", "checklist"))


async def test_cli_tui_and_headless_give_the_same_outputs(
    three_copies: list[Path], tmp_path: Path, capsys: Any
) -> None:
    cli_root, tui_root, headless_root = three_copies
    # The CLI and headless doors run their own event loop, so each runs in a thread of its
    # own (run_in_executor: unlike to_thread it does not carry this loop's context along).
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, run_cli, cli_root, tmp_path / "cli-export")
    forget_demo_secrets()
    await run_tui(tui_root)
    forget_demo_secrets()
    result = await loop.run_in_executor(None, lambda: run_headless_demo(
        "demo", tmp_path / "headless-out", sessions_dir=headless_root
    ))

    cli, tui, headless = outputs(cli_root), outputs(tui_root), outputs(headless_root)
    assert sorted(cli) == sorted(f"{k}/{n}" for k, names in OUTPUTS.items() for n in names)
    assert tui == cli
    assert headless == cli
    steps = {name: {k: v.status for k, v in SessionStore(root).load("demo").steps.items()}
             for name, root in (("cli", cli_root), ("tui", tui_root), ("headless", headless_root))}
    assert steps["tui"] == steps["cli"] == steps["headless"]
    # what the session set is really in the outputs (the same in all three, as compared)
    manifest = json.loads(cli["manifest/manifest.json"])
    scope, tool, level = OVERRIDE
    assert manifest["permissions"][scope][tool] == level, "the override applied"
    others = {t: lv for s in ("company", "project") for t, lv in manifest["permissions"][s].items()
              if (s, t) != (scope, tool)}
    assert others and set(others.values()) == {"readonly"}, "the playbook's readonly cap"
    rows = json.loads(cli["checklist/checklist.json"])["items"]
    assert {(r["item_id"], r["company_id"]): r["status"] for r in rows}[WAIVED] == "waived"
    assert "read-only-manifest" in {r["item_id"] for r in rows}, "the pinned playbook's items"
    exported = (tmp_path / "headless-out" / "verification.json").read_text(encoding="utf-8")
    assert TIMESTAMP.sub("<time>", exported) == cli["verify/verification.json"]
    assert set(result.paths) >= {"inventory", "manifest", "verification", "checklist.csv"}
    verification = json.loads(exported)
    assert verification["companies"][0]["missing_projects"], "the demo's gap is really there"


async def test_demo_session_reopened_from_the_picker_runs_on_the_emulator(
    three_copies: list[Path],
) -> None:
    """Used to fail: requests went to emulator.invalid, or a DMSA_DEMO_* variable was
    missing, because only `demo` itself set those up."""
    root = three_copies[1]
    app = make_app(store=make_store(root))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")  # open the highlighted session (the demo) from the picker
        await wait_for(pilot, lambda: isinstance(app.screen, WorkspaceScreen))
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, WorkspaceScreen)
        assert screen.workspace.demo is None, "opened as a saved session, not by `demo`"
        await pilot.press("1", "r")
        await settle(pilot)
        assert screen.workspace.status("inventory") == "done"
        inventory = screen.workspace.inventory
        assert inventory is not None
        assert {a.status for a in inventory.accounts} >= {"active"}
    (run,) = list_runs(SessionStore(root), SessionStore(root).load("demo"))
    assert run.api_base == "https://emulator.invalid"  # the in-process transport's name
    assert run.exit_code == 0
