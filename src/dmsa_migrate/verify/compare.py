"""Compare what the DMSA can reach and do with what the old access had (pure functions).

Needed levels come from the manifest when one is given (``--manifest``: the developer's
statement of what the integration needs, already reconciled with the old access and the
usage in step 2), else from the old access itself (mirror: the conservative proxy).
"""

from __future__ import annotations

from collections.abc import Mapping

from dmsa_migrate.models.common import LEVEL_ORDER
from dmsa_migrate.models.verification import (
    CompanyVerification,
    Finding,
    GapBasis,
    InstallStatus,
    PermissionGap,
)
from dmsa_migrate.verify import findings as F
from dmsa_migrate.verify.old_access import OldCompany
from dmsa_migrate.verify.probe import DmsaView, usual_levels

Expected = Mapping[str, Mapping[str, str]]
"""``{"company": {tool: level}, "project": {tool: level}}`` from a manifest."""


def compare_company(
    company_id: int,
    status: InstallStatus,
    name: str,
    view: DmsaView | None,
    old: OldCompany | None,
    expected: Expected | None = None,
) -> CompanyVerification:
    """One company's verification entry (without ``--previous`` or user comparison)."""
    result = CompanyVerification(
        id=company_id,
        name=name or (old.name if old else ""),
        installed=status == "installed",
        status=status,
        in_inventory=old is not None,
    )
    old_ids = set(old.projects) if old else set()
    if status != "installed" or view is None:
        result.missing_projects = sorted(old_ids)
        result.findings.append(_install_finding(status, result.name or str(company_id), old_ids))
        return result
    _fill_from_view(result, view)
    permitted = view.permitted
    result.matched_projects = sorted(old_ids & permitted)
    result.missing_projects = sorted(old_ids - permitted)
    result.extra_projects = sorted(permitted - old_ids) if old is not None else sorted(permitted)
    result.inactive_projects = sorted(
        p for p in old_ids | permitted if not _active(p, view, old)
    )
    result.findings.extend(_project_findings(result, view, old))
    result.permission_gaps = permission_gaps(view, old, expected)
    result.findings.extend(_permission_findings(result, view, expected))
    result.findings.extend(_directory_findings(view, old))
    return result


def _fill_from_view(result: CompanyVerification, view: DmsaView) -> None:
    result.permitted_projects = sorted(view.permitted)
    result.dmsa_user_id = view.user_id
    result.dmsa_user_name = view.user_name
    result.company_permissions = dict(sorted(view.company_levels.items()))
    result.strategy = view.strategy
    result.requests = view.requests


def _active(project_id: int, view: DmsaView, old: OldCompany | None) -> bool:
    if project_id in view.visible:
        return view.visible[project_id]
    if view.company_projects and project_id in view.company_projects:
        return view.company_projects[project_id]
    if old is not None and project_id in old.projects:
        return old.projects[project_id].active
    return True


def _install_finding(status: InstallStatus, label: str, old_ids: set[int]) -> Finding:
    reach = f"; the old account reached {len(old_ids)} projects here" if old_ids else ""
    if status == "disconnected":
        return F.finding(
            F.APP_DISCONNECTED,
            f"{label}: the app is disconnected, so it can reach nothing here{reach}",
            old_ids,
        )
    return F.finding(
        F.APP_NOT_INSTALLED, f"{label}: the app is not installed here{reach}", old_ids
    )


def _project_findings(
    result: CompanyVerification, view: DmsaView, old: OldCompany | None
) -> list[Finding]:
    found: list[Finding] = []
    inactive = set(result.inactive_projects)
    missing_active = [p for p in result.missing_projects if p not in inactive]
    missing_inactive = [p for p in result.missing_projects if p in inactive]
    if missing_active:
        found.append(F.finding(
            F.PROJECTS_MISSING,
            f"{len(missing_active)} project(s) the old account reached are not permitted: "
            f"{F.id_list(missing_active)}",
            missing_active,
        ))
    if missing_inactive:
        found.append(F.finding(
            F.INACTIVE_PROJECTS_MISSING,
            f"{len(missing_inactive)} inactive project(s) the old account reached are not "
            f"permitted: {F.id_list(missing_inactive)}",
            missing_inactive,
        ))
    if old is None:
        found.append(F.finding(
            F.NO_OLD_ACCOUNT,
            f"no old account in the inventory for this company; the app is permitted on "
            f"{len(view.permitted)} project(s)",
            view.permitted,
        ))
    elif result.extra_projects:
        found.append(F.finding(
            F.EXTRA_PROJECTS,
            f"{len(result.extra_projects)} permitted project(s) the old account never reached: "
            f"{F.id_list(result.extra_projects)}",
            result.extra_projects,
        ))
    return found


