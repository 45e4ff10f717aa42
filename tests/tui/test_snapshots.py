"""Snapshots of every screen at 80×24 (the smallest supported) and 120×40.

Review a changed snapshot in the HTML report before ``--snapshot-update``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from textual.pilot import Pilot

from dmsa_migrate.errors import AppNotConnectedError
from dmsa_migrate.sessions import SessionStore
from dmsa_migrate.tui.app import make_app
from dmsa_migrate.tui.screens.workspace import WorkspaceScreen
from dmsa_migrate.tui.widgets.progress import RunProgress

from .conftest import settle, wait_for
from .test_responsive import Gate, gate  # noqa: F401 (the fixture)

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
Before = Callable[[Pilot[Any]], Awaitable[None]]


def in_workspace(*keys: str) -> Before:
    async def run_before(pilot: Pilot[Any]) -> None:
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, WorkspaceScreen))
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        pilot.app.clear_notifications()
        await pilot.pause()

    return run_before


def on_picker(*keys: str) -> Before:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        await pilot.pause()

    return run_before


async def _error(pilot: Pilot[Any]) -> None:
    await in_workspace("3")(pilot)
    pilot.app.show_error(  # type: ignore[attr-defined]
        AppNotConnectedError(
            "GET https://api.procore.com/rest/v1.0/me", 403,
            "App is not connected to this company", company_id=303,
        )
    )
    await pilot.pause()


def light(*keys: str) -> Before:
    async def run_before(pilot: Pilot[Any]) -> None:
        pilot.app.theme = "dmsa-light"
        await in_workspace(*keys)(pilot)

    return run_before


async def _inventory_node(pilot: Pilot[Any]) -> None:
    """The evidence pane for a project: the tree's first company opened, a project picked."""
    await in_workspace("1", "tab")(pilot)
    tree = pilot.app.screen.query_one("#access-tree")
    tree.root.children[0].children[1].expand()  # type: ignore[attr-defined]
    await pilot.pause()
    tree.move_cursor(tree.root.children[0].children[1].children[2])  # type: ignore[attr-defined]
    await pilot.pause()


SCREENS: dict[str, tuple[bool, Before]] = {
    "picker": (False, on_picker()),
    "new_session": (False, on_picker("n")),
    "inventory": (True, in_workspace("1")),
    "manifest": (True, in_workspace("2")),
    "verify": (True, in_workspace("3")),
    "verify_drilldown": (True, in_workspace("3", "enter")),
    "checklist": (True, in_workspace("4")),
    "help": (True, in_workspace("4", "f1")),
    "error": (True, _error),
    "inventory_evidence": (True, _inventory_node),
    "manifest_filtered": (True, in_workspace("2", "slash", "r", "f", "i", "enter")),
    "manifest_sorted": (True, in_workspace("2", "S", "S", "S", "S")),
    "verify_light": (True, light("3")),
    "checklist_light": (True, light("4")),
    "copy_cell": (True, in_workspace("3", "Y")),
}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name", list(SCREENS))
def test_screen(
    name: str, size: tuple[int, int], prepared_store: SessionStore, snap_compare: Any
) -> None:
    open_session, before = SCREENS[name]
    app = make_app(session="demo" if open_session else None, store=prepared_store)
    assert snap_compare(app, terminal_size=size, run_before=before)


@pytest.mark.parametrize("size", SIZES)
def test_progress_line_during_a_run(
    size: tuple[int, int], store: SessionStore, gate: Gate, snap_compare: Any,  # noqa: F811
) -> None:
    """An inventory waiting on Procore: the progress line with counts, rate, 429 waits."""

    async def run_before(pilot: Pilot[Any]) -> None:
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, WorkspaceScreen))
        await settle(pilot)
        await pilot.press("r")
        await wait_for(pilot, lambda: gate.waiting >= 1)
        gate.release(4)
        await wait_for(pilot, lambda: gate.passed >= 4 and gate.waiting >= 1)
        progress = pilot.app.screen.query_one("#pane-inventory RunProgress", RunProgress)
        stats = progress.stats
        # accounts run concurrently, so which one reported last and how many requests
        # wait at the gate vary: fix them, and "now", for a stable picture of the layout
        stats.started, stats.clock = 0.0, lambda: 2.0
        stats.stage, stats.requests, stats.done, stats.total = "directory erp-sync", 4, 1, 3
        progress._redraw()
        pilot.app.clear_notifications()
        await pilot.pause()

    app = make_app(demo="demo", store=store)
    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_empty_picker_tells_what_to_do(store: SessionStore, snap_compare: Any) -> None:
    assert snap_compare(make_app(store=store), run_before=on_picker())


@pytest.mark.parametrize("size", SIZES)
def test_custom_step(
    size: tuple[int, int], meetings_store: SessionStore, snap_compare: Any
) -> None:
    """A playbook's custom step: in the stepper between the built-in ones, with its notes."""
    app = make_app(session="acme", store=meetings_store)
    assert snap_compare(app, terminal_size=size, run_before=in_workspace("right_square_bracket"))
