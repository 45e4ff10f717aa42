"""Options shared by several commands (connection to Procore, output files)."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable

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


def port_number(text: str) -> int:
    """An argparse type: a TCP port, 0-65535 (0: pick a free one); else exit 2 (usage)."""
    if not text.strip().isascii() or not text.strip().isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError("a port is a whole number from 0 to 65535")
    return int(text)


def company_id_number(text: str) -> int:
    """An argparse type: a Procore id, a positive whole number that fits in 64 bits."""
    cleaned = text.strip()
    if not (cleaned.isascii() and cleaned.isdigit()) or not 0 < int(cleaned) < 2**63:
        raise argparse.ArgumentTypeError("an id is a whole number from 1 to 2^63-1")
    return int(cleaned)



def whole_number(low: int, high: int) -> Callable[[str], int]:
    """An argparse type: a whole number from ``low`` to ``high``; else exit 2 (usage).

    Why bounds on every count: ``--concurrency 0`` would wait forever for a free slot and
    ``--per-page 10000000000`` is sent to Procore as it is; a usage error says the range.
    """

    def parse(text: str) -> int:
        cleaned = text.strip()
        digits = cleaned.removeprefix("-")
        if not (digits.isascii() and digits.isdigit() and len(digits) <= 20):
            raise argparse.ArgumentTypeError(f"a whole number from {low} to {high} is expected")
        value = int(cleaned)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be from {low} to {high}")
        return value

    return parse


def finite_number(low: float, high: float, *, above_low: bool = False) -> Callable[[str], float]:
    """An argparse type: a finite number in a range (``inf``, ``nan``, ``1e309`` refused).

    ``above_low``: ``low`` itself is refused (a timeout or a window of 0 means nothing).
    """
    shown = f"more than {low:g}" if above_low else f"from {low:g}"

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"a number {shown} to {high:g} is expected") from None
        too_low = value <= low if above_low else value < low
        if not math.isfinite(value) or too_low or value > high:
            raise argparse.ArgumentTypeError(f"must be a number {shown} to {high:g}")
        return value

    return parse


CONCURRENCY = whole_number(1, 64)
"""Requests in flight at once: more than 64 only meets Procore's rate limit sooner."""


_PATH_METAVARS = frozenset({
    "FILE", "DIR", "PATH", "STEM", "USAGE", "NAME|FILE", "[LABEL=]FILE", "OLD", "NEW",
    "demo|post-sunset|FILE", "FILE|demo|post-sunset",
})


def path_text(text: str) -> str:
    """An argparse type for a path: any text but an empty one (exit 2, usage).

    Why: ``--out ""`` (an unset shell variable, ``--out "$OUT"``) would otherwise read as
    "not given", and the run would write nothing while the user waits for a file.
    """
    if not text.strip():
        raise argparse.ArgumentTypeError("the path is empty")
    return text


def refuse_empty_paths(parser: argparse.ArgumentParser) -> None:
    """Give every path option and argument of ``parser`` and its subcommands
    :func:`path_text` as its type, once, where the command set none.

    One pass over the finished parser instead of a ``type=`` on each of some thirty
    ``add_argument`` calls, so a path option added later is covered too. Options are
    known as paths by their metavar (``FILE``, ``DIR``, ``STEM`` …).
    """
    for action in parser._actions:  # argparse keeps no public list of a parser's actions
        if isinstance(action, argparse._SubParsersAction):
            for sub in dict.fromkeys(action.choices.values()):
                refuse_empty_paths(sub)
        elif action.type is None and action.metavar in _PATH_METAVARS:
            action.type = path_text