def permission_gaps(
    view: DmsaView, old: OldCompany | None, expected: Expected | None
) -> list[PermissionGap]:
    """Tools granted below the needed level, grouped by (scope, tool, needed, granted)."""
    basis: GapBasis = "manifest" if expected is not None else "old_access"
    grouped: dict[tuple[str, str, str, str], list[int]] = {}
    if expected is not None:
        company_needed: Mapping[str, str] = expected.get("company", {})
    else:
        company_needed = old.levels if old else {}
    for gap in _below("company", company_needed, view.company_levels):
        grouped.setdefault(gap, [])
    project_needed: Mapping[str, str] = expected.get("project", {}) if expected else {}
    below: dict[tuple[int, int], list[tuple[str, str, str, str]]] = {}
    """(id of the needed levels, id of the granted levels) → the gaps between them: both
    are shared mappings (a template's, an old level set), so each pair is compared once."""
    for project_id in sorted(view.project_levels):
        if expected is not None:
            needed_here = project_needed
        elif old is not None and project_id in old.projects:
            needed_here = old.projects[project_id].levels
        else:
            continue
        levels = view.project_levels[project_id]
        key = (id(needed_here), id(levels))
        gaps = below.get(key)
        if gaps is None:
            gaps = below[key] = _below("project", needed_here, levels)
        for gap in gaps:
            grouped.setdefault(gap, []).append(project_id)
    return [
        PermissionGap(
            scope=scope, tool=tool, needed=needed, granted=granted,
            projects=sorted(projects), basis=basis,
        )
        for (scope, tool, needed, granted), projects in sorted(grouped.items())
    ]


def _below(
    scope: str, needed: Mapping[str, str], granted: Mapping[str, str]
) -> list[tuple[str, str, str, str]]:
    """``(scope, tool, needed, granted)`` for every tool granted below what is needed."""
    return [
        (scope, tool, level, granted.get(tool, "none"))
        for tool, level in needed.items()
        if LEVEL_ORDER[granted.get(tool, "none")] < LEVEL_ORDER[level]
    ]


def _permission_findings(
    result: CompanyVerification, view: DmsaView, expected: Expected | None
) -> list[Finding]:
    found: list[Finding] = []
    edited = _edited_projects(view, expected)
    if edited or view.company_template:
        where = []
        if view.company_template:
            where.append(f"company level ('{view.company_template}')")
        if edited:
            names = sorted({view.project_templates.get(p, "") for p in edited} - {""})
            label = f" ({', '.join(repr(n) for n in names)})" if names else ""
            how = "" if view.strategy == "directory" else " (inferred: levels differ from the rest)"
            where.append(f"project(s) {F.id_list(edited)}{label}{how}")
        found.append(F.finding(
            F.MANUAL_DIRECTORY_EDIT,
            f"the app's Directory user {view.user_name or view.user_id} has a hand-set "
            f"permission template on {' and '.join(where)}",
            edited,
        ))
    if result.permission_gaps:
        gaps = result.permission_gaps
        affected = {p for g in gaps for p in g.projects}
        basis = "the manifest" if expected is not None else "the old access"
        parts = []
        company_tools = sorted({g.tool for g in gaps if g.scope == "company"})
        project_tools = sorted({g.tool for g in gaps if g.scope == "project"})
        if company_tools:
            parts.append(f"company level: {', '.join(company_tools)}")
        if project_tools:
            parts.append(
                f"project level: {', '.join(project_tools)} on project(s) {F.id_list(affected)}"
            )
        found.append(F.finding(
            F.PERMISSION_GAPS,
            f"{len(gaps)} tool level(s) below {basis} ({'; '.join(parts)})",
            affected,
        ))
    if view.strategy == "per_project":
        found.append(F.finding(
            F.DIRECTORY_NOT_READABLE,
            f"{len(view.project_levels)} per-project permission checks were needed",
        ))
    return found


def _edited_projects(view: DmsaView, expected: Expected | None) -> list[int]:
    """Projects with a hand-set template: named by the Directory, else inferred from levels."""
    if view.strategy == "directory":
        return sorted(p for p in view.project_templates if p in view.permitted)
    reference = dict(expected.get("project", {})) if expected is not None else usual_levels(view)
    if reference is None:
        return []
    return sorted(p for p, levels in view.project_levels.items() if levels != reference)


def _directory_findings(view: DmsaView, old: OldCompany | None) -> list[Finding]:
    found: list[Finding] = []
    if view.directory_admin:
        found.append(F.finding(
            F.DMSA_DIRECTORY_ADMIN,
            "the app has Admin on the company Directory tool: it sees every project of the "
            "company, not only its permitted projects",
        ))
    if old is None or not _old_covered_all(view, old):
        return found
    if old.directory_admin:
        why = "was a company Directory admin"
    elif old.add_to_new_projects:
        why = "was added to new projects automatically"
    else:
        why = "reached every active project"
    if view.add_to_new_projects is False:
        found.append(F.finding(
            F.ADD_TO_NEW_PROJECTS_OFF,
            f"the old account {why}, but the app's Directory user is not added to new "
            "projects: projects created from now on will be out of its reach",
        ))
    elif view.add_to_new_projects is None:
        found.append(F.finding(
            F.ADD_TO_NEW_PROJECTS_UNKNOWN,
            f"the old account {why}; the app's 'add to new projects' setting could not be read",
        ))
    return found


def _old_covered_all(view: DmsaView, old: OldCompany) -> bool:
    if old.directory_admin or old.add_to_new_projects:
        return True
    if not view.company_projects:
        return False
    active = {p for p, is_active in view.company_projects.items() if is_active}
    return bool(active) and active <= set(old.projects)
