"""Options shared by several commands (connection to Procore, output files)."""

from __future__ import annotations

import argparse

ENVIRONMENTS = ("production", "sandbox", "monthly", "gov")


def add_connection_options(parser: argparse.ArgumentParser) -> None:
    """``--env`` or ``--api-base``/``--login-base``: where Procore (or an emulator) is."""
    group = parser.add_argument_group("connection")
    group.add_argument(
        "--env",
        choices=ENVIRONMENTS,
        default=None,
        help="Procore environment (default: the session's, else production)",
    )
    group.add_argument(
        "--api-base", metavar="URL",
        help="custom API base URL (e.g. an emulator; default: the session's)",
    )
    group.add_argument(
        "--login-base", metavar="URL", help="custom login base URL (default: the API base)"
    )


def add_out_option(parser: argparse.ArgumentParser, what: str) -> None:
    """``--out FILE``: where to write the result (stdout when omitted)."""
    parser.add_argument("--out", metavar="FILE", help=f"write the {what} to FILE")
