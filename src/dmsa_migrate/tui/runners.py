"""Run the four steps for the TUI, and keep the session's inputs (accounts, evidence).

Who calls what: a pane starts an async worker; the worker calls one ``run_*`` coroutine
here; the coroutine calls the step code (async for the network steps, in a thread for
file IO and CPU work) and records the result in the session. Progress comes back through
the Procore client's ``on_event`` hook (:class:`ObservedConnection`) into a
:class:`~dmsa_migrate.tui.widgets.progress.RunStats`. Cancelling the worker cancels the
coroutine at its next ``await``, which stops the requests.

Nothing here imports textual: the same functions are usable from a test without an app.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dmsa_migrate.errors import InputError, SecretReferenceError
from dmsa_migrate.fileio import atomic_write_json, atomic_write_text, read_text
from dmsa_migrate.models.accounts import AccountsFile
from dmsa_migrate.models.checklist import Checklist
from dmsa_migrate.models.inventory import Inventory, UsageEntry
from dmsa_migrate.models.session import StepStatus
from dmsa_migrate.models.verification import Verification
from dmsa_migrate.procore import ClientEvent, Credentials, ProcoreClient
from dmsa_migrate.secrets import REDACTOR, parse_ref, resolve
from dmsa_migrate.tui.state import (
    EXPLAIN_FILE,
    PREVIOUS_MANIFEST_FILE,
    PREVIOUS_VERIFICATION_FILE,
    Workspace,
)

EVIDENCE_FILE = "evidence.json"
"""Offline evidence imported in the TUI (activity reports, code scan), in the session folder."""

Listener = Callable[[ClientEvent], None]


class ObservedConnection:
    """A client factory that also reports every client event to ``listener``."""

    def __init__(self, inner: Any, listener: Listener) -> None:
        self.inner = inner
        self.listener = listener

    def client(
        self,
        credentials: Credentials,
        *,
        company_id: int | None = None,
        on_event: Listener | None = None,
    ) -> ProcoreClient:
        def both(event: ClientEvent) -> None:
            if on_event is not None:
                on_event(event)
            self.listener(event)

        return self.inner.client(credentials, company_id=company_id, on_event=both)


def connection_for(workspace: Workspace) -> Any:
    """The demo's emulator, or the session's environment / API base."""
    if workspace.demo is not None:
        return workspace.demo.connection
    from dmsa_migrate.runtime import connection_from_options

    conn = workspace.session.connection
    return connection_from_options(
        conn.environment, conn.api_base or None, conn.login_base or None
    )


def today(workspace: Workspace) -> dt.date:
    """The date the steps reason with: the emulator clock in the demo, else today (UTC)."""
    demo_today = getattr(workspace.demo, "today", None)
    if isinstance(demo_today, dt.date):
        return demo_today
    return dt.datetime.now(dt.UTC).date()


# ---------------------------------------------------------------- secrets


def secret_value(workspace: Workspace, name: str, reference: str) -> str:
    """Resolve a reference; ``prompt`` uses what was typed in this TUI (memory only)."""
    parsed = parse_ref(reference, field=name)
    if parsed.scheme == "prompt":
        value = workspace.prompted.get(name)
        if not value:
            raise SecretReferenceError(f"{name}: type the secret in the password field first")
        REDACTOR.add(value)
        return value
    return resolve(parsed, field=name)


def resolver_for(workspace: Workspace) -> Callable[[str, str], str]:
    """A resolver for the inventory: ``prompt`` references come from password fields."""

    def resolve_ref(reference: str, field_name: str) -> str:
        return secret_value(workspace, field_name, reference)

    return resolve_ref


# ---------------------------------------------------------------- inputs kept in the session


def accounts_path(workspace: Workspace) -> Path | None:
    """The session's accounts file (a relative path is inside the session folder)."""
    name = workspace.session.credentials.accounts_file
    if not name:
        return None
    path = Path(name).expanduser()
    return path if path.is_absolute() else workspace.folder / path


