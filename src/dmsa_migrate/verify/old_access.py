"""The old accounts' access per company, merged from the inventory.

Several old accounts may have reached the same company; the migration must keep what any of
them could do, so projects are united and levels take the widest.

Why compact: a fleet's old access is every project of every company (100,000 at 1,000 x 100)
and is held for the whole verify run, so projects are slotted records and equal level sets
are one shared mapping (read-only: :func:`_widened` builds a new one rather than editing).
The accounts can be streamed in (:func:`dmsa_migrate.artifacts.stream_inventory`): only
this merged view is kept, never the inventory itself; at fleet size even that goes to disk
(:class:`SpilledOldAccess`) and a company is merged when verify judges it.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import IO

from dmsa_migrate.models.common import max_level
from dmsa_migrate.models.inventory import Inventory, InventoryAccount, InventoryCompany

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
OldAccessView = Mapping[int, OldCompany]
"""What verify reads: an :data:`OldAccess`, or a :class:`SpilledOldAccess`."""


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
            _add(old, account.label, company, shared)
    return merged


def _add(old: OldCompany, label: str, company: InventoryCompany, shared: _Shared) -> None:
    """One account's view of the company, united into ``old`` (widest levels win)."""
    old.name = old.name or company.name
    old.accounts.append(label)
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


class SpilledOldAccess(Mapping[int, OldCompany]):
    """The old access per company, kept on disk and merged when a company is asked for.

    Why: at fleet size the merged old access is every project of every company (100,000
    at 1,000 x 100), held for the whole verify run, and it was most of what still grew
    with the fleet. Here each account's view of a company is written once, as the
    inventory streams past, to an anonymous temporary file (created 0600 and already
    unlinked, so nothing is left behind even if the process is killed); memory keeps only
    where each company's pieces are. Verify asks for each company once, when it judges
    it; :func:`old_access` on the same accounts gives equal companies.
    """

    def __init__(self, accounts: Iterable[InventoryAccount]) -> None:
        self._file: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 (lives with self)
        self._where: dict[int, list[tuple[str, int, int]]] = {}
        offset = 0
        for account in accounts:
            for company in account.companies:
                data = company.model_dump_json().encode("utf-8")
                self._file.write(data)
                self._where.setdefault(company.id, []).append((account.label, offset, len(data)))
                offset += len(data)
        self._file.flush()

    def __getitem__(self, company_id: int) -> OldCompany:
        pieces = self._where[company_id]
        old = OldCompany(company_id)
        shared = _Shared()
        for label, offset, length in pieces:
            self._file.seek(offset)
            company = InventoryCompany.model_validate_json(self._file.read(length))
            _add(old, label, company, shared)
        return old

    def __iter__(self) -> Iterator[int]:
        return iter(self._where)

    def __len__(self) -> int:
        return len(self._where)

    def __contains__(self, company_id: object) -> bool:
        return company_id in self._where

    def close(self) -> None:
        """The run is over: the file goes (it would also go with the process)."""
        self._file.close()
