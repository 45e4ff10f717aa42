"""The tool's own inventory and verify, exactly as the CLI runs them (default options)."""

from __future__ import annotations

from dmsa_migrate.emulator import World
from dmsa_migrate.inventory.build import build_inventory
from dmsa_migrate.inventory.context import CollectOptions
from dmsa_migrate.models.accounts import AccountsFile
from dmsa_migrate.models.inventory import Inventory
from dmsa_migrate.models.verification import Verification
from dmsa_migrate.runtime import Connection, client_credentials
from dmsa_migrate.verify import verify_install


async def tool_inventory(
    accounts: AccountsFile, connection: Connection, world: World, options: CollectOptions
) -> Inventory:
    """``dmsa-migrate inventory --accounts FILE`` with the CLI's defaults."""
    return await build_inventory(accounts, connection, options=options)


async def tool_verify(inventory: Inventory, connection: Connection, world: World) -> Verification:
    """``dmsa-migrate verify`` with the app's credentials, the manifest's levels expected."""
    app = world.apps[0]
    return await verify_install(
        inventory,
        connection,
        client_credentials(app.client_id, app.client_secret),
        company_ids=sorted(company.id for company in world.companies),
        expected={"company": dict(app.permissions.company),
                  "project": dict(app.permissions.project)},
    )


def inventory_summary(inventory: Inventory) -> dict[str, int]:
    """Counts that show the run found what the world holds (a sanity check, not a test)."""
    companies = [c for a in inventory.accounts for c in a.companies]
    projects = [p for c in companies for p in c.projects]
    return {
        "accounts": len(inventory.accounts),
        "active": sum(a.status == "active" for a in inventory.accounts),
        "companies": len(companies),
        "projects": len(projects),
        "projects_with_levels": sum(bool(p.permissions) for p in projects),
    }


def verification_summary(verification: Verification) -> dict[str, int]:
    """Counts of the verification result, for the same sanity check."""
    companies = verification.companies
    return {
        "companies": len(companies),
        "installed": sum(c.status == "installed" for c in companies),
        "matched_projects": sum(len(c.matched_projects) for c in companies),
        "missing_projects": sum(len(c.missing_projects) for c in companies),
        "permission_gaps": sum(len(c.permission_gaps) for c in companies),
    }
