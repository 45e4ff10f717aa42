"""Results on stdout with every control character made visible.

Why at the stream: company, project and user names come from Procore (or a world file)
and reach stdout through many printers. One name holding ``ESC]0;…`` would retitle the
window, ``ESC[2J`` clear the screen. Wrapping stdout for the length of a command covers
every printer at once, including those written later. JSON and TOML outputs are unchanged
(both escape controls themselves); only commands that draw a full-screen UI are left out.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

from dmsa_migrate.textsafe import control_free


class ControlSafeStream:
    """A text stream that writes :func:`control_free` text to the stream it wraps."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(control_free(text))
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@contextmanager
def control_safe_stdout(enabled: bool = True) -> Iterator[None]:
    """Wrap ``sys.stdout`` while a command runs (``enabled=False``: leave it as it is)."""
    if not enabled:
        yield
        return
    saved = sys.stdout
    sys.stdout = ControlSafeStream(saved)
    try:
        yield
    finally:
        sys.stdout = saved


def print_output(path: Path | None, text: str) -> None:
    """A step's JSON on stdout: its text, or the file a streamed run wrote (fleet size:
    tens of megabytes), a chunk at a time."""
    if path is None:
        print(text, end="")
        return
    with path.open(encoding="utf-8") as handle:
        while chunk := handle.read(1 << 20):
            sys.stdout.write(chunk)
