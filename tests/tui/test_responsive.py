"""Long runs keep the UI responsive, show live progress, and stop when cancelled."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from textual.widgets import Static

from dmsa_migrate.emulator.world import builtin_world_path
from dmsa_migrate.sessions import SessionStore
from dmsa_migrate.tui.app import make_app
from dmsa_migrate.tui.screens.base import StepPane
from dmsa_migrate.tui.screens.help import HelpScreen
from dmsa_migrate.tui.screens.workspace import WorkspaceScreen

from .conftest import settle, wait_for

pytestmark = pytest.mark.anyio


def slow_world(tmp_path: Path, latency_ms: int) -> Path:
    """The demo world with every response delayed by ``latency_ms``."""
    text = builtin_world_path("demo").read_text(encoding="utf-8")
    assert "latency_ms = 0" in text
    path = tmp_path / "slow.toml"
    path.write_text(text.replace("latency_ms = 0", f"latency_ms = {latency_ms}"), "utf-8")
    return path


async def test_ui_stays_responsive_and_cancel_stops_requests(
    store: SessionStore, tmp_path: Path
) -> None:
    app = make_app(demo=slow_world(tmp_path, 150), store=store)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, WorkspaceScreen))
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, WorkspaceScreen)
        emulator = screen.workspace.demo.connection.emulator
        pane = screen.query_one("#pane-inventory", StepPane)

        await pilot.press("r")
        await wait_for(pilot, lambda: emulator.stats.requests >= 2)
        assert pane.running
        # live progress: the counters move while the run goes on
        await wait_for(pilot, lambda: "requests" in str(screen.query_one("#run-line", Static)
                                                         .render()))
        # the UI answers keys at once while requests are in flight
        started = time.monotonic()
        await pilot.press("2")
        assert screen.current == "manifest"
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), seconds=1.0)
        await pilot.press("escape")
        await pilot.press("1")
        assert time.monotonic() - started < 1.0
        assert pane.running, "switching screens must not stop the run"

        await pilot.press("c")
        await wait_for(pilot, lambda: not pane.running, seconds=2.0)
        await pilot.pause(0.3)  # let a request that was in flight finish
        after_cancel = emulator.stats.requests
        await pilot.pause(1.0)  # several latencies: a live run would have sent more
        assert emulator.stats.requests == after_cancel
        assert screen.workspace.inventory is None  # nothing recorded for a cancelled run
        assert screen.workspace.status("inventory") == "not_started"
        assert not screen.query_one("#run-line").parent.display  # progress hidden again
