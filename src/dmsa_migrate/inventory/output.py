"""Write ``inventory.json`` (or ``.toml``) and the short human summary of a run.

Both files are customer data: written atomically and created 0600 (fileio). TOML has no
null, so keys whose value is null are left out of a TOML file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
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


@dataclass
class InventoryTally:
    """What the step's status line and the console summary need of every account: kept
    when the accounts themselves are not (a streamed run forgets each once it is written).

    A few counts and the summary's lines (a handful per account) instead of every
    project of every company.
    """

    accounts: int = 0
    projects: int = 0
    rejected: int = 0
    blind: list[str] = field(default_factory=list)
    """Labels of accounts whose access could not be read at all (no company)."""
    lines: list[str] = field(default_factory=list)

    def add(self, account: InventoryAccount) -> None:
        self.accounts += 1
        self.projects += sum(len(company.projects) for company in account.companies)
        self.rejected += account.status == "rejected"
        if not account.companies:
            self.blind.append(account.label)
        self.lines.extend(account_lines(account))

    @classmethod
    def of(cls, inventory: Inventory) -> InventoryTally:
        tally = cls()
        for account in inventory.accounts:
            tally.add(account)
        return tally


class InventoryFile:
    """``inventory.json`` written an account at a time (a sink for ``build_inventory``).

    Why: at fleet size (1,000 companies of 100 projects) holding every account until one
    write at the end is most of the step's memory. The file is byte for byte what
    :func:`write_inventory` writes for the same inventory (``transform``: what the
    engagement's text gets, e.g. secrets scrubbed), and as safe: it grows under a temporary
    name beside ``path`` and replaces ``path`` only in :meth:`commit` (an interrupted run
    commits what it has, as the whole-inventory writer saves a partial inventory).
    """

    def __init__(self, path: Path | str, transform: Callable[[str], str] | None = None) -> None:
        self.path = Path(path)
        self.transform = transform
        self.writer: JsonListWriter | None = None
        self.tally = InventoryTally()

    def begin(self, generated_at: str) -> None:
        empty = inventory_data(Inventory(generated_at=generated_at))
        head, _tail = split_members(empty, "accounts")
        self.writer = JsonListWriter(self.path, head, "accounts", transform=self.transform)

    def add(self, account: InventoryAccount) -> None:
        assert self.writer is not None, "begin() first"
        self.writer.add(account.model_dump(by_alias=True, mode="json"))
        self.tally.add(account)

    def commit(self, usage: list[UsageEntry]) -> Path:
        """Write the usage and move the file into place."""
        assert self.writer is not None, "begin() first"
        _head, tail = split_members(inventory_data(Inventory(usage=usage)), "accounts")
        if usage:
            self.tally.lines.append(_usage_line(usage))
        return self.writer.commit(tail)

    def abort(self) -> None:
        """The run failed before a result: the temporary file goes."""
        if self.writer is not None:
            self.writer.abort()


def summary_lines(inventory: Inventory) -> list[str]:
    """One paragraph per account: status, user, companies and project counts."""
    lines = [line for account in inventory.accounts for line in account_lines(account)]
    if inventory.usage:
        lines.append(_usage_line(inventory.usage))
    return lines


def _usage_line(usage: list[UsageEntry]) -> str:
    return f"usage: {len(usage)} endpoint(s)"


def account_lines(account: InventoryAccount) -> list[str]:
    """One account's paragraph of :func:`summary_lines`."""
    status = account.status + (f" ({account.status_reason})" if account.status_reason else "")
    lines = [f"{account.label}  {account.client_id}  {status}  "
             f"sources: {', '.join(account.sources) or '-'}"]
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
    return lines
