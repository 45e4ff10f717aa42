"""Ask the old credential itself: does it still get a token, and what does it see?

Sequence for one account whose company is ``C`` (a traditional account works only in the
company that created it, and every client-credentials call carries ``Procore-Company-Id``):

1. ``POST /oauth/token`` (client credentials), alone;
2. ``GET /rest/v1.0/me?company_id=C``: its directory user (``company_id`` makes ``name``
   come back), and beside it
3. ``GET /rest/v1.0/companies``: the companies it sees (paginated);
4. per company ``K``: ``GET /rest/v1.0/settings/permissions?company_id=K`` (company tool
   levels) and ``GET /rest/v1.1/projects?company_id=K&filters[by_status]=All`` (every
   visible project, active or not; paginated).

Project tool levels are filled afterwards by :func:`fill_project_levels`, the cheapest way
available: nothing if the Directory reconstruction already gave them, else the account's
own Directory read (assignments + templates: a few pages), else one
``settings/permissions?project_id=`` per project with bounded concurrency.
"""

from __future__ import annotations

import asyncio
import datetime as dt

from dmsa_migrate.errors import AuthenticationError, ForbiddenError, NotFoundError
from dmsa_migrate.inventory.directory import DirectoryReader, started
from dmsa_migrate.inventory.evidence import AccountEvidence, CompanySeen, ProjectSeen, UserSeen
from dmsa_migrate.models.common import LEVEL_ORDER, Level
from dmsa_migrate.procore import ProcoreClient
from dmsa_migrate.procore.answers import answer_id, answer_record, answer_records
from dmsa_migrate.procore.levels import levels_from_tools

SUNSET = dt.date(2025, 3, 18)
"""Traditional service accounts stopped working on this day (procore-facts.md 1.1)."""


def rejection_reason(message: str | None, today: dt.date) -> str:
    """``sunset``, ``revoked`` or ``invalid`` for a refused token request.

    Procore's refusal is a bare ``invalid_client``: the text is read first (a revoked or
    sunset message), then the date decides. After the sunset every traditional credential
    is refused whatever else is wrong with it, so a bare refusal then counts as ``sunset``.
    """
    text = (message or "").lower()
    if "revoked" in text or "reset" in text:
        return "revoked"
    if "sunset" in text or "no longer supported" in text:
        return "sunset"
    if today >= SUNSET:
        return "sunset"
    return "invalid"


async def probe(
    client: ProcoreClient, evidence: AccountEvidence, company_id: int, today: dt.date,
    per_page: int,
) -> int | None:
    """Steps 1-4 above into ``evidence``; returns the account's user id, None if refused.

    The token comes first, alone (a refused credential then costs its one token request);
    ``/me`` and the companies list then go out side by side, and so do each company's
    levels and projects.
    """
    try:
        await client.tokens.token()
    except AuthenticationError as exc:
        _rejected(evidence, exc, today)
        return None
    listing = started(client.get_all(
        "/rest/v1.0/companies", company_id=company_id, per_page=per_page
    ))
    try:
        me = await client.get("/rest/v1.0/me", company_id=company_id,
                              params={"company_id": company_id})
    except AuthenticationError as exc:
        await asyncio.gather(listing, return_exceptions=True)  # let end: counted, unused
        _rejected(evidence, exc, today)
        return None
    else:
        evidence.status = "active"
        me = answer_record(me, "GET /rest/v1.0/me")
        user_id = answer_id(me.get("id"), "GET /rest/v1.0/me: id")
        evidence.users.append(
            UserSeen("live", user_id, str(me.get("name") or ""), str(me.get("login") or ""))
        )
        companies = [
            (answer_id(item.get("id"), "GET /rest/v1.0/companies: id"),
             str(item.get("name") or ""))
            for item in answer_records(await listing, "GET /rest/v1.0/companies")
        ]
    finally:
        listing.cancel()  # a no-op once it is done
    evidence.companies.extend(await client.map(
        lambda seen: _company(client, seen[0], seen[1], per_page), companies
    ))
    return user_id


def _rejected(evidence: AccountEvidence, exc: AuthenticationError, today: dt.date) -> None:
    evidence.status = "rejected"
    evidence.status_reason = rejection_reason(exc.procore_message, today)
    evidence.status_detail = exc.procore_message or f"answered {exc.status}"


async def _company(client: ProcoreClient, company_id: int, name: str, per_page: int) -> CompanySeen:
    levels = started(client.get(
        "/rest/v1.0/settings/permissions", company_id=company_id,
        params={"company_id": company_id},
    ))
    try:
        projects = await client.get_all(
            "/rest/v1.1/projects",
            company_id=company_id,
            params={"company_id": company_id, "filters[by_status]": "All"},
            per_page=per_page,
        )
        body = await levels
    finally:
        levels.cancel()  # a no-op once it is done
    return CompanySeen(
        source="live",
        id=company_id,
        name=name,
        permissions=levels_from_tools(body),
        projects=[
            ProjectSeen(answer_id(p.get("id"), "GET /rest/v1.1/projects: id"),
                        str(p.get("name") or ""), bool(p.get("active", True)))
            for p in answer_records(projects, "GET /rest/v1.1/projects")
        ],
    )


async def fill_project_levels(
    client: ProcoreClient,
    company: CompanySeen,
    user_id: int,
    *,
    per_page: int,
    concurrency: int,
    notes: list[str],
) -> None:
    """Give every live project its tool levels, by the cheapest means the token allows."""
    if not company.projects:
        return
    if _may_read_directory(company.permissions or {}):
        access = await DirectoryReader(client, "live", per_page).user_access(company.id, user_id)
        seen = access.company
        if seen is None:
            status = access.refused.status if access.refused is not None else "refused"
            notes.append(f"company {company.id}: own Directory read refused ({status}); "
                         "reading tool levels project by project")
        else:
            levels = {p.id: p.permissions for p in seen.projects}
            for project in company.projects:
                project.permissions = dict(levels.get(project.id) or {})
            company.directory_admin = seen.directory_admin
            company.add_to_new_projects = seen.add_to_new_projects
            return

    async def one(project: ProjectSeen) -> None:
        try:
            body = await client.get(
                "/rest/v1.0/settings/permissions", company_id=company.id,
                params={"project_id": project.id},
            )
        except (ForbiddenError, NotFoundError) as exc:
            notes.append(f"project {project.id}: tool levels not readable ({exc.status})")
            return
        project.permissions = levels_from_tools(body)

    await client.map(one, company.projects, limit=concurrency)


def _may_read_directory(levels: dict[str, Level]) -> bool:
    return LEVEL_ORDER[levels.get("directory", "none")] >= LEVEL_ORDER["readonly"]
