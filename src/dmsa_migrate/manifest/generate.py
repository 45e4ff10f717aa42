"""Generate the DMSA manifest from the old accounts' access and the observed usage.

Two modes (docs/manifest.md):

* ``mirror`` reproduces the old access: for each scope and tool, the highest level any old
  account had in any company or project.
* ``least-privilege`` narrows every tool the usage evidence covers to the least level the
  used endpoints need, never above the old access (unless ``allow_wider``), and keeps every
  other tool of the old access at its old level, flagged: unknown is not unused.

Every permission carries its reason and evidence in a :class:`ManifestExplanation`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from dmsa_migrate.errors import InputError
from dmsa_migrate.manifest.findings import build_findings
from dmsa_migrate.models.common import LEVEL_ORDER, max_level
from dmsa_migrate.models.inventory import Inventory, UsageEntry
from dmsa_migrate.models.manifest import (
    DEFAULT_INSTRUCTION_LABEL,
    DEFAULT_INSTRUCTION_NOTES,
    DEFAULT_INSTRUCTION_URL,
    EndpointNote,
    Evidence,
    InstructionPage,
    ManifestExplanation,
    ManifestPermissions,
    ManifestV41,
    PermissionReason,
    PostInstallationInstruction,
)
from dmsa_migrate.models.permissions import RouteEntry
from dmsa_migrate.permissions.map import PermissionMap, build_map
from dmsa_migrate.permissions.unknown_method import explain_call
from dmsa_migrate.textsafe import is_safe_page_url

Mode = Literal["mirror", "least-privilege"]
Key = tuple[str, str]
_MAX_PLACES = 8


@dataclass(frozen=True)
class Place:
    """One place an old account held a tool: the rows of the explanation's ``old_access``."""

    account: str
    where: str
    level: str

    @property
    def text(self) -> str:
        return f"{self.where}: {self.level}"


@dataclass
class OldAccess:
    """The highest level per (scope, tool) across the old accounts, and where it was held.

    ``by_account`` keeps each account's own highest level too: evidence tied to one account
    (``--activity LABEL=FILE``) may narrow only that account's share of a tool.
    """

    levels: dict[Key, str] = field(default_factory=dict)
    places: dict[Key, list[Place]] = field(default_factory=dict)
    by_account: dict[Key, dict[str, str]] = field(default_factory=dict)
    directory_admin_companies: list[str] = field(default_factory=list)

    @property
    def known(self) -> bool:
        """False when the inventory says nothing about what the old accounts could do."""
        return bool(self.levels)

    def add(self, key: Key, level: str, account: str, where: str) -> None:
        if level == "none":
            return
        self.levels[key] = max_level(self.levels.get(key, "none"), level)
        mine = self.by_account.setdefault(key, {})
        mine[account] = max_level(mine.get(account, "none"), level)
        self.places.setdefault(key, []).append(Place(account, where, level))


@dataclass
class UsageAnalysis:
    """The used endpoints, sorted into what they need, and the ones that grant nothing."""

    evidence: dict[Key, dict[tuple[str, str], Evidence]] = field(default_factory=dict)
    no_permission: dict[tuple[str, str], EndpointNote] = field(default_factory=dict)
    unmapped: dict[tuple[str, str], EndpointNote] = field(default_factory=dict)
    deprecated: list[str] = field(default_factory=list)
    tool_confirmed: dict[str, bool | None] = field(default_factory=dict)
    entries: int = 0
    tied: dict[Key, dict[str | None, str]] = field(default_factory=dict)
    """Per tool, the level needed by evidence for the whole integration (``None``) and by
    evidence tied to one account (its label)."""

    def needed(self, key: Key) -> str | None:
        items = self.evidence.get(key)
        if not items:
            return None
        level = "none"
        for item in items.values():
            level = max_level(level, item.level)
        return level

    def covers(self, key: Key, account: str) -> bool:
        """True when some evidence speaks for ``account``'s use of this tool."""
        scoped = self.tied.get(key, {})
        return None in scoped or account in scoped


@dataclass
class GeneratedManifest:
    """The manifest and its explanation, ready to write."""

    manifest: ManifestV41
    explanation: ManifestExplanation


def collect_old_access(inventory: Inventory) -> OldAccess:
    """Fold every account's company and project levels into one view of the old access."""
    old = OldAccess()
    for account in inventory.accounts:
        for company in account.companies:
            label = account.label
            where = f"{label}: company {company.id}" + (
                f" ({company.name})" if company.name else ""
            )
            for tool, level in company.permissions.items():
                old.add(("company", tool), level, label, where)
            if company.directory_admin:
                old.add(("company", "directory"), "admin", label,
                        f"{where} (company Directory admin)")
                old.directory_admin_companies.append(where)
            for project in company.projects:
                place = f"{label}: project {project.id}" + (
                    f" ({project.name})" if project.name else ""
                )
                for tool, level in project.permissions.items():
                    old.add(("project", tool), level, label, place)
    return old


