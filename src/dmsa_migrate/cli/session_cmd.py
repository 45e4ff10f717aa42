"""``dmsa-migrate session …``: consultant sessions, their history and validated edits.

``new|list|show|export|owner`` manage sessions; ``history|diff`` read the run history the
engagement records; ``item|override|step|playbook`` change a session, each change checked
against what the session knows (exit 2 listing the valid choices).
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from dmsa_migrate.cli._options import ENVIRONMENTS, company_id_number

ITEM_STATUSES = ("pending", "done", "blocked", "waived", "not_applicable", "auto")
OWNER_ROLES = (
    "consultant",
    "integration_developer",
    "company_admin",
    "customer_it",
    "customer_project_manager",
)
"""The playbook owner roles (models/playbook.py OwnerRole), kept here so --help stays light."""


def register(subparsers: Any) -> None:
    """Register the ``session`` command group."""
    session = subparsers.add_parser("session", help="create, list, show and export sessions")
    sub = session.add_subparsers(dest="session_command", metavar="ACTION", required=True)

    new = sub.add_parser("new", help="start a session for a customer engagement")
    new.add_argument("name", metavar="NAME")
    new.add_argument("--customer", required=True, metavar="TEXT")
    new.add_argument(
        "--playbook",
        metavar="NAME|FILE",
        help="default: post-sunset-recovery (standard-data-connector before 2025-03-18)",
    )
    new.add_argument(
        "--company-id", action="append", type=company_id_number, default=[], metavar="ID"
    )
    new.add_argument("--env", choices=ENVIRONMENTS, default="production")
    new.add_argument("--api-base", metavar="URL", default="")
    new.add_argument("--login-base", metavar="URL", default="")
    new.add_argument("--accounts", metavar="FILE", help="the accounts file")
    new.add_argument("--dmsa", metavar="CLIENT_ID", default="", help="the DMSA client id")
    new.add_argument("--dmsa-secret", metavar="REF", help="reference to the DMSA secret")
    new.add_argument("--directory-token", metavar="REF", help="reference to a directory token")
    new.set_defaults(handler=_new)

    listing = sub.add_parser("list", help="list sessions, most recent first")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=_list)

    show = sub.add_parser("show", help="show a session's state")
    show.add_argument("name", metavar="NAME")
    show.add_argument("--json", action="store_true", help="the whole session as JSON")
    show.set_defaults(handler=_show)

    export = sub.add_parser("export", help="one JSON file: the session and its step outputs")
    export.add_argument("name", metavar="NAME")
    export.add_argument("--out", metavar="FILE", help="write to FILE (default: stdout)")
    export.set_defaults(handler=_export)

    item = sub.add_parser("item", help="set the manual state of a checklist item")
    item.add_argument("name", metavar="NAME")
    item.add_argument("item_id", metavar="ITEM")
    item.add_argument("--company-id", required=True, type=company_id_number, metavar="ID")
    item.add_argument("--status", choices=ITEM_STATUSES, help="'auto': let conditions decide")
    item.add_argument("--owner", metavar="TEXT")
    item.add_argument("--note", metavar="TEXT", help="evidence note")
    item.add_argument("--waive", metavar="REASON", help="waive the item, with the reason")
    item.add_argument("--sign-off", metavar="NAME", help="sign the item off (time recorded)")
    item.set_defaults(handler=_item)

    owner = sub.add_parser(
        "owner",
        help="name who owns a role or an item (with contact), in one company or all",
        description=(
            "Name the person who owns checklist items, with how to reach them. By role "
            "(--role company_admin) or by item (--item permitted-projects); in one company "
            "(--company-id) or in all. The most specific assignment wins: item in the company, "
            "item anywhere, role in the company, role anywhere."
        ),
    )
    owner.add_argument("name", metavar="NAME")
    target = owner.add_mutually_exclusive_group(required=True)
    target.add_argument("--role", choices=OWNER_ROLES, help="every item of this owner role")
    target.add_argument("--item", metavar="ITEM", help="one checklist item id")
    owner.add_argument(
        "--company-id", type=company_id_number, metavar="ID", help="default: every company"
    )
    owner.add_argument("--person", required=True, metavar="TEXT", help="the owner's name")
    owner.add_argument("--contact", default="", metavar="TEXT", help="e-mail or phone")
    owner.set_defaults(handler=_owner)

    override = sub.add_parser("override", help="override one manifest level, with a reason")
    override.add_argument("name", metavar="NAME")
    override.add_argument("--scope", required=True, choices=("company", "project"))
    override.add_argument("--tool", required=True, metavar="TOOL")
    override.add_argument(
        "--level", required=True, choices=("none", "readonly", "standard", "admin")
    )
    override.add_argument("--reason", required=True, metavar="TEXT")
    override.set_defaults(handler=_override)

    history = sub.add_parser("history", help="the session's recorded runs, oldest first")
    history.add_argument("name", metavar="NAME")
    history.add_argument("--json", action="store_true", help="the run records as JSON")
    history.set_defaults(handler=_history)

    diff = sub.add_parser(
        "diff", help="what changed between two runs of one step",
        description="Projects lost or gained, levels changed, findings new or gone, checklist "
        "items moved, between two runs (by id, e.g. 0003-verify, or number) of the same step.",
    )
    diff.add_argument("name", metavar="NAME")
    diff.add_argument("old", metavar="RUN_A")
    diff.add_argument("new", metavar="RUN_B")
    diff.add_argument("--json", action="store_true", help="the changes as JSON")
    diff.set_defaults(handler=_diff)

    step = sub.add_parser("step", help="mark a custom playbook step done or pending")
    step.add_argument("name", metavar="NAME")
    step.add_argument("step_id", metavar="STEP")
    mark = step.add_mutually_exclusive_group(required=True)
    mark.add_argument("--done", action="store_true", help="the step is done")
    mark.add_argument("--pending", action="store_true", help="the step is not done (again)")
    step.add_argument("--note", metavar="TEXT", default="", help="e.g. 'call held with Dana'")
    step.set_defaults(handler=_step)

    playbook = sub.add_parser(
        "playbook", help="show or upgrade the session's pinned playbook",
        description="A session keeps a copy of its playbook from the day it was created; an "
        "edited or newer playbook is used only after --upgrade.",
    )
    playbook.add_argument("name", metavar="NAME")
    playbook.add_argument(
        "--upgrade", nargs="?", const="", metavar="NAME|FILE",
        help="pin the current version of the session's playbook (or of NAME|FILE)",
    )
    playbook.set_defaults(handler=_playbook)

    for parser in (
        new, listing, show, export, item, owner, override, history, diff, step, playbook
    ):
        parser.add_argument("--sessions-dir", metavar="DIR", help="default: the user data folder")


def _store(args: argparse.Namespace) -> Any:
    from dmsa_migrate.sessions import SessionStore

    return SessionStore(args.sessions_dir)


def _new(args: argparse.Namespace) -> int:
    import datetime as dt

    from dmsa_migrate.engagement.inputs import typed_accounts_path
    from dmsa_migrate.models.session import Connection, Credentials
    from dmsa_migrate.playbooks import default_playbook_id, find_playbook_source
    from dmsa_migrate.secrets import parse_ref

    refs: dict[str, str] = {}
    for field, value in (
        ("dmsa_secret", args.dmsa_secret),
        ("directory_token", args.directory_token),
    ):
        if value is not None:
            parse_ref(value, field=f"--{field.replace('_', '-')}")
            refs[field] = value
    store = _store(args)
    playbook, text = find_playbook_source(args.playbook or default_playbook_id(dt.date.today()))
    session = store.create(
        args.name,
        customer=args.customer,
        playbook=playbook,
        playbook_text=text,
        connection=Connection(
            environment=args.env, api_base=args.api_base, login_base=args.login_base
        ),
        company_ids=args.company_id,
        credentials=Credentials(
            accounts_file=typed_accounts_path(args.accounts or ""), dmsa_client_id=args.dmsa,
            secret_refs=refs,
        ),
    )
    print(
        f"created session {session.name} ({session.playbook.id} {session.playbook.version}) "
        f"in {store.folder(session.name)}"
    )
    return 0


def _list(args: argparse.Namespace) -> int:
    from dmsa_migrate.engagement.overview import overview

    rows = overview(_store(args))
    if args.json:
        print(json.dumps({"sessions": [r.as_json() for r in rows]}, indent=2, ensure_ascii=False))
        return 0
    if not rows:
        print("no sessions yet: dmsa-migrate session new NAME --customer TEXT")
        return 0
    table = [_LIST_HEADER] + [_list_row(row) for row in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(_LIST_HEADER) - 1)]
    for line in table:
        cells = [cell.ljust(width) for cell, width in zip(line, widths, strict=False)]
        print(("  ".join([*cells, line[-1]])).rstrip())
    return 0


_LIST_HEADER = ("SESSION", "CUSTOMER", "PLAYBOOK", "STEPS", "OPEN", "OVERDUE", "BLOCKED",
                "LAST VERIFY", "CHANGED")


def _list_row(row: Any) -> tuple[str, ...]:
    from dmsa_migrate.secrets import redact

    s = row.summary
    if row.problem or s.problem:
        problem = redact(row.problem or s.problem or "")[:80]
        return (s.name, "UNREADABLE", "", "", "", "", "", "", problem)
    changed = s.updated_at.strftime("%Y-%m-%d %H:%M") if s.updated_at else "-"
    verified = row.verification + (f" {row.verified_at[:10]}" if row.verified_at else "")

    def count(value: int | None) -> str:
        return "-" if value is None else str(value)

    return (s.name, _cell(s.customer), s.playbook_id, s.progress, count(row.open_items),
            count(row.overdue_items), count(row.blocked_items), verified, changed)


def _cell(text: str) -> str:
    """A customer name on one line of a table (no control characters, at most 30 wide)."""
    clean = "".join(ch if ch.isprintable() else " " for ch in text)
    return clean if len(clean) <= 30 else clean[:29] + "…"


def _show(args: argparse.Namespace) -> int:
    store = _store(args)
    session = store.load(args.name)
    if args.json:
        print(
            json.dumps(
                session.model_dump(mode="json", exclude_none=True), indent=2, ensure_ascii=False
            )
        )
        return 0
    done, total = session.progress
    print(f"session   {session.name}  (revision {session.revision})")
    print(f"customer  {session.customer}")
    print(f"playbook  {session.playbook.id} {session.playbook.version}")
    where = session.connection.api_base or session.connection.environment
    print(f"procore   {where}")
    print(f"companies {', '.join(str(c) for c in session.company_ids) or '-'}")
    from dmsa_migrate.secrets import shown_reference_text

    refs = ", ".join(
        f"{k}={shown_reference_text(v)}" for k, v in sorted(session.credentials.secret_refs.items())
    )
    print(f"secrets   {refs or '-'}  (references only)")
    print(f"steps     {done}/{total} done")
    for step_id, state in session.steps.items():
        last = state.last_run_at.isoformat() if state.last_run_at else "never run"
        extra = f"  {state.summary}" if state.summary else ""
        print(f"  {step_id:<12} {state.status:<16} {last}{extra}")
    if session.checklist:
        print("checklist (manual states)")
        for item in session.checklist:
            parts = [item.status or "auto"]
            if item.waiver_reason:
                parts.append(f"waiver: {item.waiver_reason}")
            if item.signed_off_by and item.signed_off_at:
                parts.append(
                    f"signed off by {item.signed_off_by} at {item.signed_off_at.isoformat()}"
                )
            print(f"  {item.company_id} {item.item_id}: {'; '.join(parts)}")
    for owner in session.owners:
        what = f"item {owner.item_id}" if owner.item_id else f"role {owner.role}"
        scope = "all companies" if owner.company_id is None else f"company {owner.company_id}"
        contact = f" <{owner.contact}>" if owner.contact else ""
        print(f"owner     {what} in {scope}: {owner.name}{contact}")
    for override in session.manifest_overrides:
        print(f"override  {override.scope}.{override.tool} = {override.level}: {override.reason}")
    print(
        f"audit     {len(session.audit)} entries, last: "
        f"{session.audit[-1].action if session.audit else '-'}"
    )
    return 0


def _export(args: argparse.Namespace) -> int:
    from dmsa_migrate.fileio import atomic_write_text

    store = _store(args)
    text = store.export_json(store.load(args.name))
    if args.out:
        atomic_write_text(args.out, text)
        print(f"wrote {args.out}")
    else:
        print(text, end="")
    return 0


def _engagement(args: argparse.Namespace) -> Any:
    from dmsa_migrate.engagement import open_engagement

    return open_engagement(_store(args), args.name)


def _item(args: argparse.Namespace) -> int:
    from dmsa_migrate.engagement.edits import check_item

    engagement = _engagement(args)
    check_item(engagement, args.item_id, args.company_id)
    store, session = engagement.store, engagement.session
    status = args.status
    if args.waive is not None and status is None:
        status = "waived"
    session = store.set_item(
        session,
        args.item_id,
        args.company_id,
        status=status,
        owner=args.owner,
        evidence_note=args.note,
        waiver_reason=args.waive,
        sign_off_by=args.sign_off,
    )
    state = session.item_state(args.item_id, args.company_id)
    assert state is not None
    print(
        f"{args.item_id} (company {args.company_id}): {state.status or 'auto'}"
        + (f", signed off by {state.signed_off_by}" if state.signed_off_by else "")
    )
    return 0


def _owner(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from dmsa_migrate.errors import InputError
    from dmsa_migrate.models.session import OwnerAssignment

    store = _store(args)
    session = store.load(args.name)
    try:
        assignment = OwnerAssignment(
            name=args.person.strip(),
            contact=args.contact.strip(),
            role=args.role or "",
            item_id=args.item or "",
            company_id=args.company_id,
        )
    except ValidationError as exc:
        problem = exc.errors()[0]
        where = ".".join(str(part) for part in problem.get("loc", ())) or "owner"
        message = str(problem.get("msg", "invalid")).removeprefix("Value error, ")
        raise InputError(f"session owner: {where}: {message}") from None
    store.set_owner(session, assignment)
    what = f"item {assignment.item_id}" if assignment.item_id else f"role {assignment.role}"
    scope = "every company" if args.company_id is None else f"company {args.company_id}"
    contact = f" <{assignment.contact}>" if assignment.contact else ""
    print(f"{what} in {scope}: {assignment.name}{contact}")
    return 0


def _override(args: argparse.Namespace) -> int:
    from dmsa_migrate.engagement.edits import check_tool

    check_tool(args.scope, args.tool)
    engagement = _engagement(args)
    engagement.store.override_manifest_level(
        engagement.session, args.scope, args.tool, args.level, args.reason
    )
    print(f"{args.scope}.{args.tool} = {args.level} (reason recorded; applies from the next "
          f"manifest run: dmsa-migrate manifest --session {args.name})")
    return 0


def _step(args: argparse.Namespace) -> int:
    from dmsa_migrate.engagement.edits import mark_custom_step

    session = mark_custom_step(
        _engagement(args), args.step_id, "done" if args.done else "not_started", args.note
    )
    print(f"{args.step_id}: {session.steps[args.step_id].status}")
    return 0


def _history(args: argparse.Namespace) -> int:
    from dmsa_migrate.engagement.history import list_runs

    store = _store(args)
    runs = list_runs(store, store.load(args.name))
    if args.json:
        data = [r.model_dump(mode="json", by_alias=True) for r in runs]
        print(json.dumps({"runs": data}, indent=2, ensure_ascii=False))
        return 0
    if not runs:
        print(f"no runs recorded yet: dmsa-migrate inventory --session {args.name}")
        return 0
    for run in runs:
        if run.error and not run.finished_at:
            print(f"{run.id}  UNREADABLE  {run.error}")
            continue
        where = f"  {run.api_base}" if run.api_base else ""
        flags = f"  flags: {', '.join(sorted(run.overrides))}" if run.overrides else ""
        print(f"{run.id:<16} {run.started_at.isoformat()}  exit {run.exit_code}  "
              f"{run.status:<16} {run.summary}{where}{flags}")
    return 0


def _diff(args: argparse.Namespace) -> int:
    from dmsa_migrate.engagement.compare import diff_runs
    from dmsa_migrate.engagement.history import find_run

    store = _store(args)
    session = store.load(args.name)
    result = diff_runs(
        store, session, find_run(store, session, args.old), find_run(store, session, args.new)
    )
    if args.json:
        print(json.dumps(result.as_json(), indent=2, ensure_ascii=False))
    else:
        print(result.render())
    return 0


def _playbook(args: argparse.Namespace) -> int:
    from dmsa_migrate.playbooks import find_playbook_source

    store = _store(args)
    session = store.load(args.name)
    ref = session.playbook
    if args.upgrade is None:
        pinned = f"pinned copy {ref.file}, sha256 {ref.sha256[:12]}" if ref.file else "not pinned"
        print(f"{ref.id} {ref.version} ({pinned})")
        return 0
    playbook, text = find_playbook_source(args.upgrade or ref.id)
    session = store.pin_playbook(session, playbook, text)
    print(f"session {session.name} now follows {playbook.id} {playbook.version} "
          f"(was {ref.id} {ref.version})")
    return 0
