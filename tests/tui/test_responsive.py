"""Long runs keep the UI responsive, show live progress, and stop when cancelled.

No clock decides anything here: the emulator's answers are held at a gate that the test
opens one request at a time. So "responsive" means the keys were handled while the step's
worker was provably still waiting on the network, and "cancel stops the requests" means
that once the run is cancelled, opening the gate wide lets no further request reach the
emulator. Both hold however slow or busy the machine is.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest
from textual.widgets import Static

from dmsa_migrate.emulator.transport import EmulatorAsyncTransport
from dmsa_migrate.sessions import SessionStore
from dmsa_migrate.tui.app import make_app
from dmsa_migrate.tui.screens.base import StepPane
from dmsa_migrate.tui.screens.help import HelpScreen
from dmsa_migrate.tui.screens.workspace import WorkspaceScreen

from .conftest import settle, wait_for

pytestmark = pytest.mark.anyio


class Gate:
    """Holds every in-process emulator request until the test lets it through."""

    def __init__(self) -> None:
        self.permits = asyncio.Semaphore(0)
        self.waiting = 0
        self.passed = 0

    def release(self, count: int = 1) -> None:
        for _ in range(count):
            self.permits.release()


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> Iterator[Gate]:
    gate = Gate()
    answer = EmulatorAsyncTransport.handle_async_request

    async def held(self: EmulatorAsyncTransport, request: httpx.Request) -> httpx.Response:
        gate.waiting += 1
        try:
            await gate.permits.acquire()
        finally:
            gate.waiting -= 1
        gate.passed += 1
        return await answer(self, request)

    monkeypatch.setattr(EmulatorAsyncTransport, "handle_async_request", held)
    yield gate
    gate.release(10_000)  # never leave a worker of a failed test hanging at teardown


async def test_ui_stays_responsive_and_cancel_stops_requests(
    store: SessionStore, gate: Gate
) -> None:
    app = make_app(demo="demo", store=store)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, WorkspaceScreen))
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, WorkspaceScreen)
        emulator = screen.workspace.demo.connection.emulator
        pane = screen.query_one("#pane-inventory", StepPane)
        before = emulator.stats.requests

        await pilot.press("r")
        await wait_for(pilot, lambda: gate.waiting >= 1)
        assert pane.running

        # The worker waits on the network (a request is held, none answered): keys still
        # switch steps and open help at once.
        await pilot.press("2")
        assert screen.current == "manifest"
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        await pilot.press("escape")
        await pilot.press("1")
        assert screen.current == "inventory"
        assert gate.passed == 0 and gate.waiting >= 1, "the keys were handled mid-request"
        assert pane.running, "switching screens must not stop the run"

        # Let a few requests through: the live progress line counts them.
        gate.release(3)
        await wait_for(pilot, lambda: emulator.stats.requests >= before + 3)
        await wait_for(pilot, lambda: gate.waiting >= 1)
        await wait_for(pilot, lambda: "requests" in str(
            screen.query_one("#run-line", Static).render()))
        assert pane.running

        await pilot.press("c")
        await wait_for(pilot, lambda: not pane.running)
        after_cancel = emulator.stats.requests
        gate.release(10_000)  # the gate is wide open now: a live run would go on
        for _ in range(20):
            await pilot.pause()
        assert emulator.stats.requests == after_cancel, "requests went on after cancel"
        assert gate.waiting == 0
        assert screen.workspace.inventory is None  # nothing recorded for a cancelled run
        assert screen.workspace.status("inventory") == "not_started"
        assert not screen.query_one("#run-line").parent.display  # progress hidden again
