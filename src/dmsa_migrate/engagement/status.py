"""The status and one-line summary each step's result gives the session's step.

One rule per step, used by every door: the CLI, the TUI and the headless demo therefore set
the same status for the same result.
"""

from __future__ import annotations

from dmsa_migrate.inventory.output import InventoryTally
from dmsa_migrate.manifest.generate import GeneratedManifest
from dmsa_migrate.models.checklist import Checklist
from dmsa_migrate.models.inventory import Inventory
from dmsa_migrate.models.session import StepStatus
from dmsa_migrate.models.verification import Verification
from dmsa_migrate.verify.fleet import FleetTally


def inventory_status(inventory: Inventory | InventoryTally) -> tuple[StepStatus, str]:
    """done, or needs attention when an account's access could not be read at all.

    Takes the inventory, or the tally of a streamed run (whose accounts are on disk only).
    """
    tally = inventory if isinstance(inventory, InventoryTally) else InventoryTally.of(inventory)
    blind = tally.blind
    summary = (
        f"{tally.accounts} accounts, {tally.projects} projects"
        + (f", {tally.rejected} rejected" if tally.rejected else "")
        + (f"; no access read for {', '.join(blind)}" if blind else "")
    )
    return ("needs_attention" if blind else "done"), summary


def manifest_status(result: GeneratedManifest) -> tuple[StepStatus, str]:
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


def verification_status(
    verification: Verification, tally: FleetTally | None = None
) -> tuple[StepStatus, str]:
    """done when the install matches; otherwise what needs attention, counted.

    ``tally``: a streamed run's counts (its companies are in the file only).
    """
    counts = tally if tally is not None else FleetTally.of(verification.companies)
    off = [str(company_id) for company_id in counts.not_connected]
    unread = [str(company_id) for company_id in counts.unread]
    summary = (
        f"{len(counts.rows)} companies, {counts.missing} missing projects, "
        f"{counts.gaps} permission gaps"
    )
    if off:
        summary += f"; not connected: {', '.join(off)}"
    if unread:
        summary += f"; unread: {', '.join(unread)}"
    return ("done" if verification.ok else "needs_attention"), summary


def checklist_status(checklist: Checklist) -> tuple[StepStatus, str]:
    """needs attention while an item is blocked; the counts otherwise."""
    totals = checklist.totals
    summary = ", ".join(f"{count} {status}" for status, count in totals.items() if count)
    return ("needs_attention" if totals.get("blocked") else "done"), summary