def load_accounts_file(workspace: Workspace) -> AccountsFile | None:
    """The accounts of the session (None when it has no accounts file yet)."""
    from dmsa_migrate.inventory.accounts import load_accounts

    path = accounts_path(workspace)
    return load_accounts(path) if path is not None else None


def save_accounts(workspace: Workspace, accounts: AccountsFile) -> Path:
    """Write the accounts (references only) as the session's own ``accounts.toml``."""
    from dmsa_migrate.tui.demo import ACCOUNTS_FILE, accounts_toml

    AccountsFile.model_validate(accounts.model_dump())  # refuse literals before writing
    path = workspace.folder / ACCOUNTS_FILE
    atomic_write_text(path, accounts_toml(accounts))
    if workspace.session.credentials.accounts_file != ACCOUNTS_FILE:
        workspace.session.credentials = workspace.session.credentials.model_copy(
            update={"accounts_file": ACCOUNTS_FILE}
        )
        workspace.store.save(workspace.session)
    return path


@dataclass
class OfflineEvidence:
    """Activity reports and a code scan imported for this session."""

    activity: dict[str, list[UsageEntry]] = field(default_factory=dict)
    scan_root: str = ""
    scan_usage: list[UsageEntry] = field(default_factory=list)
    scan_secrets: int = 0
    client_id_locations: dict[str, list[str]] = field(default_factory=dict)

    def usage(self) -> list[UsageEntry]:
        """Every usage entry, activity first."""
        return [entry for entries in self.activity.values() for entry in entries] + list(
            self.scan_usage
        )


def load_evidence(workspace: Workspace) -> OfflineEvidence:
    """Read ``evidence.json`` of the session (empty when absent)."""
    path = workspace.folder / EVIDENCE_FILE
    if not path.exists():
        return OfflineEvidence()
    data = json.loads(read_text(path))
    return OfflineEvidence(
        activity={
            name: [UsageEntry.model_validate(e) for e in entries]
            for name, entries in data.get("activity", {}).items()
        },
        scan_root=data.get("scan_root", ""),
        scan_usage=[UsageEntry.model_validate(e) for e in data.get("scan_usage", [])],
        scan_secrets=int(data.get("scan_secrets", 0)),
        client_id_locations=dict(data.get("client_id_locations", {})),
    )


def save_evidence(workspace: Workspace, evidence: OfflineEvidence) -> None:
    """Write ``evidence.json`` (usage entries and client-id digests: no secret)."""
    atomic_write_json(
        workspace.folder / EVIDENCE_FILE,
        {
            "activity": {
                name: [e.model_dump(mode="json") for e in entries]
                for name, entries in evidence.activity.items()
            },
            "scan_root": evidence.scan_root,
            "scan_usage": [e.model_dump(mode="json") for e in evidence.scan_usage],
            "scan_secrets": evidence.scan_secrets,
            "client_id_locations": evidence.client_id_locations,
        },
    )


def import_activity(workspace: Workspace, path: str) -> OfflineEvidence:
    """Add an API Call Activity Report CSV to the session's evidence."""
    from dmsa_migrate.inventory.activity import read_activity_report

    entries = read_activity_report(Path(path).expanduser())
    evidence = load_evidence(workspace)
    evidence.activity[Path(path).name] = entries
    save_evidence(workspace, evidence)
    return evidence


def scan_folder(workspace: Workspace, path: str) -> OfflineEvidence:
    """Scan the integration's source tree; keep usage and client-id digests only."""
    from dmsa_migrate.inventory.scan import scan_tree

    outcome = scan_tree(Path(path).expanduser())
    evidence = load_evidence(workspace)
    evidence.scan_root = str(path)
    evidence.scan_usage = list(outcome.report.usage)
    evidence.scan_secrets = len(outcome.report.secrets)
    evidence.client_id_locations = outcome.client_id_locations
    save_evidence(workspace, evidence)
    return evidence


