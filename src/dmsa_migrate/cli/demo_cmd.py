"""``dmsa-migrate demo``: placeholder until the demo pipeline lands."""

from __future__ import annotations

from typing import Any


def register(subparsers: Any) -> None:
    """Register ``demo``."""
    from dmsa_migrate.cli.placeholders import _placeholder

    parser = subparsers.add_parser("demo", help="the TUI (or --headless pipeline) on the emulator")
    parser.add_argument("--world", default="demo", metavar="demo|post-sunset|FILE")
    parser.add_argument("--headless", action="store_true", help="run the pipeline without the TUI")
    parser.add_argument("--out", metavar="DIR", help="with --headless: where to write outputs")
    parser.set_defaults(handler=_placeholder("demo"))
