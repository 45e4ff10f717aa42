"""Verify's user comparison in the TUI: a signed-in user's token reference, then the
projects that user sees next to the app's, in the drill-down."""

from __future__ import annotations

import os

import pytest
from textual.widgets import Input

from dmsa_migrate.sessions import SessionStore
from dmsa_migrate.tui.app import make_app
from dmsa_migrate.tui.screens.modals import FormModal, TextModal
from dmsa_migrate.tui.screens.workspace import WorkspaceScreen

from .conftest import settle, submit_form, wait_for

pytestmark = pytest.mark.anyio

ADMIN_TOKEN_REF = "env:DMSA_DEMO_DIRECTORY_ADMIN"
"""The demo puts its Directory admin's token in this variable (a signed-in user)."""


async def test_user_comparison_from_the_verify_form(prepared_store: SessionStore) -> None:
    app = make_app(demo="demo", store=prepared_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, WorkspaceScreen))
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, WorkspaceScreen)
        workspace = screen.workspace
        await pilot.press("3", "k")
        await wait_for(pilot, lambda: isinstance(app.screen, FormModal))
        user_field = app.screen.query_one("#field-user_token", Input)
        assert user_field.value == ""  # optional, empty until given
        user_field.value = ADMIN_TOKEN_REF
        await submit_form(pilot)
        await wait_for(pilot, lambda: not isinstance(app.screen, FormModal))
        await settle(pilot)
        info = str(screen.query_one("#verify-info").render())
        assert f"user token {ADMIN_TOKEN_REF}" in info

        before = workspace.verification
        await pilot.press("r")
        await wait_for(pilot, lambda: workspace.verification is not before)
        await settle(pilot)
        acme = workspace.verification.companies[0]
        assert acme.user_comparison is not None and acme.user_comparison.user_projects
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TextModal))
        text = str(app.screen.query_one("#text-content").render())
        comparison = acme.user_comparison
        assert f"User comparison with {comparison.user_name}" in text
        assert f"sees {len(comparison.user_projects)}" in text
        assert f"App only ({len(comparison.app_only)})" in text
        await pilot.press("escape")

        # cleared again: the reference is forgotten, and the next run compares nobody
        await pilot.press("k")
        await wait_for(pilot, lambda: isinstance(app.screen, FormModal))
        app.screen.query_one("#field-user_token", Input).value = ""
        await submit_form(pilot)
        await wait_for(pilot, lambda: not isinstance(app.screen, FormModal))
        await settle(pilot)
    session = prepared_store.load("demo")
    assert "user_token" not in session.credentials.secret_refs
    assert [e.action for e in session.audit][-1] == "credential reference removed"
    assert any(e.action == "credential reference set" and e.detail == "user_token"
               for e in session.audit)


async def test_a_prompt_user_token_is_asked_in_a_password_field(
    prepared_store: SessionStore,
) -> None:
    session = prepared_store.load("demo")
    prepared_store.set_secret_ref(session, "user_token", "prompt")
    app = make_app(demo="demo", store=prepared_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, WorkspaceScreen))
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, WorkspaceScreen)
        workspace = screen.workspace
        before = workspace.verification
        await pilot.press("3", "r")
        await wait_for(pilot, lambda: isinstance(app.screen, FormModal))
        assert app.screen.form_title == "Signed-in user's token"  # type: ignore[attr-defined]
        field = app.screen.query_one("#field-secret", Input)
        assert field.password
        field.value = os.environ[ADMIN_TOKEN_REF.removeprefix("env:")]  # the demo exported it
        field.focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: workspace.verification is not before)
        await settle(pilot)
        assert workspace.verification.companies[0].user_comparison is not None
    assert prepared_store.load("demo").credentials.secret_refs["user_token"] == "prompt"
