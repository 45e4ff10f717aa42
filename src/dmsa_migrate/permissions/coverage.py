"""How much of Procore's API the map attributes (``routes coverage``).

Every operation of the catalog is *explained* like a real call, so the user's own override
files count: an operation the packaged rules leave unknown but an override covers is
attributed. "Attributed" means the map names a tool, or says no tool permission is needed.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from dmsa_migrate.permissions.map import PermissionMap


def _module(tag: str) -> str:
    parts = [part.strip() for part in tag.split("/") if part.strip()]
    return "/".join(parts[:2]) if parts else "(untagged)"


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def coverage_report(permission_map: PermissionMap, *, by_module: bool = False) -> dict[str, Any]:
    """Counts over every catalog operation, and per module when asked."""
    totals = {"operations": 0, "attributed": 0, "tool": 0, "no_tool": 0, "unknown": 0}
    modules: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(totals, 0))
    for entry in permission_map.operations.entries():
        answer = permission_map.explain(entry.method, entry.path)
        kind = "unknown" if not answer.known else ("tool" if answer.tool else "no_tool")
        for counts in (totals, modules[_module(entry.tag)]):
            counts["operations"] += 1
            counts[kind] += 1
            counts["attributed"] += kind != "unknown"
    report: dict[str, Any] = {
        **totals,
        "attributed_share": _share(totals["attributed"], totals["operations"]),
        "reference_date": permission_map.reference_date,
        "map_version": permission_map.version,
    }
    if by_module:
        report["modules"] = [
            {"module": name, **counts,
             "attributed_share": _share(counts["attributed"], counts["operations"])}
            for name, counts in sorted(modules.items())
        ]
    return report


def render_coverage(report: dict[str, Any]) -> str:
    """The report as text for a terminal."""
    lines = [
        f"operations  {report['operations']}  (Procore API reference of "
        f"{report['reference_date'] or 'unknown date'}; map {report['map_version']})",
        f"attributed  {report['attributed']}  {report['attributed_share']:.1%}  "
        f"(tool {report['tool']}, no tool permission {report['no_tool']})",
        f"unknown     {report['unknown']}",
    ]
    modules = report.get("modules")
    if modules:
        width = max(len(row["module"]) for row in modules)
        lines.append("")
        lines.append(f"{'module':<{width}}  operations  attributed  unknown")
        for row in modules:
            lines.append(
                f"{row['module']:<{width}}  {row['operations']:>10}  "
                f"{row['attributed_share']:>10.1%}  {row['unknown']:>7}"
            )
    return "\n".join(lines)
