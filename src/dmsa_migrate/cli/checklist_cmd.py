"""``dmsa-migrate checklist``: step 4, the per-company sunset checklist and its exports.

Prints the written paths on stdout (one per line, md, html, json, csv order) and a one-line
summary on stderr. Exit 0 when written; with ``--fail-on-open``, exit 1 while items are
still pending or blocked (for a CI gate before the old account is switched off).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import Any

from dmsa_migrate.cli._session import open_session

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
    parser.add_argument("--inventory", required=True, metavar="FILE", help="inventory.json")
    parser.add_argument("--verification", required=True, metavar="FILE", help="verification.json")
    parser.add_argument(
        "--playbook",
        metavar="NAME|FILE",
        help="default: the session's playbook, else post-sunset-recovery on or after the "
        "sunset (2025-03-18) and standard-data-connector before it",
    )
    parser.add_argument(
        "--format",
        default=DEFAULT_FORMATS,
        metavar="LIST",
        help=f"comma-separated formats (default: {DEFAULT_FORMATS})",
    )
    parser.add_argument("--out", required=True, metavar="DIR", help="folder for checklist.*")
    parser.add_argument("--manifest", metavar="FILE", help="manifest.json (for manifest items)")
    parser.add_argument(
        "--session", metavar="NAME", help="apply this session's waivers, sign-offs and owners"
    )
    parser.add_argument("--sessions-dir", metavar="DIR", help="default: the user data folder")
    parser.add_argument("--customer", metavar="TEXT", help="default: the session's customer")
    parser.add_argument(
        "--company-id",
        action="append",
        type=int,
        default=[],
        metavar="ID",
        help="only these companies (repeat; default: every company in the inputs)",
    )
    parser.add_argument(
        "--today",
        metavar="YYYY-MM-DD",
        help="date the timeline is relative to (default: today; fix it for reproducible files)",
    )
    parser.add_argument(
        "--fail-on-open",
        action="store_true",
        help="exit 1 while any item is pending or blocked",
    )
    parser.set_defaults(handler=_run)


def _today(text: str | None) -> dt.date:
    from dmsa_migrate.errors import InputError

    if text is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(f"--today: '{text}' is not a date (YYYY-MM-DD)") from None


def _run(args: argparse.Namespace) -> int:
    from dmsa_migrate.checklist import (
        Evidence,
        build_checklist,
        load_inventory,
        load_manifest_permissions,
        load_verification,
        parse_formats,
        render,
        write_exports,
    )
    from dmsa_migrate.playbooks import default_playbook_id, find_playbook

    formats = parse_formats(args.format)
    today = _today(args.today)
    store, session = open_session(args)
    playbook = find_playbook(
        args.playbook or (session.playbook.id if session else default_playbook_id(today))
    )
    if session is not None and (session.playbook.id, session.playbook.version) != (
        playbook.id,
        playbook.version,
    ):
        print(
            f"dmsa-migrate: note: session {session.name} follows playbook "
            f"{session.playbook.id} {session.playbook.version}; using {playbook.id} "
            f"{playbook.version}",
            file=sys.stderr,
        )
    evidence = Evidence(
        inventory=load_inventory(args.inventory),
        manifest=load_manifest_permissions(args.manifest) if args.manifest else None,
        verification=load_verification(args.verification),
    )
    checklist = build_checklist(
        playbook,
        evidence,
        today=today,
        states=session.checklist if session else (),
        owners=session.owners if session else (),
        start=session.created_at.date() if session else None,
        customer=args.customer or (session.customer if session else ""),
        company_ids=args.company_id or (session.company_ids if session else None) or None,
    )
    paths = write_exports(checklist, formats, args.out)
    open_items = checklist.open_items
    if store is not None and session is not None:
        step_id = next((s.id for s in playbook.steps if s.kind == "checklist"), "checklist")
        store.record_step(
            session,
            step_id,
            "needs_attention" if open_items else "done",
            content=render(checklist, "json"),
            exit_code=1 if args.fail_on_open and open_items else 0,
            summary=f"{open_items} open items",
        )
    for path in paths.values():
        print(path)
    counts = ", ".join(f"{n} {status}" for status, n in checklist.totals.items())
    print(
        f"checklist: {len(checklist.items)} items over {len(checklist.companies)} companies "
        f"({counts})",
        file=sys.stderr,
    )
    return 1 if args.fail_on_open and open_items else 0
