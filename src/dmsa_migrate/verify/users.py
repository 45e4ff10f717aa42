"""Procore's documented cross-check: the projects a signed-in user sees next to the app's.

List Projects (v1.1) once with the DMSA token and once with a user's token, then compare.
A project the app reaches but the user cannot see is data that user could see through the
integration if it does not filter by the user's own access.
"""

from __future__ import annotations

from typing import Any

from dmsa_migrate.errors import ForbiddenError, NotFoundError
from dmsa_migrate.models.verification import CompanyVerification, UserComparison
from dmsa_migrate.procore import ProcoreClient
from dmsa_migrate.procore.answers import answer_id
from dmsa_migrate.verify import findings as F


async def user_identity(
    client: ProcoreClient, company_id: int | None = None
) -> tuple[int | None, str]:
    """Who the user token acts as. ``/rest/v1.0/me`` gives the name only when asked in a
    company, so ask in one of theirs; without a company it still gives id and login."""
    me: Any = None
    if company_id is not None:
        try:
            me = await client.get(
                "/rest/v1.0/me", company_id=company_id, params={"company_id": company_id}
            )
        except (ForbiddenError, NotFoundError):
            me = None
    if me is None:
        me = await client.me()
    if not isinstance(me, dict):
        return None, ""
    user_id = answer_id(me["id"], "GET /rest/v1.0/me: id") if me.get("id") is not None else None
    return user_id, str(me.get("name") or me.get("login") or "")


async def user_projects(client: ProcoreClient, company_id: int) -> set[int]:
    """Projects of ``company_id`` the user sees (none when the company is not theirs)."""
    try:
        items = await client.get_all(
            "/rest/v1.1/projects", company_id=company_id,
            params={"company_id": company_id, "filters[by_status]": "All"},
        )
    except (ForbiddenError, NotFoundError):
        return set()
    where = "GET /rest/v1.1/projects: id"
    return {answer_id(item["id"], where)
            for item in items if isinstance(item, dict) and "id" in item}


def compare_user(
    company: CompanyVerification, user_id: int | None, user_name: str, seen: set[int]
) -> None:
    """Fill ``company.user_comparison`` and warn when the app reaches beyond the user."""
    app = set(company.permitted_projects)
    company.user_comparison = UserComparison(
        user_id=user_id,
        user_name=user_name,
        user_projects=sorted(seen),
        app_projects=sorted(app),
        both=sorted(app & seen),
        app_only=sorted(app - seen),
        user_only=sorted(seen - app),
    )
    beyond = sorted(app - seen)
    if beyond:
        who = user_name or f"user {user_id}"
        company.findings.append(F.finding(
            F.APP_REACHES_BEYOND_USER,
            f"the app reaches {len(beyond)} project(s) {who} cannot see: {F.id_list(beyond)}",
            beyond,
        ))
