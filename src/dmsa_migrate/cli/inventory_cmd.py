"""``dmsa-migrate inventory``: step 1, the old service accounts and what they could reach."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from dmsa_migrate.cli._options import add_connection_options, add_out_option
from dmsa_migrate.cli._session import add_session_options, open_session, record_step


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
    parser.add_argument("--accounts", required=True, metavar="FILE", help="accounts file (TOML)")
    parser.add_argument("--company-id", action="append", type=int, default=[], metavar="ID",
                        help="only the accounts of this company (repeatable)")
    add_out_option(parser, "inventory (JSON, or TOML for .toml)")
    parser.add_argument("--directory-token", metavar="REF",
                        help="an admin's user token (a reference) for Directory reads; "
                             "replaces the file's [directory]")
    parser.add_argument("--activity", action="append", default=[], metavar="[LABEL=]FILE",
                        help="API Call Activity Report CSV (repeatable); LABEL= ties it to one "
                             "account")
    parser.add_argument("--scan", action="append", default=[], metavar="PATH",
                        help="scan this source tree for endpoints and credentials (repeatable)")
    parser.add_argument("--no-live", action="store_true",
                        help="send no token request with the old credentials (after the sunset "
                             "they are refused anyway); status stays unverified")
    parser.add_argument("--per-page", type=int, default=100, metavar="N",
                        help="page size asked for on lists (default 100)")
    parser.add_argument("--concurrency", type=int, default=8, metavar="N",
                        help="requests in flight at once for per-project reads (default 8)")
    parser.add_argument("--json", action="store_true",
                        help="print the inventory JSON on stdout even with --out")
    add_session_options(parser, "inventory")
    add_connection_options(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Build the inventory; write it; print a summary (or the JSON) on stdout."""
    import anyio

    from dmsa_migrate.cli._progress import progress_display
    from dmsa_migrate.errors import InputError
    from dmsa_migrate.inventory.accounts import load_accounts
    from dmsa_migrate.inventory.build import InventoryInterrupted, build_inventory
    from dmsa_migrate.inventory.context import CollectOptions
    from dmsa_migrate.inventory.output import inventory_data, summary_lines, write_inventory
    from dmsa_migrate.procore import UserToken
    from dmsa_migrate.runtime import connection_from_options
    from dmsa_migrate.secrets import redact, resolve

    if args.per_page < 1 or args.concurrency < 1:
        raise InputError("--per-page and --concurrency must be at least 1")
    store, session = open_session(args)
    accounts = load_accounts(args.accounts)
    evidence = _evidence(args, {a.label for a in accounts.accounts})
    directory = (
        UserToken(resolve(args.directory_token, field="--directory-token"))
        if args.directory_token
        else None
    )
    connection = connection_from_options(args.env, args.api_base, args.login_base)
    login_token = _saved_login_token(accounts, connection) if directory is None else None
    options = CollectOptions(per_page=args.per_page, concurrency=args.concurrency)

    async def collect() -> Any:
        with progress_display("inventory") as show:
            return await build_inventory(
                accounts, connection, company_ids=args.company_id, directory=directory,
                live_probe=not args.no_live, evidence=evidence, options=options,
                on_progress=show, login_token=login_token,
            )

    try:
        inventory = anyio.run(collect)
    except InventoryInterrupted as exc:
        if args.out:
            write_inventory(exc.partial, args.out)
            print(f"partial inventory written to {args.out}", file=sys.stderr)
        _print_requests(args, options)
        raise
    if args.out:
        write_inventory(inventory, args.out)
    rejected = sum(account.status == "rejected" for account in inventory.accounts)
    record_step(
        store, session, "inventory", "done",
        content=json.dumps(inventory_data(inventory), indent=2, ensure_ascii=False),
        summary=f"{len(inventory.accounts)} accounts, {rejected} rejected",
    )
    if args.json or not args.out:
        print(redact(json.dumps(inventory_data(inventory), indent=2, ensure_ascii=False)))
    else:
        for line in summary_lines(inventory):
            print(redact(line))
        print(f"written: {args.out}")
    _print_requests(args, options)
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


def _saved_login_token(accounts: Any, connection: Any) -> Any:
    """``[directory] login = true``: the saved login's token, refreshed first when due."""
    if accounts.directory is None or not accounts.directory.login:
        return None
    import anyio

    from dmsa_migrate.cli._login import login_access_token

    token: str = anyio.run(login_access_token, connection)
    return lambda: token


def _evidence(args: argparse.Namespace, labels: set[str]) -> Any:
    from dmsa_migrate.inventory.activity import read_activity_report
    from dmsa_migrate.inventory.build import Evidence
    from dmsa_migrate.inventory.scan import scan_tree

    evidence = Evidence()
    for spec in args.activity:
        label, sep, path = spec.partition("=")
        if sep and label in labels:
            evidence.usage_by_label.setdefault(label, []).extend(read_activity_report(path))
        else:
            evidence.usage.extend(read_activity_report(spec))
    for root in args.scan:
        evidence.add_scan(scan_tree(root))
    return evidence
