"""The emulator's world file (ARCHITECTURE 3.3, a contract): models, cross-checks, loading.

Why a relational TOML file: a test or a demo describes one Procore tenant landscape
(companies, projects, directory users, templates, old service accounts, DMSA apps and their
installs) in a few readable rows, and the emulator derives every API answer from it. Unknown
keys are errors so a typo never silently changes what the emulator does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from dmsa_migrate.errors import FileFormatError
from dmsa_migrate.fileio import read_text, toml_key_line
from dmsa_migrate.models.accounts import CLIENT_ID_PATTERN
from dmsa_migrate.models.common import Bounded, Finite, Id, Whole, validate_toml

Level = Literal["none", "readonly", "standard", "admin"]
LEVEL_ORDER: dict[str, int] = {"none": 0, "readonly": 1, "standard": 2, "admin": 3}
DEFAULT_SUNSET = dt.date(2025, 3, 18)
BUILTIN_WORLDS = ("demo", "post-sunset")


class _Strict(BaseModel):
    """Every world table forbids unknown keys (a typo is an error, never ignored)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class WorldInfo(_Strict):
    name: str = "World"
    now: dt.datetime | None = None
    sunset: dt.date = DEFAULT_SUNSET
    login_user: Id | None = None
    catalog: bool = True
    """Answer documented operations the world does not model (see emulator/catalog.py)."""

    @field_validator("now")
    @classmethod
    def _aware(cls, value: dt.datetime | None) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value


MAX_REQUESTS = 10**12
"""A rate limit beyond any real one (tests use 10**9 for "no limit")."""
MAX_LATENCY_MS = 60_000.0
"""A minute per answer: slower than any Procore answer; more would look like a hang."""
MAX_WINDOW_S = 7 * 86_400.0
MAX_TOKEN_LIFETIME_S = 366 * 86_400.0
MAX_PAGE = 10_000


class Limits(_Strict):
    """Rate limits, paging and latency. Every number is bounded: ``latency_ms = 1e309``
    (infinity) or ``1e300`` once made the demo wait forever."""

    hourly: Bounded = Field(3600, ge=1, le=MAX_REQUESTS)
    hourly_window_s: Finite = Field(3600.0, gt=0, le=MAX_WINDOW_S)
    spike: Bounded = Field(25, ge=1, le=MAX_REQUESTS)
    spike_window_s: Finite = Field(10.0, gt=0, le=MAX_WINDOW_S)
    max_per_page: Bounded = Field(100, ge=1, le=MAX_PAGE)
    latency_ms: Finite = Field(0.0, ge=0, le=MAX_LATENCY_MS)
    token_lifetime_s: Finite = Field(5400.0, gt=0, le=MAX_TOKEN_LIFETIME_S)


class Faults(_Strict):
    error_rate: Finite = Field(0.0, ge=0, le=1)
    throttle_rate: Finite = Field(0.0, ge=0, le=1)
    drop_rate: Finite = Field(0.0, ge=0, le=1)
    seed: Whole = 0


class Company(_Strict):
    id: Id
    name: str
    is_active: bool = True


class Project(_Strict):
    """A project; the optional fields are documented project fields a world may set (the
    emulator fills the other documented fields with plausible values)."""

    id: Id
    company_id: Id
    name: str
    active: bool = True
    project_number: str | None = None
    address: str | None = None
    city: str | None = None
    state_code: str | None = None
    zip: str | None = None
    country_code: str | None = None
    stage: str | None = None
    project_type: str | None = None
    origin_id: str | None = None
    is_demo: bool = False
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None


class Template(_Strict):
    id: Id
    company_id: Id
    name: str
    type: Literal["project", "company"]
    levels: dict[str, Level] = Field(default_factory=dict)


