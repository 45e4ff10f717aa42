"""What the TUI remembers between runs: the theme and the last step of each session.

Kept in ``tui.toml`` in the user's config folder (:func:`dmsa_migrate.paths.tui_settings_file`).
Every function does file IO, so the app calls them from workers. A damaged or hand-edited
file never stops the TUI: unreadable values are ignored and the defaults used.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import tomli_w

from dmsa_migrate.errors import DmsaError
from dmsa_migrate.fileio import CONFIG_FILE_CAP, atomic_write_text, read_text

MAX_SESSIONS = 200
"""Sessions whose last step is remembered (the oldest entries are dropped first)."""
MAX_NAME = 100


@dataclass
class TuiSettings:
    """The remembered settings."""

    theme: str = ""
    last_step: dict[str, str] = field(default_factory=dict)


def settings_path() -> Path:
    """``tui.toml`` in the config folder (created private on first use)."""
    from dmsa_migrate.paths import tui_settings_file

    return tui_settings_file()


def load_settings(path: Path | None = None) -> TuiSettings:
    """The settings on disk; defaults when the file is missing or unreadable."""
    target = path or settings_path()
    if not target.exists():
        return TuiSettings()
    try:
        data = tomllib.loads(read_text(target, cap=CONFIG_FILE_CAP))
    except (DmsaError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return TuiSettings()
    theme = data.get("theme", "")
    steps = data.get("last_step", {})
    return TuiSettings(
        theme=theme[:MAX_NAME] if isinstance(theme, str) else "",
        last_step={
            str(name)[:MAX_NAME]: step[:MAX_NAME]
            for name, step in (steps.items() if isinstance(steps, dict) else [])
            if isinstance(step, str)
        },
    )


def save_settings(settings: TuiSettings, path: Path | None = None) -> None:
    """Write the settings atomically (private file)."""
    steps = dict(list(settings.last_step.items())[-MAX_SESSIONS:])
    data: dict[str, object] = {"last_step": steps}
    if settings.theme:
        data["theme"] = settings.theme
    atomic_write_text(path or settings_path(), tomli_w.dumps(data))
