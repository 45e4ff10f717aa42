"""Rebuild an old account's access from the Company Directory.

Since the 2025-03-18 sunset a traditional credential gets no token, so its access is read
from the outside, with a credential that may read the Directory (an admin's user token, a
DMSA with Directory read, or the old account's own token while it still works):

1. its directory user (``GET /rest/v1.3/companies/{c}/users/{id}``): name, login, company
   permission template, "add to new projects";
2. the company template's tool levels (``GET .../permission_templates/{id}``);
3. every project of the company with whether the user is assigned and with which template
   (``GET .../users/{id}/project_assignments``, paginated);
4. the company's project templates with their levels, once per company
   (``GET .../permission_templates?filters[type]=project_tools&view=with_permissions``).

The user record (then its company template), the assignments and the templates need
nothing from one another but the user's id, so :meth:`DirectoryReader.user_access` sends
them side by side: one user costs the chain of its longest list, not the sum of its reads.

Project levels come from matching the assignment's template *name* to the templates list;
only when a name is missing or ambiguous does one project cost a request
(``GET /rest/v1.0/projects/{p}/users?filters[id]=...`` gives the template id). A company
Directory admin (Admin on the company ``directory`` tool) sees every project of the
company, so every project is listed for it, with tool levels only where it is assigned.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any, TypeVar

from dmsa_migrate.errors import ApiError, ForbiddenError, NotFoundError
from dmsa_migrate.inventory.candidates import rank_candidates
from dmsa_migrate.inventory.evidence import Candidate, CompanySeen, ProjectSeen, UserSeen
from dmsa_migrate.models.common import Level, Source
from dmsa_migrate.procore import ProcoreClient
from dmsa_migrate.procore.answers import answer_id, answer_records
from dmsa_migrate.procore.levels import levels_from_template

USERS_PATH = "/rest/v1.3/companies/{company_id}/users"

T = TypeVar("T")


@dataclass
class UserAccess:
    """What the Directory says of one user in one company.

    ``user`` is ``None`` when its record was refused or not found, ``company`` when any
    read was; ``refused`` is then the first refusal (a 403 or 404), in the order the reads
    were sequential before they ran side by side: the record, then the rest.
    """

    user: UserSeen | None
    company: CompanySeen | None
    refused: ApiError | None = None


class DirectoryReader:
    """Directory reads through one client, with per-company caches shared by all accounts.

    Args:
        client: a client whose principal may read the Directory of the companies asked.
        source: the evidence source its facts are tagged with (``directory`` for the
            ``[directory]`` credential, ``live`` for the old account's own token).
        per_page: page size asked for on lists.
    """

    def __init__(self, client: ProcoreClient, source: Source, per_page: int = 100) -> None:
        self.client = client
        self.source: Source = source
        self.per_page = per_page
        self._company_names: dict[int, str] | None = None
        self._project_templates: dict[int, list[dict[str, Any]]] = {}
        # Accounts run concurrently (build.py): a cached read is sent once, the others wait.
        self._names_lock = asyncio.Lock()
        self._template_locks: dict[int, asyncio.Lock] = {}

    async def company_names(self, company_id: int) -> dict[int, str]:
        """Companies this credential can see (one list, read once per run)."""
        async with self._names_lock:
            return await self._read_company_names(company_id)

    async def _read_company_names(self, company_id: int) -> dict[int, str]:
        if self._company_names is None:
            items = await self.client.get_all(
                "/rest/v1.0/companies", company_id=company_id, per_page=self.per_page
            )
            where = "GET /rest/v1.0/companies"
            self._company_names = {
                answer_id(item["id"], f"{where}: id"): str(item.get("name") or "")
                for item in answer_records(items, where) if "id" in item
            }
        return self._company_names

    async def candidates(self, company_id: int, label: str) -> list[Candidate]:
        """Company users that look like a service account, best first (never one picked)."""
        users = await self.client.get_all(
            USERS_PATH.format(company_id=company_id), company_id=company_id,
            per_page=self.per_page,
        )
        return rank_candidates(answer_records(users, USERS_PATH.format(company_id=company_id)),
                               label)

    async def user(self, company_id: int, user_id: int) -> tuple[UserSeen, dict[str, Any]]:
        """The directory user and its raw record."""
        body = await self.client.get(
            f"{USERS_PATH.format(company_id=company_id)}/{user_id}", company_id=company_id
        )
        record = body if isinstance(body, dict) else {}
        seen = UserSeen(
            self.source,
            user_id,
            str(record.get("name") or ""),
            str(record.get("email_address") or record.get("login") or ""),
        )
        return seen, record

    async def user_access(self, company_id: int, user_id: int) -> UserAccess:
        """The user, its company levels and every project it reaches, read side by side.

        A refusal (403/404) becomes :attr:`UserAccess.refused`; any other failure is
        raised, and the reads still in flight are then cancelled (the run stops).
        """
        record_read = started(self.user(company_id, user_id))
        assignments_read = started(self._assignments(company_id, user_id))
        templates_read = started(self._templates_by_name(company_id))
        user: UserSeen | None = None
        try:
            user, record = await record_read
            company_levels = await self._company_levels(company_id, record)
            company = await self._assemble(
                company_id, user_id, record, company_levels,
                await assignments_read, await templates_read,
            )
        except (ForbiddenError, NotFoundError) as exc:
            # The other reads are let end, not cut off (a request cancelled in flight is
            # sent but never counted); what they found is not used.
            await asyncio.gather(assignments_read, templates_read, return_exceptions=True)
            return UserAccess(user, None, exc)
        finally:
            for read in (record_read, assignments_read, templates_read):
                read.cancel()  # a no-op on those already done (only another failure cuts off)
        return UserAccess(user, company)

    async def _assignments(self, company_id: int, user_id: int) -> list[Any]:
        return await self.client.get_all(
            f"/rest/v1.0/companies/{company_id}/users/{user_id}/project_assignments",
            company_id=company_id,
            per_page=self.per_page,
        )

    async def _assemble(
        self,
        company_id: int,
        user_id: int,
        record: dict[str, Any],
        company_levels: dict[str, Level],
        assignments: list[Any],
        by_name: dict[str, list[dict[str, Level]]],
    ) -> CompanySeen:
        """The user's company from its reads: its company levels and every project it
        reaches (a Directory admin sees them all, with levels only where assigned)."""
        directory_admin = company_levels.get("directory") == "admin"
        projects: list[ProjectSeen] = []
        where = f"GET /rest/v1.0/companies/{company_id}/users/{user_id}/project_assignments"
        for item in answer_records(assignments, where):
            assigned = bool(item.get("is_assigned"))
            if not assigned and not directory_admin:
                continue
            project = ProjectSeen(
                id=answer_id(item.get("project_id"), f"{where}: project_id"),
                name=str(item.get("name") or ""),
                active=bool(item.get("active", True)),
                permissions={},
                assigned=assigned,
            )
            if assigned:
                project.permissions = await self._project_levels(
                    company_id, user_id, project.id, item.get("permission_template_name"), by_name
                )
            projects.append(project)
        names = await self.company_names(company_id)
        add_to_new = record.get("add_to_new_projects")
        return CompanySeen(
            source=self.source,
            id=company_id,
            name=names.get(company_id, ""),
            permissions=company_levels,
            projects=projects,
            projects_complete=True,
            directory_admin=directory_admin,
            add_to_new_projects=add_to_new if isinstance(add_to_new, bool) else None,
        )

    async def _company_levels(self, company_id: int, record: dict[str, Any]) -> dict[str, Level]:
        template_id = record.get("company_permission_template_id")
        if template_id is None and isinstance(record.get("company_permission_template"), dict):
            template_id = record["company_permission_template"].get("id")
        if template_id is None:
            return {}
        body = await self.client.get(
            f"/rest/v1.0/companies/{company_id}/permission_templates/"
            f"{answer_id(template_id, 'the user record: company_permission_template_id')}",
            company_id=company_id,
        )
        return levels_from_template(body)

    async def _templates(self, company_id: int) -> list[dict[str, Any]]:
        async with self._template_locks.setdefault(company_id, asyncio.Lock()):
            return await self._read_templates(company_id)

    async def _read_templates(self, company_id: int) -> list[dict[str, Any]]:
        if company_id not in self._project_templates:
            path = f"/rest/v1.0/companies/{company_id}/permission_templates"
            self._project_templates[company_id] = answer_records(await self.client.get_all(
                path,
                company_id=company_id,
                params={"filters[type]": "project_tools", "view": "with_permissions"},
                per_page=self.per_page,
            ), f"GET {path}")
        return self._project_templates[company_id]

    async def _templates_by_name(self, company_id: int) -> dict[str, list[dict[str, Level]]]:
        by_name: dict[str, list[dict[str, Level]]] = {}
        for template in await self._templates(company_id):
            levels = levels_from_template(template)
            known = by_name.setdefault(str(template.get("name") or ""), [])
            if levels not in known:
                known.append(levels)
        return by_name

    async def _project_levels(
        self,
        company_id: int,
        user_id: int,
        project_id: int,
        template_name: Any,
        by_name: dict[str, list[dict[str, Level]]],
    ) -> dict[str, Level]:
        """Levels of the user's template on one project; one request only if the name is
        missing or shared by templates with different levels."""
        if isinstance(template_name, str) and len(by_name.get(template_name, [])) == 1:
            return dict(by_name[template_name][0])
        members = await self.client.get_all(
            f"/rest/v1.0/projects/{project_id}/users",
            company_id=company_id,
            params={"filters[id]": user_id},
            per_page=self.per_page,
        )
        for member in answer_records(members, f"GET /rest/v1.0/projects/{project_id}/users"):
            template = member.get("permission_template")
            if member.get("id") == user_id and isinstance(template, dict):
                for candidate in await self._templates(company_id):
                    if candidate.get("id") == template.get("id"):
                        return levels_from_template(candidate)
        return {}


def started(read: Awaitable[T]) -> asyncio.Future[T]:
    """``read`` running now; a failure nobody awaits (its read was cancelled or came second)
    is marked seen so asyncio does not warn about it."""
    future = asyncio.ensure_future(read)
    future.add_done_callback(_seen)
    return future


def _seen(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()
