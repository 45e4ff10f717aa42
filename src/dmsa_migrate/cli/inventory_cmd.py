"""``dmsa-migrate inventory``: step 1, the old service accounts and what they could reach."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from dmsa_migrate.cli._options import (
    CONCURRENCY,
    add_connection_options,
    add_out_option,
    company_id_number,
    whole_number,
)
from dmsa_migrate.cli._safe_output import print_output
from dmsa_migrate.cli._session import add_session_options, engagement_for, report_run


def register(subparsers: Any) -> None:
    """Register ``inventory`` with its contract options and the evidence options."""
    parser = subparsers.add_parser(
        "inventory",
        help="step 1: inventory old service accounts",
        description=(
            "Probe each old service account's credential, rebuild its access from the "
            "Company Directory, add API Call Activity Report and code-scan evidence, and "
            "write inventory.json (or TOML for a .toml --out)."
        ),
    )
    parser.add_argument("--accounts", metavar="FILE",
                        help="accounts file (TOML); default: the session's")
    parser.add_argument("--company-id", action="append", type=company_id_number, default=[],
                        metavar="ID",
                        help="only the accounts of this company (repeatable; default: the "
                             "session's companies)")
    add_out_option(parser, "inventory (JSON, or TOML for .toml)")
    parser.add_argument("--directory-token", metavar="REF",
                        help="an admin's user token (a reference) for Directory reads; "
                             "replaces the file's [directory] (default: the session's)")
    parser.add_argument("--activity", action="append", default=[], metavar="[LABEL=]FILE",
                        help="API Call Activity Report CSV (repeatable), added to the session's "
                             "evidence for this run; LABEL= ties it to one account")
    parser.add_argument("--scan", action="append", default=[], metavar="PATH",
                        help="scan this source tree for endpoints and credentials (repeatable)")
    parser.add_argument("--no-live", action="store_true",
                        help="send no token request with the old credentials (after the sunset "
                             "they are refused anyway); status stays unverified")
    parser.add_argument("--per-page", type=whole_number(1, 1000), default=100, metavar="N",
                        help="page size asked for on lists (default 100)")
    parser.add_argument("--concurrency", type=CONCURRENCY, default=8, metavar="N",
                        help="requests in flight at once for per-project reads (default 8)")
    parser.add_argument("--json", action="store_true",
                        help="print the inventory JSON on stdout even with --out")
    add_session_options(parser, "inventory")
    add_connection_options(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Run step 1 through the engagement; write it; print a summary (or the JSON)."""
    import anyio

    from dmsa_migrate.cli._login import login_access_token
    from dmsa_migrate.cli._progress import progress_display
    from dmsa_migrate.engagement import Hooks, InventoryRequest, run_inventory
    from dmsa_migrate.inventory.build import InventoryInterrupted
    from dmsa_migrate.inventory.output import write_inventory
    from dmsa_migrate.secrets import redact

    toml = bool(args.out) and args.out.lower().endswith(".toml")
    request = InventoryRequest(
        accounts=args.accounts, company_ids=args.company_id,
        directory_token=args.directory_token, activity=args.activity, scan=args.scan,
        live_probe=not args.no_live, per_page=args.per_page, concurrency=args.concurrency,
        out=args.out if args.out and not toml else None,  # JSON: written as it is collected
    )

    async def collect() -> Any:
        with progress_display("inventory") as show:
            hooks = Hooks(on_progress=show, login_token=login_access_token)
            engagement = engagement_for(args, hooks)
            return await run_inventory(engagement, request)

    try:
        outcome = anyio.run(collect)
    except InventoryInterrupted as exc:
        if toml:
            write_inventory(exc.partial, args.out)
        if args.out:  # JSON: the engagement moved the partial file into place
            print(f"partial inventory written to {args.out}", file=sys.stderr)
        raise
    if toml:
        write_inventory(outcome.inventory, args.out)
    if args.json or not args.out:
        print_output(outcome.path, outcome.text)
    else:
        for line in outcome.tally.lines:
            print(redact(line))
        print(f"written: {args.out}")
    report_run(args, outcome.run)
    _print_requests(args, outcome.options)
    return 0


def _print_requests(args: argparse.Namespace, options: Any) -> None:
    if getattr(args, "verbose", 0):
        tally = options.tally
        print(
            f"requests: {tally.total} (live {tally.live}, directory {tally.directory}; "
            f"token requests {tally.token})",
            file=sys.stderr,
        )
        if args.verbose > 1:
            for path, count in sorted(tally.by_path.items()):
                print(f"  {count:5d} {path}", file=sys.stderr)
