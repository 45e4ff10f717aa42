"""Commands of ARCHITECTURE 3.1 whose steps land in later issues.

They are registered with their contract options so ``--help`` is already right; each
answers "not yet available" (exit 2) until its step replaces the handler.
"""

from __future__ import annotations

import argparse
from typing import Any

from dmsa_migrate.cli._options import add_connection_options, add_out_option


def _placeholder(name: str) -> Any:
    def handler(args: argparse.Namespace) -> int:
        from dmsa_migrate.cli import not_yet

        return not_yet(name)

    return handler


def register_tui(subparsers: Any) -> None:
    """``tui``: the Textual app (also what a bare ``dmsa-migrate`` runs)."""
    parser = subparsers.add_parser("tui", help="open the TUI (the default command)")
    parser.add_argument("--session", metavar="NAME", help="open this saved session")
    parser.set_defaults(handler=_placeholder("tui"))


def register_steps(subparsers: Any) -> None:
    """The four steps and their helpers."""
    login = subparsers.add_parser("login", help="authorization-code login for directory reads")
    login.add_argument("--client-id", required=True, metavar="ID")
    login.add_argument("--client-secret", required=True, metavar="REF")
    login.add_argument("--keyring", action="store_true", help="store the token in the keyring")
    add_connection_options(login)
    login.set_defaults(handler=_placeholder("login"))

    inventory = subparsers.add_parser("inventory", help="step 1: inventory old service accounts")
    inventory.add_argument("--accounts", required=True, metavar="FILE")
    inventory.add_argument("--company-id", action="append", type=int, default=[], metavar="ID")
    add_out_option(inventory, "inventory (JSON, or TOML for .toml)")
    add_connection_options(inventory)
    inventory.set_defaults(handler=_placeholder("inventory"))

    scan = subparsers.add_parser("scan", help="secret and endpoint scan of a source tree")
    scan.add_argument("path", metavar="PATH")
    add_out_option(scan, "scan result")
    scan.set_defaults(handler=_placeholder("scan"))

    verify = subparsers.add_parser("verify", help="step 3: verify the DMSA install")
    verify.add_argument("--inventory", required=True, metavar="FILE")
    verify.add_argument("--dmsa", required=True, metavar="CLIENT_ID")
    verify.add_argument("--dmsa-secret", required=True, metavar="REF")
    verify.add_argument("--company-id", action="append", type=int, default=[], metavar="ID")
    verify.add_argument("--previous", metavar="FILE")
    add_out_option(verify, "verification")
    add_connection_options(verify)
    verify.set_defaults(handler=_placeholder("verify"))

    checklist = subparsers.add_parser("checklist", help="step 4: the sunset checklist")
    checklist.add_argument("--inventory", required=True, metavar="FILE")
    checklist.add_argument("--verification", required=True, metavar="FILE")
    checklist.add_argument("--playbook", metavar="NAME|FILE")
    checklist.add_argument("--format", default="md,html,json,csv", metavar="LIST")
    checklist.add_argument("--out", required=True, metavar="DIR")
    checklist.set_defaults(handler=_placeholder("checklist"))
