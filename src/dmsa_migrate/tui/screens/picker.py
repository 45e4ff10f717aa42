"""The session picker: recent engagements, a new one, or the demo.

What a consultant sees first: one row per session (customer, playbook, steps done,
steps needing attention, last change), most recent first. Unreadable sessions are listed
with the reason instead of hidden, so a damaged file is noticed, not lost. A session is
renamed (its folder moves) or deleted: moved to the trash folder after a confirmation,
never destroyed, because a session is days of a consultant's work.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, ClassVar

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from dmsa_migrate.engagement.overview import SessionOverview
from dmsa_migrate.errors import DmsaError, InputError
from dmsa_migrate.sessions import SessionSummary
from dmsa_migrate.tui.screens.modals import ConfirmModal, ErrorModal, Field, FormModal
from dmsa_migrate.tui.state import age, parse_company_ids
from dmsa_migrate.tui.widgets.footer import KeyFooter
from dmsa_migrate.tui.widgets.table import Col, SmartTable

if TYPE_CHECKING:
    from dmsa_migrate.tui.app import DmsaMigrateApp

ENVIRONMENTS = ("production", "sandbox", "monthly", "gov")
SESSION_COLUMNS = (
    Col("Session", min=10, shrink=True),
    Col("Customer", min=10, shrink=True),
    Col("Playbook", min=8, shrink=True, priority=3),
    Col("Steps"),
    Col("Open", priority=1),
    Col("Overdue"),
    Col("Blocked"),
    Col("Last verify", min=8, shrink=True, priority=2),
    Col("Changed"),
)


class SessionPicker(Screen[None]):
    """The first screen: pick a session, start one, or open the demo."""

    help_title = "Sessions"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Open", show=True),
        Binding("n", "new", "New session"),
        Binding("d", "demo", "Demo"),
        Binding("r", "refresh", "Refresh", show=False),
        Binding("f2,e", "rename", "Rename"),
        Binding("delete,x", "delete", "Delete"),
    ]

    app: DmsaMigrateApp

    def __init__(self) -> None:
        super().__init__(id="picker")
        self.summaries: list[SessionSummary] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Sessions", classes="screen-title")
        yield SmartTable(id="sessions")
        yield Static("", id="picker-empty", classes="empty-note")
        yield KeyFooter()

    @property
    def table(self) -> SmartTable:
        return self.query_one("#sessions", SmartTable)

    def on_mount(self) -> None:
        self.table.set_rows(SESSION_COLUMNS, [])
        self.table.focus()

    def on_screen_resume(self) -> None:
        self.action_refresh()

    def action_refresh(self) -> None:
        """Re-read the sessions folder."""
        self.load_sessions()

    @work(exclusive=True, group="picker-list", exit_on_error=False)
    async def load_sessions(self) -> None:
        """Read every session's overview in a thread (the same one ``session list``
        prints: open, overdue and blocked items, last verification), then fill the table."""
        from dmsa_migrate.engagement.overview import overview

        rows = await asyncio.to_thread(overview, self.app.store)
        self.fill(rows)

    def fill(self, rows: list[SessionOverview]) -> None:
        """Show the overview ``rows`` (most recent first)."""
        summaries = [row.summary for row in rows]
        self.summaries = summaries
        now = self.app.clock()
        table_rows: list[tuple[str, list[str]]] = []
        for row in rows:
            summary = row.summary
            problem = row.problem or summary.problem
            if problem:
                table_rows.append((summary.name, [summary.name, "UNREADABLE", problem[:60],
                                                  "", "", "", "", "", ""]))
                continue
            verified = row.verification + (f" {row.verified_at[:10]}" if row.verified_at else "")
            table_rows.append((summary.name, [
                summary.name,
                summary.customer,
                summary.playbook_id,
                summary.progress,
                _count(row.open_items),
                _count(row.overdue_items),
                _count(row.blocked_items),
                verified,
                age(summary.updated_at, now),
            ]))
        self.table.set_rows(SESSION_COLUMNS, table_rows)
        empty = self.query_one("#picker-empty", Static)
        empty.update(
            ""
            if summaries
            else "No sessions yet. Press n to start one for a customer, or d to open the "
            "demo on the built-in emulator (no network, no setup)."
        )
        empty.display = not summaries

    @on(DataTable.RowSelected, "#sessions")
    def _row_selected(self) -> None:
        self.action_open()

    def action_open(self) -> None:
        """Open the highlighted session."""
        summary = self._highlighted()
        if summary is None:
            self.notify("No session to open: press n for a new one", severity="warning")
            return
        if summary.problem:
            self.app.show_error(InputError(summary.problem))
            return
        self.app.open_session(summary.name)

    def _highlighted(self) -> SessionSummary | None:
        key = self.table.current_key()
        return next((s for s in self.summaries if s.name == key), None)

    def action_delete(self) -> None:
        """Move the highlighted session to the trash, after a confirmation."""
        summary = self._highlighted()
        if summary is None:
            self.notify("No session to delete", severity="warning")
            return
        self.delete_session(summary)

    @work(exclusive=True, group="picker-manage", exit_on_error=False)
    async def delete_session(self, summary: SessionSummary) -> None:
        store = self.app.store
        who = f" ({escape(summary.customer)})" if summary.customer else ""
        confirmed = await self.app.push_screen_wait(ConfirmModal(
            f"Delete session [b]{summary.name}[/b]{who}?\n\nIts folder is moved to the "
            f"trash, {escape(str(store.trash_root))}, with every file in it: nothing is "
            "destroyed. To free the space for good, delete it there.",
            yes="Move to trash",
        ))
        if not confirmed:
            return
        try:
            where = await asyncio.to_thread(store.trash, summary.name)
        except DmsaError as exc:
            self.app.show_error(exc)
            return
        self.notify(f"Session {summary.name} moved to {where}", title="Deleted", timeout=8)
        self.load_sessions()

    def action_rename(self) -> None:
        """Give the highlighted session a new name (its folder moves with it)."""
        summary = self._highlighted()
        if summary is None:
            self.notify("No session to rename", severity="warning")
            return
        if summary.problem:
            self.app.show_error(InputError(
                f"session '{summary.name}' cannot be read, so it cannot be renamed: "
                f"{summary.problem}"
            ))
            return
        self.rename_session(summary.name)

    @work(exclusive=True, group="picker-manage", exit_on_error=False)
    async def rename_session(self, name: str) -> None:
        store = self.app.store
        values = await self.app.push_screen_wait(FormModal(
            f"Rename session {name}",
            [Field("name", "New name (letters, digits, . _ -)", name)],
            note="The session's folder is renamed; its steps, outputs and audit log stay.",
        ))
        if values is None or values["name"] == name:
            return

        def rename() -> None:
            store.rename(store.load(name), values["name"])

        try:
            await asyncio.to_thread(rename)
        except DmsaError as exc:
            self.app.show_error(exc)
            return
        self.notify(f"Session {name} renamed to {values['name']}", timeout=6)
        await self._reload(select=values["name"])

    async def _reload(self, select: str | None = None) -> None:
        """Re-list now (not in the background) and put the cursor on ``select``."""
        from dmsa_migrate.engagement.overview import overview

        self.fill(await asyncio.to_thread(overview, self.app.store))
        if select is not None:
            self.table.move_to_key(select)

    def action_demo(self) -> None:
        """Open the demo session against the built-in emulator."""
        self.app.open_demo("demo")

    def action_new(self) -> None:
        """Ask for a new session's details, then create it."""
        self.new_session()

    @work(exclusive=True, group="picker-new", exit_on_error=False)
    async def new_session(self) -> None:
        import datetime as dt

        from dmsa_migrate.playbooks import default_playbook_id, discover_playbooks

        entries = await asyncio.to_thread(discover_playbooks)
        choices = tuple(
            (entry.id, f"{entry.id} — {entry.playbook.playbook.title}")
            for entry in entries
            if entry.playbook is not None and not entry.shadowed
        )
        values: dict[str, str] = {}
        while True:
            # the same default as `session new`: post-sunset-recovery from the sunset on
            form = new_session_form(choices, values, default_playbook_id(dt.date.today()))
            answer = await self.app.push_screen_wait(form)
            if answer is None:
                return
            values = answer
            try:
                workspace = await asyncio.to_thread(create_session, self.app, values)
            except (DmsaError, ValueError) as exc:
                error = exc if isinstance(exc, DmsaError) else InputError(str(exc))
                await self.app.push_screen_wait(ErrorModal.from_error(error))
                continue
            self.app.show_workspace(workspace)
            return