# ---------------------------------------------------------------- step 1


def inventory_status(inventory: Inventory) -> tuple[StepStatus, str]:
    """done, or needs attention when an account's access could not be read at all."""
    blind = [a.label for a in inventory.accounts if not a.companies]
    rejected = sum(1 for a in inventory.accounts if a.status == "rejected")
    projects = sum(len(c.projects) for a in inventory.accounts for c in a.companies)
    summary = (
        f"{len(inventory.accounts)} accounts, {projects} projects"
        + (f", {rejected} rejected" if rejected else "")
        + (f"; no access read for {', '.join(blind)}" if blind else "")
    )
    return ("needs_attention" if blind else "done"), summary


async def run_inventory(
    workspace: Workspace, listener: Listener, on_progress: Callable[[Any], None]
) -> Inventory:
    """Step 1 on the session's accounts; records inventory.json (also a partial one)."""
    from dmsa_migrate.inventory.build import Evidence, InventoryInterrupted, build_inventory

    accounts = await asyncio.to_thread(load_accounts_file, workspace)
    if accounts is None:
        raise InputError("no accounts yet: add an account (a) or import an accounts file (i)")
    offline = await asyncio.to_thread(load_evidence, workspace)
    evidence = Evidence(
        usage=offline.usage(),
        client_id_locations=offline.client_id_locations,
        scanned=bool(offline.scan_root),
    )
    connection = ObservedConnection(connection_for(workspace), listener)
    try:
        inventory = await build_inventory(
            accounts,
            connection,
            company_ids=workspace.session.company_ids,
            evidence=evidence,
            today=today(workspace),
            on_progress=on_progress,
            resolver=resolver_for(workspace),
        )
    except InventoryInterrupted as exc:
        await record(workspace, "inventory", exc.partial, "needs_attention",
                     f"interrupted: {exc.message}")
        workspace.inventory = exc.partial
        raise
    status, summary = inventory_status(inventory)
    await record(workspace, "inventory", inventory, status, summary)
    workspace.inventory = inventory
    return inventory


async def record(
    workspace: Workspace, kind: str, output: Any, status: StepStatus, summary: str
) -> None:
    """Record a step's output and status in the session (file IO in a thread)."""
    from typing import cast

    from dmsa_migrate.tui.state import StepKind

    text = json.dumps(output.model_dump(mode="json", by_alias=True), indent=2) + "\n"
    step_id = workspace.step_id(cast(StepKind, kind))
    await asyncio.to_thread(
        workspace.store.record_step,
        workspace.session,
        step_id,
        status,
        content=text,
        summary=summary,
    )


# ---------------------------------------------------------------- step 2


def generate(workspace: Workspace, mode: str | None) -> Any:
    """Generate the manifest from the inventory, the evidence, the playbook and overrides."""
    from dmsa_migrate.manifest.generate import generate_manifest

    if workspace.inventory is None:
        raise InputError("run the inventory first (step 1): the manifest is built from it")
    settings = workspace.playbook.manifest
    offline = load_evidence(workspace)
    result = generate_manifest(
        workspace.inventory,
        offline.usage(),
        mode=mode or settings.mode,  # type: ignore[arg-type]
        required_levels={
            "company": dict(settings.require.company),
            "project": dict(settings.require.project),
        },
        max_level_cap=settings.max_level,
        override_entries=[entry.model_dump() for entry in workspace.playbook.permission_map],
        instruction=settings.post_installation_instruction or None,
        inputs=["inventory.json", *load_evidence(workspace).activity],
    )
    apply_overrides(workspace, result)
    return result


