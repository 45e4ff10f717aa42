"""Open an exported file or its folder with the desktop's own application.

Why a module of its own: it starts a process, so the TUI calls it from a worker thread,
and tests hand the app a recorder instead (``DmsaMigrateApp.opener``). Over SSH or on a
server without a desktop there is no opener: the error then says so and names the path,
which the user can copy (``y``) instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from dmsa_migrate.errors import InputError

OPENERS = ("xdg-open", "gio", "wslview")
"""Linux and WSL openers, tried in this order (``gio`` needs its ``open`` argument)."""


def opener_command(path: Path) -> list[str] | None:
    """The command that opens ``path`` here, or ``None`` when the system has none."""
    if sys.platform == "darwin":
        return ["open", str(path)]
    for name in OPENERS:
        found = shutil.which(name)
        if found:
            return [found, "open", str(path)] if name == "gio" else [found, str(path)]
    return None


def open_path(path: Path) -> None:
    """Open ``path`` (a file or a folder) without waiting for the application."""
    if not path.exists():
        raise InputError(f"{path} does not exist (any more): export again first")
    if sys.platform == "win32":
        os.startfile(path)  # type: ignore[attr-defined]
        return
    command = opener_command(path)
    if command is None:
        raise InputError(
            f"no application to open files with on this machine (no desktop?): the file "
            f"is {path}"
        )
    subprocess.Popen(
        command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, start_new_session=True,
    )
