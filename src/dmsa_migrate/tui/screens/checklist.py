"""Step 4 — Checklist: the sunset items per company, closed by evidence or by people.

Each row is one item for one company: status, owner, due date and the evidence sentence
that says why it has that status. The consultant marks items done, waives them (a reason
is required), signs them off, names owners, and exports every format (Markdown, HTML,
JSON, CSV) into the session's exports folder; the paths are shown.
"""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Static

from dmsa_migrate.errors import DmsaError
from dmsa_migrate.models.checklist import ChecklistRow
from dmsa_migrate.tui import runners
from dmsa_migrate.tui.screens.base import StepPane
from dmsa_migrate.tui.screens.modals import Field, FormModal
from dmsa_migrate.tui.widgets.progress import RunProgress, RunStats
from dmsa_migrate.tui.widgets.table import Col, Row, SmartTable
from dmsa_migrate.tui.widgets.tones import tone

STATUS_TONE = {
    "done": "success",
    "pending": "warning",
    "blocked": "error",
    "waived": "accent",
    "not_applicable": "muted",
}
ITEM_COLUMNS = (
    Col("Company"),
    Col("Item", min=14, shrink=True),
    Col("Status"),
    Col("Owner", min=8, shrink=True, priority=2),
    Col("Due", priority=1),
)


def item_key(row: ChecklistRow) -> str:
    """One checklist row's key: the item in one company."""
    return f"{row.company_id}:{row.item_id}"


