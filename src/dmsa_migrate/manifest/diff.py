"""Compare two manifests' permissions: the "no new access" gate for CI.

A change *widens* access when NEW adds a tool OLD did not grant, or raises a level.
Removing or lowering narrows it. ``manifest diff`` exits 1 when anything widens.
"""

from __future__ import annotations

from pathlib import Path

from dmsa_migrate.manifest.load import SCOPES, LoadedManifest, load_manifest
from dmsa_migrate.models.common import LEVEL_ORDER
from dmsa_migrate.models.manifest import ManifestDiff, PermissionChange

_SYMBOL = {"added": "+", "removed": "-", "raised": "^", "lowered": "v"}


def diff_manifests(old: LoadedManifest, new: LoadedManifest) -> ManifestDiff:
    """Every permission that differs, per scope and tool, in scope/tool order."""
    changes: list[PermissionChange] = []
    unchanged = 0
    for scope in SCOPES:
        before, after = old.permissions[scope], new.permissions[scope]
        for tool in sorted(set(before) | set(after)):
            was, now = before.get(tool), after.get(tool)
            if was == now:
                unchanged += 1
                continue
            if was is None:
                kind = "added"
            elif now is None:
                kind = "removed"
            elif LEVEL_ORDER[now] > LEVEL_ORDER[was]:
                kind = "raised"
            else:
                kind = "lowered"
            changes.append(PermissionChange(
                scope=scope, tool=tool, change=kind, old=was, new=now,
            ))
    widens = any(change.change in ("added", "raised") for change in changes)
    return ManifestDiff(
        old=old.path, new=new.path, old_schema_version=old.schema_version,
        new_schema_version=new.schema_version, widens=widens, changes=changes,
        unchanged=unchanged,
    )


def diff_files(old_path: Path | str, new_path: Path | str) -> ManifestDiff:
    """Load both files and compare them."""
    return diff_manifests(load_manifest(old_path), load_manifest(new_path))


def render_diff(diff: ManifestDiff) -> str:
    """The human report: one line per change, then the verdict."""
    lines = [f"old: {diff.old} (v{diff.old_schema_version})",
             f"new: {diff.new} (v{diff.new_schema_version})"]
    for change in diff.changes:
        before = change.old or "-"
        after = change.new or "-"
        lines.append(
            f"  {_SYMBOL[change.change]} {change.scope}.{change.tool}: {before} -> {after} "
            f"({change.change})"
        )
    if not diff.changes:
        lines.append("  no permission changes")
    counts = ", ".join(
        f"{len(diff.of_kind(kind))} {kind}" for kind in ("added", "removed", "raised", "lowered")
    )
    verdict = "NEW widens access over OLD" if diff.widens else "NEW does not widen access"
    lines.append(f"{verdict} ({counts}, {diff.unchanged} unchanged)")
    return "\n".join(lines)