def analyse_usage(usage: Iterable[UsageEntry], permission_map: PermissionMap) -> UsageAnalysis:
    """Explain every used endpoint with the map and group the answers by scope and tool."""
    analysis = UsageAnalysis()
    for entry in usage:
        analysis.entries += 1
        # UNKNOWN (a code scan that found the path but not the method): a possible write
        explained = explain_call(permission_map, entry.method, entry.template)
        endpoint = (explained.method, explained.template)
        label = f"{explained.method} {explained.template}"
        if explained.deprecated and label not in analysis.deprecated:
            analysis.deprecated.append(label)
        if not explained.known or explained.tool is None or explained.level is None:
            bucket = analysis.unmapped if not explained.known else analysis.no_permission
            note = bucket.setdefault(
                endpoint,
                EndpointNote(
                    method=explained.method, template=explained.template,
                    summary=explained.summary, operation=explained.operation,
                    reason=explained.basis if not explained.known else "",
                    deprecated=explained.deprecated,
                ),
            )
            _merge_sources(note, entry)
            continue
        key = (explained.scope, explained.tool)
        analysis.tool_confirmed[explained.tool] = explained.tool_confirmed
        items = analysis.evidence.setdefault(key, {})
        item = items.setdefault(
            endpoint,
            Evidence(
                method=explained.method, template=explained.template, level=explained.level,
                summary=explained.summary, operation=explained.operation, rule=explained.rule,
            ),
        )
        _merge_sources(item, entry)
        for code, calls in entry.statuses.items():
            item.statuses[code] = item.statuses.get(code, 0) + calls
        if entry.account is not None and entry.account not in item.accounts:
            item.accounts.append(entry.account)
        scoped = analysis.tied.setdefault(key, {})
        scoped[entry.account] = max_level(scoped.get(entry.account, "none"), explained.level)
    return analysis


def _merge_sources(target: Evidence | EndpointNote, entry: UsageEntry) -> None:
    if entry.source not in target.sources:
        target.sources.append(entry.source)
    if entry.count is not None:
        target.count = (target.count or 0) + entry.count


def _places(old: OldAccess, key: Key, deciding: set[str]) -> list[str]:
    """The old-access rows, every row at a ``deciding`` level always shown.

    Only rows below the levels that decided are cut short, so a reader of the explanation
    always sees where the level it reports was held.
    """
    places = old.places.get(key, [])
    if len(places) <= _MAX_PLACES:
        return [place.text for place in places]
    room = max(_MAX_PLACES - sum(place.level in deciding for place in places), 0)
    shown: list[str] = []
    hidden = 0
    for place in places:
        if place.level in deciding:
            shown.append(place.text)
        elif room:
            shown.append(place.text)
            room -= 1
        else:
            hidden += 1
    return [*shown, f"... and {hidden} more at lower levels"] if hidden else shown


def _evidence_list(analysis: UsageAnalysis, key: Key) -> list[Evidence]:
    return sorted(analysis.evidence.get(key, {}).values(), key=lambda e: (e.template, e.method))


def _sources_text(evidence: list[Evidence]) -> str:
    names = sorted({source for item in evidence for source in item.sources})
    return ", ".join(names)


def _decide(
    key: Key, mode: Mode, old: OldAccess, analysis: UsageAnalysis, allow_wider: bool
) -> tuple[PermissionReason, bool]:
    """The permission for one (scope, tool), and whether it is granted."""
    scope, tool = key
    old_level = old.levels.get(key)
    needed = analysis.needed(key)
    evidence = _evidence_list(analysis, key)
    common: dict[str, Any] = {
        "scope": scope, "tool": tool, "old_level": old_level, "needed_level": needed,
        "old_access": _places(old, key, {old_level} if old_level else set()),
        "evidence": evidence, "tool_confirmed": analysis.tool_confirmed.get(tool),
    }
    count = len(evidence)
    if mode == "mirror" and old_level is not None:
        reason = f"mirror: the highest level the old access had ({old_level})"
        return PermissionReason(level=old_level, basis="old-access", reason=reason, **common), True
    if mode == "mirror":
        reason = f"not in the old access; {count} used endpoint(s) need {needed}"
        return PermissionReason(
            level=needed, basis="usage-beyond-old-access", reason=reason, **common
        ), False
    if needed is None:
        assert old_level is not None
        reason = f"kept: no usage evidence (unknown is not unused); old access {old_level}"
        return PermissionReason(
            level=old_level, basis="kept-no-usage-evidence", reason=reason, **common
        ), True
    if old_level is None or LEVEL_ORDER[needed] > LEVEL_ORDER[old_level]:
        return _beyond_old(common, needed, old_level, old.known, allow_wider, count, evidence)
    reason = (
        f"least privilege: {count} used endpoint(s) need at most {needed} "
        f"(evidence: {_sources_text(evidence)}; old access {old_level})"
    )
    return PermissionReason(level=needed, basis="usage", reason=reason, **common), True


