"""Who sees what: the permission semantics of ARCHITECTURE 3.3, derived from the world.

A principal is a token resolved in the context of one company. People and traditional
service accounts act as their directory user; a DMSA acts, per installed company, as the
installation's directory user with the app manifest's levels on its permitted projects.
"""

from __future__ import annotations

from dataclasses import dataclass

from dmsa_migrate.emulator.state import Token
from dmsa_migrate.emulator.world import (
    LEVEL_ORDER,
    App,
    Company,
    DirectoryRecord,
    Installation,
    Membership,
    Project,
    Template,
    User,
    World,
)


class WorldIndex:
    """Lookups over an immutable world, built once."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.companies: dict[int, Company] = {c.id: c for c in world.companies}
        self.projects: dict[int, Project] = {p.id: p for p in world.projects}
        self.templates: dict[int, Template] = {t.id: t for t in world.templates}
        self.users: dict[int, User] = {u.id: u for u in world.users}
        self.apps: dict[str, App] = {a.client_id: a for a in world.apps}
        self.service_accounts = {s.client_id: s for s in world.service_accounts}
        self.directory: dict[tuple[int, int], DirectoryRecord] = {
            (d.user_id, d.company_id): d for d in world.directory
        }
        self.memberships: dict[tuple[int, int], Membership] = {
            (m.user_id, m.project_id): m for m in world.memberships
        }
        self.installations: dict[tuple[str, int], Installation] = {
            (i.app_client_id, i.company_id): i for i in world.installations
        }
        self.installation_ids: dict[tuple[str, int], int] = {
            (i.app_client_id, i.company_id): (i.id if i.id is not None else 700_000 + n)
            for n, i in enumerate(world.installations, start=1)
        }
        self.company_projects: dict[int, list[Project]] = {}
        for p in world.projects:
            self.company_projects.setdefault(p.company_id, []).append(p)

    def app_id(self, app: App) -> int:
        ids = list(self.apps)
        return app.id if app.id is not None else 800_000 + ids.index(app.client_id) + 1


@dataclass(frozen=True)
class Principal:
    """A live token; methods answer visibility and level questions for it."""

    token: Token
    index: WorldIndex

    @property
    def app(self) -> App | None:
        if self.token.kind != "dmsa" or self.token.client_id is None:
            return None
        return self.index.apps.get(self.token.client_id)

    def installation(self, company_id: int) -> Installation | None:
        app = self.app
        return None if app is None else self.index.installations.get((app.client_id, company_id))

    def user_in(self, company_id: int) -> int | None:
        """The directory user this token acts as in ``company_id`` (None: no access there)."""
        if self.token.kind == "dmsa":
            inst = self.installation(company_id)
            return inst.user_id if inst is not None and inst.status == "installed" else None
        if self.token.kind == "tsa" and self.token.company_id != company_id:
            return None
        user_id = self.token.user_id
        if user_id is None or (user_id, company_id) not in self.index.directory:
            return None
        return user_id

    def record(self, company_id: int) -> DirectoryRecord | None:
        user_id = self.user_in(company_id)
        return None if user_id is None else self.index.directory.get((user_id, company_id))

    def companies(self) -> list[Company]:
        """Companies listed by /rest/v1.0/companies for this token."""
        return [c for c in self.index.world.companies if self.user_in(c.id) is not None]

    def can_see_company(self, company_id: int) -> bool:
        return company_id in self.index.companies and self.user_in(company_id) is not None

    def is_directory_admin(self, company_id: int) -> bool:
        record = self.record(company_id)
        return record is not None and record.directory_admin

    def projects(self, company_id: int) -> list[Project]:
        """Projects of ``company_id`` this token can list (any status)."""
        user_id = self.user_in(company_id)
        if user_id is None:
            return []
        all_projects = self.index.company_projects.get(company_id, [])
        if self.is_directory_admin(company_id):
            return list(all_projects)
        permitted: set[int] = set()
        inst = self.installation(company_id)
        if inst is not None:
            permitted.update(inst.permitted_projects)
        return [
            p
            for p in all_projects
            if p.id in permitted or (user_id, p.id) in self.index.memberships
        ]

    def can_see_project(self, project_id: int) -> bool:
        project = self.index.projects.get(project_id)
        if project is None:
            return False
        return any(p.id == project_id for p in self.projects(project.company_id))

    def company_levels(self, company_id: int) -> dict[str, str]:
        """Company-level tool levels (tools at none may be absent)."""
        record = self.record(company_id)
        if record is None:
            return {}
        levels: dict[str, str] = {}
        app = self.app
        if app is not None:
            levels.update(app.permissions.company)
        if record.company_template_id is not None:
            # A company template on the directory record: for a DMSA user this is a manual
            # Directory edit, and Procore applies the template, not the manifest.
            levels = dict(self.index.templates[record.company_template_id].levels)
        if record.directory_admin:
            levels["directory"] = "admin"
        return levels

    def project_levels(self, project_id: int) -> dict[str, str]:
        """Project-level tool levels on a project this token can see."""
        project = self.index.projects.get(project_id)
        if project is None or not self.can_see_project(project_id):
            return {}
        user_id = self.user_in(project.company_id)
        membership = self.index.memberships.get((user_id or 0, project_id))
        if membership is not None and membership.template_id is not None:
            return dict(self.index.templates[membership.template_id].levels)
        inst = self.installation(project.company_id)
        app = self.app
        if app is not None and inst is not None and project_id in inst.permitted_projects:
            return dict(app.permissions.project)
        return {}

    def can_read_directory(self, company_id: int) -> bool:
        """Directory reads need Directory admin or at least readonly on ``directory``."""
        if self.is_directory_admin(company_id):
            return True
        level = self.company_levels(company_id).get("directory", "none")
        return LEVEL_ORDER[level] >= LEVEL_ORDER["readonly"]
