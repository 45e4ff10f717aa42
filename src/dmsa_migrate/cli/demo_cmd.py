"""``dmsa-migrate demo [--world demo|post-sunset|FILE] [--headless --out DIR]``.

Without ``--headless``: the TUI with a ready session against the in-process emulator
(no network, no setup). With it: the demo session's four steps run by the engagement,
every output written to DIR.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any


def register(subparsers: Any) -> None:
    """Register ``demo``."""
    parser = subparsers.add_parser("demo", help="the TUI (or --headless pipeline) on the emulator")
    parser.add_argument("--world", default="demo", metavar="demo|post-sunset|FILE")
    parser.add_argument("--headless", action="store_true", help="run the pipeline without the TUI")
    parser.add_argument("--out", metavar="DIR", help="with --headless: where to write outputs")
    parser.add_argument(
        "--sessions-dir", metavar="DIR",
        help="where the demo session lives (default: user data; with --headless: a "
        "temporary folder unless given)",
    )
    parser.set_defaults(handler=_demo)


def _demo(args: argparse.Namespace) -> int:
    if args.headless:
        return _headless(args)
    from dmsa_migrate.emulator import load_world
    from dmsa_migrate.tui.app import make_app

    load_world(args.world)  # a bad world name or file fails here, before the screen opens
    app = make_app(demo=args.world, sessions_dir=args.sessions_dir)
    app.run()
    return app.return_code or 0


def _headless(args: argparse.Namespace) -> int:
    from dmsa_migrate.errors import InputError

    if not args.out:
        raise InputError("demo --headless needs --out DIR")
    from pathlib import Path

    from dmsa_migrate.pipeline import run_headless_demo

    def say(message: str) -> None:
        print(message, file=sys.stderr)

    result = run_headless_demo(
        args.world, Path(args.out), on_progress=say, sessions_dir=args.sessions_dir
    )
    for path in result.paths.values():
        print(path)
    return 0