def new_session_form(
    playbooks: tuple[tuple[str, str], ...], values: dict[str, str], default: str
) -> FormModal:
    """The new-session form, filled with ``values`` when shown again after an error."""

    def value(name: str, fallback: str = "") -> str:
        return values.get(name, fallback)

    return FormModal(
        "New session",
        [
            Field("name", "Session name (letters, digits, . _ -)", value("name"),
                  "acme-2025"),
            Field("customer", "Customer", value("customer"), "Acme Builders"),
            Field("playbook", "Playbook", value("playbook", default), kind="select",
                  choices=playbooks),
            Field("environment", "Procore environment", value("environment", "production"),
                  kind="select", choices=tuple((e, e) for e in ENVIRONMENTS)),
            Field("api_base", "Custom API base (optional)", value("api_base"),
                  "https://sandbox.procore.com", required=False),
            Field("company_ids", "Company ids", value("company_ids"), "101, 202",
                  required=False),
            Field("accounts_file", "Accounts file (optional)", value("accounts_file"),
                  "accounts.toml", required=False),
            Field("dmsa_client_id", "DMSA client id (optional)", value("dmsa_client_id"),
                  kind="client_id", required=False),
            Field("dmsa_secret", "DMSA secret reference (optional)", value("dmsa_secret"),
                  "env:DMSA_SECRET", kind="reference", required=False),
        ],
        note="Secrets are given as references (env:NAME, file:PATH, keyring:S/N or "
        "prompt), never as values; the session stores only the reference.",
    )