def _beyond_old(
    common: dict[str, Any], needed: str, old_level: str | None, old_known: bool,
    allow_wider: bool, count: int, evidence: list[Evidence],
) -> tuple[PermissionReason, bool]:
    sources = _sources_text(evidence)
    if allow_wider or not old_known:
        why = "old access unknown" if not old_known else "--allow-wider"
        reason = (
            f"least privilege: {count} used endpoint(s) need {needed} "
            f"({why}; evidence: {sources})"
        )
        basis = "usage" if not old_known else "usage-beyond-old-access"
        return PermissionReason(level=needed, basis=basis, reason=reason, **common), True
    if old_level is None:
        reason = (
            f"not granted: {count} used endpoint(s) need {needed} but the old access had "
            f"none (evidence: {sources})"
        )
        return PermissionReason(
            level=needed, basis="usage-beyond-old-access", reason=reason, **common
        ), False
    reason = (
        f"capped at the old access ({old_level}); {count} used endpoint(s) need {needed} "
        f"(evidence: {sources})"
    )
    return PermissionReason(level=old_level, basis="usage", reason=reason, **common), True


def default_instruction() -> PostInstallationInstruction:
    """Procore's stock setup link and our permitted-projects reminder (replace them)."""
    return PostInstallationInstruction(
        notes=DEFAULT_INSTRUCTION_NOTES,
        page=InstructionPage(url=DEFAULT_INSTRUCTION_URL, label=DEFAULT_INSTRUCTION_LABEL),
    )


def make_instruction(
    notes: str | None = None, url: str | None = None, label: str | None = None
) -> PostInstallationInstruction | None:
    """An instruction from options or a playbook; ``None`` when nothing was given."""
    if notes is None and url is None and label is None:
        return None
    if url is not None and not is_safe_page_url(url):
        raise InputError(
            "--instruction-url: must be an https:// URL (http:// only for localhost or 127.0.0.1)"
        )
    return PostInstallationInstruction(
        notes=notes if notes is not None else DEFAULT_INSTRUCTION_NOTES,
        page=InstructionPage(
            url=url or DEFAULT_INSTRUCTION_URL, label=label or DEFAULT_INSTRUCTION_LABEL
        ),
    )


def generate_manifest(
    inventory: Inventory,
    usage: Sequence[UsageEntry] = (),
    *,
    mode: Mode | None = None,
    permission_map: PermissionMap | None = None,
    override_files: Sequence[Path | str] = (),
    override_entries: Iterable[RouteEntry | dict[str, Any]] | None = None,
    instruction: PostInstallationInstruction | str | None = None,
    allow_wider: bool = False,
    required_levels: Mapping[str, Mapping[str, str]] | None = None,
    max_level_cap: str | None = None,
    inputs: Sequence[str] = (),
    generated_at: str | None = None,
) -> GeneratedManifest:
    """Build the v4.1 manifest and its explanation.

    Args:
        inventory: the step-1 result; its ``usage`` list counts as evidence too.
        usage: more usage evidence (Activity Report rows, scan results).
        mode: ``mirror`` or ``least-privilege``; ``None`` picks least-privilege when there is
            any usage evidence and mirror otherwise.
        permission_map: a ready map; otherwise one is built from the shipped data, the
            user's files, ``override_files`` and ``override_entries`` (playbook overrides).
        instruction: the post-installation instruction (from a playbook or options); a
            plain string is the notes, shown with Procore's stock setup link. Procore's
            stock link and a permitted-projects reminder when ``None``.
        allow_wider: in least-privilege, grant what the usage needs even above the old access.
        required_levels: ``{scope: {tool: level}}`` the manifest must grant at least (a
            playbook's ``require``, e.g. ERP: company admin).
        max_level_cap: no permission above this level (a read-only reporting playbook).
        inputs: names of the input files, recorded in the explanation.
        generated_at: fixed timestamp (tests); now otherwise.
    """
    pmap = permission_map or build_map(override_files, override_entries)
    all_usage = _distinct([*inventory.usage, *usage])
    chosen: Mode = mode or ("least-privilege" if all_usage else "mirror")
    old = collect_old_access(inventory)
    analysis = analyse_usage(all_usage, pmap)
    granted, not_granted = _decide_all(chosen, old, analysis, allow_wider)
    granted = _apply_playbook_levels(granted, required_levels or {}, max_level_cap)
    if isinstance(instruction, str):
        instruction = make_instruction(notes=instruction)
    permissions = ManifestPermissions(
        company={r.tool: r.level for r in granted if r.scope == "company"},
        project={r.tool: r.level for r in granted if r.scope == "project"},
    )
    manifest = ManifestV41(
        post_installation_instruction=instruction or default_instruction(),
        permissions=permissions,
    )
    findings = build_findings(
        manifest, granted, not_granted, old, analysis, pmap,
        used_default_instruction=instruction is None,
    )
    explanation = ManifestExplanation(
        generated_at=generated_at or datetime.now(UTC).isoformat(timespec="seconds"),
        mode=chosen, map_version=pmap.version, map_reference_date=pmap.reference_date,
        inputs=list(inputs), permissions=granted,
        not_granted=not_granted,
        no_permission_needed=sorted(analysis.no_permission.values(), key=_note_key),
        unmapped=sorted(analysis.unmapped.values(), key=_note_key), findings=findings,
    )
    return GeneratedManifest(manifest, explanation)


