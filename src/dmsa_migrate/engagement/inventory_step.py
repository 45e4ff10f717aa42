"""Step 1 for an engagement: the session's accounts, directory credential and evidence."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dmsa_migrate.engagement._common import model_text, recorder
from dmsa_migrate.engagement.context import Engagement
from dmsa_migrate.engagement.history import RunRecorder
from dmsa_migrate.engagement.inputs import accounts_path, evidence_path, load_evidence
from dmsa_migrate.engagement.status import inventory_status
from dmsa_migrate.errors import InputError
from dmsa_migrate.inventory.build import Evidence
from dmsa_migrate.inventory.context import CollectOptions
from dmsa_migrate.inventory.output import InventoryFile, InventoryTally
from dmsa_migrate.models.accounts import AccountsFile
from dmsa_migrate.models.inventory import Inventory
from dmsa_migrate.models.run import RunRecord
from dmsa_migrate.procore import Credentials

DIRECTORY_TOKEN = "directory_token"
"""The session's reference to an admin's user token for Directory reads."""


@dataclass
class InventoryRequest:
    """Flags of one inventory run; None / empty: the session's value."""

    accounts: str | None = None
    company_ids: list[int] = field(default_factory=list)
    directory_token: str | None = None
    activity: list[str] = field(default_factory=list)
    scan: list[str] = field(default_factory=list)
    live_probe: bool = True
    per_page: int = 100
    concurrency: int = 8
    out: str | None = None
    """Write ``inventory.json`` here an account at a time (fleets, issue 18: ``--out``):
    each account is forgotten once written, so the outcome holds no accounts, only
    :attr:`InventoryOutcome.tally`; an interrupted run leaves its partial inventory here."""


@dataclass
class InventoryOutcome:
    """The inventory, the status it gave the step, the run record and request counts.

    With :attr:`InventoryRequest.out` the accounts are in the file at :attr:`path` only
    (``inventory`` keeps the usage, ``text`` is empty); :attr:`tally` has what the
    summary needs either way.
    """

    inventory: Inventory
    status: str
    summary: str
    run: RunRecord
    options: CollectOptions
    text: str = ""
    path: Path | None = None
    tally: InventoryTally = field(default_factory=InventoryTally)


def _accounts_file(engagement: Engagement, request: InventoryRequest, run: RunRecorder) -> Path:
    if request.accounts:
        run.override("accounts", request.accounts)
        run.input("accounts", request.accounts, origin="flag")
        return Path(request.accounts).expanduser()
    folder, session = engagement.folder, engagement.session
    path = accounts_path(folder, session) if folder and session else None
    if path is None:
        raise InputError(
            "inventory: no accounts file: give --accounts FILE, or store one in the session "
            "(session new --accounts FILE, or add accounts in the TUI)"
        )
    run.input("accounts", path)
    return path


def _evidence(
    engagement: Engagement, request: InventoryRequest, labels: set[str], run: RunRecorder
) -> Evidence:
    from dmsa_migrate.inventory.activity import read_activity_report
    from dmsa_migrate.inventory.scan import scan_tree

    evidence = Evidence()
    folder = engagement.folder
    if folder is not None and evidence_path(folder).exists():
        offline = load_evidence(folder)
        run.input("evidence", evidence_path(folder))
        evidence.usage.extend(offline.usage())
        evidence.client_id_locations.update(offline.client_id_locations)
        evidence.scanned = bool(offline.scan_root)
    for spec in request.activity:
        label, sep, path = spec.partition("=")
        if sep and label in labels:
            run.input(f"activity:{label}", path, origin="flag")
            evidence.usage_by_label.setdefault(label, []).extend(read_activity_report(path))
        elif sep and not Path(spec).exists() and Path(path).exists():
            # LABEL=FILE with a label the accounts file does not have: say so, not
            # "no such file" about the whole spec
            raise InputError(
                f"--activity {spec}: no account labelled {label!r} in the accounts file "
                f"(labels: {', '.join(sorted(labels)) or 'none'})"
            )
        else:
            run.input("activity", spec, origin="flag")
            evidence.usage.extend(read_activity_report(spec))
    for root in request.scan:
        run.input("scan", root, origin="flag")
        evidence.add_scan(scan_tree(root))
    if request.activity:
        run.override("activity", list(request.activity))
    if request.scan:
        run.override("scan", list(request.scan))
    return evidence


