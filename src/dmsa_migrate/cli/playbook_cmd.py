"""``dmsa-migrate playbook check FILE`` and ``playbook list``."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def register(subparsers: Any) -> None:
    """Register ``playbook check`` and ``playbook list`` (contract options kept)."""
    playbook = subparsers.add_parser("playbook", help="check and list playbooks")
    sub = playbook.add_subparsers(dest="playbook_command", metavar="ACTION", required=True)
    check = sub.add_parser(
        "check",
        help="validate a playbook",
        description="Validate a playbook file (or a shipped/user playbook id). Every problem "
        "is reported with file, line and field; exit 2 when the playbook is invalid.",
    )
    check.add_argument("file", metavar="FILE")
    check.set_defaults(handler=_check)
    listing = sub.add_parser("list", help="list shipped and user playbooks")
    listing.add_argument("--json", action="store_true", help="one JSON document on stdout")
    listing.set_defaults(handler=_list)


def _check(args: argparse.Namespace) -> int:
    from pathlib import Path

    from dmsa_migrate.playbooks import find_playbook, load_playbook

    path = Path(args.file).expanduser()
    playbook = load_playbook(path) if path.exists() else find_playbook(args.file)
    manual = sum(1 for item in playbook.checklist if item.is_manual)
    print(
        f"ok: {args.file}: {playbook.id} {playbook.version} — {len(playbook.steps)} steps, "
        f"{len(playbook.timeline)} timeline dates, {len(playbook.checklist)} checklist items "
        f"({len(playbook.checklist) - manual} decided by conditions, {manual} manual)"
    )
    return 0


def _list(args: argparse.Namespace) -> int:
    from dmsa_migrate.playbooks import discover_playbooks

    entries = discover_playbooks()
    if args.json:
        rows = [
            {
                "id": e.id,
                "version": e.playbook.version if e.playbook else None,
                "title": e.playbook.playbook.title if e.playbook else None,
                "origin": e.origin,
                "default": e.is_default,
                "shadowed": e.shadowed,
                "path": str(e.path),
                "problem": e.problem,
            }
            for e in entries
        ]
        print(json.dumps({"playbooks": rows}, indent=2, ensure_ascii=False))
        return 0 if all(e.problem is None for e in entries) else 1
    if not entries:
        print("no playbooks found", file=sys.stderr)
        return 0
    width = max(len(e.id) for e in entries)
    for entry in entries:
        if entry.playbook is None:
            print(f"{entry.id:<{width}}  INVALID  {entry.origin}  {entry.problem}")
            continue
        marks: list[str] = [entry.origin]
        if entry.default_mark:
            marks.append(entry.default_mark)
        if entry.shadowed:
            marks.append("replaced by a user playbook")
        meta = entry.playbook.playbook
        print(f"{entry.id:<{width}}  {meta.version:<7}  {meta.title}  ({', '.join(marks)})")
    return 0 if all(e.problem is None for e in entries) else 1
