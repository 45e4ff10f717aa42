"""Where dmsa-migrate keeps its files. Nothing else in the package builds user paths.

Each function returns (and creates, private) one platform-correct folder. Tests point all of
them at a temporary folder with ``DMSA_MIGRATE_HOME``, which also lets a consultant keep an
engagement's sessions on an encrypted volume.
"""

from __future__ import annotations

import os
from pathlib import Path

from dmsa_migrate.fileio import ensure_private_dir

APP_NAME = "dmsa-migrate"
HOME_ENV = "DMSA_MIGRATE_HOME"


def _base(kind: str) -> Path:
    override = os.environ.get(HOME_ENV)
    if override:
        return Path(override) / kind
    import platformdirs

    if kind == "config":
        return Path(platformdirs.user_config_dir(APP_NAME))
    if kind == "state":
        return Path(platformdirs.user_state_dir(APP_NAME))
    return Path(platformdirs.user_data_dir(APP_NAME)) / kind


def config_dir() -> Path:
    """User configuration: permission-map overrides, user playbooks."""
    return ensure_private_dir(_base("config"))


def state_dir() -> Path:
    """Program state: login tokens cache, logs."""
    return ensure_private_dir(_base("state"))


def sessions_dir() -> Path:
    """Saved consultant sessions, one TOML file each."""
    return ensure_private_dir(_base("sessions"))


def exports_dir() -> Path:
    """Default folder for checklist exports."""
    return ensure_private_dir(_base("exports"))


def user_playbooks_dir() -> Path:
    """The user's own playbooks (beside the shipped ones)."""
    return ensure_private_dir(config_dir() / "playbooks")


def tui_settings_file() -> Path:
    """The TUI's remembered settings (theme, last step of each session)."""
    return config_dir() / "tui.toml"


def clipboard_file() -> Path:
    """Where the TUI also writes what it copies, for terminals without OSC 52."""
    return state_dir() / "clipboard.txt"
