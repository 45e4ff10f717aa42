"""The ``dmsa-migrate`` command line: a thin entry point over one module per command group.

Import rule: this package must stay light. ``import dmsa_migrate.cli`` loads argparse and
the small command modules only; each handler imports what it needs (httpx, the emulator,
textual for the TUI) when it runs. A test checks that textual is not imported here.

Results go to stdout, diagnostics to stderr. Exit codes (ARCHITECTURE 3.1): 0 success,
1 findings, 2 bad usage or input, 3 Procore/network failure after retries.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from dmsa_migrate import __version__
from dmsa_migrate.cli import _commands
from dmsa_migrate.cli._options import refuse_empty_paths
from dmsa_migrate.errors import DmsaError, NotAvailableError

EXIT_INTERNAL = 70
"""A bug in the tool (sysexits EX_SOFTWARE): never a user's mistake."""


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser; every command group adds its own subcommands."""
    parser = argparse.ArgumentParser(
        prog="dmsa-migrate",
        description=(
            "Move Procore integrations from traditional service accounts to Developer "
            "Managed Service Accounts: inventory, manifest, verify, sunset checklist."
        ),
        epilog="Run a command with --help for its options. Without a command: the TUI.",
    )
    parser.add_argument("--version", action="version", version=f"dmsa-migrate {__version__}")
    parser.add_argument(
        "-v", "--verbose", action="count", default=0, help="more diagnostics on stderr"
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    for register in _commands.REGISTRARS:
        register(subparsers)
    refuse_empty_paths(parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit code (the console script exits with it)."""
    parser = build_parser()
    args = parser.parse_args(list(argv) if argv is not None else None)
    handler = getattr(args, "handler", None)
    if handler is None:
        args = parser.parse_args(["tui"])
        handler = args.handler
    from dmsa_migrate.cli._safe_output import control_safe_stdout

    draws_a_screen = args.command == "tui" or (
        args.command == "demo" and not getattr(args, "headless", False)
    )
    try:
        with control_safe_stdout(enabled=not draws_a_screen):
            code = int(handler(args) or 0)
        sys.stdout.flush()  # a closed pipe shows here, not at exit after the code is set
        return code
    except BrokenPipeError:
        return _closed_pipe()
    except DmsaError as exc:
        _print_error(exc)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug: say so plainly, the traceback only with -v
        if args.verbose:
            raise
        from dmsa_migrate.secrets import redact
        from dmsa_migrate.textsafe import control_free

        detail = control_free(redact(f"{type(exc).__name__}: {exc}"))
        print(
            f"dmsa-migrate: internal error: {detail}\n"
            "This is a bug in dmsa-migrate. Run again with -v for the details to report.",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


def _closed_pipe() -> int:
    """The reader of stdout went away (``… | head -1``): that is how pipes end, not an error.

    Later writes (and Python's own flush at exit) would fail again, so stdout is pointed at
    the null device; the exit is 0 and quiet, as for ``cat`` or ``git log``.
    """
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # stdout is not a real file (a test's capture)
        pass
    return 0


def _print_error(exc: DmsaError) -> None:
    from dmsa_migrate.secrets import redact
    from dmsa_migrate.textsafe import control_free

    print(control_free(redact(f"dmsa-migrate: {exc.title}: {exc.message}")), file=sys.stderr)


def not_yet(name: str) -> int:
    """Handler for a command the design names but this version does not offer yet."""
    raise NotAvailableError(f"'{name}' is not yet available in this version")