class ChecklistPane(StepPane):
    """The checklist step."""

    kind = "checklist"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "run", "Build checklist"),
        Binding("x", "mark_done", "Mark done"),
        Binding("w", "waive", "Waive"),
        Binding("s", "sign_off", "Sign off"),
        Binding("o", "owner", "Owner", show=False),
        Binding("a", "auto", "Back to automatic", show=False),
        Binding("e", "export", "Export all"),
        Binding("v", "open_export", "Open an export…"),
    ]

    def __init__(self, workspace: Any) -> None:
        super().__init__(workspace)
        self.exported: dict[str, Any] = {}

    def compose(self) -> ComposeResult:
        yield Static("", id="checklist-info", classes="pane-info", markup=False)
        yield RunProgress()
        yield SmartTable(id="items", classes="fill")
        yield Static("", id="item-detail", classes="detail", markup=False)

    @property
    def rows(self) -> list[ChecklistRow]:
        checklist = self.workspace.checklist
        return list(checklist.items) if checklist is not None else []

    def refresh_view(self) -> None:
        if not self.is_mounted:
            return
        checklist = self.workspace.checklist
        info = self.query_one("#checklist-info", Static)
        if checklist is None:
            info.update("Not built yet: r builds the checklist from the steps so far.")
        else:
            totals = " · ".join(f"{n} {s.replace('_', ' ')}"
                                for s, n in checklist.totals.items() if n)
            exported = (
                f" · exported to {next(iter(self.exported.values())).parent}"
                if self.exported else ""
            )
            info.update(f"{totals}{exported}")
        rows: list[Row] = [
            (item_key(row), [
                str(row.company_id),
                row.title,
                Text(row.status.replace("_", " "),
                     style=tone(self.app, STATUS_TONE.get(row.status, ""))),
                row.owner,
                row.due,
            ])
            for row in self.rows
        ]
        self.query_one("#items", SmartTable).set_rows(ITEM_COLUMNS, rows)
        self._draw_detail()

    def _current(self) -> ChecklistRow | None:
        key = self.query_one("#items", SmartTable).current_key()
        return next((row for row in self.rows if item_key(row) == key), None)

    def _draw_detail(self) -> None:
        row = self._current()
        detail = self.query_one("#item-detail", Static)
        detail.display = row is not None
        if row is None:
            return
        text = Text(f"{row.company} · {row.title}\n", style="bold")
        text.append(row.evidence or "no evidence yet")
        if row.waiver:
            text.append(f"\nWaived: {row.waiver}", style=tone(self.app, "accent"))
        if row.signed_off_by:
            text.append(f"\nSigned off by {row.signed_off_by} at {row.signed_off_at}",
                        style=tone(self.app, "success"))
        detail.update(text)

    @on(DataTable.RowHighlighted, "#items")
    def _highlighted(self) -> None:
        self._draw_detail()

    # ------------------------------------------------------------ actions

    def action_run(self) -> None:
        """Build the checklist from the inventory, manifest, verification and session."""

        async def job(stats: RunStats) -> Any:
            return await runners.run_checklist(self.workspace)

        def done(checklist: Any) -> None:
            self.notify_run(f"Checklist: {runners.checklist_status(checklist)[1]}")

        self.start_run("checklist", job, done)

    def action_mark_done(self) -> None:
        """Mark the highlighted item done."""
        self.change_item("done")

    def action_auto(self) -> None:
        """Let the playbook's conditions decide the highlighted item again."""
        self.change_item("auto")

    @work(group="checklist-edit", exclusive=True, exit_on_error=False)
    async def change_item(self, status: str) -> None:
        row = self._current()
        if row is None:
            self.notify("Build the checklist first (r)", severity="warning")
            return
        await self._apply(row, f"{row.title}: {status}", status=status)

    @work(group="checklist-edit", exclusive=True, exit_on_error=False)
    async def action_waive(self) -> None:
        """Waive the highlighted item; the reason is required and exported."""
        row = self._current()
        if row is None:
            self.notify("Build the checklist first (r)", severity="warning")
            return
        values = await self.app.push_screen_wait(FormModal(
            f"Waive: {row.title} ({row.company})",
            [Field("reason", "Reason (printed in every export)", row.waiver)],
        ))
        if values is not None:
            await self._apply(row, f"{row.title}: waived", status="waived",
                              waiver_reason=values["reason"])

    @work(group="checklist-edit", exclusive=True, exit_on_error=False)
    async def action_sign_off(self) -> None:
        """Sign the highlighted item off (name and time are recorded)."""
        row = self._current()
        if row is None:
            self.notify("Build the checklist first (r)", severity="warning")
            return
        values = await self.app.push_screen_wait(FormModal(
            f"Sign off: {row.title} ({row.company})",
            [Field("name", "Signed off by", self.workspace.store.actor)],
        ))
        if values is not None:
            await self._apply(row, f"{row.title}: signed off by {values['name']}",
                              sign_off_by=values["name"])

    @work(group="checklist-edit", exclusive=True, exit_on_error=False)
    async def action_owner(self) -> None:
        """Name the person who owns the highlighted item."""
        row = self._current()
        if row is None:
            self.notify("Build the checklist first (r)", severity="warning")
            return
        values = await self.app.push_screen_wait(FormModal(
            f"Owner: {row.title} ({row.company})", [Field("owner", "Owner", row.owner)],
        ))
        if values is not None:
            await self._apply(row, f"{row.title}: owner {values['owner']}",
                              owner=values["owner"])

    async def _apply(self, row: ChecklistRow, message: str, **change: Any) -> None:
        store, session = self.workspace.store, self.workspace.session
        ok = await self.save(
            lambda: store.set_item(session, row.item_id, row.company_id, **change), message
        )
        if ok:
            try:
                await runners.run_checklist(self.workspace)
            except DmsaError as exc:
                self.app.show_error(exc)
            self.after_change()
            self.show_notices()

    def action_open_export(self) -> None:
        """Open one exported file (or the exports folder) in its usual application."""
        if not self.exported:
            self.notify("Export first (e): then v opens a file or the folder",
                        severity="warning")
            return
        self.open_one_of(list(self.exported.values()))

    @work(group="checklist-edit", exclusive=True, exit_on_error=False)
    async def action_export(self) -> None:
        """Write checklist.md, .html, .json and .csv into the session's exports folder."""
        try:
            self.exported = await asyncio.to_thread(runners.export_checklist, self.workspace)
        except DmsaError as exc:
            self.app.show_error(exc)
            return
        paths = "\n".join(str(path) for path in self.exported.values())
        self.notify(f"{paths}\nv opens one of them or the folder", title="Checklist exported",
                    timeout=8)
        self.refresh_view()
