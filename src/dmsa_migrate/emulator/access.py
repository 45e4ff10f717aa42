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
        # Derived lookups, so that no request scans a whole table (a 10,000-project world
        # answers hundreds of page requests; each used to rebuild these per item).
        self.permitted: dict[tuple[str, int], frozenset[int]] = {
            key: frozenset(i.permitted_projects) for key, i in self.installations.items()
        }
        """Permitted projects of each installation (app client id, company id)."""
        self.install_projects: dict[tuple[int, int], set[int]] = {}
        """(user id, company id) → projects an installation of any status gives that user."""
        self.install_users: dict[int, list[int]] = {}
        """Project → users an installation (any status) permits on it, in world order."""
        for i in world.installations:
            self.install_projects.setdefault((i.user_id, i.company_id), set()).update(
                i.permitted_projects
            )
            for pid in i.permitted_projects:
                self.install_users.setdefault(pid, []).append(i.user_id)
        self.project_members: dict[int, dict[int, int | None]] = {}
        """Project → {user id: template id} of its memberships."""
        for m in world.memberships:
            self.project_members.setdefault(m.project_id, {})[m.user_id] = m.template_id
        self.company_directory: dict[int, list[int]] = {}
        """Company → ids of users with a directory record there, ascending."""
        for user_id, company_id in sorted(self.directory):
            self.company_directory.setdefault(company_id, []).append(user_id)
        self.company_templates: dict[tuple[int, str], list[Template]] = {}
        """(company id, ``project``|``company``) → its templates, in world order."""
        for t in world.templates:
            self.company_templates.setdefault((t.company_id, t.type), []).append(t)
        self._tool_keys: dict[tuple[int, str], list[str]] = {}

    def tool_keys(self, company_id: int, scope: str) -> list[str]:
        """Tool keys ``settings/permissions`` lists at ``scope`` (``company``|``project``):
        ``directory``, every key of the company's templates of that type and every key the
        apps' manifests name there. Computed once per company and scope."""
        key = (company_id, scope)
        if key not in self._tool_keys:
            keys: set[str] = {"directory"}
            for t in self.company_templates.get(key, []):
                keys.update(t.levels)
            for app in self.world.apps:
                manifest = app.permissions
                keys.update(manifest.company if scope == "company" else manifest.project)
            self._tool_keys[key] = sorted(keys)
        return self._tool_keys[key]

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
        permitted = self._permitted(company_id)
        return [
            p
            for p in all_projects
            if p.id in permitted or (user_id, p.id) in self.index.memberships
        ]

    def _permitted(self, company_id: int) -> frozenset[int]:
        """The permitted projects of this token's app installation in ``company_id``."""
        app = self.app
        if app is None:
            return frozenset()
        return self.index.permitted.get((app.client_id, company_id), frozenset())

    def can_see_project(self, project_id: int) -> bool:
        """Whether :meth:`projects` of the project's company lists it (without listing)."""
        project = self.index.projects.get(project_id)
        if project is None:
            return False
        user_id = self.user_in(project.company_id)
        if user_id is None:
            return False
        return (
            self.is_directory_admin(project.company_id)
            or project_id in self._permitted(project.company_id)
            or (user_id, project_id) in self.index.memberships
        )

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
        app = self.app
        if app is not None and project_id in self._permitted(project.company_id):
            return dict(app.permissions.project)
        return {}

    def can_read_directory(self, company_id: int) -> bool:
        """Directory reads need Directory admin or at least readonly on ``directory``."""
        if self.is_directory_admin(company_id):
            return True
        level = self.company_levels(company_id).get("directory", "none")
        return LEVEL_ORDER[level] >= LEVEL_ORDER["readonly"]