def apply_overrides(workspace: Workspace, result: Any) -> None:
    """Apply the session's manifest overrides (level ``none`` removes the tool).

    The findings are brought up to date with the final levels: the admin checks are made
    again, a finding about an overridden tool gives way to the override and its reason (a
    decision the consultant recorded), so no warning outlives the level it was about.
    """
    from dmsa_migrate.manifest.findings import LEVEL_CODES, level_findings
    from dmsa_migrate.models.manifest import Finding

    overrides = workspace.session.manifest_overrides
    if not overrides:
        return
    permissions = result.manifest.permissions
    for override in overrides:
        levels = permissions.company if override.scope == "company" else permissions.project
        if override.level == "none":
            levels.pop(override.tool, None)
        else:
            levels[override.tool] = override.level
        result.manifest.permissions = permissions
    decided = {(o.scope, o.tool) for o in overrides}
    kept = [
        f for f in result.explanation.findings
        if f.code not in LEVEL_CODES and (f.scope, f.tool) not in decided
    ]
    noted = [
        Finding(code="override", severity="info", scope=o.scope, tool=o.tool,
                message=f"{o.scope} {o.tool} set to {o.level} by {o.by or 'the consultant'}: "
                f"{o.reason}")
        for o in overrides
    ]
    order = {"error": 0, "warning": 1, "info": 2}
    findings = [*level_findings(result.manifest), *kept, *noted]
    result.explanation.findings = sorted(findings, key=lambda f: order[f.severity])


def manifest_status(result: Any) -> tuple[StepStatus, str]:
    """needs attention while an error or a warning stands (a warning is a thing to decide
    before publishing: an admin level, usage beyond the old access)."""
    findings = result.explanation.findings
    errors = sum(1 for f in findings if f.severity == "error")
    warnings = sum(1 for f in findings if f.severity == "warning")
    permissions = result.manifest.permissions
    count = len(permissions.company) + len(permissions.project)
    summary = (
        f"{result.explanation.mode}: {count} permissions, {errors} errors, {warnings} warnings"
    )
    return ("needs_attention" if errors or warnings else "done"), summary


def save_manifest(workspace: Workspace, result: Any) -> None:
    """Keep the previous manifest for diffing, write the explanation, record the step."""
    from dmsa_migrate.models.manifest import manifest_dict

    folder = workspace.folder
    current = workspace.store.artifact_path(workspace.session, workspace.step_id("manifest"))
    if current is not None and current.exists():
        atomic_write_text(folder / PREVIOUS_MANIFEST_FILE, read_text(current))
    atomic_write_json(
        folder / EXPLAIN_FILE, result.explanation.model_dump(mode="json", by_alias=True)
    )
    status, summary = manifest_status(result)
    workspace.store.record_step(
        workspace.session,
        workspace.step_id("manifest"),
        status,
        content=json.dumps(manifest_dict(result.manifest), indent=2) + "\n",
        summary=summary,
    )


async def run_manifest(workspace: Workspace, mode: str | None) -> Any:
    """Step 2: generate (CPU: in a thread) and record."""
    result = await asyncio.to_thread(generate, workspace, mode)
    await asyncio.to_thread(save_manifest, workspace, result)
    workspace.previous_manifest = workspace.manifest or workspace.previous_manifest
    workspace.manifest = result.manifest
    workspace.explanation = result.explanation
    return result


# ---------------------------------------------------------------- step 3


def expected_levels(workspace: Workspace) -> dict[str, dict[str, str]] | None:
    """The manifest's levels, which verify checks the install against when present."""
    if workspace.manifest is None:
        return None
    permissions = workspace.manifest.permissions
    return {"company": dict(permissions.company), "project": dict(permissions.project)}


def verification_status(verification: Verification) -> tuple[StepStatus, str]:
    """done when the install matches; otherwise what needs attention, counted."""
    companies = verification.companies
    missing = sum(len(c.missing_projects) for c in companies)
    gaps = sum(len(c.permission_gaps) for c in companies)
    off = [str(c.id) for c in companies if c.status != "installed"]
    summary = f"{len(companies)} companies, {missing} missing projects, {gaps} permission gaps"
    if off:
        summary += f"; not connected: {', '.join(off)}"
    return ("done" if verification.ok else "needs_attention"), summary


