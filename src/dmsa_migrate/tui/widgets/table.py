"""The one table of the TUI: columns that fit the width, ``/`` to filter, a sort key, copy.

Why not a bare ``DataTable``: its automatic column widths are measured when rows arrive,
which in a hidden pane (the other steps of the workspace) gives header-wide columns until
the step is shown again, and it never shrinks a long column to make room for the others.
:class:`SmartTable` keeps the rows it was given, measures them itself and sets every
column's width from the width it really has (:func:`fit_widths`), again on every resize:

* while everything fits, every column gets its full width (no text is cut while space is
  free);
* when it does not, the columns that may shrink (``Col.shrink``) give up width, the
  widest first, down to their minimum, and their text ends in ``…``;
* when even the minimums do not fit, the lowest-priority columns collapse (they are still
  in the copied row).

Rows carry a key: panes read :meth:`SmartTable.current_key` rather than the cursor's row
number, which filtering and sorting change.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual import events, on
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widget import Widget
from textual.widgets import DataTable, Input

Cell = str | Text
Row = tuple[str, list[Cell]]
"""A table row: its key and its cells."""

CELL_PADDING = 2
"""A DataTable cell has one cell of padding on each side."""
SCROLLBAR = 2
"""Room kept for the vertical scroll bar when the rows do not fit the height."""


@dataclass(frozen=True)
class Col:
    """One column of a :class:`SmartTable`.

    Attributes:
        label: the header.
        min: the narrowest it may shrink to (``shrink`` columns only).
        shrink: whether its text may be cut with ``…`` to make room for the others.
        priority: lower collapses first when even the minimums do not fit (0 never).
        wrap: long text goes on to the next lines instead of being cut (the rows grow);
            for prose such as findings, read in full.
    """

    label: str
    min: int = 6
    shrink: bool = False
    priority: int = 0
    wrap: bool = False


def fit_widths(naturals: Sequence[int], cols: Sequence[Col], available: int) -> list[int | None]:
    """The width of every column inside ``available`` cells (``None``: collapsed).

    Widths exclude the cell padding; ``available`` includes it. Pure, so the sizing rule
    is tested on its own.
    """
    shown = list(range(len(cols)))

    def room() -> int:
        return available - CELL_PADDING * len(shown)

    def least(index: int) -> int:
        return min(naturals[index], cols[index].min) if cols[index].shrink else naturals[index]

    while sum(least(i) for i in shown) > room() and any(cols[i].priority for i in shown):
        victim = min((i for i in shown if cols[i].priority), key=lambda i: cols[i].priority)
        shown.remove(victim)
    widths: dict[int, int] = {i: naturals[i] for i in shown}
    excess = sum(widths.values()) - room()
    if excess > 0:
        _shrink(widths, {i: least(i) for i in shown if cols[i].shrink}, excess)
    return [widths.get(i) for i in range(len(cols))]


def _shrink(widths: dict[int, int], floors: dict[int, int], excess: int) -> None:
    """Take ``excess`` cells from the shrinkable columns, always from the widest one."""
    while excess > 0:
        movable = [i for i in floors if widths[i] > floors[i]]
        if not movable:
            return
        widest = max(movable, key=lambda i: widths[i])
        widths[widest] -= 1
        excess -= 1


def plain(cell: Cell) -> str:
    """The text of a cell without styles (filter, sort, copy)."""
    return cell.plain if isinstance(cell, Text) else str(cell)


def sort_key(cell: Cell) -> tuple[int, float, str]:
    """Numbers by value before words in alphabetical order; blanks last."""
    text = plain(cell).strip()
    if not text:
        return (2, 0.0, "")
    head = text.split()[0].rstrip("%")
    try:
        return (0, float(head), text.lower())
    except ValueError:
        return (1, 0.0, text.lower())


def fitted(cell: Cell, width: int, wrap: bool = False) -> Text:
    """``cell`` in ``width`` cells: as it is when it fits, else cut with ``…`` (or left
    whole to wrap)."""
    text = cell.copy() if isinstance(cell, Text) else Text(cell)
    if wrap:
        return text
    text.no_wrap = True
    if cell_len(text.plain) > width:
        text.truncate(width, overflow="ellipsis")
    return text


class FilterBar(Input):
    """The ``/`` filter under a table: typing narrows the rows, Esc clears it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "clear", "Clear filter", show=False),
    ]

    def __init__(self, table: SmartTable) -> None:
        super().__init__(placeholder="filter: words to find in any column (Esc clears)",
                         classes="filter-bar", compact=True)
        self.table = table

    def action_clear(self) -> None:
        """Forget the filter and go back to the table."""
        self.value = ""
        self.table.set_filter("")
        self.display = False
        self.table.focus()

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        self.table.set_filter(event.value)

    @on(Input.Submitted)
    def _done(self, event: Input.Submitted) -> None:
        event.stop()
        self.display = bool(self.value)
        self.table.focus()