def _distinct(usage: Sequence[UsageEntry]) -> list[UsageEntry]:
    """Each usage entry once: the same report given to the inventory and again to
    ``--usage`` (as the docs' examples do) must not double its calls and its 403s."""
    seen: set[str] = set()
    kept: list[UsageEntry] = []
    for entry in usage:
        key = entry.model_dump_json()
        if key not in seen:
            seen.add(key)
            kept.append(entry)
    return kept


def _note_key(note: EndpointNote) -> tuple[str, str]:
    return (note.template, note.method)


def _decide_all(
    mode: Mode, old: OldAccess, analysis: UsageAnalysis, allow_wider: bool
) -> tuple[list[PermissionReason], list[PermissionReason]]:
    keys = sorted(set(old.levels) | set(analysis.evidence))
    granted: list[PermissionReason] = []
    not_granted: list[PermissionReason] = []
    for key in keys:
        reason, ok = _decide(key, mode, old, analysis, allow_wider)
        if mode == "least-privilege":
            raised = _keep_uncovered(key, reason, old, analysis)
            reason, ok = (raised, True) if raised is not None else (reason, ok)
        (granted if ok else not_granted).append(reason)
    return granted, not_granted


def _keep_uncovered(
    key: Key, reason: PermissionReason, old: OldAccess, analysis: UsageAnalysis
) -> PermissionReason | None:
    """Raise a narrowed tool back to the old level of accounts no evidence speaks for.

    Evidence tied to one account (``--activity LABEL=FILE``) says what that account's
    integration used, nothing about the others: a tool another account held stays at that
    account's old level (unknown is not unused). ``None`` when nothing needs raising.
    """
    uncovered = {
        account: level for account, level in old.by_account.get(key, {}).items()
        if not analysis.covers(key, account)
    }
    if not uncovered or reason.needed_level is None:
        return None
    keep = "none"
    for level in uncovered.values():
        keep = max_level(keep, level)
    if LEVEL_ORDER[keep] <= LEVEL_ORDER[reason.level]:
        return None
    tied = sorted(account for account in analysis.tied.get(key, {}) if account is not None)
    names = ", ".join(sorted(a for a, level in uncovered.items() if level == keep))
    text = (
        f"kept at {keep}: no usage evidence for {names} (unknown is not unused); the evidence "
        f"tied to {', '.join(tied)} needs {reason.needed_level}; old access {reason.old_level}"
    )
    deciding = {keep} | ({reason.old_level} if reason.old_level else set())
    return reason.model_copy(update={
        "level": keep, "basis": "kept-no-usage-evidence", "reason": text,
        "old_access": _places(old, key, deciding),
    })


def _apply_playbook_levels(
    granted: list[PermissionReason], required: Mapping[str, Mapping[str, str]],
    cap: str | None,
) -> list[PermissionReason]:
    """Raise to a playbook's required levels, then cap at its maximum; both say so."""
    by_key: dict[tuple[str, str], PermissionReason] = {
        (reason.scope, reason.tool): reason for reason in granted
    }
    for scope, tools in required.items():
        for tool, level in tools.items():
            current = by_key.get((scope, tool))
            note = f"required by the playbook: at least {level}"
            if current is None:
                by_key[(scope, tool)] = PermissionReason.model_validate({
                    "scope": scope, "tool": tool, "level": level, "basis": "required",
                    "reason": note,
                })
            elif LEVEL_ORDER[level] > LEVEL_ORDER[current.level]:
                by_key[(scope, tool)] = current.model_copy(update={
                    "level": level, "basis": "required", "reason": f"{current.reason}; {note}",
                })
    if cap is not None:
        for key, reason in by_key.items():
            if LEVEL_ORDER[reason.level] > LEVEL_ORDER[cap]:
                by_key[key] = reason.model_copy(update={
                    "level": cap,
                    "reason": f"{reason.reason}; capped at {cap} by the playbook",
                })
    return [by_key[key] for key in sorted(by_key)]
