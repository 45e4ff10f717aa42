"""``--session NAME`` on the step commands: record each run in a consultant's session.

A step run from the CLI lands in the same session the TUI shows: its output is copied into
the session folder, the step's status is set (done / needs attention) and an audit line is
written. The TUI and the CLI can therefore take turns on one engagement.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pydantic stays out of `import dmsa_migrate.cli`
    from dmsa_migrate.models.session import StepStatus


def add_session_options(parser: argparse.ArgumentParser, what: str) -> None:
    """``--session NAME`` and ``--sessions-dir DIR``."""
    parser.add_argument(
        "--session", metavar="NAME", help=f"record this run's {what} in the saved session NAME"
    )
    parser.add_argument("--sessions-dir", metavar="DIR", help="default: the user data folder")


def open_session(args: argparse.Namespace) -> tuple[Any, Any]:
    """The store and the session ``--session`` names, or ``(None, None)``.

    Loaded before the step runs, so a wrong name fails before any request is sent.
    """
    if not getattr(args, "session", None):
        return None, None
    from dmsa_migrate.sessions import SessionStore

    store = SessionStore(args.sessions_dir)
    return store, store.load(args.session)


def step_id_for(session: Any, kind: str) -> str:
    """The id the session's playbook gives the step of this kind (default: the kind)."""
    from dmsa_migrate.errors import InputError
    from dmsa_migrate.playbooks import find_playbook

    try:
        playbook = find_playbook(session.playbook.id)
    except InputError:
        return kind
    return next((step.id for step in playbook.steps if step.kind == kind), kind)


def record_step(
    store: Any,
    session: Any,
    kind: str,
    status: StepStatus,
    *,
    artifact: Path | str | None = None,
    content: str | None = None,
    exit_code: int = 0,
    summary: str = "",
) -> None:
    """Record one step run in the session (no-op without ``--session``)."""
    if store is None or session is None:
        return
    store.record_step(
        session,
        step_id_for(session, kind),
        status,
        artifact=artifact,
        content=content,
        exit_code=exit_code,
        summary=summary,
    )