class SmartTable(DataTable[Any]):
    """A row-cursor table with fitted columns, filter, sort and copy (see the module)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "filter", "Filter", show=False),
        Binding("S", "sort", "Sort by next column", show=False),
        Binding("y", "copy_row", "Copy row", show=False),
        Binding("Y", "copy_cell", "Copy a cell…", show=False),
    ]

    class CopyRequested(Message):
        """The user asked to copy ``text`` (the app copies it: OSC 52 and a file)."""

        def __init__(self, text: str, what: str) -> None:
            super().__init__()
            self.text = text
            self.what = what

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes, cursor_type="row", zebra_stripes=True,
                         cursor_foreground_priority="renderable")
        self.cols: list[Col] = []
        self.data: list[tuple[str, list[Cell]]] = []
        self.filter_text = ""
        self.sort_column: int | None = None
        self.sort_reverse = False
        self.shown: list[tuple[str, list[Cell]]] = []
        self.widths: list[int | None] = []
        self._drawn_width = -1

    # ------------------------------------------------------------ data in

    def set_rows(self, cols: Sequence[Col], rows: Iterable[tuple[str, Sequence[Cell]]]) -> None:
        """Replace the columns and rows (``(key, cells)``); the cursor stays on its key."""
        self.cols = list(cols)
        self.data = [(key, list(cells)) for key, cells in rows]
        self.redraw()

    def current_key(self) -> str | None:
        """The key of the row under the cursor (``None`` when no row is shown)."""
        if not self.shown or self.cursor_row < 0:
            return None
        return self.shown[min(self.cursor_row, len(self.shown) - 1)][0]

    def current_cells(self) -> list[Cell]:
        """The full cells of the row under the cursor (collapsed columns included)."""
        if not self.shown or self.cursor_row < 0:
            return []
        return self.shown[min(self.cursor_row, len(self.shown) - 1)][1]

    def move_to_key(self, key: str) -> None:
        """Put the cursor on the row ``key`` when it is shown."""
        keys = [row_key for row_key, _ in self.shown]
        if key in keys:
            self.move_cursor(row=keys.index(key))

    def set_filter(self, text: str) -> None:
        """Show only the rows with every word of ``text`` in one of their cells."""
        self.filter_text = text
        self.redraw()

    # ------------------------------------------------------------ drawing

    def visible_rows(self) -> list[tuple[str, list[Cell]]]:
        """The rows after the filter and the sort."""
        words = self.filter_text.lower().split()
        rows = [
            row for row in self.data
            if all(any(word in plain(cell).lower() for cell in row[1]) for word in words)
        ]
        column = self.sort_column
        if column is not None and column < len(self.cols):
            rows.sort(key=lambda row: sort_key(row[1][column]), reverse=self.sort_reverse)
        return rows

    def _available(self, rows: int) -> int:
        width = self.scrollable_content_region.width or self.size.width
        if not width:
            width = self.app.size.width
        if rows + 1 > (self.size.height or rows + 1):
            width -= SCROLLBAR
        return max(width, 1)

    def header(self, index: int) -> str:
        """A column's header with the sort arrow on the sorted one."""
        label = self.cols[index].label
        if index == self.sort_column:
            label += " ▼" if self.sort_reverse else " ▲"
        return label

    def redraw(self) -> None:
        """Filter, sort and fit the rows to the width the table has now."""
        key = self.current_key()
        self.shown = self.visible_rows()
        naturals = [
            max([cell_len(self.header(i)), *(cell_len(plain(r[1][i])) for r in self.shown)])
            for i in range(len(self.cols))
        ]
        available = self._available(len(self.shown))
        self.widths = fit_widths(naturals, self.cols, available)
        self._drawn_width = available
        self.clear(columns=True)
        for index, width in enumerate(self.widths):
            if width is not None:
                self.add_column(self.header(index), width=width, key=str(index))
        wraps = [col.wrap for col in self.cols]
        height = None if any(w is not None and wrap
                             for w, wrap in zip(self.widths, wraps, strict=True)) else 1
        for row_key, cells in self.shown:
            self.add_row(
                *(fitted(cell, width, wrap)
                  for cell, width, wrap in zip(cells, self.widths, wraps, strict=True)
                  if width is not None),
                key=row_key,
                height=height,
            )
        if key is not None:
            self.move_to_key(key)

    def on_resize(self, event: events.Resize) -> None:
        if self.cols and self._available(len(self.shown)) != self._drawn_width:
            self.redraw()

    # ------------------------------------------------------------ keys

    def action_filter(self) -> None:
        """Open the filter line under the table."""
        bar = self.filter_bar()
        bar.display = True
        bar.focus()

    def filter_bar(self) -> FilterBar:
        """The filter line (made on first use, right under the table)."""
        found = [bar for bar in self.screen.query(FilterBar) if bar.table is self]
        if found:
            return found[0]
        bar = FilterBar(self)
        parent = self.parent
        assert isinstance(parent, Widget)
        parent.mount(bar, after=self)
        return bar

    def action_sort(self) -> None:
        """Sort by the next column: each column ascending, then descending, then none."""
        count = len(self.cols)
        if not count:
            return
        if self.sort_column is None:
            self.sort_column, self.sort_reverse = 0, False
        elif not self.sort_reverse:
            self.sort_reverse = True
        elif self.sort_column + 1 < count:
            self.sort_column, self.sort_reverse = self.sort_column + 1, False
        else:
            self.sort_column = None
        self.redraw()

    @on(DataTable.HeaderSelected)
    def _header_clicked(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        index = int(str(event.column_key.value))
        if self.sort_column == index:
            self.sort_reverse = not self.sort_reverse
        else:
            self.sort_column, self.sort_reverse = index, False
        self.redraw()

    def action_copy_row(self) -> None:
        """Copy the highlighted row, its cells separated by tabs."""
        cells = self.current_cells()
        if cells:
            self.post_message(self.CopyRequested("\t".join(plain(c) for c in cells), "row"))

    def action_copy_cell(self) -> None:
        """Choose one cell of the highlighted row to copy."""
        cells = self.current_cells()
        if not cells:
            return
        from dmsa_migrate.tui.screens.modals import ChoiceModal

        choices = [(col.label, plain(cell)) for col, cell in zip(self.cols, cells, strict=True)]

        def chosen(index: int | None) -> None:
            if index is not None:
                label, value = choices[index]
                self.post_message(self.CopyRequested(value, label))

        self.app.push_screen(ChoiceModal("Copy which cell?", choices), chosen)
