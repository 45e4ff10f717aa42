"""Findings on a generated manifest: where it breaks Procore's advice or the evidence disagrees.

Codes (docs/manifest.md lists them with what to do):

=========================  ========  ===================================================
company_directory_admin    warning   the manifest asks for company Directory admin
admin_level                warning   any other tool at admin
old_directory_admin        info      an old account was company Directory admin
unused_tool                info      old access with no observed use: candidate to drop
no_usage_evidence          info      no usage evidence at all: nothing could be narrowed
exceeds_old_access         warning   used endpoints need more than the old access had
not_in_old_access          warning   used endpoints need a tool the old access lacked
old_access_unknown         warning   the inventory holds no old access
unmapped_endpoint          warning   a used endpoint the permission map does not know
deprecated_endpoint        warning   a used endpoint that is deprecated or ``/vapid/``
unconfirmed_tool_key       info      manifest tool keys Procore's examples do not confirm
default_instructions       info      Procore's stock post-installation link is in use
=========================  ========  ===================================================
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dmsa_migrate.models.manifest import (
    EndpointNote,
    Evidence,
    Finding,
    ManifestV41,
    PermissionReason,
)
from dmsa_migrate.permissions.map import PermissionMap

if TYPE_CHECKING:
    from dmsa_migrate.manifest.generate import OldAccess, UsageAnalysis


def _labels(evidence: list[Evidence]) -> list[str]:
    return [f"{item.method} {item.template}" for item in evidence]


def _forbidden_calls(evidence: list[Evidence]) -> int:
    return sum(item.statuses.get("403", 0) for item in evidence)


def build_findings(
    manifest: ManifestV41,
    granted: list[PermissionReason],
    not_granted: list[PermissionReason],
    old: OldAccess,
    analysis: UsageAnalysis,
    permission_map: PermissionMap,
    *,
    used_default_instruction: bool,
) -> list[Finding]:
    """Every finding, errors and warnings first."""
    findings: list[Finding] = []
    findings += _admin_findings(manifest, old)
    findings += _evidence_findings(granted, not_granted, old, analysis)
    findings += _endpoint_findings(analysis, permission_map.reference_date)
    findings += _key_findings(manifest, permission_map)
    if used_default_instruction:
        findings.append(Finding(
            code="default_instructions", severity="info",
            message="post_installation_instruction uses Procore's stock setup link; replace it "
            "with your own notes and page (the Marketplace review rejects placeholders)",
        ))
    order = {"error": 0, "warning": 1, "info": 2}
    return sorted(findings, key=lambda finding: order[finding.severity])


def _admin_findings(manifest: ManifestV41, old: OldAccess) -> list[Finding]:
    findings = level_findings(manifest)
    for where in old.directory_admin_companies:
        findings.append(Finding(
            code="old_directory_admin", severity="info", scope="company", tool="directory",
            message=f"{where} was company Directory admin and saw every project; the DMSA "
            "sees only the permitted projects the admin picks at install",
        ))
    return findings


LEVEL_CODES = ("company_directory_admin", "admin_level")
"""The findings :func:`level_findings` makes from the manifest's levels alone."""


def level_findings(manifest: ManifestV41) -> list[Finding]:
    """Findings that depend only on the final levels (admin anywhere), so they can be made
    again after a consultant's override changes a level."""
    findings: list[Finding] = []
    if manifest.permissions.company.get("directory") == "admin":
        findings.append(Finding(
            code="company_directory_admin", severity="warning", scope="company", tool="directory",
            message="company Directory admin lets the app change users and permissions across "
            "every project; Procore advises against it for a DMSA unless truly needed",
        ))
    for scope, levels in (("company", manifest.permissions.company),
                          ("project", manifest.permissions.project)):
        for tool, level in sorted(levels.items()):
            if level == "admin" and not (scope == "company" and tool == "directory"):
                findings.append(Finding(
                    code="admin_level", severity="warning", scope=scope, tool=tool,
                    message=f"{scope} {tool} at admin: check that the integration needs it",
                ))
    return findings


