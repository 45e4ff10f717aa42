"""The Textual app and :func:`make_app`, the one factory the CLI, the demo and tests use.

Start-up: the session picker is the base screen. ``session=NAME`` opens that session on
top of it, ``demo=WORLD`` creates (or reopens) the demo session against the in-process
emulator; both load in a worker, so the first frame is drawn at once.

Errors: every worker reports a :class:`~dmsa_migrate.errors.DmsaError` through
:meth:`DmsaMigrateApp.show_error` (a modal with Procore's message, or a notification for
small things); anything unexpected reaches the same modal through the worker state
handler instead of killing the app.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, ClassVar

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from dmsa_migrate.errors import DmsaError
from dmsa_migrate.secrets import redact
from dmsa_migrate.sessions import SessionStore, utc_now
from dmsa_migrate.tui.screens.help import HelpScreen, binding_rows
from dmsa_migrate.tui.screens.modals import ErrorModal
from dmsa_migrate.tui.screens.picker import SessionPicker
from dmsa_migrate.tui.state import Workspace, open_workspace

Clock = Callable[[], dt.datetime]


class DmsaMigrateApp(App[None]):
    """dmsa-migrate's TUI."""

    TITLE = "dmsa-migrate"
    SUB_TITLE = "TSA → DMSA"
    CSS_PATH = "app.tcss"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1,question_mark", "help", "Help"),
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]

    def __init__(
        self,
        store: SessionStore,
        *,
        session: str | None = None,
        demo: str | Path | None = None,
        clock: Clock = utc_now,
    ) -> None:
        super().__init__()
        self.store = store
        self.clock = clock
        self.open_on_start = session
        self.demo_world = str(demo) if demo is not None else None
        self.save_lock = asyncio.Lock()

    # ------------------------------------------------------------ start-up

    def get_default_screen(self) -> Screen[Any]:
        return SessionPicker()

    def on_mount(self) -> None:
        if self.demo_world is not None:
            self.open_demo(self.demo_world)
        elif self.open_on_start:
            self.open_session(self.open_on_start)

    @work(exclusive=True, group="open", exit_on_error=False)
    async def open_session(self, name: str) -> None:
        """Load a saved session (IO in a thread) and show its workspace."""
        try:
            workspace = await asyncio.to_thread(open_workspace, self.store, name)
        except DmsaError as exc:
            self.show_error(exc)
            return
        self.show_workspace(workspace)

    @work(exclusive=True, group="open", exit_on_error=False)
    async def open_demo(self, world: str) -> None:
        """Create or reopen the demo session on the in-process emulator."""
        from dmsa_migrate.tui.demo import open_demo_workspace

        self.notify(f"Opening the demo on the built-in emulator (world {world})…", timeout=3)
        try:
            workspace = await asyncio.to_thread(open_demo_workspace, self.store, world)
        except DmsaError as exc:
            self.show_error(exc)
            return
        self.show_workspace(workspace)

    def show_workspace(self, workspace: Workspace) -> None:
        """Put the workspace of ``workspace`` on top of the picker."""
        from dmsa_migrate.tui.screens.workspace import WorkspaceScreen

        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.push_screen(WorkspaceScreen(workspace))

    # ------------------------------------------------------------ saving

    async def save_session(self, workspace: Workspace, change: Callable[[], Any]) -> bool:
        """Run one session change (a store call) in a thread, one at a time.

        Returns False (after showing the error) when the change was refused; the
        on-disk session is then untouched.
        """
        async with self.save_lock:
            try:
                await asyncio.to_thread(change)
            except DmsaError as exc:
                self.show_error(exc)
                return False
        return True

    # ------------------------------------------------------------ errors

    def show_error(self, error: BaseException, *, modal: bool = True) -> None:
        """Show ``error``: a modal with the details, or a short notification."""
        if not modal and isinstance(error, DmsaError):
            self.notify(redact(error.message), title=error.title, severity="error", timeout=8)
            return
        self.push_screen(ErrorModal.from_error(error))

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.show_error(event.worker.error)

    # ------------------------------------------------------------ help and palette

    def action_help(self) -> None:
        """Open the key list of the current screen."""
        if isinstance(self.screen, HelpScreen):
            return
        title = getattr(self.screen, "help_title", self.screen.__class__.__name__)
        self.push_screen(HelpScreen(str(title), binding_rows(self.screen)))

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Textual's commands plus every bound action of the current screen."""
        yield from super().get_system_commands(screen)
        seen: set[str] = set()
        for active in screen.active_bindings.values():
            binding = active.binding
            if not binding.description or binding.action in seen or not active.enabled:
                continue
            if binding.action in ("quit", "command_palette"):
                continue
            seen.add(binding.action)
            node, action = active.node, binding.action
            key = binding.key_display or self.get_key_display(binding)
            yield SystemCommand(
                binding.description,
                binding.tooltip or f"key: {key}",
                _runner(node, action),
            )


def _runner(node: Any, action: str) -> Callable[[], Any]:
    async def run() -> None:
        await node.run_action(action)

    return run


def make_app(
    *,
    session: str | None = None,
    demo: str | Path | None = None,
    sessions_dir: Path | str | None = None,
    store: SessionStore | None = None,
    clock: Clock | None = None,
) -> DmsaMigrateApp:
    """Build the app; the CLI, ``demo``, the docs screenshots and the tests all call this.

    Args:
        session: open this saved session at start.
        demo: a world (``demo``, ``post-sunset`` or a world file): open the demo session on
            the in-process emulator.
        sessions_dir: where sessions live (default: the user data folder).
        store: a ready store (tests pass one with a fixed clock and actor).
        clock: "now" for the picker's "last change" column (tests fix it).
    """
    if store is None:
        store = SessionStore(sessions_dir, clock=clock or utc_now)
    return DmsaMigrateApp(store, session=session, demo=demo, clock=clock or store.clock)
