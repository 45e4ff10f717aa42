"""A playbook's custom step: a meeting, a hand-over, anything the tool cannot run.

The pane shows the step's title, the playbook's notes in full, what the step needs (its
inputs) and how it stands. The consultant closes it by hand: ``x`` marks it done (with an
optional note), ``a`` says it needs attention (with the reason), ``u`` reopens it. Each
mark is saved in the session with who and when, and written to its audit log, so the
picker's progress and the stepper count it like the built-in steps.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from dmsa_migrate.models.playbook import Step
from dmsa_migrate.models.session import StepStatus
from dmsa_migrate.tui.screens.base import StepPane
from dmsa_migrate.tui.screens.modals import Field, FormModal
from dmsa_migrate.tui.state import custom_key, dom_id
from dmsa_migrate.tui.widgets.stepper import MARKS, WORDS
from dmsa_migrate.tui.widgets.tones import tone

STATUS_TONE = {"done": "success", "needs_attention": "warning", "not_started": "muted"}


def step_body(step: Step) -> Text:
    """The notes in full, then what the step needs, then how to close it."""
    text = Text()
    notes = " ".join(step.notes.split())
    text.append(notes or "The playbook has no notes for this step.", style="italic")
    if step.inputs:
        text.append("\n\nWhat this step needs", style="bold")
        for item in step.inputs:
            need = "required" if item.required else "optional"
            text.append(f"\n  • {item.description} ({need})")
    text.append(
        "\n\nThe tool cannot run this step: do it, then mark it. x done (with a note), "
        "a needs attention (with the reason), u reopen. Every mark is saved in the "
        "session with your name and the time.",
        style="dim",
    )
    return text


class CustomStepPane(StepPane):
    """One custom step of the playbook."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("x", "mark_done", "Mark done"),
        Binding("a", "attention", "Attention"),
        Binding("u", "reopen", "Reopen"),
    ]

    def __init__(self, workspace: Any, step: Step) -> None:
        self.step = step
        self.key = custom_key(step.id)
        super().__init__(workspace, pane_id=f"pane-{dom_id(self.key)}")
        self.add_class("custom-pane")

    def compose(self) -> ComposeResult:
        yield Static("", classes="pane-info custom-state", markup=False)
        with VerticalScroll(classes="custom-scroll"):
            yield Static(step_body(self.step), classes="custom-body")

    def refresh_view(self) -> None:
        if not self.is_mounted:
            return
        status = self.workspace.status(self.key)
        text = Text(f"{MARKS[status]} {self.step.title} — ", style="bold")
        text.append(WORDS[status], style=tone(self.app, STATUS_TONE[status]))
        summary = self.workspace.summary(self.key)
        if summary:
            text.append(f" · {summary}")
        self.query_one(".custom-state", Static).update(text)

    # ------------------------------------------------------------ marks

    @work(group="custom-edit", exclusive=True, exit_on_error=False)
    async def action_mark_done(self) -> None:
        """Mark the step done, with an optional note (saved in the session)."""
        values = await self.app.push_screen_wait(FormModal(
            f"Done: {self.step.title}",
            [Field("note", "What was done (optional; saved in the session)", "",
                   "call held, admin confirmed the install date", required=False)],
        ))
        if values is not None:
            await self._mark("done", values["note"])

    @work(group="custom-edit", exclusive=True, exit_on_error=False)
    async def action_attention(self) -> None:
        """Say the step needs attention, with the reason."""
        values = await self.app.push_screen_wait(FormModal(
            f"Needs attention: {self.step.title}",
            [Field("note", "Why (saved in the session)", "", "admin not reachable")],
        ))
        if values is not None:
            await self._mark("needs_attention", values["note"])

    @work(group="custom-edit", exclusive=True, exit_on_error=False)
    async def action_reopen(self) -> None:
        """Set the step back to not started."""
        await self._mark("not_started", "")

    async def _mark(self, status: StepStatus, note: str) -> None:
        store, session, step_id = self.workspace.store, self.workspace.session, self.step.id
        await self.save(
            lambda: store.mark_step(session, step_id, status, note),
            f"{self.step.title}: {WORDS[status]}",
        )
