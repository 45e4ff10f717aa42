"""A playbook's custom steps in the stepper: shown in order with their notes, marked by
the consultant, recorded in the session, and found again on reopening."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Static

from dmsa_migrate.sessions import SessionStore
from dmsa_migrate.tui.app import make_app
from dmsa_migrate.tui.screens.modals import FormModal
from dmsa_migrate.tui.screens.workspace import WorkspaceScreen
from dmsa_migrate.tui.widgets.stepper import StepChip, Stepper

from .conftest import KICKOFF_NOTES, settle, submit_form, wait_for

pytestmark = pytest.mark.anyio


def chips(screen: WorkspaceScreen) -> list[str]:
    return [str(chip.render()) for chip in screen.query_one(Stepper).query(StepChip)]


def text_of(screen: WorkspaceScreen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def test_custom_steps_are_shown_marked_and_saved(meetings_store: SessionStore) -> None:
    app = make_app(session="acme", store=meetings_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, WorkspaceScreen))
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, WorkspaceScreen)
        assert chips(screen) == [
            "○ 1 Inventory", "○ Kick-off call with the…", "○ 2 Manifest", "○ 3 Verify",
            "○ 4 Checklist", "○ Hand-over to the custom…",
        ]
        await pilot.press("right_square_bracket")  # the step after the inventory
        assert screen.current == "custom:kickoff-call"
        assert KICKOFF_NOTES in text_of(screen, "#notes")
        pane = screen.query_one("#pane-custom-kickoff-call")
        body = str(pane.query_one(".custom-body", Static).render())
        assert KICKOFF_NOTES in body and "the company admin's name and e-mail" in body
        assert "not started" in str(pane.query_one(".custom-state", Static).render())

        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, FormModal))
        note = app.screen.query_one("#field-note", Input)
        note.value = "call held, Dana installs on Monday"
        note.focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.workspace.status("custom:kickoff-call") == "done")
        await settle(pilot)
        state = str(pane.query_one(".custom-state", Static).render())
        assert "done · call held, Dana installs on Monday (tester, 2025-02-15)" in state
        assert chips(screen)[1].startswith("✔ Kick-off call")

        await pilot.press("2", "left_square_bracket")  # [ from the manifest: back to it
        assert screen.current == "custom:kickoff-call"
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, FormModal))
        await submit_form(pilot)  # the reason is required
        assert "is required" in str(app.screen.query_one("#form-error", Static).render())
        reason = app.screen.query_one("#field-note", Input)
        reason.value = "admin on leave"
        reason.focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.workspace.status("custom:kickoff-call")
                       == "needs_attention")
        await settle(pilot)
        assert chips(screen)[1].startswith("! Kick-off call")

    session = meetings_store.load("acme")
    assert session.steps["kickoff-call"].status == "needs_attention"
    assert [e.detail for e in session.audit if e.action == "step kickoff-call marked"] == [
        "status done: call held, Dana installs on Monday",
        "status needs_attention: admin on leave",
    ]

    # reopened: the marks are read back, and the workspace opens on the step it was left on
    again = make_app(session="acme", store=SessionStore(meetings_store.root,
                                                        clock=meetings_store.clock))
    async with again.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(again.screen, WorkspaceScreen))
        await settle(pilot)
        screen = again.screen
        assert isinstance(screen, WorkspaceScreen)
        assert chips(screen)[1].startswith("! Kick-off call")
        assert screen.current == "custom:kickoff-call"
        await pilot.press("u")  # reopened
        await wait_for(pilot, lambda: screen.workspace.status("custom:kickoff-call")
                       == "not_started")
    assert meetings_store.load("acme").steps["kickoff-call"].status == "not_started"


async def test_at_80_columns_the_other_steps_are_shortened(
    meetings_store: SessionStore,
) -> None:
    app = make_app(session="acme", store=meetings_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, WorkspaceScreen))
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, WorkspaceScreen)
        await pilot.press("right_square_bracket")
        labels = chips(screen)
        assert labels[1] == "○ Kick-off call with the…"  # the current one in full
        assert labels[0] == "○ 1 Inv" and labels[5] == "○ Hand-o…"
        stepper = screen.query_one(Stepper)
        assert sum(chip.size.width for chip in stepper.query(StepChip)) + 5 <= 80 - 2
