"""The TUI's door onto the engagement: run a step for the open session, keep its inputs.

Who calls what: a pane starts an async worker; the worker calls one ``run_*`` coroutine
here; the coroutine asks :mod:`dmsa_migrate.engagement` to run the step for the session
(the same code the CLI's ``STEP --session`` and ``demo --headless`` run) and copies the
result into the :class:`Workspace` the screens show. Progress comes back through the
engagement's hooks into a :class:`~dmsa_migrate.tui.widgets.progress.RunStats`; ``prompt``
references are answered from the password fields typed in this TUI (memory only).
Cancelling the worker cancels the coroutine at its next ``await``, which stops the requests.

Nothing here imports textual: the same functions are usable from a test without an app.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dmsa_migrate.engagement import (
    Engagement,
    Hooks,
    InventoryOutcome,
    ManifestRequest,
    VerifyOutcome,
    generate,
)
from dmsa_migrate.engagement import inputs as session_inputs
from dmsa_migrate.engagement import run_checklist as engagement_checklist
from dmsa_migrate.engagement import run_inventory as engagement_inventory
from dmsa_migrate.engagement import run_verify as engagement_verify
from dmsa_migrate.engagement.inputs import EVIDENCE_FILE, OfflineEvidence
from dmsa_migrate.engagement.status import (
    checklist_status,
    inventory_status,
    manifest_status,
    verification_status,
)
from dmsa_migrate.engagement.verify_step import USER_TOKEN
from dmsa_migrate.errors import InputError, SecretReferenceError
from dmsa_migrate.fileio import atomic_write_text
from dmsa_migrate.models.accounts import AccountsFile
from dmsa_migrate.models.checklist import Checklist
from dmsa_migrate.models.inventory import Inventory
from dmsa_migrate.models.verification import Verification
from dmsa_migrate.procore import ClientEvent
from dmsa_migrate.secrets import REDACTOR, parse_ref, resolve
from dmsa_migrate.tui.state import Workspace

__all__ = [
    "EVIDENCE_FILE",
    "USER_TOKEN",
    "OfflineEvidence",
    "checklist_status",
    "inventory_status",
    "manifest_status",
    "verification_status",
]

Listener = Callable[[ClientEvent], None]


# ---------------------------------------------------------------- the engagement of a workspace


def secret_value(workspace: Workspace, name: str, reference: str) -> str:
    """Resolve a reference; ``prompt`` uses what was typed in this TUI (memory only)."""
    parsed = parse_ref(reference, field=name)
    if parsed.scheme == "prompt":
        key = _prompt_key(name)
        value = workspace.prompted.get(key) or workspace.prompted.get(name)
        if not value:
            raise SecretReferenceError(f"{name}: type the secret in the password field first")
        REDACTOR.add(value)
        return value
    return resolve(parsed, field=name)


def _prompt_key(field_name: str) -> str:
    """The password field a step's secret comes from (``--dmsa-secret`` → dmsa_secret)."""
    return field_name.lstrip("-").replace("-", "_")


def resolver_for(workspace: Workspace) -> Callable[[str, str], str]:
    """A resolver for the steps: ``prompt`` references come from password fields."""

    def resolve_ref(reference: str, field_name: str) -> str:
        return secret_value(workspace, field_name, reference)

    return resolve_ref


def engagement_of(
    workspace: Workspace,
    listener: Listener | None = None,
    on_progress: Callable[[Any], None] | None = None,
) -> Engagement:
    """The workspace's session as an engagement (the demo's emulator reused when open)."""
    return Engagement(
        workspace.store, workspace.session, workspace.playbook,
        hooks=Hooks(on_event=listener, on_progress=on_progress,
                    resolve=resolver_for(workspace)),
        ready_connection=getattr(workspace.demo, "connection", None),
    )


# ---------------------------------------------------------------- inputs kept in the session


def accounts_path(workspace: Workspace) -> Path | None:
    """The session's accounts file (a relative path is inside the session folder)."""
    return session_inputs.accounts_path(workspace.folder, workspace.session)


def load_accounts_file(workspace: Workspace) -> AccountsFile | None:
    """The accounts of the session (None when it has no accounts file yet)."""
    from dmsa_migrate.inventory.accounts import load_accounts

    path = accounts_path(workspace)
    return load_accounts(path) if path is not None else None


