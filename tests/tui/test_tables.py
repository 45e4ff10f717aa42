"""Tables: columns that fit the terminal, ``/`` filter, sort, copy of a row or a cell.

What a consultant notices: at 80 columns no column is drawn at its header's width while
the others are empty, no text is cut while the table has room, and the rows can be
narrowed, sorted and copied the same way in every step.
"""

from __future__ import annotations

import pytest
from rich.text import Text

from dmsa_migrate.paths import clipboard_file
from dmsa_migrate.sessions import SessionStore
from dmsa_migrate.tui.app import make_app
from dmsa_migrate.tui.screens.modals import ChoiceModal
from dmsa_migrate.tui.screens.workspace import WorkspaceScreen
from dmsa_migrate.tui.widgets.table import CELL_PADDING, Col, SmartTable, fit_widths, plain

from .conftest import settle, wait_for

pytestmark = pytest.mark.anyio


# ---------------------------------------------------------------- the sizing rule


def test_everything_that_fits_gets_its_full_width() -> None:
    cols = [Col("a"), Col("b", shrink=True), Col("c")]
    assert fit_widths([5, 30, 4], cols, 80) == [5, 30, 4]


def test_shrinkable_columns_give_up_width_widest_first() -> None:
    cols = [Col("id"), Col("name", min=8, shrink=True), Col("reason", min=8, shrink=True)]
    widths = fit_widths([4, 20, 60], cols, 50)
    assert widths[0] == 4  # never cut
    assert sum(w for w in widths if w) + CELL_PADDING * 3 == 50  # the whole width is used
    assert widths[2] is not None and widths[1] is not None
    assert widths[1] == 20  # the narrower one keeps its text while the wide one can give


def test_low_priority_columns_collapse_when_minimums_do_not_fit() -> None:
    cols = [Col("a"), Col("b", priority=2), Col("c", priority=1), Col("d", min=10, shrink=True)]
    widths = fit_widths([10, 10, 10, 40], cols, 36)
    assert widths[2] is None  # priority 1 goes first
    assert widths[0] == 10


# ---------------------------------------------------------------- in the app


def rendered(table: SmartTable) -> list[list[str]]:
    return [[plain(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_columns_fit_in_every_step_without_cutting_while_room_is_left(
    prepared_store: SessionStore, size: tuple[int, int]
) -> None:
    app = make_app(session="demo", store=prepared_store)
    async with app.run_test(size=size) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, WorkspaceScreen))
        await settle(pilot)
        for key, table_id in (("1", "#accounts"), ("2", "#permissions"),
                              ("3", "#companies"), ("4", "#items")):
            await pilot.press(key)
            await settle(pilot)
            table = app.screen.query_one(table_id, SmartTable)
            widths = [w for w in table.widths if w is not None]
            used = sum(widths) + CELL_PADDING * len(widths)
            originals = [[plain(c) for c, w in zip(row[1], table.widths, strict=True)
                          if w is not None] for row in table.shown]
            cut = rendered(table) != originals
            # either nothing is cut, or the table uses all the width it has
            assert not cut or used >= table._available(len(table.shown)) - 1, table_id
            # no column is as narrow as its header while its cells are longer
            for index, width in enumerate(table.widths):
                if width is None:
                    continue
                longest = max(len(plain(row[1][index])) for row in table.shown)
                if longest > width:
                    assert cut, f"{table_id} column {index} cut without an ellipsis"


async def test_a_hidden_step_s_table_is_sized_when_shown(prepared_store: SessionStore) -> None:
    """The steps are built at start-up while hidden: their columns must still fit."""
    app = make_app(session="demo", store=prepared_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, WorkspaceScreen))
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        table = app.screen.query_one("#companies", SmartTable)
        names = [plain(row[0]) for row in rendered(table)]
        full = [f"{c.id} {c.name}" for c in app.screen.workspace.verification.companies]
        assert names == full
        assert any("Bayview Construction Group" in name for name in names)


async def test_filter_narrows_rows_and_escape_brings_them_back(
    prepared_store: SessionStore,
) -> None:
    app = make_app(session="demo", store=prepared_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, WorkspaceScreen))
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        table = app.screen.query_one("#permissions", SmartTable)
        everything = table.row_count
        await pilot.press("slash", "r", "f", "i")
        assert table.row_count < everything
        assert all("rfi" in " ".join(row).lower() for row in rendered(table))
        await pilot.press("escape")
        assert table.row_count == everything
        assert app.focused is table


async def test_sort_key_orders_rows_and_marks_the_header(prepared_store: SessionStore) -> None:
    app = make_app(session="demo", store=prepared_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, WorkspaceScreen))
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        table = app.screen.query_one("#items", SmartTable)
        await pilot.press("S", "S", "S")  # company ▲, company ▼, item ▲
        titles = [row[1] for row in rendered(table)]
        assert titles == sorted(titles, key=str.lower)
        assert "▲" in str(table.ordered_columns[1].label)
        assert table.current_key() is not None


async def test_copy_row_and_cell_go_to_the_clipboard_and_the_file(
    prepared_store: SessionStore,
) -> None:
    app = make_app(session="demo", store=prepared_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, WorkspaceScreen))
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        table = app.screen.query_one("#companies", SmartTable)
        await pilot.press("y")
        row = "\t".join(plain(cell) for cell in table.current_cells())
        await wait_for(pilot, lambda: app.clipboard == row)
        await wait_for(pilot, lambda: clipboard_file().exists()
                       and clipboard_file().read_text("utf-8") == row)

        await pilot.press("Y")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceModal))
        await pilot.press("down", "enter")  # the second column: Install
        install = plain(table.current_cells()[1])
        await wait_for(pilot, lambda: app.clipboard == install)


def test_plain_text_of_styled_cells() -> None:
    assert plain(Text("installed", style="green")) == "installed"
