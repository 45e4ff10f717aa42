"""``dmsa-migrate tui [--session NAME]`` (also what a bare ``dmsa-migrate`` runs).

Textual is imported inside the handler only: ``import dmsa_migrate.cli`` stays light.
"""

from __future__ import annotations

import argparse
from typing import Any


def register(subparsers: Any) -> None:
    """Register ``tui``."""
    parser = subparsers.add_parser(
        "tui", help="open the TUI (the default command)",
        description="The guided walk through the four steps: pick or start a session, then "
        "Inventory, Manifest, Verify, Checklist. Press F1 in the TUI for the keys.",
    )
    parser.add_argument("--session", metavar="NAME", help="open this saved session")
    parser.add_argument(
        "--sessions-dir", metavar="DIR", help="where sessions live (default: the user data folder)"
    )
    parser.set_defaults(handler=_tui)


def _tui(args: argparse.Namespace) -> int:
    from dmsa_migrate.tui.app import make_app

    app = make_app(session=args.session, sessions_dir=getattr(args, "sessions_dir", None))
    app.run()
    return app.return_code or 0
