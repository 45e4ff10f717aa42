"""A progress line on stderr, only when stderr is a terminal (never in pipes, logs or tests).

rich comes with textual; it is imported only when a terminal is there to draw on, so the
CLI stays light and scripted runs stay byte-for-byte quiet on stderr.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol

from dmsa_migrate.textsafe import one_line


class Listener(Protocol):
    """Takes one inventory ``Progress`` or scan ``(done, total, what)`` positionals."""

    def __call__(self, *update: Any) -> None: ...


@contextmanager
def progress_display(title: str) -> Iterator[Listener]:
    """Yields a listener taking inventory ``Progress`` objects (or ``(done, total, what)``)."""
    if not sys.stderr.isatty():
        yield _quiet
        return
    from rich.console import Console
    from rich.markup import escape
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    console = Console(stderr=True)
    with Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TextColumn("{task.fields[detail]}"), console=console, transient=True,
    ) as bar:
        task = bar.add_task(title, total=None, detail="")

        def show(*update: Any) -> None:
            if len(update) == 1:
                item = update[0]
                detail = f"{item.label} {item.detail}".strip()
                bar.update(task, completed=item.done, total=item.total or None,
                           detail=escape(one_line(f"{detail} · {item.requests} requests")))
            else:
                done, total, what = update
                bar.update(task, completed=done, total=total or None,
                           detail=escape(one_line(what)))

        yield show


def _quiet(*update: Any) -> None:
    """Nothing to draw on: progress is dropped."""
