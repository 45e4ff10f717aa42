"""What the DMSA can see and do in each company, read with its own token.

Strategy (docs/verify.md has the request-count formula):

* Discovery: ``GET /rest/v1.0/companies`` needs a ``Procore-Company-Id`` even for a DMSA, so
  the candidate ids (inventory and ``--company-id``) are tried as that header until one
  answers; the answer lists every company where the app is installed. Candidates missing
  from the list are probed once with ``GET /rest/v1.0/me``: 403 "App is not connected to
  this company" means disconnected, 401/403/404 means not installed.
* Per installed company, always: ``/rest/v1.0/me`` (the app's Directory user),
  ``/rest/v1.0/settings/permissions?company_id=`` (effective company levels) and the
  paginated ``/rest/v1.1/projects`` list (the projects it sees, inactive included).
* Project levels, cheapest correct way: when the app can read its own Directory record,
  one paginated ``project_assignments`` call tells which projects carry a hand-set
  template; projects with the same template have the same levels, so one
  ``settings/permissions?project_id=`` per distinct template (plus one for the manifest's
  default) gives every project's levels. Otherwise one ``settings/permissions`` per project,
  with bounded concurrency.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from dmsa_migrate.errors import (
    AppNotConnectedError,
    AuthenticationError,
    CredentialsRejectedError,
    ForbiddenError,
    NotFoundError,
)
from dmsa_migrate.models.verification import InstallStatus, Strategy
from dmsa_migrate.procore import ProcoreClient
from dmsa_migrate.procore.answers import answer_id
from dmsa_migrate.procore.levels import levels_from_tools

logger = logging.getLogger("dmsa_migrate.verify")

DEFAULT_CONCURRENCY = 8
_DEFAULT_GROUP = ""
"""Template group of projects without a hand-set template: they get the manifest's levels."""


@dataclass
class Discovery:
    """Install status and name of every candidate company."""

    status: dict[int, InstallStatus] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)
    installed_elsewhere: list[int] = field(default_factory=list)
    """Companies the app is installed in that were not among the candidates."""


@dataclass
class DmsaView:
    """Everything the DMSA reads about itself in one installed company."""

    company_id: int
    user_id: int | None = None
    user_name: str = ""
    company_levels: dict[str, str] = field(default_factory=dict)
    visible: dict[int, bool] = field(default_factory=dict)
    """Project id → active, for every project the app's project list shows.

    Why plain booleans: a fleet reads 100,000 projects, and an object per project (its
    name included, which nothing compares) was a tenth of verify's CPU."""
    permitted: set[int] = field(default_factory=set)
    project_levels: dict[int, dict[str, str]] = field(default_factory=dict)
    """Project id → its granted levels; projects of one template share one mapping (read,
    never edited)."""
    project_templates: dict[int, str] = field(default_factory=dict)
    """Projects whose assignment names a template: a hand-set Directory template."""
    company_template: str | None = None
    add_to_new_projects: bool | None = None
    company_projects: dict[int, bool] | None = None
    """Every project of the company (from project_assignments) → active, when readable."""
    strategy: Strategy = "none"
    requests: int = 0

    @property
    def directory_admin(self) -> bool:
        return self.company_levels.get("directory") == "admin"


_PROJECT_ID = "a project's id"
_ASSIGNED_ID = "a project's project_id"


def _visible(items: list[Any]) -> dict[int, bool]:
    """Project id → active, of a project list's records (ids checked; others skipped)."""
    states: dict[int, bool] = {}
    for item in items:
        if isinstance(item, dict):
            states[answer_id(item.get("id"), _PROJECT_ID)] = item.get("active") is not False
    return states