def _directory(
    engagement: Engagement, request: InventoryRequest, run: RunRecorder
) -> Credentials | None:
    from dmsa_migrate.runtime import user_token

    reference = request.directory_token or engagement.session_ref(DIRECTORY_TOKEN)
    if request.directory_token:
        run.override("directory_token", request.directory_token)
    if not reference:
        return None
    return user_token(engagement.secret(reference, "--directory-token"))


@dataclass
class _Prepared:
    """Everything read from disk before the first request (done in a thread)."""

    run: RunRecorder
    accounts: AccountsFile
    evidence: Evidence
    directory: Credentials | None
    company_ids: list[int]
    connection: Any
    today: dt.date


def _prepare(engagement: Engagement, request: InventoryRequest) -> _Prepared:
    from dmsa_migrate.inventory.accounts import load_accounts

    run = recorder(engagement, "inventory")
    accounts = load_accounts(_accounts_file(engagement, request, run))
    evidence = _evidence(engagement, request, {a.label for a in accounts.accounts}, run)
    directory = _directory(engagement, request, run)
    session = engagement.session
    if request.company_ids:
        run.override("company_ids", list(request.company_ids))
    if not request.live_probe:
        run.override("live_probe", False)
    return _Prepared(
        run, accounts, evidence, directory,
        list(request.company_ids or (session.company_ids if session else [])),
        engagement.connection(), engagement.today(),
    )


async def run_inventory(
    engagement: Engagement, request: InventoryRequest | None = None
) -> InventoryOutcome:
    """Inventory the engagement's accounts and record the run (also an interrupted one).

    File IO runs in a thread, so a TUI worker never blocks its event loop.

    Raises:
        InventoryInterrupted: Procore stopped answering; the partial inventory is recorded
            (status needs attention) and carried by the exception.
    """
    from dmsa_migrate.inventory.build import InventoryInterrupted, build_inventory

    request = request or InventoryRequest()
    if request.per_page < 1 or request.concurrency < 1:
        raise InputError("--per-page and --concurrency must be at least 1")
    ready = await asyncio.to_thread(_prepare, engagement, request)
    run, accounts = ready.run, ready.accounts
    login = None
    if ready.directory is None and accounts.directory is not None and accounts.directory.login:
        login = await _login_token(engagement, ready.connection)
    options = CollectOptions(per_page=request.per_page, concurrency=request.concurrency)
    sink = _sink(request)
    try:
        inventory = await build_inventory(
            accounts, ready.connection, company_ids=ready.company_ids,
            directory=ready.directory, live_probe=request.live_probe,
            evidence=ready.evidence, options=options, today=ready.today,
            on_progress=engagement.hooks.on_progress, resolver=engagement.secret,
            login_token=login, sink=sink,
        )
    except InventoryInterrupted as exc:
        saved = await asyncio.to_thread(_saved, exc.partial, sink)
        await asyncio.to_thread(
            run.finish, "needs_attention", f"interrupted: {exc.message}",
            {"inventory.json": saved}, exit_code=exc.exit_code, error=exc.message,
        )
        raise
    except BaseException:
        if sink is not None:
            sink.abort()
        raise
    saved = await asyncio.to_thread(_saved, inventory, sink)
    tally = sink.tally if sink is not None else InventoryTally.of(inventory)
    status, summary = inventory_status(tally)
    record = await asyncio.to_thread(run.finish, status, summary, {"inventory.json": saved})
    text = saved if isinstance(saved, str) else ""
    path = saved if isinstance(saved, Path) else None
    return InventoryOutcome(inventory, status, summary, record, options, text, path, tally)


def _sink(request: InventoryRequest) -> InventoryFile | None:
    """The streamed ``inventory.json`` of ``request.out`` (scrubbed as :func:`model_text`
    scrubs the whole text), or None: the inventory is kept whole."""
    if request.out is None:
        return None
    from dmsa_migrate.secrets import redact

    return InventoryFile(Path(request.out).expanduser(), transform=redact)


def _saved(inventory: Inventory, sink: InventoryFile | None) -> str | Path:
    """The run's ``inventory.json``: the streamed file, now moved into place (with the
    usage, which comes last), or the whole inventory's text."""
    if sink is None:
        return model_text(inventory)
    return sink.commit(inventory.usage)


async def _login_token(engagement: Engagement, connection: object) -> Callable[[], str]:
    """``[directory] login = true``: the door's saved login, fetched (refreshed) once."""
    if engagement.hooks.login_token is None:
        raise InputError(
            "directory.login: this door has no saved login; run `dmsa-migrate login` and "
            "the inventory from the command line, or give directory.token = REF"
        )
    token = await engagement.hooks.login_token(connection)
    return lambda: token
