"""Deterministic big worlds for benchmarks and scale tests.

Each company gets projects, a project and a company template, a person who is a company
Directory admin, a traditional service account (with memberships on every other project), a
DMSA app installed everywhere with every second project permitted, and directory records for
all of them. Same arguments, same world.
"""

from __future__ import annotations

import datetime as dt

from dmsa_migrate.emulator.world import (
    App,
    AppPermissions,
    Company,
    DirectoryRecord,
    Installation,
    Limits,
    Membership,
    Project,
    ServiceAccount,
    Template,
    User,
    UserToken,
    World,
    WorldInfo,
)

ADMIN_TOKEN = "generated-admin-token"


def generate_world(
    companies: int = 3,
    projects_per_company: int = 20,
    *,
    now: str | None = "2025-02-15T12:00:00Z",
    limits: Limits | None = None,
    dmsa_client_id: str = "dmsa-generated-client",
    dmsa_client_secret: str = "dmsa-generated-secret",
) -> World:
    """A coherent world with ``companies`` x ``projects_per_company`` projects.

    Ids: company ``c`` (1-based) is ``100 + c``; its projects ``c * 10_000 + n``; its
    service-account user ``9000 + c`` with client id ``tsa-<company id>`` and secret
    ``tsa-secret-<company id>``; its DMSA user ``9500 + c``; the admin person ``42`` (token
    ``generated-admin-token``) is Directory admin everywhere.
    """
    rows = _Rows()
    rows.users.append(User(id=42, name="Ada Admin", email="ada@example.com"))
    rows.tokens.append(UserToken(token=ADMIN_TOKEN, user_id=42))
    app = App(
        client_id=dmsa_client_id,
        client_secret=dmsa_client_secret,
        name="Generated Sync",
        permissions=AppPermissions(
            company={"directory": "readonly"}, project={"rfi": "standard", "directory": "readonly"}
        ),
    )
    for c in range(1, companies + 1):
        _company(rows, c, projects_per_company, app)
    when = dt.datetime.fromisoformat(now.replace("Z", "+00:00")) if now else None
    return World(
        world=WorldInfo(name="Generated", now=when, login_user=42),
        limits=limits or Limits(),
        companies=rows.companies,
        projects=rows.projects,
        templates=rows.templates,
        users=rows.users,
        directory=rows.directory,
        memberships=rows.memberships,
        service_accounts=rows.accounts,
        apps=[app],
        installations=rows.installations,
        user_tokens=rows.tokens,
    )


class _Rows:
    def __init__(self) -> None:
        self.companies: list[Company] = []
        self.projects: list[Project] = []
        self.templates: list[Template] = []
        self.users: list[User] = []
        self.directory: list[DirectoryRecord] = []
        self.memberships: list[Membership] = []
        self.accounts: list[ServiceAccount] = []
        self.installations: list[Installation] = []
        self.tokens: list[UserToken] = []


def _company(rows: _Rows, c: int, count: int, app: App) -> None:
    company_id = 100 + c
    rows.companies.append(Company(id=company_id, name=f"Company {c}"))
    project_tpl = Template(
        id=company_id * 10 + 1,
        company_id=company_id,
        name="Integration (project)",
        type="project",
        levels={"rfi": "readonly", "daily_log": "standard", "directory": "readonly"},
    )
    company_tpl = Template(
        id=company_id * 10 + 2,
        company_id=company_id,
        name="Integration (company)",
        type="company",
        levels={"directory": "readonly", "documents": "readonly"},
    )
    rows.templates += [project_tpl, company_tpl]
    tsa_user, dmsa_user = 9000 + c, 9500 + c
    rows.users.append(
        User(id=tsa_user, name=f"ERP Sync {c}", email=f"sa{c}@procore.com", kind="service_account")
    )
    rows.users.append(
        User(id=dmsa_user, name=f"Generated Sync {c}", email=f"dmsa{c}@procore.com", kind="dmsa")
    )
    rows.directory += [
        DirectoryRecord(user_id=42, company_id=company_id, directory_admin=True),
        DirectoryRecord(
            user_id=tsa_user, company_id=company_id, company_template_id=company_tpl.id
        ),
        DirectoryRecord(user_id=dmsa_user, company_id=company_id),
    ]
    rows.accounts.append(
        ServiceAccount(
            client_id=f"tsa-{company_id}",
            client_secret=f"tsa-secret-{company_id}",
            user_id=tsa_user,
            company_id=company_id,
        )
    )
    permitted = []
    for n in range(1, count + 1):
        project_id = c * 10_000 + n
        rows.projects.append(
            Project(
                id=project_id, company_id=company_id, name=f"Project {c}-{n}", active=n % 7 != 0
            )
        )
        if n % 2:
            rows.memberships.append(
                Membership(user_id=tsa_user, project_id=project_id, template_id=project_tpl.id)
            )
            permitted.append(project_id)
    rows.installations.append(
        Installation(
            app_client_id=app.client_id,
            company_id=company_id,
            user_id=dmsa_user,
            permitted_projects=permitted,
        )
    )
