"""The session picker, the new-session form, secrets in forms, the palette and the CLI."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input

from dmsa_migrate.cli import main
from dmsa_migrate.sessions import SessionStore
from dmsa_migrate.tui.app import make_app
from dmsa_migrate.tui.screens.modals import ErrorModal, FormModal
from dmsa_migrate.tui.screens.workspace import WorkspaceScreen
from dmsa_migrate.tui.widgets.table import SmartTable

from .conftest import credential_form, settle, wait_for

pytestmark = pytest.mark.anyio


async def test_new_session_from_the_picker(store: SessionStore) -> None:
    app = make_app(store=store)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, FormModal))
        await pilot.click("#field-name")
        await pilot.press(*"bad name!")
        app.screen.query_one("#field-customer", Input).value = "Acme Builders"
        app.screen.query_one("#field-company_ids", Input).value = "202, 101"
        await pilot.press("enter")
        # a bad name is explained, and the form comes back with what was typed
        await wait_for(pilot, lambda: isinstance(app.screen, ErrorModal))
        assert "not valid" in app.screen.message  # type: ignore[attr-defined]
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, FormModal))
        name = app.screen.query_one("#field-name", Input)
        assert app.screen.query_one("#field-customer", Input).value == "Acme Builders"
        name.value = "acme"
        name.focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, WorkspaceScreen))
        session = store.load("acme")
        assert session.customer == "Acme Builders"
        assert session.company_ids == [101, 202]
        # the same default as `session new` today, after the sunset
        assert session.playbook.id == "post-sunset-recovery"
        pinned = store.folder("acme") / "playbook.toml"  # pinned at creation, as by the CLI
        assert session.playbook.file == "playbook.toml" and pinned.is_file()
        assert session.playbook.sha256 == hashlib.sha256(pinned.read_bytes()).hexdigest()
        await pilot.press("escape")  # back to the picker, which lists the new session
        await settle(pilot)
        table = app.screen.query_one("#sessions", SmartTable)  # full cells: at 100
        assert [str(c) for c in table.shown[0][1]][:4] == [  # columns a long one is cut
            "acme", "Acme Builders", "post-sunset-recovery", "0/4",
        ]


async def test_typed_secret_is_masked_and_never_saved(prepared_store: SessionStore) -> None:
    secret = "s3cr3t-typed-value-77"
    async with credential_form(prepared_store, (100, 40)) as (app, pilot, form):
        reference = form.query_one("#field-reference", Input)
        reference.value = ""
        await pilot.click("#field-reference")
        await pilot.press(*"pasted-literal")  # not a reference: masked while typed
        assert reference.password
        reference.value = "env:SOME_SECRET"
        await pilot.pause()
        assert not reference.password  # a reference is shown as typed
        reference.value = ""
        typed = form.query_one("#field-typed", Input)
        assert typed.password
        typed.value = secret
        typed.focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, FormModal))
        await settle(pilot)
    session = prepared_store.load("demo")
    assert session.credentials.secret_refs["dmsa_secret"] == "prompt"
    folder = prepared_store.folder("demo")
    for path in folder.rglob("*"):
        if path.is_file():
            assert secret not in path.read_text(encoding="utf-8", errors="replace"), path


async def test_every_bound_action_is_in_the_command_palette(
    prepared_store: SessionStore,
) -> None:
    app = make_app(session="demo", store=prepared_store)
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, WorkspaceScreen))
        await settle(pilot)
        await pilot.press("4")
        names = {command.title for command in app.get_system_commands(app.screen)}
        assert {"Build checklist", "Mark done", "Waive", "Sign off", "Export all",
                "Inventory", "Verify", "Sessions", "Help"} <= names
        await pilot.press("2")
        names = {command.title for command in app.get_system_commands(app.screen)}
        assert {"Generate", "Switch mode", "Override level", "JSON preview", "Diff"} <= names


async def test_override_is_recorded_with_its_reason(prepared_store: SessionStore) -> None:
    app = make_app(session="demo", store=prepared_store)
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, WorkspaceScreen))
        await settle(pilot)
        workspace = app.screen.workspace  # type: ignore[attr-defined]
        await pilot.press("2", "o")  # first row: company.directory at admin
        await wait_for(pilot, lambda: isinstance(app.screen, FormModal))
        app.screen.query_one("#field-level").value = "readonly"  # type: ignore[attr-defined]
        reason = app.screen.query_one("#field-reason", Input)
        reason.value = "no directory writes"
        reason.focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: bool(workspace.session.manifest_overrides))
        await wait_for(pilot, lambda: workspace.manifest.permissions.company.get("directory")
                       == "readonly")
        await settle(pilot)
        rows = app.screen.query_one("#permissions", DataTable)
        first = [str(c) for c in rows.get_row_at(0)]
        assert first[:4] == ["company", "directory", "readonly", "override"]
    session = prepared_store.load("demo")
    assert session.manifest_overrides[0].reason == "no directory writes"
    assert any(entry.action == "manifest override" for entry in session.audit)


def test_headless_demo_needs_an_out_folder(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--headless"]) == 2
    assert "--out" in capsys.readouterr().err


def test_demo_with_an_unknown_world_fails_before_the_screen(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["demo", "--world", str(tmp_path / "missing.toml")]) == 2
    assert "missing.toml" in capsys.readouterr().err


def test_cli_import_stays_free_of_textual() -> None:
    code = "import sys, dmsa_migrate.cli; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