class User(_Strict):
    id: Id
    name: str
    email: str
    kind: Literal["person", "service_account", "dmsa"] = "person"
    is_active: bool = True
    is_employee: bool | None = None
    job_title: str | None = None
    last_login_at: str | None = None

    @field_validator("last_login_at")
    @classmethod
    def _empty_is_none(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            return None
        if value is not None:
            dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        return value

    @property
    def employee(self) -> bool:
        """``is_employee`` as the API shows it: given, else true for people only."""
        return self.is_employee if self.is_employee is not None else self.kind == "person"


class DirectoryRecord(_Strict):
    user_id: Id
    company_id: Id
    company_template_id: Id | None = None
    add_to_new_projects: bool = False
    directory_admin: bool = False


class Membership(_Strict):
    user_id: Id
    project_id: Id
    template_id: Id | None = None


class ServiceAccount(_Strict):
    client_id: str = Field(pattern=CLIENT_ID_PATTERN.pattern)
    client_secret: str = Field(min_length=1)
    user_id: Id
    company_id: Id
    revoked: bool = False


class AppPermissions(_Strict):
    company: dict[str, Level] = Field(default_factory=dict)
    project: dict[str, Level] = Field(default_factory=dict)


class App(_Strict):
    client_id: str = Field(pattern=CLIENT_ID_PATTERN.pattern)
    client_secret: str = Field(min_length=1)
    name: str
    id: Id | None = None
    permissions: AppPermissions = Field(default_factory=AppPermissions)


class Installation(_Strict):
    app_client_id: str
    company_id: Id
    user_id: Id
    permitted_projects: list[Id] = Field(default_factory=list)
    status: Literal["installed", "disconnected", "uninstalled"] = "installed"
    id: Id | None = None
    semantic_version: str = "1.0.0"


class UserToken(_Strict):
    token: str = Field(min_length=1)
    user_id: Id


class World(_Strict):
    """A whole world file; :func:`check_references` runs the cross-table checks."""

    world: WorldInfo = Field(default_factory=WorldInfo)
    limits: Limits = Field(default_factory=Limits)
    faults: Faults = Field(default_factory=Faults)
    companies: list[Company] = Field(default_factory=list)
    projects: list[Project] = Field(default_factory=list)
    templates: list[Template] = Field(default_factory=list)
    users: list[User] = Field(default_factory=list)
    directory: list[DirectoryRecord] = Field(default_factory=list)
    memberships: list[Membership] = Field(default_factory=list)
    service_accounts: list[ServiceAccount] = Field(default_factory=list)
    apps: list[App] = Field(default_factory=list)
    installations: list[Installation] = Field(default_factory=list)
    user_tokens: list[UserToken] = Field(default_factory=list)


Problem = tuple[tuple[str | int, ...], str]


def _duplicates(table: str, key: str, values: Iterable[Any]) -> list[Problem]:
    seen: set[Any] = set()
    found: list[Problem] = []
    for index, value in enumerate(values):
        if value in seen:
            found.append(((table, index, key), f"duplicate {key} {value!r}"))
        seen.add(value)
    return found


def check_references(world: World) -> list[Problem]:
    """Every cross-table problem as (location, message); empty when the world is coherent.

    Why separate from pydantic: the location must point at the offending row so the error
    names the file line, and one table's rows refer to another's ids.
    """
    problems: list[Problem] = []
    problems += _duplicates("companies", "id", (c.id for c in world.companies))
    problems += _duplicates("projects", "id", (p.id for p in world.projects))
    problems += _duplicates("templates", "id", (t.id for t in world.templates))
    problems += _duplicates("users", "id", (u.id for u in world.users))
    problems += _duplicates("apps", "client_id", (a.client_id for a in world.apps))
    problems += _duplicates(
        "service_accounts", "client_id", (s.client_id for s in world.service_accounts)
    )
    problems += _duplicates("user_tokens", "token", (t.token for t in world.user_tokens))
    problems += _duplicates(
        "directory", "user_id", ((d.user_id, d.company_id) for d in world.directory)
    )
    problems += _duplicates(
        "memberships", "user_id", ((m.user_id, m.project_id) for m in world.memberships)
    )
    problems += _duplicates(
        "installations",
        "company_id",
        ((i.app_client_id, i.company_id) for i in world.installations),
    )
    app_ids = {a.client_id for a in world.apps}
    problems += [
        (("service_accounts", i, "client_id"), f"client_id {s.client_id!r} is also an app's")
        for i, s in enumerate(world.service_accounts)
        if s.client_id in app_ids
    ]
    problems += _table_refs(world)
    return problems


def _table_refs(world: World) -> list[Problem]:
    companies = {c.id for c in world.companies}
    projects = {p.id: p for p in world.projects}
    templates = {t.id: t for t in world.templates}
    users = {u.id for u in world.users}
    apps = {a.client_id for a in world.apps}
    found: list[Problem] = []

    def need(ok: bool, loc: tuple[str | int, ...], message: str) -> None:
        if not ok:
            found.append((loc, message))

    if world.world.login_user is not None:
        need(world.world.login_user in users, ("world", "login_user"), "no such user")
    for i, p in enumerate(world.projects):
        need(p.company_id in companies, ("projects", i, "company_id"), "no such company")
    for i, t in enumerate(world.templates):
        need(t.company_id in companies, ("templates", i, "company_id"), "no such company")
    for i, d in enumerate(world.directory):
        need(d.user_id in users, ("directory", i, "user_id"), "no such user")
        need(d.company_id in companies, ("directory", i, "company_id"), "no such company")
        if d.company_template_id is not None:
            tpl = templates.get(d.company_template_id)
            loc = ("directory", i, "company_template_id")
            need(tpl is not None, loc, "no such template")
            if tpl is not None:
                need(tpl.type == "company", loc, "template is not of type 'company'")
                need(tpl.company_id == d.company_id, loc, "template belongs to another company")
    for i, m in enumerate(world.memberships):
        need(m.user_id in users, ("memberships", i, "user_id"), "no such user")
        project = projects.get(m.project_id)
        need(project is not None, ("memberships", i, "project_id"), "no such project")
        if m.template_id is not None:
            tpl = templates.get(m.template_id)
            loc = ("memberships", i, "template_id")
            need(tpl is not None, loc, "no such template")
            if tpl is not None:
                need(tpl.type == "project", loc, "template is not of type 'project'")
                if project is not None:
                    need(
                        tpl.company_id == project.company_id,
                        loc,
                        "template belongs to another company than the project",
                    )
    for i, s in enumerate(world.service_accounts):
        need(s.user_id in users, ("service_accounts", i, "user_id"), "no such user")
        need(s.company_id in companies, ("service_accounts", i, "company_id"), "no such company")
    for i, inst in enumerate(world.installations):
        need(inst.app_client_id in apps, ("installations", i, "app_client_id"), "no such app")
        need(inst.company_id in companies, ("installations", i, "company_id"), "no such company")
        need(inst.user_id in users, ("installations", i, "user_id"), "no such user")
        for pid in inst.permitted_projects:
            project = projects.get(pid)
            loc = ("installations", i, "permitted_projects")
            need(project is not None, loc, f"no such project {pid}")
            if project is not None:
                need(
                    project.company_id == inst.company_id,
                    loc,
                    f"project {pid} belongs to another company",
                )
    for i, tok in enumerate(world.user_tokens):
        need(tok.user_id in users, ("user_tokens", i, "user_id"), "no such user")
    return found


def parse_world(text: str, source: str) -> World:
    """Parse and validate world TOML text; errors name ``source``, the line and the field."""
    world = validate_toml(World, text, source)
    problems = check_references(world)
    if problems:
        loc, message = problems[0]
        field = ".".join(str(part) for part in loc)
        detail = f"{field}: {message}"
        if len(problems) > 1:
            more = len(problems) - 1
            detail += f" (and {more} more problem{'s' if more > 1 else ''})"
        raise FileFormatError(source, detail, toml_key_line(text, loc))
    return world


def builtin_world_path(name: str) -> Path:
    """The file of a built-in world (``demo``, ``post-sunset``)."""
    root = resources.files("dmsa_migrate.emulator") / "worlds" / f"{name}.toml"
    return Path(str(root))


def load_world(path_or_name: str | Path) -> World:
    """Load a world from a file path or a built-in world's name (``demo``, ``post-sunset``).

    Raises:
        FileFormatError: the file is missing, not TOML, or fails validation; the message
            names the file, the line and the field.
    """
    text_name = str(path_or_name)
    if isinstance(path_or_name, str) and text_name in BUILTIN_WORLDS:
        path = builtin_world_path(text_name)
    else:
        path = Path(path_or_name)
    return parse_world(read_text(path, what="a world file"), str(path))