async def run_verify(
    workspace: Workspace, listener: Listener, on_progress: Callable[[Any], None]
) -> Verification:
    """Step 3 with the session's DMSA credential; the last run is kept for comparison."""
    from dmsa_migrate.runtime import client_credentials
    from dmsa_migrate.verify.run import VerificationIncomplete, verify_install

    if workspace.inventory is None:
        raise InputError("run the inventory first (step 1): verify compares with it")
    credentials = workspace.session.credentials
    reference = credentials.secret_refs.get("dmsa_secret", "")
    if not credentials.dmsa_client_id or not reference:
        raise InputError("enter the DMSA client id and secret reference first (k)")
    secret = await asyncio.to_thread(secret_value, workspace, "dmsa_secret", reference)
    user = await asyncio.to_thread(user_credentials, workspace)
    previous = workspace.verification
    connection = ObservedConnection(connection_for(workspace), listener)
    try:
        verification = await verify_install(
            workspace.inventory,
            connection,
            client_credentials(credentials.dmsa_client_id, secret),
            company_ids=workspace.session.company_ids,
            previous=previous,
            expected=expected_levels(workspace),
            user_credentials=user,
            on_progress=on_progress,
        )
    except VerificationIncomplete as exc:
        verification = exc.partial
        await _save_verification(workspace, verification, previous)
        raise
    await _save_verification(workspace, verification, previous)
    return verification


USER_TOKEN = "user_token"
"""The session's optional reference to a signed-in user's token (verify's user comparison)."""


def user_credentials(workspace: Workspace) -> Any:
    """The user token verify compares the app's projects with, when the session has one."""
    from dmsa_migrate.runtime import user_token

    reference = workspace.session.credentials.secret_refs.get(USER_TOKEN, "")
    if not reference:
        return None
    return user_token(secret_value(workspace, USER_TOKEN, reference))


async def _save_verification(
    workspace: Workspace, verification: Verification, previous: Verification | None
) -> None:
    if previous is not None:
        await asyncio.to_thread(
            atomic_write_json,
            workspace.folder / PREVIOUS_VERIFICATION_FILE,
            previous.model_dump(mode="json", by_alias=True),
        )
    status, summary = verification_status(verification)
    await record(workspace, "verify", verification, status, summary)
    workspace.previous_verification = previous
    workspace.verification = verification


# ---------------------------------------------------------------- step 4


def checklist_status(checklist: Checklist) -> tuple[StepStatus, str]:
    """needs attention while an item is blocked; the counts otherwise."""
    totals = checklist.totals
    summary = ", ".join(f"{count} {status}" for status, count in totals.items() if count)
    return ("needs_attention" if totals.get("blocked") else "done"), summary


def build(workspace: Workspace) -> Checklist:
    """Build the checklist from the step outputs and the session's manual item states."""
    from dmsa_migrate.checklist.build import build_checklist
    from dmsa_migrate.conditions.facts import Evidence

    return build_checklist(
        workspace.playbook,
        Evidence(workspace.inventory, workspace.manifest, workspace.verification),
        today=today(workspace),
        states=workspace.session.checklist,
        owners=workspace.session.owners,
        start=workspace.session.created_at.date(),
        customer=workspace.session.customer,
        company_ids=workspace.session.company_ids or None,
    )


async def run_checklist(workspace: Workspace) -> Checklist:
    """Step 4: build (in a thread) and record."""
    checklist = await asyncio.to_thread(build, workspace)
    status, summary = checklist_status(checklist)
    await record(workspace, "checklist", checklist, status, summary)
    workspace.checklist = checklist
    return checklist


def export_checklist(workspace: Workspace) -> dict[str, Path]:
    """Write the checklist in every format into the session's exports folder."""
    from dmsa_migrate.checklist.exports import FORMATS, write_exports

    if workspace.checklist is None:
        raise InputError("build the checklist first (r)")
    folder = workspace.store.exports_folder(workspace.session)
    return write_exports(workspace.checklist, FORMATS, folder)


