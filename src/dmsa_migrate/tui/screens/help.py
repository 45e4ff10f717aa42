"""The help screen: every key binding active where it was opened, and what it does."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Label, Static

GLOBAL_KEYS: list[tuple[str, str]] = [
    ("ctrl+p", "Command palette: every action below, searchable"),
    ("f1 / ?", "This help"),
    ("tab / shift+tab", "Move between fields and tables"),
    ("ctrl+q", "Quit (the session is saved after every change)"),
]


def binding_rows(screen: Screen[object]) -> list[tuple[str, str]]:
    """(key, description) of every binding active on ``screen``, in display order."""
    rows: list[tuple[str, str]] = []
    seen: set[str] = set()
    for active in screen.active_bindings.values():
        binding = active.binding
        if not binding.description or binding.action in seen:
            continue
        if binding.action in ("command_palette", "help", "quit"):
            continue
        seen.add(binding.action)
        key = binding.key_display or screen.app.get_key_display(binding)
        rows.append((key, binding.description))
    return rows


class HelpScreen(ModalScreen[None]):
    """Keys of the screen below plus the global ones; Esc closes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1,q,question_mark", "dismiss", "Close")
    ]

    def __init__(self, title: str, rows: list[tuple[str, str]]) -> None:
        super().__init__(classes="dialog-screen")
        self.help_title = title
        self.rows = rows

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog help-dialog"):
            yield Label(f"Keys — {self.help_title}", classes="dialog-title")
            yield DataTable(id="help-keys", cursor_type="row", zebra_stripes=True)
            yield Static(
                "Every action is also in the command palette (ctrl+p). Mouse optional.",
                classes="help-foot",
            )

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Key", "Does")
        for key, text in [*self.rows, *GLOBAL_KEYS]:
            table.add_row(key, text)
        table.focus()
