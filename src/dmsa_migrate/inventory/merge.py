"""Fold the evidence of every source into one contract account (``inventory.json``).

Rules, so that a reviewer can trust the result:
* every fact keeps all of its sources (a project seen live and in the Directory has both);
* where sources disagree, the conflict is written into ``conflicts`` in words, and the
  value kept is the most direct one (``live``: what the credential itself was allowed,
  then ``directory``); nothing is dropped or resolved silently;
* a project one complete source lists and another complete source does not is kept, with a
  conflict saying who did not see it.
"""

from __future__ import annotations

from collections.abc import Iterable

from dmsa_migrate.inventory.evidence import AccountEvidence, CompanySeen, ProjectSeen, UserSeen
from dmsa_migrate.models.common import Level, Source
from dmsa_migrate.models.inventory import (
    InventoryAccount,
    InventoryCompany,
    InventoryProject,
    InventoryUser,
    UserCandidate,
)
from dmsa_migrate.secrets import mask_client_id

SOURCE_ORDER: tuple[Source, ...] = ("live", "directory", "activity", "scan", "manual")


def _ordered(sources: Iterable[Source]) -> list[Source]:
    found = set(sources)
    return [source for source in SOURCE_ORDER if source in found]


def _describe(levels: dict[str, Level]) -> str:
    return ", ".join(f"{tool}={level}" for tool, level in sorted(levels.items())) or "none"


def merge_account(evidence: AccountEvidence) -> InventoryAccount:
    """The contract account for one old service account."""
    conflicts: list[str] = []
    user = _merge_user(evidence.users, conflicts)
    companies = [
        _merge_company(company_id, seen, conflicts)
        for company_id, seen in _group(evidence.companies).items()
    ]
    sources: set[Source] = set(evidence.extra_sources)
    sources.update(seen.source for seen in evidence.companies)
    sources.update(seen.source for seen in evidence.users)
    return InventoryAccount(
        label=evidence.label,
        client_id=mask_client_id(evidence.client_id),
        status=evidence.status,
        status_reason=evidence.status_reason,
        status_detail=evidence.status_detail,
        sources=_ordered(sources),
        user=user,
        companies=companies,
        user_candidates=[
            UserCandidate(id=c.id, name=c.name, login=c.login, score=c.score, reasons=c.reasons)
            for c in evidence.candidates
        ],
        conflicts=conflicts,
        notes=list(evidence.notes),
        complete=not evidence.incomplete,
    )


def _merge_user(users: list[UserSeen], conflicts: list[str]) -> InventoryUser | None:
    if not users:
        return None
    ranked = sorted(users, key=lambda seen: SOURCE_ORDER.index(seen.source))
    first = ranked[0]
    for other in ranked[1:]:
        if other.id != first.id:
            conflicts.append(
                f"user: {first.source} says {first.id}, {other.source} says {other.id}"
            )
    return InventoryUser(
        id=first.id,
        name=next((u.name for u in ranked if u.name), ""),
        login=next((u.login for u in ranked if u.login), ""),
        sources=_ordered(u.source for u in users if u.id == first.id),
    )


def _group(companies: list[CompanySeen]) -> dict[int, list[CompanySeen]]:
    grouped: dict[int, list[CompanySeen]] = {}
    for seen in companies:
        grouped.setdefault(seen.id, []).append(seen)
    for seen_list in grouped.values():
        seen_list.sort(key=lambda seen: SOURCE_ORDER.index(seen.source))
    return grouped


def _merge_company(
    company_id: int, seen: list[CompanySeen], conflicts: list[str]
) -> InventoryCompany:
    permissions = _pick_levels(
        [(s.source, s.permissions) for s in seen], f"company {company_id}", conflicts
    )
    admin = next((s.directory_admin for s in seen if s.directory_admin is not None), False)
    add_new = next(
        (s.add_to_new_projects for s in seen if s.add_to_new_projects is not None), False
    )
    return InventoryCompany(
        id=company_id,
        name=next((s.name for s in seen if s.name), ""),
        permissions=permissions,
        projects=_merge_projects(company_id, seen, conflicts),
        directory_admin=bool(admin),
        add_to_new_projects=bool(add_new),
        sources=_ordered(s.source for s in seen),
    )


def _pick_levels(
    candidates: list[tuple[Source, dict[str, Level] | None]], what: str, conflicts: list[str]
) -> dict[str, Level]:
    known = [(source, levels) for source, levels in candidates if levels is not None]
    if not known:
        return {}
    chosen_source, chosen = known[0]
    for source, levels in known[1:]:
        if levels != chosen:
            conflicts.append(
                f"{what} tool levels: {chosen_source} says {_describe(chosen)}; "
                f"{source} says {_describe(levels)} (kept {chosen_source})"
            )
    return dict(chosen)


def _merge_projects(
    company_id: int, seen: list[CompanySeen], conflicts: list[str]
) -> list[InventoryProject]:
    by_id: dict[int, list[tuple[Source, ProjectSeen]]] = {}
    for company in seen:
        for project in company.projects:
            by_id.setdefault(project.id, []).append((company.source, project))
    complete_sources = {s.source for s in seen if s.projects_complete}
    merged: list[InventoryProject] = []
    for project_id in sorted(by_id):
        views = by_id[project_id]
        sources = {source for source, _ in views}
        for missing in sorted(complete_sources - sources, key=SOURCE_ORDER.index):
            conflicts.append(
                f"project {project_id} ({views[0][1].name}): seen by "
                f"{', '.join(_ordered(sources))}, not by {missing}"
            )
        permissions = _pick_levels(
            [(source, project.permissions) for source, project in views],
            f"project {project_id}",
            conflicts,
        )
        assigned = next((p.assigned for _, p in views if p.assigned is not None), None)
        merged.append(
            InventoryProject(
                id=project_id,
                name=next((p.name for _, p in views if p.name), ""),
                active=views[0][1].active,
                permissions=permissions,
                sources=_ordered(sources),
                assigned=assigned,
            )
        )
    return merged
