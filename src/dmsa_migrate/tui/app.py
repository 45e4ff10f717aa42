"""The Textual app and :func:`make_app`, the one factory the CLI, the demo and tests use.

Start-up: the session picker is the base screen. ``session=NAME`` opens that session on
top of it, ``demo=WORLD`` creates (or reopens) the demo session against the in-process
emulator; both load in a worker, so the first frame is drawn at once.

Remembered between runs (:mod:`dmsa_migrate.tui.settings`, written by workers): the theme
(``dmsa-dark`` or ``dmsa-light``, or any Textual theme picked in the palette) and the last
step of each session.

Copying (``y`` row, ``Y`` a cell, the manifest JSON): OSC 52 through Textual's
``copy_to_clipboard``, and the same text in :func:`dmsa_migrate.paths.clipboard_file` for
terminals that ignore OSC 52 (the notification names the file).

Notifications: one at a time (a new one replaces the last, errors excepted), at the top
right so they never cover a step's findings, and cleared when the step changes.

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
from textual.notifications import Notification, Notify, SeverityLevel
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from dmsa_migrate.errors import DmsaError
from dmsa_migrate.secrets import redact
from dmsa_migrate.sessions import SessionStore, utc_now
from dmsa_migrate.tui.screens.help import HelpScreen, binding_rows, palette_bindings
from dmsa_migrate.tui.screens.modals import ErrorModal
from dmsa_migrate.tui.screens.picker import SessionPicker
from dmsa_migrate.tui.settings import TuiSettings, load_settings, save_settings
from dmsa_migrate.tui.state import Workspace, open_workspace
from dmsa_migrate.tui.widgets.table import SmartTable
from dmsa_migrate.tui.widgets.tones import DARK, DEFAULT_THEME, LIGHT, THEMES

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
        Binding("ctrl+t", "toggle_theme", "Light/dark theme", show=False),
    ]

    def __init__(
        self,
        store: SessionStore,
        *,
        session: str | None = None,
        demo: str | Path | None = None,
        clock: Clock = utc_now,
        settings: TuiSettings | None = None,
        settings_path: Path | None = None,
    ) -> None:
        super().__init__()
        self.store = store
        self.clock = clock
        self.open_on_start = session
        self.demo_world = str(demo) if demo is not None else None
        self.save_lock = asyncio.Lock()
        from dmsa_migrate.tui.opening import open_path

        self.opener: Callable[[Path], None] = open_path
        """Opens an exported file or folder (tests put a recorder here)."""
        self.settings = settings or TuiSettings()
        self.settings_path = settings_path
        for theme in THEMES:
            self.register_theme(theme)
        remembered = self.settings.theme
        chosen = remembered if remembered in self.available_themes else DEFAULT_THEME
        self.settings.theme = chosen  # set first: the watcher saves changes only
        self.theme = chosen

    # ------------------------------------------------------------ start-up

    # ------------------------------------------------------------ settings

    def watch_theme(self, theme: str) -> None:
        """Remember the theme picked (ctrl+t or the palette) for the next run."""
        if theme != self.settings.theme:
            self.settings.theme = theme
            self.save_settings()

    def remember_step(self, session: str, step: str) -> None:
        """Remember the step a session was left on."""
        if self.settings.last_step.get(session) != step:
            self.settings.last_step.pop(session, None)
            self.settings.last_step[session] = step
            self.save_settings()

    @work(exclusive=True, group="settings", exit_on_error=False)
    async def save_settings(self) -> None:
        """Write the settings in a thread; a failure only costs the memory of them."""
        snapshot = TuiSettings(self.settings.theme, dict(self.settings.last_step))
        try:
            await asyncio.to_thread(save_settings, snapshot, self.settings_path)
        except (DmsaError, OSError):
            return

    def action_toggle_theme(self) -> None:
        """Switch between the light and the dark theme."""
        self.theme = LIGHT.name if self.theme == DARK.name else DARK.name

    # ------------------------------------------------------------ copying

    def copy_text(self, text: str, what: str) -> None:
        """Copy ``text`` to the system clipboard (OSC 52) and to the clipboard file."""
        text = redact(text)
        self.copy_to_clipboard(text)
        self.write_clipboard_file(text, what)

    @work(group="clipboard", exit_on_error=False)
    async def write_clipboard_file(self, text: str, what: str) -> None:
        from dmsa_migrate.fileio import atomic_write_text
        from dmsa_migrate.paths import clipboard_file

        try:
            path = await asyncio.to_thread(lambda: atomic_write_text(clipboard_file(), text))
        except (DmsaError, OSError) as exc:
            self.notify(f"Copied {what} (OSC 52); the clipboard file failed: {exc}",
                        severity="warning")
            return
        self.notify(f"Copied {what} to the clipboard. Terminal without OSC 52? It is also "
                    f"in {path}", title="Copied", timeout=5)

    @on(SmartTable.CopyRequested)
    def _copy_requested(self, event: SmartTable.CopyRequested) -> None:
        self.copy_text(event.text, event.what)

    # ------------------------------------------------------------ notifications

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Show a notification as plain text, whatever ``markup`` asks for.

        Why: notifications carry names from Procore, file paths and error messages; a
        company named ``Acme [/] Builders`` read as markup would end the app, and
        ``[@click=…]`` would make an action of it. No notification of the TUI uses markup.
        """
        del markup
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    def on_notify(self, event: Notify) -> None:
        """One notification at a time: a new one (not an error) replaces those shown.

        Runs after Textual has added the new notification (its ``_on_notify``)."""
        if event.notification.severity != "error":
            self.clear_passing_notifications(keep=event.notification)

    def clear_passing_notifications(self, keep: Notification | None = None) -> None:
        """Take away the information and warning notifications (errors stay)."""
        notifications = getattr(self, "_notifications", None)
        if notifications is None:
            return
        passing = [n for n in list(notifications) if n.severity != "error" and n is not keep]
        for notification in passing:
            self._unnotify(notification, refresh=False)
        if passing:
            self._refresh_notifications()

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
        last = self.settings.last_step.get(workspace.session.name)
        self.push_screen(WorkspaceScreen(workspace, last_step=last))

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
        """A curated palette: this screen's own actions, then help, themes and quit.

        Left out on purpose: cursor moves, scrolling and the other generic widget keys,
        and Textual's screenshot / maximize / key-panel commands.
        """
        for node, binding, key in palette_bindings(screen):
            yield SystemCommand(binding.description, binding.tooltip or f"key: {key}",
                                _runner(node, binding.action))
        yield SystemCommand("Help", "Every key of this screen (F1)", self.action_help)
        yield SystemCommand("Light/dark theme", "Switch between the two shipped themes "
                            "(ctrl+t)", self.action_toggle_theme)
        yield SystemCommand("Theme…", "Pick any theme (remembered)", self.action_change_theme)
        yield SystemCommand("Quit", "Quit (the session is saved after every change)",
                            self.action_quit)


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

    The remembered settings are read here, before the first frame (a small file), so the
    app starts in the theme it was left in.
    """
    if store is None:
        store = SessionStore(sessions_dir, clock=clock or utc_now)
    return DmsaMigrateApp(store, session=session, demo=demo, clock=clock or store.clock,
                          settings=load_settings())
