"""Fixtures for the TUI tests: a store with a fixed clock, a prepared demo session.

Why a prepared session: the snapshot tests need every step's output; running the four
steps through the UI for each of sixteen snapshots would be slow, so one session is
built once (through the same runners the screens use) and copied for each test.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import shutil
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.worker import WorkerCancelled, WorkerFailed

from dmsa_migrate.sessions import SessionStore

FIXED_NOW = dt.datetime(2025, 2, 15, 12, 0, tzinfo=dt.UTC)


def fixed_clock() -> dt.datetime:
    return FIXED_NOW


def make_store(root: Path) -> SessionStore:
    """A store whose clock and actor never change (stable snapshots)."""
    return SessionStore(root, clock=fixed_clock, actor="tester")


async def wait_for(pilot: Pilot[Any], condition: Callable[[], bool], seconds: float = 60.0) -> None:
    """Let the app run until ``condition`` holds.

    ``seconds`` is a safety net against a hung app (it bounds the number of polls), never a
    measure: nothing here asserts how fast the app got there.
    """
    for _ in range(int(seconds / 0.02)):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError("the app did not reach the expected state in time")


BACKGROUND_GROUPS = ("open", "picker-list", "inventory-inputs")
"""Worker groups that finish on their own (others may be waiting for a dialog answer)."""


async def settle(pilot: Pilot[Any]) -> None:
    """Wait for loading and step-run workers to finish, then for the screen to redraw."""
    await pilot.pause()
    workers = [
        worker
        for worker in pilot.app.workers
        if worker.group in BACKGROUND_GROUPS or worker.group.startswith("run-")
    ]
    for worker in workers:
        with contextlib.suppress(WorkerCancelled, WorkerFailed):
            await worker.wait()
    await pilot.pause()


def _prepare(root: Path) -> None:
    from dmsa_migrate.tui import runners
    from dmsa_migrate.tui.demo import open_demo_workspace

    store = make_store(root)
    workspace = open_demo_workspace(store, "demo")

    async def steps() -> None:
        await runners.run_inventory(workspace, lambda event: None, lambda progress: None)
        await runners.run_manifest(workspace, None)
        await runners.run_verify(workspace, lambda event: None, lambda progress: None)
        await runners.run_checklist(workspace)

    # the inventory's time is shown in the evidence pane: a fixed one keeps snapshots stable
    from unittest import mock

    with mock.patch("dmsa_migrate.inventory.build._now_iso",
                    lambda: FIXED_NOW.isoformat().replace("+00:00", "Z")):
        asyncio.run(steps())


@pytest.fixture(scope="session")
def prepared_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A sessions folder holding the demo session with all four steps run."""
    root = tmp_path_factory.mktemp("prepared") / "sessions"
    _prepare(root)
    return root


@pytest.fixture
def prepared_store(prepared_root: Path, tmp_path: Path) -> SessionStore:
    """A private copy of the prepared sessions folder."""
    root = tmp_path / "sessions"
    shutil.copytree(prepared_root, root)
    return make_store(root)


@pytest.fixture
def store(tmp_path: Path) -> SessionStore:
    """An empty sessions folder."""
    return make_store(tmp_path / "sessions")


MEETINGS_PLAYBOOK = "with-meetings"
KICKOFF_NOTES = "Agree the install date with the customer's company admin"


def write_meetings_playbook() -> None:
    """The standard playbook with two custom steps of a consultant's own: a kick-off call
    after the inventory and a hand-over at the end (a user playbook, found by id)."""
    from dmsa_migrate.paths import user_playbooks_dir
    from dmsa_migrate.playbooks import DEFAULT_PLAYBOOK, shipped_playbooks_dir

    shipped = shipped_playbooks_dir()
    assert shipped is not None
    text = (shipped / f"{DEFAULT_PLAYBOOK}.toml").read_text(encoding="utf-8")
    text = text.replace('id = "standard-data-connector"', f'id = "{MEETINGS_PLAYBOOK}"', 1)
    kickoff = f'''[[steps]]
id = "kickoff-call"
kind = "custom"
title = "Kick-off call with the customer's admin"
notes = """
{KICKOFF_NOTES} and who installs the app in each company."""

[[steps.inputs]]
id = "admin-contact"
description = "the company admin's name and e-mail"

'''
    handover = '''[[steps]]
id = "handover"
kind = "custom"
title = "Hand-over to the customer"
notes = "Send the checklist exports and walk the admin through the open items."

'''
    manifest_step = '[[steps]]\nid = "manifest"'
    assert manifest_step in text and "\n[manifest]" in text
    text = text.replace(manifest_step, kickoff + manifest_step, 1)
    text = text.replace("\n[manifest]", "\n" + handover + "[manifest]", 1)
    (user_playbooks_dir() / f"{MEETINGS_PLAYBOOK}.toml").write_text(text, encoding="utf-8")


@pytest.fixture
def meetings_store(store: SessionStore) -> SessionStore:
    """A session ``acme`` following a playbook with custom steps."""
    from dmsa_migrate.playbooks import find_playbook

    write_meetings_playbook()
    store.create("acme", customer="Acme Builders", playbook=find_playbook(MEETINGS_PLAYBOOK),
                 company_ids=[101])
    return store


async def submit_form(pilot: Pilot[Any]) -> None:
    """Submit the open form as a person does: enter in one of its inputs. (A click on OK
    can land on a notification toast that happens to cover the button.)"""
    from textual.widgets import Input

    inputs = list(pilot.app.screen.query(Input))
    assert inputs, "no form is open"
    inputs[-1].focus()
    await pilot.press("enter")


@contextlib.asynccontextmanager
async def credential_form(
    store: SessionStore, size: tuple[int, int] = (110, 44)
) -> AsyncIterator[tuple[Any, Pilot[Any], Any]]:
    """The demo session's DMSA credential form (step 3, ``k``), open in the real app:
    ``(app, pilot, form)``."""
    from dmsa_migrate.tui.app import make_app
    from dmsa_migrate.tui.screens.modals import FormModal
    from dmsa_migrate.tui.screens.workspace import WorkspaceScreen

    app = make_app(session="demo", store=store)
    async with app.run_test(size=size) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, WorkspaceScreen))
        await settle(pilot)
        await pilot.press("3", "k")
        await wait_for(pilot, lambda: isinstance(app.screen, FormModal))
        yield app, pilot, app.screen
