"""The stepper: Inventory → Manifest → Verify → Checklist, with where the session stands.

Each step shows a mark (``✔`` done, ``!`` needs attention, ``○`` not started) and its
number, which is also its key. The current step is highlighted; a click selects a step.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Static

from dmsa_migrate.models.session import StepStatus
from dmsa_migrate.tui.state import STEP_KINDS, STEP_TITLES, StepKind

MARKS: dict[str, str] = {"done": "✔", "needs_attention": "!", "not_started": "○"}
WORDS: dict[str, str] = {
    "done": "done",
    "needs_attention": "needs attention",
    "not_started": "not started",
}


class StepChip(Static):
    """One step of the stepper."""

    def __init__(self, kind: StepKind, number: int) -> None:
        super().__init__(id=f"chip-{kind}", classes="step-chip")
        self.kind: StepKind = kind
        self.number = number

    def show(self, status: StepStatus, current: bool) -> None:
        """Redraw with ``status``; ``current`` highlights it."""
        self.set_class(status == "done", "-done")
        self.set_class(status == "needs_attention", "-attention")
        self.set_class(status == "not_started", "-todo")
        self.set_class(current, "-current")
        self.update(f"{MARKS[status]} {self.number} {STEP_TITLES[self.kind]}")
        self.tooltip = f"{STEP_TITLES[self.kind]}: {WORDS[status]} (key {self.number})"

    def on_click(self) -> None:
        self.post_message(Stepper.Selected(self.kind))


class Stepper(Horizontal):
    """Four chips joined by arrows."""

    class Selected(Message):
        """The user clicked a step."""

        def __init__(self, kind: StepKind) -> None:
            super().__init__()
            self.kind = kind

    def compose(self) -> ComposeResult:
        for number, kind in enumerate(STEP_KINDS, start=1):
            if number > 1:
                yield Static("›", classes="step-arrow")
            yield StepChip(kind, number)

    def show(self, statuses: dict[StepKind, StepStatus], current: StepKind) -> None:
        """Redraw every chip."""
        for chip in self.query(StepChip):
            chip.show(statuses[chip.kind], chip.kind == current)
