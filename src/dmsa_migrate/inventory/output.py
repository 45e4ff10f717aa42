"""Write ``inventory.json`` (or ``.toml``) and the short human summary of a run.

Both files are customer data: written atomically and created 0600 (fileio). TOML has no
null, so keys whose value is null are left out of a TOML file.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from dmsa_migrate.fileio import (
    JsonListWriter,
    atomic_write_json,
    atomic_write_text,
    split_members,
)
from dmsa_migrate.models.inventory import Inventory, InventoryAccount, UsageEntry


def inventory_data(inventory: Inventory) -> dict[str, Any]:
    """The inventory as plain JSON data, contract keys included (``schema``)."""
    return inventory.model_dump(by_alias=True, mode="json")


def write_inventory(inventory: Inventory, path: Path | str) -> Path:
    """Write JSON, or TOML when ``path`` ends in ``.toml``; atomic and private."""
    target = Path(path)
    if target.suffix.lower() == ".toml":
        import tomli_w

        data = inventory.model_dump(by_alias=True, mode="json", exclude_none=True)
        return atomic_write_text(target, tomli_w.dumps(data))
    return atomic_write_json(target, inventory_data(inventory))


class InventoryFile:
    """``inventory.json`` written an account at a time (a sink for ``build_inventory``).

    Why: at fleet size (1,000 companies of 100 projects) holding every account until one
    write at the end is most of the step's memory. The file is byte for byte what
    :func:`write_inventory` writes for the same inventory (``transform``: what the
    engagement's text gets, e.g. secrets scrubbed), and as safe: it grows under a temporary
    name beside ``path`` and replaces ``path`` only in :meth:`commit`.
    """

    def __init__(self, path: Path | str, transform: Callable[[str], str] | None = None) -> None:
        self.path = Path(path)
        self.transform = transform
        self.writer: JsonListWriter | None = None
        self.statuses: list[tuple[str, bool]] = []
        """(status, complete) of each account, for the step's status line."""

    def begin(self, generated_at: str) -> None:
        empty = inventory_data(Inventory(generated_at=generated_at))
        head, _tail = split_members(empty, "accounts")
        self.writer = JsonListWriter(self.path, head, "accounts", transform=self.transform)

    def add(self, account: InventoryAccount) -> None:
        assert self.writer is not None, "begin() first"
        self.writer.add(account.model_dump(by_alias=True, mode="json"))
        self.statuses.append((account.status, account.complete))

    def commit(self, usage: list[UsageEntry]) -> Path:
        """Write the usage and move the file into place."""
        assert self.writer is not None, "begin() first"
        _head, tail = split_members(inventory_data(Inventory(usage=usage)), "accounts")
        return self.writer.commit(tail)

    def abort(self) -> None:
        """The run failed before a result: the temporary file goes."""
        if self.writer is not None:
            self.writer.abort()


def summary_lines(inventory: Inventory) -> list[str]:
    """One paragraph per account: status, user, companies and project counts."""
    lines: list[str] = []
    for account in inventory.accounts:
        status = account.status + (f" ({account.status_reason})" if account.status_reason else "")
        lines.append(f"{account.label}  {account.client_id}  {status}  "
                     f"sources: {', '.join(account.sources) or '-'}")
        if account.user is not None:
            user = account.user
            lines.append(f"  user {user.id} {user.name} {user.login}".rstrip())
        for company in account.companies:
            assigned = sum(1 for project in company.projects if project.permissions)
            admin = "  Directory admin" if company.directory_admin else ""
            lines.append(
                f"  company {company.id} {company.name}: {len(company.projects)} projects "
                f"({assigned} with tool levels){admin}"
            )
        for candidate in account.user_candidates:
            lines.append(f"  candidate user {candidate.id} {candidate.name} "
                         f"<{candidate.login}>: {'; '.join(candidate.reasons)}")
        for conflict in account.conflicts:
            lines.append(f"  conflict: {conflict}")
        for note in account.notes:
            lines.append(f"  note: {note}")
        if account.found_in:
            lines.append(f"  client id found in: {', '.join(account.found_in)}")
    if inventory.usage:
        lines.append(f"usage: {len(inventory.usage)} endpoint(s)")
    return lines
