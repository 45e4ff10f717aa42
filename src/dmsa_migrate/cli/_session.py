"""``--session NAME`` on the step commands: the step runs for that session's engagement.

With ``--session`` a step needs no other flag: the engagement reads the session's
connection, accounts, credential references, pinned playbook, overrides, evidence and
earlier runs; a flag given replaces one of those values for this run and is recorded in
the run. Without it, the step runs on the files the flags name and nothing is recorded.
"""

from __future__ import annotations

import argparse
from typing import Any


def add_session_options(parser: argparse.ArgumentParser, what: str) -> None:
    """``--session NAME`` and ``--sessions-dir DIR``."""
    parser.add_argument(
        "--session", metavar="NAME",
        help=f"run for the saved session NAME (its inputs; the {what} is recorded there)",
    )
    parser.add_argument("--sessions-dir", metavar="DIR", help="default: the user data folder")


def engagement_for(args: argparse.Namespace, hooks: Any = None) -> Any:
    """The engagement the options describe: the session's, else a plain run.

    Loaded before the step runs, so a wrong session name fails before any request is sent.
    """
    from dmsa_migrate.engagement import ConnectionFlags, Hooks, open_engagement, plain_engagement

    flags = ConnectionFlags(
        getattr(args, "env", None), getattr(args, "api_base", None),
        getattr(args, "login_base", None),
    )
    hooks = hooks or Hooks()
    if not getattr(args, "session", None):
        return plain_engagement(hooks=hooks, flags=flags)
    from dmsa_migrate.sessions import SessionStore

    return open_engagement(SessionStore(args.sessions_dir), args.session, hooks=hooks, flags=flags)


def report_run(args: argparse.Namespace, run: Any) -> None:
    """On stderr: where the run was recorded (a session run), then each notice the
    engagement gave (``compared with the previous verification …``, the playbook used), the
    same notices the TUI shows as notifications and ``demo --headless`` prints."""
    import sys

    if run.id:
        print(f"recorded in session {args.session} as run {run.id}", file=sys.stderr)
    for note in run.notes:
        print(f"dmsa-migrate: note: {note}", file=sys.stderr)
