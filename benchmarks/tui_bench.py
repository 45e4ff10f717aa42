"""TUI figures, measured with Textual's headless ``run_test`` and ``Pilot``.

* Time to the first interactive screen, in a fresh interpreter (``python -m
  benchmarks.tui_bench first-screen``): imports, then ``make_app()`` until the session
  picker is mounted, focused and has answered a key press; and the same for ``make_app(
  demo="demo")`` until the demo's workspace screen is up.
* A 10,000-row table scrolling: the TUI shows projects in its inventory tree and has no
  project table widget, so a plain ``DataTable`` (row cursor, zebra stripes, like the TUI's
  tables) in a minimal app is filled with 10,000 project rows and paged through. A
  heartbeat timer records every gap in the event loop: the largest gap is the worst stall
  a user could feel. The TUI's own inventory tree (``InventoryPane._draw_tree``) is measured
  the same way with a 10,000-project inventory.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.config import BenchConfig

HEARTBEAT_S = 0.005
ROOT = Path(__file__).resolve().parent.parent


# ---------------------------------------------------------------- first screen (child)


async def _first_screen(sessions_dir: str, demo: bool) -> dict[str, float]:
    started = time.perf_counter()
    from dmsa_migrate.tui.app import make_app

    imported = time.perf_counter()
    app = make_app(sessions_dir=sessions_dir, demo="demo" if demo else None)
    async with app.run_test(size=(120, 40)) as pilot:
        mounted = time.perf_counter()
        if demo:
            while type(app.screen).__name__ != "WorkspaceScreen":
                await asyncio.sleep(0.005)
        await pilot.pause()
        await pilot.press("down")  # answered: the screen is interactive
        ready = time.perf_counter()
        screen = type(app.screen).__name__
    return {"import_s": imported - started, "mounted_s": mounted - started,
            "interactive_s": ready - started, "screen": screen}  # type: ignore[dict-item]


def first_screen(demo: bool) -> dict[str, Any]:
    """Run the first-screen measure in a fresh interpreter; add its whole process time."""
    with tempfile.TemporaryDirectory() as home:
        args = [sys.executable, "-m", "benchmarks.tui_bench", "first-screen",
                "--sessions-dir", home] + (["--demo"] if demo else [])
        started = time.perf_counter()
        done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=True,
                              env={**_env(), "DMSA_MIGRATE_HOME": home})
        total = time.perf_counter() - started
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    figures["process_s"] = total
    return figures


def _env() -> dict[str, str]:
    import os

    return dict(os.environ)


# ---------------------------------------------------------------- scrolling


@dataclass
class Heartbeat:
    """Records the gaps between timer ticks: a long gap is a blocked event loop."""

    last: float = 0.0
    gaps: list[float] = field(default_factory=list)

    def start(self) -> None:
        self.last = time.perf_counter()
        self.gaps.clear()

    def tick(self) -> None:
        now = time.perf_counter()
        self.gaps.append(now - self.last)
        self.last = now

    @property
    def max_stall_s(self) -> float:
        return max(self.gaps, default=0.0)


@dataclass
class ScrollFigures:
    fill_s: float
    steps_s: list[float]
    max_stall_s: float
    rows_seen: int
    end_s: float

    def row(self, what: str) -> list[tuple[str, str, str]]:
        med = statistics.median(self.steps_s) * 1000
        p95 = sorted(self.steps_s)[int(0.95 * (len(self.steps_s) - 1))] * 1000
        return [
            (f"{what}: fill", f"{self.fill_s * 1000:,.0f} ms", "one synchronous call"),
            (f"{what}: page-down step", f"median {med:.1f} ms, p95 {p95:.1f} ms, max "
             f"{max(self.steps_s) * 1000:.1f} ms",
             f"{len(self.steps_s)} presses, key until processed"),
            (f"{what}: jump to last row (end)", f"{self.end_s * 1000:.1f} ms",
             f"cursor reached row {self.rows_seen:,}"),
            (f"{what}: max event-loop stall while scrolling",
             f"{self.max_stall_s * 1000:.1f} ms", f"heartbeat every {HEARTBEAT_S * 1000:g} ms"),
        ]


async def _scroll(app: Any, fill: Callable[[], None], cursor: Callable[[], int],
                  presses: int, end_key: str) -> ScrollFigures:
    beat = Heartbeat()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        started = time.perf_counter()
        fill()
        fill_s = time.perf_counter() - started
        await pilot.pause()
        app.set_interval(HEARTBEAT_S, beat.tick)
        await pilot.pause(0.05)
        beat.start()
        steps = []
        for _ in range(presses):
            t0 = time.perf_counter()
            await pilot.press("pagedown")
            steps.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        await pilot.press(end_key)
        end_s = time.perf_counter() - t0
        await pilot.pause(0.05)
        return ScrollFigures(fill_s, steps, beat.max_stall_s, cursor() + 1, end_s)


def project_rows(count: int) -> list[tuple[str, ...]]:
    companies = max(1, count // 500)
    rows: list[tuple[str, ...]] = []
    for n in range(count):
        c = n % companies + 1
        rows.append((str(c * 10_000 + n), f"Project {c}-{n}", f"Company {c}",
                     "yes" if n % 7 else "no", "rfi readonly, daily_log standard",
                     "live, directory"))
    return rows


async def datatable_scroll(rows: int, presses: int) -> ScrollFigures:
    from textual.app import App, ComposeResult
    from textual.widgets import DataTable

    class TableApp(App[None]):
        def compose(self) -> ComposeResult:
            yield DataTable(id="projects", cursor_type="row", zebra_stripes=True)

    app = TableApp()
    data = project_rows(rows)

    def fill() -> None:
        table = app.query_one(DataTable)
        table.add_columns("Project", "Name", "Company", "Active", "Levels", "Sources")
        table.add_rows(data)
        table.focus()

    return await _scroll(app, fill, lambda: app.query_one(DataTable).cursor_row, presses,
                         "ctrl+end")


def big_inventory(projects: int) -> Any:
    """An inventory of 20 accounts with ``projects`` projects in all (no HTTP)."""
    from dmsa_migrate.models.inventory import Inventory

    companies = 20
    per = projects // companies
    accounts = []
    for c in range(1, companies + 1):
        company = {"id": 100 + c, "name": f"Company {c}", "permissions": {"documents": "readonly"},
                   "projects": [{"id": c * 10_000 + n, "name": f"Project {c}-{n}",
                                 "active": bool(n % 7), "permissions": {"rfi": "readonly"},
                                 "sources": ["directory"]} for n in range(1, per + 1)]}
        accounts.append({"label": f"erp-sync-{c}", "client_id": "tsa-…01", "status": "rejected",
                         "sources": ["directory"], "user": {"id": 9000 + c, "name": "ERP"},
                         "companies": [company]})
    return Inventory.model_validate({"generated_at": "2025-06-02T12:00:00Z",
                                     "accounts": accounts, "usage": []})


async def tree_scroll(projects: int, presses: int) -> ScrollFigures:
    """The TUI's own inventory tree, drawn by ``InventoryPane._draw_tree``."""
    from textual.app import App, ComposeResult
    from textual.widgets import Static, Tree

    from dmsa_migrate.tui.screens.inventory import InventoryPane

    inventory = big_inventory(projects)

    class TreeApp(App[None]):
        def compose(self) -> ComposeResult:
            yield Tree("Access", id="access-tree")
            yield Static(id="evidence")

    app = TreeApp()

    class _Pane:
        """What _draw_tree needs of the pane: its queries answered by this small app, and
        the pane's own helper methods (looked up on InventoryPane, bound to this object)."""

        def __init__(self) -> None:
            self.app = app
            self.workspace = types.SimpleNamespace(inventory=inventory)

        def query_one(self, selector: Any, kind: Any = None) -> Any:
            return app.query_one(selector) if kind is None else app.query_one(selector, kind)

        def __getattr__(self, name: str) -> Any:
            return getattr(InventoryPane, name).__get__(self)

    def fill() -> None:
        tree = app.query_one(Tree)
        tree.show_root = False
        InventoryPane._draw_tree(_Pane(), inventory)  # type: ignore[arg-type]
        for node in tree.root.children:  # open every company: all projects listed
            node.expand_all()
        tree.focus()

    return await _scroll(app, fill, lambda: app.query_one(Tree).cursor_line, presses, "end")