def _evidence_findings(
    granted: list[PermissionReason], not_granted: list[PermissionReason],
    old: OldAccess, analysis: UsageAnalysis,
) -> list[Finding]:
    findings: list[Finding] = []
    if not old.known:
        findings.append(Finding(
            code="old_access_unknown", severity="warning",
            message="the inventory holds no old access (no company or project levels); "
            "permissions come from usage evidence only",
        ))
    if analysis.entries == 0:
        findings.append(Finding(
            code="no_usage_evidence", severity="info",
            message="no usage evidence (Activity Report, scan, inventory usage): every tool "
            "of the old access is kept as it was",
        ))
    for reason in granted:
        if reason.needed_level is None and analysis.entries:
            findings.append(Finding(
                code="unused_tool", severity="info", scope=reason.scope, tool=reason.tool,
                message=f"{reason.scope} {reason.tool} ({reason.level}) had no observed use: "
                "a candidate to drop once you are sure nothing else calls it",
            ))
        elif (
            reason.old_level and reason.needed_level
            and _above(reason.needed_level, reason.old_level)
        ):
            findings.append(_exceeds(reason))
    for reason in not_granted:
        if reason.evidence:
            findings.append(_exceeds(reason, missing=True))
    return findings


def _above(first: str, second: str) -> bool:
    from dmsa_migrate.models.common import LEVEL_ORDER

    return LEVEL_ORDER[first] > LEVEL_ORDER[second]


def _exceeds(reason: PermissionReason, missing: bool = False) -> Finding:
    had = reason.old_level or "none"
    beyond = [item for item in reason.evidence if _above(item.level, had)] or reason.evidence
    verb = "granted" if not missing else "not granted"
    return Finding(
        code="not_in_old_access" if missing else "exceeds_old_access", severity="warning",
        scope=reason.scope, tool=reason.tool, endpoints=_labels(beyond),
        message=f"{reason.scope} {reason.tool}: used endpoints need {reason.needed_level} but "
        f"the old access had {had}{_what_the_report_says(beyond)} "
        f"({verb}: {reason.level if not missing else 'left out'})",
    )


def _what_the_report_says(evidence: list[Evidence]) -> str:
    """What the response codes of the calls beyond the old access show, and nothing more.

    403s mean the old integration was refused there; 2xx answers mean the old access was
    enough, so the permission map asks more than Procore did; no codes (a code scan, a
    recording without them) mean nobody knows yet.
    """
    forbidden = _forbidden_calls(evidence)
    succeeded = sum(
        calls for item in evidence for code, calls in item.statuses.items() if code[:1] == "2"
    )
    if forbidden and not succeeded:
        return (f"; the Activity Report shows {forbidden} call(s) answered 403, so the old "
                "integration was failing there")
    if forbidden:
        return (f"; the Activity Report shows {forbidden} call(s) answered 403 and {succeeded} "
                "answered 2xx there: the old integration failed on some of these calls")
    if succeeded:
        return (f"; yet the Activity Report shows {succeeded} call(s) answered 2xx and none "
                "403, so the old access was enough there: check the permission map's level "
                "before granting more")
    return ("; no Activity Report response codes cover these calls, so whether the old "
            "integration was failing there is not known: check the report's 403s")


def _unmapped_message(note: EndpointNote, reference_date: str) -> str:
    call = f"{note.method} {note.template}"
    if note.operation:
        what = f' ("{note.summary}")' if note.summary else ""
        return (f"{call}{what} is Procore's operation {note.operation}, but the permission map "
                f"names no tool for it: {note.reason}; add an override entry "
                "(docs/permission-map.md)")
    built = f" (built from Procore's API reference of {reference_date})" if reference_date else ""
    return (f"{call} is not an operation the permission map knows{built}, so no tool was "
            "derived from it; if Procore added it since, refresh the map with `dmsa-migrate "
            "routes import-openapi`, else add an override entry (docs/permission-map.md)")


def _endpoint_findings(analysis: UsageAnalysis, reference_date: str) -> list[Finding]:
    findings: list[Finding] = []
    for note in sorted(analysis.unmapped.values(), key=lambda n: (n.template, n.method)):
        findings.append(Finding(
            code="unmapped_endpoint", severity="warning",
            endpoints=[f"{note.method} {note.template}"],
            message=_unmapped_message(note, reference_date),
        ))
    for label in analysis.deprecated:
        findings.append(Finding(
            code="deprecated_endpoint", severity="warning", endpoints=[label],
            message=f"{label} is deprecated or retired; new apps are denied deprecated APIs, "
            "so move the call to its current /rest/ version before switching",
        ))
    return findings


def _key_findings(manifest: ManifestV41, permission_map: PermissionMap) -> list[Finding]:
    keys = sorted(set(manifest.permissions.company) | set(manifest.permissions.project))
    unconfirmed = [
        key for key in keys
        if key not in permission_map.tools or not permission_map.tools[key].confirmed
    ]
    if not unconfirmed:
        return []
    return [Finding(
        code="unconfirmed_tool_key", severity="info",
        message="tool keys not confirmed by Procore's manifest examples: "
        f"{', '.join(unconfirmed)}; check them in the Permissions Builder (View Manifest)",
    )]
