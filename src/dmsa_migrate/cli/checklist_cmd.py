"""``dmsa-migrate checklist``: step 4, the per-company sunset checklist and its exports.

Prints the written paths on stdout (one per line, md, html, json, csv order) and a one-line
summary on stderr. With ``--session`` and no ``--out`` the files go into the session's
``exports/`` folder (the folder the TUI's ``e`` writes to), and stderr names it. Exit 0
when written; with ``--fail-on-open``, exit 1 while items are still pending or blocked (for
a CI gate before the old account is switched off).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

from dmsa_migrate.cli._options import company_id_number
from dmsa_migrate.cli._session import add_session_options, engagement_for, report_run

DEFAULT_FORMATS = "md,html,json,csv"


def register(subparsers: Any) -> None:
    """Register ``checklist`` (contract options of ARCHITECTURE 3.1, plus extensions)."""
    parser = subparsers.add_parser(
        "checklist",
        help="step 4: the sunset checklist",
        description=(
            "Build each company's sunset checklist from the playbook, the inventory and the "
            "verification (plus the session's waivers and sign-offs), and write it as "
            "Markdown, printable HTML, JSON and CSV with the same fields."
        ),
    )
    parser.add_argument(
        "--inventory", metavar="FILE", help="inventory.json (default: the session's last)"
    )
    parser.add_argument(
        "--verification", metavar="FILE",
        help="verification.json (default: the session's last verification)",
    )
    parser.add_argument(
        "--playbook",
        metavar="NAME|FILE",
        help="default: the session's pinned playbook, else post-sunset-recovery on or after "
        "the sunset (2025-03-18) and standard-data-connector before it",
    )
    parser.add_argument(
        "--format",
        default=DEFAULT_FORMATS,
        metavar="LIST",
        help=f"comma-separated formats (default: {DEFAULT_FORMATS})",
    )
    parser.add_argument(
        "--out", metavar="DIR",
        help="folder for checklist.* (default with --session: the session's exports folder, "
        "where the TUI exports too)",
    )
    parser.add_argument(
        "--manifest", metavar="FILE",
        help="manifest.json (for manifest items; default: the session's manifest)",
    )
    add_session_options(parser, "checklist")
    parser.add_argument("--customer", metavar="TEXT", help="default: the session's customer")
    parser.add_argument(
        "--company-id",
        action="append",
        type=company_id_number,
        default=[],
        metavar="ID",
        help="only these companies (repeat; default: every company in the inputs)",
    )
    parser.add_argument(
        "--today",
        metavar="YYYY-MM-DD",
        help="date the timeline is relative to (default: today, or the emulator's date for a "
        "demo session; fix it for reproducible files)",
    )
    parser.add_argument(
        "--fail-on-open",
        action="store_true",
        help="exit 1 while any item is pending or blocked",
    )
    parser.set_defaults(handler=_run)


def _today(text: str | None) -> dt.date | None:
    from dmsa_migrate.errors import InputError

    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(f"--today: '{text}' is not a date (YYYY-MM-DD)") from None


def _run(args: argparse.Namespace) -> int:
    from dmsa_migrate.checklist import parse_formats
    from dmsa_migrate.engagement import ChecklistRequest, run_checklist
    from dmsa_migrate.errors import InputError
    from dmsa_migrate.fileio import atomic_write_text, ensure_private_dir, refuse_special_targets

    formats = parse_formats(args.format)
    if not args.session and not (args.inventory and args.verification):
        raise InputError("checklist: give --inventory FILE --verification FILE, or --session NAME")
    if not args.session and not args.out:
        raise InputError("checklist: give --out DIR (or --session NAME: its exports folder)")
    engagement = engagement_for(args)
    outcome = run_checklist(engagement, ChecklistRequest(
        inventory=args.inventory, verification=args.verification, manifest=args.manifest,
        playbook=args.playbook, customer=args.customer, company_ids=args.company_id,
        today=_today(args.today),
    ), formats=formats)
    folder = ensure_private_dir(
        Path(args.out).expanduser() if args.out else engagement.exports_folder()
    )
    if not folder.is_dir():
        raise InputError(f"--out: {folder} is not a folder")
    refuse_special_targets(*(folder / f"checklist.{fmt}" for fmt in formats))  # all first
    for fmt in formats:
        print(atomic_write_text(folder / f"checklist.{fmt}", outcome.texts[f"checklist.{fmt}"]))
    checklist = outcome.checklist
    counts = ", ".join(f"{n} {status}" for status, n in checklist.totals.items())
    print(
        f"checklist: {len(checklist.items)} items over {len(checklist.companies)} companies "
        f"({counts})",
        file=sys.stderr,
    )
    if not args.out:
        print(f"written into the exports folder of session {args.session}: {folder}",
              file=sys.stderr)
    report_run(args, outcome.run)
    return 1 if args.fail_on_open and checklist.open_items else 0