# ---------------------------------------------------------------- entry points


def run_tui_benchmarks(config: BenchConfig) -> tuple[list[tuple[str, str, str]], list[str]]:
    """All TUI figures as report rows, and notes."""
    rows: list[tuple[str, str, str]] = []
    notes: list[str] = []
    for demo in (False, True):
        what = "demo workspace" if demo else "session picker"
        try:
            f = first_screen(demo)
        except subprocess.CalledProcessError as exc:
            notes.append(f"TUI first screen ({what}) failed: {exc.stderr.strip()[-300:]}")
            continue
        rows.append((f"start → {what} interactive ({f['screen']})",
                     f"{f['interactive_s'] * 1000:,.0f} ms",
                     f"imports {f['import_s'] * 1000:,.0f} ms, mounted at "
                     f"{f['mounted_s'] * 1000:,.0f} ms; whole process incl. interpreter "
                     f"start and exit {f['process_s'] * 1000:,.0f} ms"))
    table = asyncio.run(datatable_scroll(config.tui_rows, config.page_downs))
    rows += table.row(f"DataTable {config.tui_rows:,} rows")
    small = asyncio.run(datatable_scroll(1_000, config.page_downs))
    rows += small.row("reference: DataTable 1,000 rows")[1:2]
    tree = asyncio.run(tree_scroll(config.tui_rows, config.page_downs))
    rows += tree.row(f"TUI inventory tree, {config.tui_rows:,} projects")
    notes.append(
        "The TUI has no project table widget (projects are listed in the inventory screen's "
        "tree), so the 10,000-row table is a plain Textual DataTable in a minimal app, set up "
        "like the TUI's tables; the TUI's own tree is measured beside it."
    )
    return rows, notes


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m benchmarks.tui_bench")
    parser.add_argument("what", choices=["first-screen"])
    parser.add_argument("--sessions-dir", required=True)
    parser.add_argument("--demo", action="store_true")
    args = parser.parse_args(argv)
    print(json.dumps(asyncio.run(_first_screen(args.sessions_dir, args.demo))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
