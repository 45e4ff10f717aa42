"""Names from Procore are text in the TUI too: never Rich/Textual markup, never an action.

Textual reads ``[...]`` in a plain string as markup: ``[/]`` with nothing open is an error
that ends the app, ``[@click=app.quit]`` makes a clickable action, ``[link=…]`` a link.
A world whose company, project and user names are such strings is walked through the four
steps, the drill-down and the fleet table with Pilot; the app must keep running and show
each name as it was written.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from dmsa_migrate.sessions import SessionStore
from dmsa_migrate.tui.app import make_app
from dmsa_migrate.tui.screens.modals import ErrorModal, TextModal
from dmsa_migrate.tui.screens.workspace import WorkspaceScreen
from dmsa_migrate.tui.widgets.fleet_table import FleetScreen
from tests.reliability.setups import demo_text

from .conftest import settle, wait_for

pytestmark = pytest.mark.anyio

MARKUP = [
    "Acme [/] Builders",
    "[@click=app.quit]Bayview[/]",
    "[link=https://evil.example]Cedar[/link]",
    "[bold red]Loud[/bold red] Co",
    "Bracket [ unclosed",
    "Close [/i] only",
]


def markup_world(path: Path) -> None:
    """The demo world with every company, project and user name replaced by markup."""
    count = iter(range(10_000))

    def name(_match: re.Match[str]) -> str:
        return f"name = {json.dumps(MARKUP[next(count) % len(MARKUP)])}"

    path.write_text(re.sub(r'(?m)^name = "(?!Demo")[^"]*"', name, demo_text()), "utf-8")


def _shown(pilot: Pilot[Any]) -> str:
    """The screen as the user reads it (SVG text, non-breaking spaces made spaces)."""
    return pilot.app.export_screenshot().replace("&#160;", " ")


async def _run_step(pilot: Pilot[Any], key: str, done: Any) -> None:
    await pilot.press(key, "r")
    await wait_for(pilot, done)
    await settle(pilot)
    assert not isinstance(pilot.app.screen, ErrorModal), pilot.app.screen


async def test_markup_in_procore_names_is_shown_as_text(
    store: SessionStore, tmp_path: Path,
) -> None:
    world = tmp_path / "markup.toml"
    markup_world(world)
    app = make_app(demo=world, store=store)
    seen: list[str] = []
    async with app.run_test(size=(160, 50)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, WorkspaceScreen))
        screen = app.screen
        assert isinstance(screen, WorkspaceScreen)
        workspace = screen.workspace
        await settle(pilot)
        await _run_step(pilot, "1", lambda: workspace.inventory is not None)
        seen.append(_shown(pilot))
        await _run_step(pilot, "2", lambda: workspace.manifest is not None)
        await _run_step(pilot, "3", lambda: workspace.verification is not None)
        seen.append(_shown(pilot))
        screen.query_one("#companies").focus()
        await pilot.press("enter")  # the drill-down of the highlighted company
        await wait_for(pilot, lambda: isinstance(app.screen, TextModal))
        seen.append(_shown(pilot))
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("f")  # the fleet table
        await wait_for(pilot, lambda: isinstance(app.screen, FleetScreen))
        await settle(pilot)
        seen.append(_shown(pilot))
        await pilot.press("escape")
        await settle(pilot)
        await _run_step(pilot, "4", lambda: workspace.checklist is not None)
        seen.append(_shown(pilot))
        assert app.is_running
    text = "\n".join(seen)
    # SVG text escapes & < >; the brackets stay literal
    for written in ("Acme [/] Builders", "[@click=app.quit]Bayview[/]", "[bold red]Loud"):
        assert written in text, written


async def test_notifications_and_error_dialogs_show_markup_as_text(store: SessionStore) -> None:
    """Procore's own words (``error_description``, a message) reach dialogs and toasts."""
    app = make_app(store=store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.notify("Session [@click=app.quit]x[/] renamed")
        await settle(pilot)
        [shown_note] = list(app._notifications)
        assert shown_note.message == "Session [@click=app.quit]x[/] renamed"
        assert not shown_note.markup  # the toast shows the words, makes no action of them
        app.push_screen(ErrorModal("Refused [/]", "Procore said [/b] no",
                                   [("Procore says", "[link=https://evil.example]x[/link]")]))
        await wait_for(pilot, lambda: isinstance(app.screen, ErrorModal))
        await settle(pilot)
        shown = _shown(pilot)
        assert app.is_running
        for written in ("Refused [/]", "Procore said [/b] no", "[link=https://evil.example]x"):
            assert written in shown, written
