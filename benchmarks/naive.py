"""The naive baseline: what a straightforward script does for the same answers.

One request at a time (nothing concurrent, accounts and companies one after another), the
server's default page size (no ``per_page``), and one ``settings/permissions?project_id=``
call per project for the project tool levels, instead of reading the Directory's
assignments and templates once. It uses the same :class:`ProcoreClient`, so it paces itself
on the rate-limit headers like the tool does: the difference measured is the strategy.
"""

from __future__ import annotations

from typing import Any

from dmsa_migrate.emulator import World
from dmsa_migrate.models.accounts import AccountsFile
from dmsa_migrate.procore import ClientCredentials, ProcoreClient
from dmsa_migrate.procore.pagination import next_url, page_items
from dmsa_migrate.runtime import Connection
from dmsa_migrate.secrets import resolve


async def list_all(
    client: ProcoreClient, path: str, company_id: int, params: dict[str, Any] | None = None
) -> list[Any]:
    """Every page of a list at the server's default page size, one page at a time."""
    response = await client.request("GET", path, company_id=company_id, params=params)
    items = page_items(response)
    while (url := next_url(response)) is not None:
        response = await client.request("GET", url, company_id=company_id)
        items.extend(page_items(response))
    return items


async def project_levels(client: ProcoreClient, company_id: int, projects: list[Any]) -> int:
    """One settings/permissions call per project, sequentially; returns projects with levels."""
    with_levels = 0
    for project in projects:
        body = await client.get(
            "/rest/v1.0/settings/permissions", company_id=company_id,
            params={"project_id": project["id"]},
        )
        tools = body.get("tools", []) if isinstance(body, dict) else []
        levels = [t for t in tools if (t.get("user_access_level") or {}).get("name") != "None"]
        with_levels += bool(levels)
    return with_levels


async def me_levels_and_projects(client: ProcoreClient, company: int) -> list[Any]:
    """What both naive runs read first in a company, one request at a time."""
    await client.get("/rest/v1.0/me", company_id=company, params={"company_id": company})
    await client.get(
        "/rest/v1.0/settings/permissions", company_id=company, params={"company_id": company}
    )
    return await list_all(
        client, "/rest/v1.1/projects", company,
        {"company_id": company, "filters[by_status]": "All"},
    )


async def naive_inventory(accounts: AccountsFile, connection: Connection) -> dict[str, int]:
    """Live probe of each account with per-project permission calls; returns counts."""
    projects_seen = with_levels = 0
    for entry in accounts.accounts:
        secret = resolve(entry.client_secret, field="client_secret")
        company = entry.company_id
        async with connection.client(
            ClientCredentials(entry.client_id, secret), company_id=company
        ) as client:
            await list_all(client, "/rest/v1.0/companies", company)
            projects = await me_levels_and_projects(client, company)
            projects_seen += len(projects)
            with_levels += await project_levels(client, company, projects)
    return {"accounts": len(accounts.accounts), "projects": projects_seen,
            "projects_with_levels": with_levels}


async def naive_verify(
    world: World, connection: Connection, companies: list[int]
) -> dict[str, int]:
    """Per company: /me, company levels, projects, then per-project levels; one at a time."""
    app = world.apps[0]
    permitted = with_levels = 0
    credentials = ClientCredentials(app.client_id, app.client_secret)
    async with connection.client(credentials, company_id=companies[0]) as client:
        await list_all(client, "/rest/v1.0/companies", companies[0])
        for company in companies:
            projects = await me_levels_and_projects(client, company)
            permitted += len(projects)
            with_levels += await project_levels(client, company, projects)
    return {"companies": len(companies), "permitted_projects": permitted,
            "projects_with_levels": with_levels}