class CountingReader:
    """The client's reads, counted for one company (the client is shared by companies
    read concurrently, so its own totals cannot say which company spent what). Counts
    requests as sent once: retries and token fetches are the client's business."""

    def __init__(self, client: ProcoreClient) -> None:
        self.client = client
        self.requests = 0

    async def get(self, path: str, *, company_id: int, params: dict[str, Any] | None = None) -> Any:
        self.requests += 1
        return await self.client.get(path, company_id=company_id, params=params)

    async def get_all(
        self, path: str, *, company_id: int, params: dict[str, Any] | None = None
    ) -> list[Any]:
        items: list[Any] = []
        async for page in self.client.paginate(path, company_id=company_id, params=params):
            self.requests += 1
            items.extend(page)
        return items


# -- discovery ---------------------------------------------------------------------------
async def _status_probe(client: ProcoreClient, company_id: int) -> InstallStatus:
    """Installed, disconnected or not installed, from one ``/rest/v1.0/me`` call."""
    try:
        await client.get("/rest/v1.0/me", company_id=company_id)
    except CredentialsRejectedError:
        raise
    except AppNotConnectedError:
        return "disconnected"
    except (AuthenticationError, ForbiddenError, NotFoundError):
        return "not_installed"
    return "installed"


async def discover(client: ProcoreClient, candidates: Iterable[int]) -> Discovery:
    """Bootstrap ``/rest/v1.0/companies`` from the candidate ids, then classify each."""
    found = Discovery()
    ordered = list(dict.fromkeys(candidates))
    listing: list[Any] | None = None
    for company_id in ordered:
        try:
            listing = await client.get_all(
                "/rest/v1.0/companies",
                company_id=company_id,
                params={"include_free_companies": "true"},
            )
        except CredentialsRejectedError:
            raise
        except AppNotConnectedError:
            found.status[company_id] = "disconnected"
            continue
        except (AuthenticationError, ForbiddenError, NotFoundError):
            found.status[company_id] = "not_installed"
            continue
        break
    installed: dict[int, str] = {}
    for item in listing or []:
        if isinstance(item, dict) and "id" in item:
            installed[answer_id(item["id"], "GET /rest/v1.0/companies: id")] = str(
                item.get("name") or "")
    found.names.update(installed)
    for company_id in ordered:
        if company_id in found.status:
            continue
        if company_id in installed:
            found.status[company_id] = "installed"
        else:
            found.status[company_id] = await _status_probe(client, company_id)
    found.installed_elsewhere = sorted(set(installed) - set(ordered))
    return found


# -- one installed company ------------------------------------------------------------------
async def read_company(
    client: ProcoreClient,
    company_id: int,
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    on_step: Callable[[str], None] | None = None,
) -> DmsaView:
    """Read the DMSA's own user, levels, projects and project levels in ``company_id``.

    Two independent chains run side by side: ``/me`` → Directory record → assignment pages
    (each step needs the one before), and the company levels with the project list. Only
    the project levels need both, so they come last. Run one after the other, the two
    chains cost the sum of their round trips; side by side, the longer one.
    """
    reader = CountingReader(client)
    view = DmsaView(company_id)
    step = on_step or (lambda _message: None)
    c = company_id
    # The identity chain goes first: its /me is the request that probes the company's
    # rate-limit bucket, and everything after it in the chain waits for its answer anyway.
    reads: list[Awaitable[Any]] = [
        _identity_and_directory(reader, view),
        reader.get("/rest/v1.0/settings/permissions", company_id=c, params={"company_id": c}),
        reader.get_all(
            "/rest/v1.1/projects", company_id=c,
            params={"company_id": c, "filters[by_status]": "All"},
        ),
    ]
    directory, company_perms, projects = await client.gather(reads, limit=concurrency)
    assigned: set[int] | None = directory
    view.company_levels = dict(levels_from_tools(company_perms))
    view.visible = _visible(projects)
    view.permitted = set(view.visible)
    step(f"company {c}: {len(view.visible)} projects visible")
    if assigned is not None:
        if view.directory_admin:
            # A Directory admin lists every project; only assignments say which are permitted.
            view.permitted = assigned & set(view.visible) if view.visible else assigned
        await _levels_by_template(reader, view, concurrency)
    else:
        await _levels_per_project(reader, view, concurrency)
    view.requests = reader.requests
    return view


