"""Step 2 for an engagement: the playbook's manifest rules and the session's overrides.

Order of precedence, the same through every door: the generator's levels (mirror or
least-privilege over the inventory and its usage evidence), raised to the playbook's
``require``, capped at its ``max_level``, then the consultant's session overrides; a
flag (``--mode``, ``--map``, ``--usage``, ``--instruction-*``) changes one input for one run
and is recorded in the run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dmsa_migrate.engagement._common import (
    json_text,
    model_text,
    recorder,
    step_inventory,
)
from dmsa_migrate.engagement.context import Engagement
from dmsa_migrate.engagement.history import RunRecorder
from dmsa_migrate.engagement.status import manifest_status
from dmsa_migrate.manifest.generate import GeneratedManifest
from dmsa_migrate.models.manifest import manifest_dict
from dmsa_migrate.models.run import RunRecord

EXPLAIN_FILE = "manifest.explain.json"
PREVIOUS_MANIFEST_FILE = "manifest.previous.json"


@dataclass
class ManifestRequest:
    """Flags of one manifest run; None / empty: the session's (playbook's) value."""

    inventory: str | None = None
    usage: list[str] = field(default_factory=list)
    mode: str | None = None
    map_files: list[str] = field(default_factory=list)
    allow_wider: bool = False
    instruction_notes: str | None = None
    instruction_url: str | None = None
    instruction_label: str | None = None


@dataclass
class ManifestOutcome:
    """The generated manifest (overrides applied), its status, the run record, the texts."""

    result: GeneratedManifest
    status: str
    summary: str
    run: RunRecord
    text: str
    explain_text: str



def _instruction(engagement: Engagement, request: ManifestRequest) -> Any:
    from dmsa_migrate.manifest.generate import make_instruction

    given = make_instruction(
        request.instruction_notes, request.instruction_url, request.instruction_label
    )
    if given is not None or engagement.playbook is None:
        return given
    return engagement.playbook.manifest.post_installation_instruction or None


def _playbook_rules(engagement: Engagement, request: ManifestRequest) -> dict[str, Any]:
    playbook = engagement.playbook
    if playbook is None:
        return {"mode": request.mode}
    settings = playbook.manifest
    required = settings.require.model_dump(exclude_defaults=True)
    return {
        "mode": request.mode or settings.mode,
        "required_levels": required or None,
        "max_level_cap": settings.max_level,
        "override_entries": [entry.model_dump() for entry in playbook.permission_map] or None,
    }


def generate(engagement: Engagement, request: ManifestRequest | None = None) -> ManifestOutcome:
    """Generate the manifest for the engagement and record the run."""
    from dmsa_migrate.manifest.generate import generate_manifest
    from dmsa_migrate.manifest.usage import load_usage_file

    request = request or ManifestRequest()
    run = recorder(engagement, "manifest")
    inventory = step_inventory(engagement, run, request.inventory, "manifest")
    usage = []
    for path in request.usage:
        run.input("usage", path, origin="flag")
        usage.extend(load_usage_file(path))
    for path in request.map_files:
        run.input("map", path, origin="flag")
    _note_flags(request, run)
    names = [entry.path for entry in run.record.inputs if entry.role in ("inventory", "usage")]
    result = generate_manifest(
        inventory, usage, override_files=request.map_files,
        instruction=_instruction(engagement, request), allow_wider=request.allow_wider,
        inputs=[Path(name).name for name in names], **_playbook_rules(engagement, request),
    )
    applied = apply_overrides(engagement, result)
    if applied:
        run.note(f"applied the session's manifest overrides: {', '.join(applied)}")
    status, summary = manifest_status(result)
    text = json_text(manifest_dict(result.manifest))
    explain = model_text(result.explanation)
    _keep_previous(engagement)
    record = run.finish(
        status, summary, {"manifest.json": text, EXPLAIN_FILE: explain}, main="manifest.json"
    )
    folder = engagement.folder
    if folder is not None:
        from dmsa_migrate.fileio import atomic_write_text

        atomic_write_text(folder / EXPLAIN_FILE, explain)
    return ManifestOutcome(result, status, summary, record, text, explain)


def _note_flags(request: ManifestRequest, run: RunRecorder) -> None:
    for name in ("mode", "instruction_notes", "instruction_url", "instruction_label"):
        value = getattr(request, name)
        if value is not None:
            run.override(name, value)
    if request.allow_wider:
        run.override("allow_wider", True)
    if request.map_files:
        run.override("map", list(request.map_files))
    if request.usage:
        run.override("usage", list(request.usage))


def _keep_previous(engagement: Engagement) -> None:
    """The manifest before this run stays beside it (the TUI's "changes since last run")."""
    current = engagement.latest_output("manifest")
    folder = engagement.folder
    if current is not None and folder is not None:
        from dmsa_migrate.fileio import atomic_write_text, read_text

        atomic_write_text(folder / PREVIOUS_MANIFEST_FILE, read_text(current))


def apply_overrides(engagement: Engagement, result: GeneratedManifest) -> list[str]:
    """Apply the session's manifest overrides (level ``none`` removes the tool); each
    overridden permission's reason says so, so the explanation matches the manifest.
    Returns ``scope.tool=level`` of each override applied (for the run's notice)."""
    if engagement.session is None:
        return []
    permissions = result.manifest.permissions
    reasons = {(r.scope, r.tool): r for r in result.explanation.permissions}
    for override in engagement.session.manifest_overrides:
        levels = permissions.company if override.scope == "company" else permissions.project
        reason = reasons.get((override.scope, override.tool))
        if override.level == "none":
            levels.pop(override.tool, None)
            if reason is not None:
                result.explanation.permissions.remove(reason)
            continue
        levels[override.tool] = override.level
        note = f"overridden in the session: {override.reason}"
        if reason is not None:
            reason.level = override.level
            reason.reason = f"{reason.reason}; {note}"
    result.manifest.permissions = permissions
    refresh_findings(engagement.session.manifest_overrides, result)
    return [f"{o.scope}.{o.tool}={o.level}" for o in engagement.session.manifest_overrides]


def refresh_findings(overrides: list[Any], result: GeneratedManifest) -> None:
    """Bring the findings up to date with the overridden levels: the admin checks are made
    again on the final manifest, and a finding about an overridden tool gives way to the
    override and its reason (a decision the consultant recorded), so no warning outlives
    the level it was about."""
    from dmsa_migrate.manifest.findings import LEVEL_CODES, level_findings
    from dmsa_migrate.models.manifest import Finding

    if not overrides:
        return
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
