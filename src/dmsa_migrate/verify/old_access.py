"""The old accounts' access per company, merged from the inventory.

Several old accounts may have reached the same company; the migration must keep what any of
them could do, so projects are united and levels take the widest.

Why compact: a fleet's old access is every project of every company (100,000 at 1,000 x 100)
and is held for the whole verify run, so projects are slotted records and equal level sets
are one shared mapping (read-only: :func:`_widened` builds a new one rather than editing).
The accounts can be streamed in (:func:`dmsa_migrate.artifacts.stream_inventory`): only
this merged view is kept, never the inventory itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from dmsa_migrate.models.common import max_level
from dmsa_migrate.models.inventory import Inventory, InventoryAccount

_NO_LEVELS: dict[str, str] = {}


@dataclass(slots=True)
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


OldAccess = dict[int, OldCompany]
"""Company id → the old accounts' merged access there."""


def _widen(into: dict[str, str], levels: Mapping[str, str]) -> None:
    for tool, level in levels.items():
        if level != "none":
            into[tool] = max_level(into.get(tool, "none"), level)


class _Shared:
    """Equal level sets as one mapping (most projects of a company share their template)."""

    def __init__(self) -> None:
        self.known: dict[tuple[tuple[str, str], ...], dict[str, str]] = {}

    def widened(self, levels: dict[str, str], more: Mapping[str, str]) -> dict[str, str]:
        if all(level == "none" for level in more.values()):
            return levels
        merged = dict(levels)
        _widen(merged, more)
        return self.known.setdefault(tuple(sorted(merged.items())), merged)


def old_access(
    inventory: Inventory | Iterable[InventoryAccount],
) -> OldAccess:
    """Company id → the merged old access there, in inventory order.

    Takes the inventory, or its accounts one at a time (a streamed file).
    """
    accounts = inventory.accounts if isinstance(inventory, Inventory) else inventory
    merged: OldAccess = {}
    shared = _Shared()
    for account in accounts:
        for company in account.companies:
            old = merged.setdefault(company.id, OldCompany(company.id, company.name))
            old.name = old.name or company.name
            old.accounts.append(account.label)
            old.directory_admin |= company.directory_admin
            old.add_to_new_projects |= company.add_to_new_projects
            _widen(old.levels, company.permissions)
            for project in company.projects:
                seen = old.projects.get(project.id)
                if seen is None:
                    seen = old.projects[project.id] = OldProject(
                        project.id, project.name, project.active, _NO_LEVELS
                    )
                seen.name = seen.name or project.name
                seen.levels = shared.widened(seen.levels, project.permissions)
    return merged
