"""Commands of ARCHITECTURE 3.1 whose steps land in later issues.

They are registered with their contract options so ``--help`` is already right; each
answers "not yet available" (exit 2) until its step replaces the handler.
"""

from __future__ import annotations

import argparse
from typing import Any

from dmsa_migrate.cli._options import add_connection_options


def _placeholder(name: str) -> Any:
    def handler(args: argparse.Namespace) -> int:
        from dmsa_migrate.cli import not_yet

        return not_yet(name)

    return handler


def register_steps(subparsers: Any) -> None:
    """The four steps and their helpers."""
    login = subparsers.add_parser("login", help="authorization-code login for directory reads")
    login.add_argument("--client-id", required=True, metavar="ID")
    login.add_argument("--client-secret", required=True, metavar="REF")
    login.add_argument("--keyring", action="store_true", help="store the token in the keyring")
    add_connection_options(login)
    login.set_defaults(handler=_placeholder("login"))

