"""Deleting (to the trash, after a confirmation) and renaming sessions from the picker."""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import DataTable, Input

from dmsa_migrate.playbooks import find_playbook
from dmsa_migrate.sessions import SessionStore
from dmsa_migrate.tui.app import make_app
from dmsa_migrate.tui.screens.modals import ConfirmModal, ErrorModal, FormModal
from dmsa_migrate.tui.screens.picker import SessionPicker
from dmsa_migrate.tui.widgets.table import SmartTable

from .conftest import settle, submit_form, wait_for

pytestmark = pytest.mark.anyio


def names(app: Any) -> list[str]:
    table = app.screen.query_one("#sessions", SmartTable)
    return [str(cells[0]) for _, cells in table.shown]  # full names (a cell may be cut)


async def test_delete_asks_first_then_moves_the_folder_to_the_trash(
    prepared_store: SessionStore,
) -> None:
    folder = prepared_store.folder("demo")
    app = make_app(store=prepared_store)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert names(app) == ["demo"]

        await pilot.press("delete")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmModal))
        question = str(app.screen.query_one(".dialog-body").render())
        assert "Delete session demo" in question
        assert "moved to the trash" in question and "nothing is destroyed" in question
        await pilot.press("escape")  # cancelled: nothing moves
        await wait_for(pilot, lambda: isinstance(app.screen, SessionPicker))
        assert folder.exists() and names(app) == ["demo"]

        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmModal))
        await pilot.click("#yes")
        await wait_for(pilot, lambda: not folder.exists())
        await settle(pilot)
        assert names(app) == []
        assert "No sessions yet" in str(app.screen.query_one("#picker-empty").render())
    trashed = list(prepared_store.trash_root.iterdir())
    assert [p.name for p in trashed] == ["demo-20250215T120000Z"]
    assert (trashed[0] / "session.toml").exists() and (trashed[0] / "checklist.json").exists()


async def test_rename_from_the_picker_keeps_the_steps(prepared_store: SessionStore) -> None:
    prepared_store.create("other", customer="Other Co", playbook=find_playbook())
    progress = f"{prepared_store.load('demo').progress[0]}/4"
    app = make_app(store=prepared_store)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.screen.query_one("#sessions", DataTable).move_cursor(row=names(app).index("demo"))
        await pilot.press("f2")
        await wait_for(pilot, lambda: isinstance(app.screen, FormModal))
        field = app.screen.query_one("#field-name", Input)
        assert field.value == "demo"

        field.value = "other"  # taken: explained, nothing changes
        await submit_form(pilot)
        await wait_for(pilot, lambda: isinstance(app.screen, ErrorModal))
        assert "already exists" in app.screen.message  # type: ignore[attr-defined]
        await pilot.press("escape")
        await settle(pilot)
        assert sorted(names(app)) == ["demo", "other"]

        app.screen.query_one("#sessions", DataTable).move_cursor(row=names(app).index("demo"))
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, FormModal))
        app.screen.query_one("#field-name", Input).value = "acme-rehearsal"
        await submit_form(pilot)
        await wait_for(pilot, lambda: "acme-rehearsal" in names(app))
        table = app.screen.query_one("#sessions", SmartTable)
        row = [str(cell) for cell in table.current_cells()]
        assert row[0] == "acme-rehearsal" and row[3] == progress  # highlighted, steps kept
    session = prepared_store.load("acme-rehearsal")
    assert session.audit[-1].detail == "demo → acme-rehearsal"
    assert not prepared_store.folder("demo").exists()


async def test_an_unreadable_session_can_be_deleted_not_renamed(store: SessionStore) -> None:
    broken = store.root / "broken"
    broken.mkdir(parents=True)
    (broken / "session.toml").write_text("schema_version = 99\n", encoding="utf-8")
    app = make_app(store=store)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert names(app) == ["broken"]
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ErrorModal))
        assert "cannot be renamed" in app.screen.message  # type: ignore[attr-defined]
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, SessionPicker))
        await pilot.press("delete")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmModal))
        await pilot.press("y")
        await wait_for(pilot, lambda: not broken.exists())
    assert (next(store.trash_root.iterdir()) / "session.toml").exists()
