"""The fleet table: every company of a verification, sortable and filterable.

An ISV verifying hundreds of installs after an app update needs the few companies that
need attention, not a scroll through all of them: ``/`` and type to filter (company name
or id, install status), ``p`` keeps only the companies with a problem, ``s`` sorts by the
next column (``S`` reverses). The rows are :func:`dmsa_migrate.verify.fleet.fleet_rows`, the
same as the CLI's ``--summary`` CSV, so a row on screen and a row in the spreadsheet
always say the same thing. Pure display: no IO, so it can be driven from any handler.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Static

from dmsa_migrate.verify.fleet import FleetRow

COLUMNS: tuple[tuple[str, str], ...] = (
    ("company", "Company"),
    ("install_status", "Install"),
    ("permitted_projects", "Permitted"),
    ("old_projects", "Old access"),
    ("lost_since_last_run", "Lost since last"),
    ("permission_gaps", "Gaps"),
    ("errors", "Errors"),
)
STATUS_STYLE = {
    "installed": "green", "disconnected": "bold red", "not_installed": "red", "unread": "yellow",
}


def needs_attention(row: FleetRow) -> bool:
    """Not installed, disconnected, projects lost, gaps or errors."""
    return row.install_status != "installed" or row.lost_since_last_run > 0 or not row.ok


def visible_rows(
    rows: list[FleetRow], text: str, problems_only: bool, sort_key: str, descending: bool
) -> list[FleetRow]:
    """The rows the table shows: filtered by ``text`` and ``problems_only``, then sorted."""
    needle = text.strip().lower()
    kept = [
        row for row in rows
        if (not problems_only or needs_attention(row))
        and (not needle or needle in f"{row.company_id} {row.company} {row.install_status}"
             .lower())
    ]
    return sorted(kept, key=lambda row: (getattr(row, sort_key), row.company_id),
                  reverse=descending)


class FleetTable(Vertical):
    """A filter box over a table of :class:`FleetRow`."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "sort", "Sort by next column"),
        Binding("S", "reverse", "Reverse order"),
        Binding("p", "problems", "Problems only"),
        Binding("slash", "find", "Filter"),
    ]

    def __init__(self, rows: list[FleetRow], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rows = rows
        self.filter_text = ""
        self.problems_only = False
        self.sort_index = 0
        self.descending = False

    def compose(self) -> ComposeResult:
        yield Input(placeholder="filter: company name, id or install status", id="fleet-filter")
        yield Static("", id="fleet-state", markup=False)
        yield DataTable(id="fleet-rows", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one("#fleet-rows", DataTable)
        table.add_columns(*(title for _key, title in COLUMNS))
        self.redraw()

    @property
    def shown(self) -> list[FleetRow]:
        return visible_rows(self.rows, self.filter_text, self.problems_only,
                            COLUMNS[self.sort_index][0], self.descending)

    def redraw(self) -> None:
        table = self.query_one("#fleet-rows", DataTable)
        table.clear()
        shown = self.shown
        for row in shown:
            table.add_row(
                Text(f"{row.company_id} {row.company}"),  # a name is never markup
                Text(row.install_status, style=STATUS_STYLE.get(row.install_status, "")),
                str(row.permitted_projects),
                str(row.old_projects),
                Text(str(row.lost_since_last_run), style="red" if row.lost_since_last_run else ""),
                str(row.permission_gaps or ""),
                Text(str(row.errors or ""), style="red" if row.errors else ""),
            )
        order = "descending" if self.descending else "ascending"
        only = " · problems only" if self.problems_only else ""
        attention = sum(needs_attention(row) for row in self.rows)
        self.query_one("#fleet-state", Static).update(
            f"{len(shown)} of {len(self.rows)} companies · {attention} need attention · "
            f"sorted by {COLUMNS[self.sort_index][1]} ({order}){only}"
        )

    @on(Input.Changed, "#fleet-filter")
    def _filter(self, event: Input.Changed) -> None:
        self.filter_text = event.value
        self.redraw()

    def action_find(self) -> None:
        self.query_one("#fleet-filter", Input).focus()

    def action_sort(self) -> None:
        self.sort_index = (self.sort_index + 1) % len(COLUMNS)
        self.redraw()

    def action_reverse(self) -> None:
        self.descending = not self.descending
        self.redraw()

    def action_problems(self) -> None:
        self.problems_only = not self.problems_only
        self.redraw()


class FleetScreen(ModalScreen[None]):
    """The fleet table on its own screen (escape closes)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss", "Close")]

    def __init__(self, rows: list[FleetRow]) -> None:
        super().__init__(classes="dialog-screen")
        self.rows = rows

    def compose(self) -> ComposeResult:
        yield FleetTable(self.rows, id="fleet")

    def on_mount(self) -> None:
        self.query_one("#fleet-rows", DataTable).focus()
