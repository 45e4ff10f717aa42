"""What every step pane shares: the workspace, the run progress, running and cancelling.

A pane is one step's screen inside the workspace (the stepper and the notes stay above
it). Long runs go through :meth:`StepPane.start_run`, an exclusive async worker per pane
with live progress and a Cancel button; ``c`` cancels. When a run or an edit changes the
session, the pane posts :class:`StepPane.Changed` so the stepper redraws.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.widgets import Button
from textual.worker import Worker, WorkerState

from dmsa_migrate.errors import DmsaError
from dmsa_migrate.tui.state import StepKind, Workspace
from dmsa_migrate.tui.widgets.progress import RunProgress, RunStats

if TYPE_CHECKING:
    from dmsa_migrate.tui.app import DmsaMigrateApp


FINISHED = (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED)
"""Worker states after which the progress line goes away (PENDING comes before RUNNING:
hiding on it hid the progress of every run)."""


class StepPane(Vertical):
    """Base of the four step panes."""

    kind: StepKind = "inventory"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("c", "cancel_run", "Cancel run", show=True)]

    app: DmsaMigrateApp

    class Changed(Message):
        """The session changed (a step ran, an item was signed off …)."""

    def __init__(self, workspace: Workspace, *, pane_id: str | None = None) -> None:
        super().__init__(id=pane_id or f"pane-{self.kind}", classes="step-pane")
        self.workspace = workspace
        self.run_worker_: Worker[Any] | None = None

    @property
    def progress(self) -> RunProgress:
        return self.query_one(RunProgress)

    @property
    def running(self) -> bool:
        worker = self.run_worker_
        return worker is not None and worker.state in (WorkerState.PENDING, WorkerState.RUNNING)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel_run":
            return self.running
        return True

    def refresh_view(self) -> None:
        """Redraw everything from the workspace (after a run, on open)."""

    def on_mount(self) -> None:
        self.refresh_view()

    # ------------------------------------------------------------ runs

    def start_run(
        self,
        stage: str,
        job: Callable[[RunStats], Awaitable[Any]],
        done: Callable[[Any], None] | None = None,
    ) -> None:
        """Run ``job`` in an exclusive worker with live progress; ``done`` gets its result."""
        if self.running:
            self.notify("A run is already going: cancel it first (c)", severity="warning")
            return
        stats = self.progress.start(stage)

        async def work() -> None:
            try:
                result = await job(stats)
            except DmsaError as exc:
                self.progress.stop()
                self.after_change()
                self.app.show_error(exc)
                return
            self.progress.stop()
            self.after_change()
            if done is not None:
                done(result)
            self.show_notices()

        self.run_worker_ = self.run_worker(
            work(), group=f"run-{self.kind}", exclusive=True, exit_on_error=False
        )
        self.refresh_bindings()

    def notify_run(self, message: str, severity: SeverityLevel = "information") -> None:
        """A run's one-line result with the engagement's notices of that run below it, in
        one notification (the app shows one at a time): the CLI prints the same notices as
        ``dmsa-migrate: note: …``."""
        notices, self.workspace.notices = self.workspace.notices, []
        lines = [message, *(f"Note: {notice}" for notice in notices)]
        self.notify("\n".join(lines), severity=severity, timeout=8 if notices else None,
                    markup=False)  # names in a notice are the session's, not markup

    def show_notices(self) -> None:
        """Notices no result line has shown yet (a checklist rebuilt after an edit)."""
        notices, self.workspace.notices = self.workspace.notices, []
        if notices:
            self.notify("\n".join(f"Note: {notice}" for notice in notices), timeout=8,
                        markup=False)

    def action_cancel_run(self) -> None:
        """Stop the running step; nothing is recorded for a cancelled run."""
        if self.run_worker_ is not None and self.running:
            self.run_worker_.cancel()
            self.progress.stop()
            self.notify(f"{self.kind.capitalize()} run cancelled", severity="warning")
            self.refresh_bindings()

    @on(Button.Pressed, "#run-cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel_run()

    @on(Worker.StateChanged)
    def _run_state(self, event: Worker.StateChanged) -> None:
        if event.worker is self.run_worker_ and event.state in FINISHED:
            self.progress.stop()
            self.refresh_bindings()

    def after_change(self) -> None:
        """Redraw and tell the workspace (the stepper) that the session changed."""
        self.refresh_view()
        self.post_message(self.Changed())

    # ------------------------------------------------------------ opening files

    @work(group="open-file", exclusive=True, exit_on_error=False)
    async def open_one_of(self, files: list[Path]) -> None:
        """Let the user pick one of ``files`` or their folder, and open it (in a thread)."""
        from dmsa_migrate.tui.screens.modals import ChoiceModal

        if not files:
            return
        folder = files[0].parent
        choices = [(path.suffix.lstrip(".") or "file", str(path)) for path in files]
        choices.append(("folder", str(folder)))
        index = await self.app.push_screen_wait(ChoiceModal("Open which?", choices))
        if index is None:
            return
        target = Path(choices[index][1])
        try:
            await asyncio.to_thread(self.app.opener, target)
        except DmsaError as exc:
            self.app.show_error(exc)
            return
        self.notify(f"Opened {target}", timeout=4)

    # ------------------------------------------------------------ session edits

    async def save(self, change: Callable[[], Any], message: str = "") -> bool:
        """Apply one session change in a thread; notify and redraw when it worked."""
        ok = await self.app.save_session(self.workspace, change)
        if ok:
            if message:
                self.notify(message, timeout=4)
            self.after_change()
        return ok
