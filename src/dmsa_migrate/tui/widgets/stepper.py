"""The stepper: Inventory → Manifest → Verify → Checklist, with where the session stands.

Each step shows a mark (``✔`` done, ``!`` needs attention, ``○`` not started) and its
number, which is also its key. A playbook's custom steps (a kick-off call, a hand-over)
sit between them in the playbook's order, with their title and no number. The current
step is highlighted; a click selects a step.

Why labels shrink: at 80 columns four built-in steps and a couple of custom ones do not
fit with full titles, so the steps other than the current one are shortened (custom
titles first, then built-in ones to ``✔ 1 Inv``) until the row fits; the tooltip and the
notes line below always give the full title.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Static

from dmsa_migrate.models.session import StepStatus
from dmsa_migrate.tui.state import STEP_KINDS, STEP_TITLES, dom_id

MARKS: dict[str, str] = {"done": "✔", "needs_attention": "!", "not_started": "○"}
WORDS: dict[str, str] = {
    "done": "done",
    "needs_attention": "needs attention",
    "not_started": "not started",
}

CUSTOM_TITLE_WIDTHS = (24, 12, 7)
"""How many cells a custom step's title gets at each level of shortening."""
SHORTEN_LEVELS = len(CUSTOM_TITLE_WIDTHS)


def shorten(text: str, width: int) -> str:
    """``text`` cut to ``width`` cells with an ellipsis."""
    return text if len(text) <= width else text[: max(width - 1, 1)].rstrip(" -") + "…"


@dataclass(frozen=True)
class Stop:
    """One step of the stepper: its key, its title and its number key (built-ins only)."""

    key: str
    title: str
    number: int | None = None


def builtin_stops() -> list[Stop]:
    """The four built-in steps (a playbook without custom steps)."""
    return [Stop(kind, STEP_TITLES[kind], n) for n, kind in enumerate(STEP_KINDS, start=1)]


class StepChip(Static):
    """One step of the stepper."""

    def __init__(self, stop: Stop) -> None:
        super().__init__(id=f"chip-{dom_id(stop.key)}", classes="step-chip",
                         markup=False)  # a playbook's step title is never markup
        self.stop = stop
        self.kind = stop.key

    def label(self, status: StepStatus, level: int) -> str:
        """The chip's text at shortening ``level`` (0: full)."""
        stop = self.stop
        if stop.number is None:
            return f"{MARKS[status]} {shorten(stop.title, CUSTOM_TITLE_WIDTHS[level])}"
        title = stop.title if level < SHORTEN_LEVELS - 1 else stop.title[:3]
        return f"{MARKS[status]} {stop.number} {title}"

    def show(self, status: StepStatus, current: bool, text: str) -> None:
        """Redraw with ``status`` and ``text``; ``current`` highlights it."""
        self.set_class(status == "done", "-done")
        self.set_class(status == "needs_attention", "-attention")
        self.set_class(status == "not_started", "-todo")
        self.set_class(current, "-current")
        self.update(text)
        key = f"key {self.stop.number}" if self.stop.number else "keys [ and ]"
        self.tooltip = f"{self.stop.title}: {WORDS[status]} ({key})"

    def on_click(self) -> None:
        self.post_message(Stepper.Selected(self.kind))


class Stepper(Horizontal):
    """The steps joined by arrows."""

    class Selected(Message):
        """The user clicked a step."""

        def __init__(self, kind: str) -> None:
            super().__init__()
            self.kind = kind

    def __init__(self, stops: list[Stop] | None = None, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.stops = stops or builtin_stops()
        self._statuses: dict[str, StepStatus] = {}
        self._current = ""

    def compose(self) -> ComposeResult:
        for index, stop in enumerate(self.stops):
            if index:
                yield Static("›", classes="step-arrow")
            yield StepChip(stop)

    def show(self, statuses: dict[str, StepStatus], current: str) -> None:
        """Redraw every chip, shortened as much as the width needs."""
        self._statuses, self._current = dict(statuses), current
        self._draw()

    def on_resize(self, event: events.Resize) -> None:
        if self._statuses:
            self._draw()

    def _draw(self) -> None:
        chips = list(self.query(StepChip))
        available = self.content_region.width or 80
        arrows = len(chips) - 1
        for level in range(SHORTEN_LEVELS):
            texts = [
                chip.label(self._statuses.get(chip.kind, "not_started"),
                           0 if chip.kind == self._current else level)
                for chip in chips
            ]
            needed = sum(cell_len(text) + 2 for text in texts) + arrows  # chip padding 0 1
            if needed <= available:
                break
        for chip, text in zip(chips, texts, strict=True):
            chip.show(self._statuses.get(chip.kind, "not_started"),
                      chip.kind == self._current, text)
