"""The old accounts' access per company, merged from the inventory.

Several old accounts may have reached the same company; the migration must keep what any of
them could do, so projects are united and levels take the widest.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dmsa_migrate.models.common import max_level
from dmsa_migrate.models.inventory import Inventory


@dataclass
class OldProject:
    id: int
    name: str = ""
    active: bool = True
    levels: dict[str, str] = field(default_factory=dict)


@dataclass
class OldCompany:
    """What the old accounts could reach and do in one company."""

    id: int
    name: str = ""
    levels: dict[str, str] = field(default_factory=dict)
    projects: dict[int, OldProject] = field(default_factory=dict)
    directory_admin: bool = False
    add_to_new_projects: bool = False
    accounts: list[str] = field(default_factory=list)


def _widen(into: dict[str, str], levels: dict[str, str]) -> None:
    for tool, level in levels.items():
        if level != "none":
            into[tool] = max_level(into.get(tool, "none"), level)


def old_access(inventory: Inventory) -> dict[int, OldCompany]:
    """Company id → the merged old access there, in inventory order."""
    merged: dict[int, OldCompany] = {}
    for account in inventory.accounts:
        for company in account.companies:
            old = merged.setdefault(company.id, OldCompany(company.id, company.name))
            old.name = old.name or company.name
            old.accounts.append(account.label)
            old.directory_admin |= company.directory_admin
            old.add_to_new_projects |= company.add_to_new_projects
            _widen(old.levels, dict(company.permissions))
            for project in company.projects:
                seen = old.projects.setdefault(
                    project.id, OldProject(project.id, project.name, project.active)
                )
                seen.name = seen.name or project.name
                _widen(seen.levels, dict(project.permissions))
    return merged
