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

import marshal
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


PieceProject = tuple[int, str, bool, int]
Piece = tuple[str, bool, bool, dict[str, str], list[dict[str, str]], list[PieceProject]]
"""One account's view of one company, compact: name, Directory admin, added to new
projects, company levels, the distinct project level sets, and per project ``(id, name,
active, index of its level set)``. Most projects of a company share their template, so a
piece of 100 projects holds one or two level sets, and merging widens each set once."""


def piece(company: InventoryCompany) -> Piece:
    """The compact form of one account's view of ``company``."""
    index: dict[tuple[tuple[str, str], ...], int] = {}
    level_sets: list[dict[str, str]] = []
    projects: list[PieceProject] = []
    for project in company.projects:
        key = tuple(project.permissions.items())
        found = index.get(key)
        if found is None:
            found = index[key] = len(level_sets)
            level_sets.append(dict(project.permissions))
        projects.append((project.id, project.name, project.active, found))
    return (company.name, company.directory_admin, company.add_to_new_projects,
            dict(company.permissions), level_sets, projects)


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
            _add(old, account.label, piece(company), shared)
    return merged


def _add(old: OldCompany, label: str, part: Piece, shared: _Shared) -> None:
    """One account's view of the company, united into ``old`` (widest levels win)."""
    name, directory_admin, add_to_new_projects, levels, level_sets, projects = part
    old.name = old.name or name
    old.accounts.append(label)
    old.directory_admin |= directory_admin
    old.add_to_new_projects |= add_to_new_projects
    _widen(old.levels, levels)
    known = old.projects
    widened: dict[tuple[int, int], dict[str, str]] = {}
    """(id of a project's levels so far, level set) → the widened levels: shared mappings
    are few, so each pair is widened once per piece, not once per project."""
    for project_id, project_name, active, index in projects:
        seen = known.get(project_id)
        if seen is None:
            seen = known[project_id] = OldProject(project_id, project_name, active, _NO_LEVELS)
        elif not seen.name:
            seen.name = project_name
        key = (id(seen.levels), index)
        result = widened.get(key)
        if result is None:
            result = widened[key] = shared.widened(seen.levels, level_sets[index])
        seen.levels = result


class SpilledOldAccess(Mapping[int, OldCompany]):
    """The old access per company, kept on disk and merged when a company is asked for.

    Why: at fleet size the merged old access is every project of every company (100,000
    at 1,000 x 100), held for the whole verify run, and it was most of what still grew
    with the fleet. Here each account's view of a company is written once, as the
    inventory streams past, to an anonymous temporary file (created 0600 and already
    unlinked, so nothing is left behind even if the process is killed); memory keeps only
    where each company's pieces are. Verify asks for each company once, when it judges
    it; :func:`old_access` on the same accounts gives equal companies.

    Each piece is written in its compact form (:func:`piece`) with :mod:`marshal`, which
    reads back in a fraction of the CPU of re-validating the inventory's JSON (a tenth of
    a fleet verify's CPU went there). Only this process ever holds the file: it has no
    name, so nothing else can write what is read back; the inventory itself was checked
    as it was read.
    """

    def __init__(self, accounts: Iterable[InventoryAccount]) -> None:
        self._file: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 (lives with self)
        self._where: dict[int, list[tuple[str, int, int]]] = {}
        offset = 0
        for account in accounts:
            for company in account.companies:
                data = marshal.dumps(piece(company))
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
            _add(old, label, marshal.loads(self._file.read(length)), shared)
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