def save_accounts(workspace: Workspace, accounts: AccountsFile) -> Path:
    """Write the accounts (references only) as the session's own ``accounts.toml``."""
    from dmsa_migrate.engagement.demo import ACCOUNTS_FILE, accounts_toml

    AccountsFile.model_validate(accounts.model_dump())  # refuse literals before writing
    path = workspace.folder / ACCOUNTS_FILE
    atomic_write_text(path, accounts_toml(accounts))
    if workspace.session.credentials.accounts_file != ACCOUNTS_FILE:
        workspace.session.credentials = workspace.session.credentials.model_copy(
            update={"accounts_file": ACCOUNTS_FILE}
        )
        workspace.store.save(workspace.session)
    return path


def load_evidence(workspace: Workspace) -> OfflineEvidence:
    """Read the session's ``evidence.json`` (empty when absent)."""
    return session_inputs.load_evidence(workspace.folder)


def save_evidence(workspace: Workspace, evidence: OfflineEvidence) -> None:
    """Write the session's ``evidence.json``."""
    session_inputs.save_evidence(workspace.folder, evidence)


def import_activity(workspace: Workspace, path: str) -> OfflineEvidence:
    """Add an API Call Activity Report CSV to the session's evidence."""
    return session_inputs.import_activity_into(workspace.folder, path)


def scan_folder(workspace: Workspace, path: str) -> OfflineEvidence:
    """Scan the integration's source tree into the session's evidence."""
    return session_inputs.scan_into(workspace.folder, path)


# ---------------------------------------------------------------- the four steps


async def run_inventory(
    workspace: Workspace, listener: Listener, on_progress: Callable[[Any], None]
) -> Inventory:
    """Step 1 for the session; a partial inventory (interrupted run) is shown too."""
    from dmsa_migrate.inventory.build import InventoryInterrupted

    if accounts_path(workspace) is None:
        raise InputError("no accounts yet: add an account (a) or import an accounts file (i)")
    engagement = engagement_of(workspace, listener, on_progress)
    try:
        outcome: InventoryOutcome = await engagement_inventory(engagement)
    except InventoryInterrupted as exc:
        workspace.inventory = exc.partial
        raise
    workspace.inventory = outcome.inventory
    workspace.notices = list(outcome.run.notes)
    return outcome.inventory


async def run_manifest(workspace: Workspace, mode: str | None) -> Any:
    """Step 2 for the session (CPU: in a thread); ``mode`` overrides the playbook's."""
    if workspace.inventory is None:
        raise InputError("run the inventory first (step 1): the manifest is built from it")
    engagement = engagement_of(workspace)
    outcome = await asyncio.to_thread(generate, engagement, ManifestRequest(mode=mode))
    workspace.previous_manifest = workspace.manifest or workspace.previous_manifest
    workspace.manifest = outcome.result.manifest
    workspace.explanation = outcome.result.explanation
    workspace.notices = list(outcome.run.notes)
    return outcome.result


async def run_verify(
    workspace: Workspace, listener: Listener, on_progress: Callable[[Any], None]
) -> Verification:
    """Step 3 for the session; its last verification is the comparison automatically."""
    from dmsa_migrate.verify.run import VerificationIncomplete

    if workspace.inventory is None:
        raise InputError("run the inventory first (step 1): verify compares with it")
    credentials = workspace.session.credentials
    if not credentials.dmsa_client_id or not credentials.secret_refs.get("dmsa_secret"):
        raise InputError("enter the DMSA client id and secret reference first (k)")
    engagement = engagement_of(workspace, listener, on_progress)
    previous = workspace.verification
    try:
        outcome: VerifyOutcome = await engagement_verify(engagement)
    except VerificationIncomplete as exc:
        workspace.previous_verification = previous
        workspace.verification = exc.partial
        raise
    workspace.previous_verification = outcome.previous
    workspace.verification = outcome.verification
    workspace.notices = list(outcome.run.notes)
    return outcome.verification


async def run_checklist(workspace: Workspace) -> Checklist:
    """Step 4 for the session (in a thread)."""
    outcome = await asyncio.to_thread(engagement_checklist, engagement_of(workspace))
    workspace.checklist = outcome.checklist
    workspace.notices = list(outcome.run.notes)
    return outcome.checklist


def export_checklist(workspace: Workspace) -> dict[str, Path]:
    """Write the checklist in every format into the session's exports folder."""
    from dmsa_migrate.checklist.exports import FORMATS, write_exports

    if workspace.checklist is None:
        raise InputError("build the checklist first (r)")
    folder = workspace.store.exports_folder(workspace.session)
    return write_exports(workspace.checklist, FORMATS, folder)
