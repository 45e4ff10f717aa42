"""The demo session in the TUI: the engagement's demo session, opened as a workspace.

``dmsa-migrate demo`` must work with no setup and no network;
:func:`dmsa_migrate.engagement.demo.open_demo_session` creates the session once (its
connection names the emulator world, so reopening it later from the picker works too) and
this module wraps it for the screens.
"""

from __future__ import annotations

from dmsa_migrate.engagement.context import load_pinned_playbook
from dmsa_migrate.engagement.demo import (
    ACCOUNTS_FILE,
    accounts_toml,
    demo_session_name,
    open_demo_session,
)
from dmsa_migrate.sessions import SessionStore
from dmsa_migrate.tui.state import Workspace, load_outputs

__all__ = ["ACCOUNTS_FILE", "accounts_toml", "demo_session_name", "open_demo_workspace"]


def open_demo_workspace(store: SessionStore, world: str) -> Workspace:
    """Create (first time) or reopen the demo session for ``world`` (runs in a thread)."""
    session, setup = open_demo_session(store, world)
    playbook = load_pinned_playbook(store, session)
    return load_outputs(Workspace(store, session, playbook, demo=setup))
