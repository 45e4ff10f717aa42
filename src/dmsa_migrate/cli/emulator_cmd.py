"""``dmsa-migrate emulator serve``: placeholder until the emulator lands."""

from __future__ import annotations

from typing import Any


def register(subparsers: Any) -> None:
    """Register ``emulator serve``."""
    from dmsa_migrate.cli.placeholders import _placeholder

    parser = subparsers.add_parser("emulator", help="the built-in Procore emulator")
    sub = parser.add_subparsers(dest="emulator_command", metavar="ACTION", required=True)
    serve = sub.add_parser("serve", help="serve a world over HTTP on loopback")
    serve.add_argument("--world", default="demo", metavar="FILE|demo|post-sunset")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=0)
    serve.set_defaults(handler=_placeholder("emulator serve"))
