"""Where a fact of the inventory came from, for the evidence pane under the access tree.

The inventory records, for each account, company and project, which *sources* said so
(``live``: the old credential itself; ``directory``: the Company Directory read with an
admin's token; on an account only, ``activity``: an API Call Activity Report tied to it,
and ``scan``: its client id found in the integration's code; the report and the scan name
no company or project). This turns a source into what a consultant can check: the request
that was made (the collectors' own endpoints, see ``inventory/live.py`` and
``inventory/directory.py``), the file and line of a scan hit, and when the inventory ran.
No textual here.
"""

from __future__ import annotations

from dataclasses import dataclass

from dmsa_migrate.models.inventory import (
    Inventory,
    InventoryAccount,
    InventoryCompany,
    InventoryProject,
)

MAX_LOCATIONS = 6
"""file:line locations listed before "… and N more"."""


@dataclass(frozen=True)
class NodeRef:
    """What a tree node shows: an account, one of its companies, or one of its projects."""

    account: str
    company: int | None = None
    project: int | None = None


def find(inventory: Inventory, ref: NodeRef) -> tuple[
    InventoryAccount | None, InventoryCompany | None, InventoryProject | None
]:
    """The account, company and project ``ref`` points at (``None`` where absent)."""
    account = next((a for a in inventory.accounts if a.label == ref.account), None)
    company = None
    if account is not None and ref.company is not None:
        company = next((c for c in account.companies if c.id == ref.company), None)
    project = None
    if company is not None and ref.project is not None:
        project = next((p for p in company.projects if p.id == ref.project), None)
    return account, company, project


def _levels(levels: dict[str, str]) -> str:
    shown = [f"{tool} {level}" for tool, level in sorted(levels.items()) if level != "none"]
    return ", ".join(shown) or "no tool permissions"


def _where(locations: list[str]) -> str:
    shown = ", ".join(locations[:MAX_LOCATIONS])
    more = len(locations) - MAX_LOCATIONS
    return shown + (f" … and {more} more" if more > 0 else "")


def account_lines(account: InventoryAccount, company_id: int | None) -> list[str]:
    """Where the account's own facts come from."""
    lines = []
    for source in account.sources:
        if source == "live":
            lines.append("live: POST /oauth/token (client credentials), then "
                         f"GET /rest/v1.0/me?company_id={company_id or '…'} as {account.label}")
        elif source == "directory" and account.user is not None:
            lines.append(f"directory: GET /rest/v1.3/companies/{company_id or '…'}/users/"
                         f"{account.user.id} (its Directory user)")
        elif source == "scan":
            lines.append(f"scan: client id found at {_where(account.found_in) or 'the code'}")
        else:
            lines.append(f"{source}: recorded by the inventory")
    if account.status_detail:
        lines.append(f"Procore said: {account.status_detail}")
    lines += [f"conflict: {c}" for c in account.conflicts]
    lines += [f"note: {n}" for n in account.notes]
    return lines


def company_lines(account: InventoryAccount, company: InventoryCompany) -> list[str]:
    """Where a company and its company-level tool levels come from."""
    lines = [f"company levels: {_levels(dict(company.permissions))}"]
    user = account.user.id if account.user is not None else "…"
    for source in company.sources:
        if source == "live":
            lines.append(f"live: GET /rest/v1.0/companies as {account.label}; levels from "
                         f"GET /rest/v1.0/settings/permissions?company_id={company.id}")
        elif source == "directory":
            lines.append(f"directory: GET /rest/v1.3/companies/{company.id}/users/{user} "
                         "(company template) and GET /rest/v1.0/companies/"
                         f"{company.id}/permission_templates/{{id}}")
        else:
            lines.append(f"{source}: recorded by the inventory")
    if company.directory_admin:
        lines.append("Directory admin: it saw every project of the company")
    return lines


def project_lines(
    account: InventoryAccount, company: InventoryCompany, project: InventoryProject
) -> list[str]:
    """Where a project and its project-level tool levels come from."""
    lines = [f"project levels: {_levels(dict(project.permissions))}"]
    user = account.user.id if account.user is not None else "…"
    for source in project.sources:
        if source == "live":
            lines.append(f"live: GET /rest/v1.1/projects?company_id={company.id}"
                         "&filters[by_status]=All; levels from GET /rest/v1.0/settings/"
                         f"permissions?project_id={project.id} unless the Directory gave them")
        elif source == "directory":
            lines.append(f"directory: GET /rest/v1.0/companies/{company.id}/users/{user}/"
                         "project_assignments (assignment and its template)")
        else:
            lines.append(f"{source}: recorded by the inventory")
    if project.assigned is False:
        lines.append("not assigned: listed because the account was Directory admin")
    return lines


def evidence_lines(inventory: Inventory, ref: NodeRef) -> list[str]:
    """The evidence pane's text for the node ``ref``: what, which source said so and how,
    and when the inventory ran."""
    account, company, project = find(inventory, ref)
    if account is None:
        return ["Select an account, a company or a project to see where its facts come from."]
    if project is not None and company is not None:
        title = f"{project.id} {project.name} in {company.name} ({company.id}), {account.label}"
        body = project_lines(account, company, project)
    elif company is not None:
        title = f"{company.name} ({company.id}), {account.label}"
        body = company_lines(account, company)
    else:
        title = f"{account.label}: {account.status}"
        first = account.companies[0].id if account.companies else None
        body = account_lines(account, first)
    when = inventory.generated_at or "unknown time"
    return [f"{title} · inventory of {when}", *body]