async def _identity_and_directory(reader: CountingReader, view: DmsaView) -> set[int] | None:
    """``/me``, then the app's Directory reads; the assigned projects, None if unreadable."""
    c = view.company_id
    me = await reader.get("/rest/v1.0/me", company_id=c, params={"company_id": c})
    view.user_id = (answer_id(me["id"], "GET /rest/v1.0/me: id")
                    if isinstance(me, dict) and me.get("id") is not None else None)
    view.user_name = str(me.get("name") or me.get("login") or "") if isinstance(me, dict) else ""
    if view.user_id is None:
        return None
    return await _read_directory(reader, view)


async def _read_directory(client: CountingReader, view: DmsaView) -> set[int] | None:
    """The app's own Directory record and project assignments: the projects the app is
    assigned to, or None when its record is not readable."""
    c, user = view.company_id, view.user_id
    try:
        record = await client.get(f"/rest/v1.3/companies/{c}/users/{user}", company_id=c)
    except AppNotConnectedError:
        raise
    except (ForbiddenError, NotFoundError):
        return None
    if isinstance(record, dict):
        view.add_to_new_projects = record.get("add_to_new_projects")
        template = record.get("company_permission_template")
        if isinstance(template, dict) and template.get("name"):
            view.company_template = str(template["name"])
        elif record.get("company_permission_template_id"):
            view.company_template = f"template {record['company_permission_template_id']}"
    assignments = await client.get_all(
        f"/rest/v1.0/companies/{c}/users/{user}/project_assignments",
        company_id=c,
        params={"filters[by_status]": "All"},
    )
    projects: dict[int, bool] = {}
    assigned: set[int] = set()
    for item in assignments:
        if not isinstance(item, dict) or (raw := item.get("project_id")) is None:
            continue
        project_id = answer_id(raw, _ASSIGNED_ID)
        projects[project_id] = item.get("active") is not False
        if item.get("is_assigned"):
            assigned.add(project_id)
            if template := item.get("permission_template_name"):
                view.project_templates[project_id] = str(template)
    view.company_projects = projects
    view.strategy = "directory"
    return assigned


async def _project_permissions(
    client: CountingReader, company_id: int, project_id: int
) -> dict[str, str]:
    body = await client.get(
        "/rest/v1.0/settings/permissions",
        company_id=company_id,
        params={"project_id": project_id},
    )
    levels: dict[str, str] = dict(levels_from_tools(body))
    return levels


async def _levels_by_template(client: CountingReader, view: DmsaView, concurrency: int) -> None:
    """One ``settings/permissions`` per distinct template among the permitted projects."""
    groups: dict[str, list[int]] = {}
    for project_id in sorted(view.permitted):
        groups.setdefault(view.project_templates.get(project_id, _DEFAULT_GROUP), []).append(
            project_id
        )
    names = sorted(groups)
    levels = await client.client.map(
        lambda name: _project_permissions(client, view.company_id, groups[name][0]),
        names,
        limit=concurrency,
    )
    for name, granted in zip(names, levels, strict=True):
        for project_id in groups[name]:
            view.project_levels[project_id] = granted  # one read-only mapping per template


async def _levels_per_project(client: CountingReader, view: DmsaView, concurrency: int) -> None:
    """Without Directory read: one ``settings/permissions`` per permitted project."""
    ordered = sorted(view.permitted)
    levels = await client.client.map(
        lambda project_id: _project_permissions(client, view.company_id, project_id),
        ordered,
        limit=concurrency,
    )
    view.project_levels = dict(zip(ordered, levels, strict=True))
    view.strategy = "per_project"


def usual_levels(view: DmsaView) -> dict[str, str] | None:
    """The level set most permitted projects share: the manifest's, unless edited by hand."""
    if not view.project_levels:
        return None
    counts = Counter(tuple(sorted(levels.items())) for levels in view.project_levels.values())
    return dict(counts.most_common(1)[0][0])
