"""The workspace: one session, the stepper, the playbook's notes, and the current step.

Layout (top to bottom): header (session, customer, playbook), the stepper
(Inventory › Manifest › Verify › Checklist with ✔ / ! / ○, and the playbook's custom
steps in the playbook's order), the consultant notes of the
current step (``n`` hides them to make room on small terminals), the step pane, the
footer with the keys. ``1``–``4`` jump to a step, ``escape`` goes back to the sessions.
A session reopens on the step it was left on (remembered in the TUI settings).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import ContentSwitcher, DataTable, Header, Static

from dmsa_migrate.models.session import StepStatus
from dmsa_migrate.secrets import mask_client_id, shown_reference_text
from dmsa_migrate.tui.screens.base import StepPane
from dmsa_migrate.tui.screens.checklist import ChecklistPane
from dmsa_migrate.tui.screens.custom import CustomStepPane
from dmsa_migrate.tui.screens.inventory import InventoryPane
from dmsa_migrate.tui.screens.manifest import ManifestPane
from dmsa_migrate.tui.screens.verify import VerifyPane
from dmsa_migrate.tui.state import STEP_KINDS, Workspace, dom_id, is_custom
from dmsa_migrate.tui.widgets.footer import KeyFooter
from dmsa_migrate.tui.widgets.stepper import WORDS, Stepper, Stop

if TYPE_CHECKING:
    from dmsa_migrate.tui.app import DmsaMigrateApp


class WorkspaceScreen(Screen[None]):
    """One open session."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("1", "step('inventory')", "Inventory", show=False),
        Binding("2", "step('manifest')", "Manifest", show=False),
        Binding("3", "step('verify')", "Verify", show=False),
        Binding("4", "step('checklist')", "Checklist", show=False),
        Binding("right_square_bracket", "next_step", "Next step", show=False),
        Binding("left_square_bracket", "previous_step", "Previous step", show=False),
        Binding("n", "toggle_notes", "More/less notes", show=False),
        Binding("escape", "close", "Sessions"),
    ]

    app: DmsaMigrateApp

    def __init__(self, workspace: Workspace, last_step: str | None = None) -> None:
        super().__init__(id="workspace")
        self.workspace = workspace
        self.stops = workspace.stops()
        self.current: str = (
            last_step if last_step in self.stops else workspace.current_kind()
        )

    @property
    def help_title(self) -> str:
        return f"{self.workspace.title(self.current)} step"

    def compose(self) -> ComposeResult:
        yield Header()
        yield Stepper(
            [Stop(key, self.workspace.title(key),
                  None if is_custom(key) else STEP_KINDS.index(key) + 1)
             for key in self.stops],
            id="stepper",
        )
        yield Static("", id="notes", classes="notes")
        with ContentSwitcher(initial=f"pane-{dom_id(self.current)}", id="panes"):
            yield InventoryPane(self.workspace)
            yield ManifestPane(self.workspace)
            yield VerifyPane(self.workspace)
            yield ChecklistPane(self.workspace)
            for step in self.workspace.custom_steps():
                yield CustomStepPane(self.workspace, step)
        yield KeyFooter()

    def on_mount(self) -> None:
        session = self.workspace.session
        self.title = f"{session.name} — {session.customer}"
        self.sub_title = f"{self.workspace.playbook.id} {self.workspace.playbook.version}"
        self.show_step(self.current)

    # ------------------------------------------------------------ the stepper

    def statuses(self) -> dict[str, StepStatus]:
        return {kind: self.workspace.status(kind) for kind in self.stops}

    def redraw(self) -> None:
        """Redraw the stepper and the notes for the current step."""
        self.query_one(Stepper).show(self.statuses(), self.current)
        kind = self.current
        status = self.workspace.status(kind)
        summary = self.workspace.summary(kind)
        notes = self.workspace.notes(kind) or "The playbook has no notes for this step."
        state = f"[b]{escape(self.workspace.title(kind))}[/b] — {WORDS[status]}"
        if summary:
            state += f": {escape(summary)}"
        self.query_one("#notes", Static).update(f"{state}\n[i]{escape(notes)}[/i]")

    def show_step(self, kind: str) -> None:
        """Switch to ``kind``'s pane (a built-in kind or ``custom:<id>``) and focus it."""
        if kind != self.current:
            self.app.clear_passing_notifications()
        self.current = kind
        self.app.remember_step(self.workspace.session.name, kind)
        self.query_one(ContentSwitcher).current = f"pane-{dom_id(kind)}"
        self.redraw()
        pane = self.query_one(f"#pane-{dom_id(kind)}", StepPane)
        pane.refresh_view()
        tables, scrolls = pane.query(DataTable), pane.query(VerticalScroll)
        # set_focus at once (focus() is deferred): a key typed right after the step key
        # must reach the new step, not the table of the step just left
        if tables:
            self.set_focus(tables.first())
        elif scrolls:
            self.set_focus(scrolls.first())
        else:
            self.set_focus(None)
        self.refresh_bindings()

    def action_step(self, kind: str) -> None:
        """Go to a step."""
        if kind in self.stops:
            self.show_step(kind)

    def action_next_step(self) -> None:
        """Go to the next step (custom steps included)."""
        index = self.stops.index(self.current)
        self.show_step(self.stops[min(index + 1, len(self.stops) - 1)])

    def action_previous_step(self) -> None:
        """Go to the previous step (custom steps included)."""
        index = self.stops.index(self.current)
        self.show_step(self.stops[max(index - 1, 0)])

    def action_toggle_notes(self) -> None:
        """Show the playbook's notes in full, or shortened to make room."""
        self.query_one("#notes").toggle_class("-expanded")

    def action_close(self) -> None:
        """Back to the session picker (everything is saved already)."""
        self.app.pop_screen()

    @on(Stepper.Selected)
    def _stepper_clicked(self, event: Stepper.Selected) -> None:
        self.show_step(event.kind)

    @on(StepPane.Changed)
    def _session_changed(self) -> None:
        self.redraw()

    def credential_line(self) -> str:
        """The DMSA credential as the screen may show it (masked id, reference)."""
        credentials = self.workspace.session.credentials
        client = mask_client_id(credentials.dmsa_client_id) if credentials.dmsa_client_id else "—"
        reference = shown_reference_text(credentials.secret_refs.get("dmsa_secret", "")) or "—"
        return f"DMSA client {client} · secret {reference}"
