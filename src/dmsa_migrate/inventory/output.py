"""Write ``inventory.json`` (or ``.toml``) and the short human summary of a run.

Both files are customer data: written atomically and created 0600 (fileio). TOML has no
null, so keys whose value is null are left out of a TOML file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dmsa_migrate.fileio import atomic_write_json, atomic_write_text
from dmsa_migrate.models.inventory import Inventory


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
