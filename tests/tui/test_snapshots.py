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

from .conftest import settle, wait_for

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
}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name", list(SCREENS))
def test_screen(
    name: str, size: tuple[int, int], prepared_store: SessionStore, snap_compare: Any
) -> None:
    open_session, before = SCREENS[name]
    app = make_app(session="demo" if open_session else None, store=prepared_store)
    assert snap_compare(app, terminal_size=size, run_before=before)


def test_empty_picker_tells_what_to_do(store: SessionStore, snap_compare: Any) -> None:
    assert snap_compare(make_app(store=store), run_before=on_picker())


@pytest.mark.parametrize("size", SIZES)
def test_custom_step(
    size: tuple[int, int], meetings_store: SessionStore, snap_compare: Any
) -> None:
    """A playbook's custom step: in the stepper between the built-in ones, with its notes."""
    app = make_app(session="acme", store=meetings_store)
    assert snap_compare(app, terminal_size=size, run_before=in_workspace("right_square_bracket"))
