"""The help screen: the keys of where it was opened, the step's own first.

Why built from the classes' ``BINDINGS`` rather than the active bindings: a key the step
offers only now and then (``c`` cancels a run) must still be found in the help, and the
generic keys every table has (cursor moves, scrolling) would bury the step's own.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import Label, Static

from dmsa_migrate.tui.widgets.table import Col, SmartTable

HELP_COLUMNS = (Col("Key"), Col("Does", min=20, shrink=True))

GLOBAL_KEYS: list[tuple[str, str]] = [
    ("ctrl+p", "Command palette: every action of this screen, searchable"),
    ("f1 / ?", "This help"),
    ("tab / shift+tab", "Move between fields and tables"),
    ("↑ ↓ pgup pgdn", "Move in a table or a list"),
    ("ctrl+t", "Light or dark theme (remembered)"),
    ("ctrl+q", "Quit (the session is saved after every change)"),
]
SKIPPED_ACTIONS = ("command_palette", "help", "quit", "toggle_theme")
"""Listed once in :data:`GLOBAL_KEYS` instead."""


def own_bindings(node: DOMNode) -> list[Binding]:
    """The bindings ``node``'s classes declare in this package (not Textual's generic keys:
    cursor moves, scrolling, focus), most specific class first."""
    found: list[Binding] = []
    for cls in type(node).__mro__:
        if not cls.__module__.startswith("dmsa_migrate"):
            continue
        for binding in cls.__dict__.get("BINDINGS", []):
            if isinstance(binding, Binding):
                found.append(binding)
    return found


def help_nodes(screen: Screen[object]) -> list[DOMNode]:
    """Where the keys come from, step first: the visible step pane, the focused widget
    and its containers, then the screen."""
    from dmsa_migrate.tui.screens.base import StepPane

    chain: list[DOMNode] = []
    focused = screen.focused
    node: DOMNode | None = focused
    while node is not None and node is not screen:
        chain.append(node)
        node = node.parent
    panes = [n for n in chain if isinstance(n, StepPane)]
    if not panes:
        panes = [p for p in screen.query(StepPane) if p.display and p.is_on_screen]
    others = [n for n in chain if not isinstance(n, StepPane)]
    return [*panes[:1], *others, screen]


def binding_rows(screen: Screen[object]) -> list[tuple[str, str]]:
    """(key, description) for the help: the step's keys first (cancel included even when
    nothing runs), then the table's and the screen's; each key and each action once."""
    rows: list[tuple[str, str]] = []
    seen_actions: set[str] = set()
    seen_keys: set[str] = set()
    for node in help_nodes(screen):
        for binding in own_bindings(node):
            key = key_text(screen, binding)
            if (not binding.description or binding.action in SKIPPED_ACTIONS
                    or binding.action in seen_actions or key in seen_keys):
                continue
            seen_actions.add(binding.action)
            seen_keys.add(key)
            rows.append((key, binding.description))
    return rows


def key_text(screen: Screen[object], binding: Binding) -> str:
    """How a binding's keys are written: ``f2 / e`` for ``"f2,e"``."""
    if binding.key_display:
        return binding.key_display
    return " / ".join(screen.app.get_key_display(b) for b in Binding.make_bindings([binding]))


def palette_bindings(screen: Screen[object]) -> list[tuple[DOMNode, Binding, str]]:
    """The enabled actions of ``screen`` for the command palette: ours only, each once."""
    entries: list[tuple[DOMNode, Binding, str]] = []
    seen: set[str] = set()
    for active in screen.active_bindings.values():
        node, binding = active.node, active.binding
        if (not active.enabled or not binding.description
                or binding.action in SKIPPED_ACTIONS or binding.action in seen
                or binding.action not in {b.action for b in own_bindings(node)}):
            continue
        seen.add(binding.action)
        entries.append((node, binding, binding.key_display or screen.app.get_key_display(binding)))
    return entries


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
            yield SmartTable(id="help-keys")
            yield Static(
                "Every action is also in the command palette (ctrl+p). Mouse optional.",
                classes="help-foot",
            )

    def on_mount(self) -> None:
        table = self.query_one(SmartTable)
        rows = [*self.rows, *GLOBAL_KEYS]
        table.set_rows(HELP_COLUMNS, [(str(i), list(row)) for i, row in enumerate(rows)])
        table.focus()