def create_session(app: DmsaMigrateApp, values: dict[str, str]) -> Any:
    """Create the session from the form (runs in a thread: file IO)."""
    from dmsa_migrate.engagement.inputs import typed_accounts_path
    from dmsa_migrate.models.session import Connection, Credentials
    from dmsa_migrate.playbooks import find_playbook_source
    from dmsa_migrate.tui.state import Workspace

    # pinned at creation, as by `session new`: a later edit of the playbook changes nothing
    playbook, playbook_text = find_playbook_source(values["playbook"])
    refs = {"dmsa_secret": values["dmsa_secret"]} if values.get("dmsa_secret") else {}
    api_base = values.get("api_base", "")
    if api_base:
        from dmsa_migrate.procore import environment_from_options

        environment_from_options(values["environment"], api_base)  # refuse a bad URL now
    session = app.store.create(
        values["name"],
        customer=values["customer"],
        playbook=playbook,
        playbook_text=playbook_text,
        connection=Connection.model_validate(
            {"environment": values["environment"], "api_base": api_base}
        ),
        company_ids=parse_company_ids(values.get("company_ids", "")),
        credentials=Credentials(
            accounts_file=typed_accounts_path(values.get("accounts_file", "")),
            dmsa_client_id=values.get("dmsa_client_id", ""),
            secret_refs=refs,
        ),
    )
    return Workspace(app.store, session, playbook)


def _count(value: int | None) -> str:
    """A count of checklist items; ``-`` before the checklist was built."""
    return "-" if value is None else str(value)
