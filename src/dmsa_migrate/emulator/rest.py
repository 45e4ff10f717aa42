"""The API host: the ``/rest/v1.x`` endpoints the migration tool reads.

Field names, parameters and statuses follow procore-api-surface.md sections 0-2 and
procore-facts.md sections 3-5. Where Procore documents nothing (level ids, some messages,
which permission an endpoint needs) the choice is marked INFERRED here and in
docs/emulator.md.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from dmsa_migrate.emulator.http import Response, error, json_response, paginate
from dmsa_migrate.emulator.oas import defaults_for
from dmsa_migrate.emulator.projects import (
    display_name,
    project_filter_problem,
    select_projects,
)
from dmsa_migrate.emulator.world import LEVEL_ORDER, Project, Template, User

if TYPE_CHECKING:
    from dmsa_migrate.emulator.app import Context

NOT_CONNECTED = "App is not connected to this company"
FORBIDDEN = "You do not have permission to perform this action"
OUTSIDE_SCOPE = "Resource outside access scope"
V11_PROJECTS_MAX_PER_PAGE = 300
"""``GET /rest/v1.1/projects``: "The max page size is 300 projects" (its OAS description)."""
# INFERRED: Procore publishes no level ids; the one published example is {id: 4, name: "Admin"}.
LEVEL_IDS = {"none": 1, "readonly": 2, "standard": 3, "admin": 4}
LEVEL_NAMES = {"none": "None", "readonly": "Read Only", "standard": "Standard", "admin": "Admin"}


def dmsa_install_check(ctx: Context, company_id: int, header: bool = False) -> Response | None:
    """401/403/404 for a DMSA token in a company where its app is not usable, else None.

    Disconnected or uninstalled: 403 "App is not connected to this company" (procore-facts
    4.5). Never installed: 401 when named by the header (the reference: "401 ... or the app
    is not installed"), 404 for a company named only in the path or query.
    """
    inst = ctx.caller.installation(company_id)
    if inst is None or company_id not in ctx.emu.index.companies:
        if header:
            return error(401, "The app is not installed in this company")
        return error(404, "Company not found")
    if inst.status != "installed":
        return error(403, NOT_CONNECTED)
    return None


def company_gate(ctx: Context, company_id: int) -> Response | None:
    """404 when the caller cannot see the company (403 for a disconnected DMSA install)."""
    if ctx.caller.token.kind == "dmsa":
        refused = dmsa_install_check(ctx, company_id)
        if refused is not None:
            return refused
    if not ctx.caller.can_see_company(company_id):
        return error(404, "Company not found")
    return None


def _directory_gate(ctx: Context, company_id: int) -> Response | None:
    refused = company_gate(ctx, company_id)
    if refused is not None:
        return refused
    if not ctx.caller.can_read_directory(company_id):
        return error(403, FORBIDDEN)
    return None


def _int_param(ctx: Context, name: str) -> int | None:
    raw = ctx.request.param(name)
    try:
        return int(raw) if raw not in (None, "") else None
    except ValueError:
        return None


def _max(ctx: Context, documented: int | None = None) -> int:
    """The page-size cap: the world's ``max_per_page``; for an endpoint whose OAS documents
    its own maximum, that maximum, lowered only by a world that sets ``max_per_page``."""
    limits = ctx.emu.world.limits
    if documented is None:
        return limits.max_per_page
    if "max_per_page" in limits.model_fields_set:
        return min(documented, limits.max_per_page)
    return documented


def _iso(moment: dt.datetime | None, fallback: float) -> str:
    when = moment or dt.datetime.fromtimestamp(fallback, dt.UTC)
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _template_ref(template: Template | None) -> dict[str, Any] | None:
    if template is None:
        return None
    return {
        "id": template.id,
        "name": template.name,
        "project_specific": False,
        "type": "company_tools" if template.type == "company" else "global",
    }


# -- identity -------------------------------------------------------------------------
def me(ctx: Context) -> Response:
    """GET /rest/v1.0/me: ``id``, ``login``, ``name`` (name only with company/project id)."""
    caller = ctx.caller
    user_id = caller.token.user_id
    if caller.token.kind == "dmsa":
        user_id = caller.user_in(ctx.company) if ctx.company is not None else None
    user = ctx.emu.index.users.get(user_id or 0)
    if user is None:
        return error(404, "User not found")
    scoped = ctx.request.param("company_id") or ctx.request.param("project_id")
    return json_response(
        200, {"id": user.id, "login": user.email, "name": user.name if scoped else None}
    )


def companies(ctx: Context) -> Response:
    """GET /rest/v1.0/companies: where the caller has a directory record (DMSA: installed)."""
    caller = ctx.caller
    user = ctx.emu.index.users.get(caller.token.user_id or 0)
    items: list[dict[str, Any]] = []
    for company in caller.companies():
        items.append(
            {
                "id": company.id,
                "name": company.name,
                "is_active": company.is_active,
                "logo_url": None,
                "pcn_business_experience": False,
                "my_company": bool(user is not None and user.employee and not items),
            }
        )
    return paginate(ctx.request, items, _max(ctx))


# -- projects -------------------------------------------------------------------------
def _project_list(ctx: Context, version: str) -> tuple[list[Project], Response | None]:
    company_id = _int_param(ctx, "company_id")
    if company_id is None:
        return [], error(400, "company_id is required")
    refused = company_gate(ctx, company_id)
    if refused is not None:
        return [], refused
    problem = project_filter_problem(ctx.request, version)
    if problem is not None:
        return [], error(400, problem)
    visible = sorted(ctx.caller.projects(company_id), key=lambda p: p.id)
    return select_projects(ctx.request, visible, version, ctx.emu.started_at), None


def _project_json(ctx: Context, project: Project, template: str) -> dict[str, Any]:
    """A project with every field the OAS documents for ``template``: the world's values,
    then plausible values for what the world does not model."""
    company = ctx.emu.index.companies[project.company_id]
    created = _iso(project.created_at, ctx.emu.started_at)
    modelled = {
        "id": project.id,
        "name": project.name,
        "display_name": display_name(project),
        "project_number": project.project_number,
        "active": project.active,
        "company": {"id": company.id, "name": company.name},
        "address": project.address,
        "city": project.city,
        "state_code": project.state_code,
        "zip": project.zip,
        "country_code": project.country_code,
        "stage": project.stage,
        "project_stage": None,
        "origin_id": project.origin_id,
        "origin_data": None,
        "origin_code": None,
        "is_demo": project.is_demo,
        "created_at": created,
        "updated_at": _iso(project.updated_at, ctx.emu.started_at)
        if project.updated_at
        else created,
        "custom_fields": {},
        "parent_job": None,
        "parent_job_id": None,
        "owners_project_id": None,
        "photo_id": None,
        "project_template": None,
    }
    return {**defaults_for("GET", template, ctx.now), **modelled}


def projects_v10(ctx: Context) -> Response:
    """GET /rest/v1.0/projects (``serializer_view=compact``: id, name, display_name)."""
    chosen, refused = _project_list(ctx, "v1.0")
    if refused is not None:
        return refused
    compact = ctx.request.param("serializer_view") == "compact"

    def render(project: Project) -> dict[str, Any]:
        item = _project_json(ctx, project, "/rest/v1.0/projects")
        return {k: item[k] for k in ("id", "name", "display_name")} if compact else item

    return paginate(ctx.request, chosen, _max(ctx), render)


def projects_v11(ctx: Context) -> Response:
    """GET /rest/v1.1/projects (``view``: ``ids``, ``compact`` id+name, ``normal``,
    ``extended``); default 100 a page, at most 300 (its OAS description)."""
    chosen, refused = _project_list(ctx, "v1.1")
    if refused is not None:
        return refused
    view = ctx.request.param("view") or "normal"

    def render(project: Project) -> Any:
        if view == "ids":
            return project.id
        if view == "compact":
            return {"id": project.id, "name": project.name}
        return _project_json(ctx, project, "/rest/v1.0/projects")

    return paginate(ctx.request, chosen, _max(ctx, V11_PROJECTS_MAX_PER_PAGE), render)


def company_projects(ctx: Context) -> Response:
    """GET /rest/v1.0/companies/{company_id}/projects (Company Settings, company-projects):
    the caller's visible projects of the company, every status, in the OAS's shape
    (``address{street,city,state_code,zip,country_code}``, ``stage_name``, ``status_name``,
    ``type_name``, ``open_items``, ``created_by``). Not paginated: the OAS lists no
    ``page``/``per_page`` for it. Who may call it is not documented (INFERRED: whoever may
    list the company's projects)."""
    company_id = ctx.ids["company_id"]
    refused = company_gate(ctx, company_id)
    if refused is not None:
        return refused
    defaults = defaults_for("GET", "/rest/v1.0/companies/{company_id}/projects", ctx.now)
    items = []
    for project in sorted(ctx.caller.projects(company_id), key=lambda p: p.id):
        address = {
            "street": project.address,
            "city": project.city,
            "state_code": project.state_code,
            "zip": project.zip,
            "country_code": project.country_code,
        }
        items.append(
            {
                **defaults,
                "id": project.id,
                "name": project.name,
                "address": address,
                "stage_name": project.stage,
                "status_name": "Active" if project.active else "Inactive",
                "type_name": project.project_type,
                "open_items": [],
                "created_by": None,
            }
        )
    return json_response(200, items)


# -- company directory ----------------------------------------------------------------
def _user_json(ctx: Context, user: User, company_id: int) -> dict[str, Any]:
    index = ctx.emu.index
    record = index.directory.get((user.id, company_id))
    company_tpl = None
    if record is not None and record.company_template_id is not None:
        company_tpl = index.templates.get(record.company_template_id)
    first, _, last = user.name.partition(" ")
    initials = "".join(part[0] for part in user.name.split()[:2]).upper()
    return {
        "initials": initials or None,
        "avatar": None,
        "origin_id": None,
        "origin_data": None,
        "notes": None,
        "id": user.id,
        "name": user.name,
        "first_name": first,
        "last_name": last or None,
        "email_address": user.email,
        "is_active": user.is_active,
        "is_employee": user.employee,
        "job_title": user.job_title,
        "last_login_at": user.last_login_at,
        "employee_id": None,
        "vendor": None,
        "role": None,
        "permission_template": None,
        "company_permission_template": _template_ref(company_tpl),
    }


def _version(ctx: Context) -> str:
    """``v1.0`` … ``v1.3`` from the request path ``/rest/v1.N/...``."""
    return ctx.request.path.split("/")[2]


def _versioned_user(
    ctx: Context, body: dict[str, Any], template: str
) -> dict[str, Any]:
    """A company user in the shape its path's version documents.

    v1.0 to v1.2 document their fields in the OAS: the answer is exactly that field set
    (the world's values where it models them, plausible values elsewhere). v1.3's OAS
    documents no fields; it keeps the shape the SDK docs show (with ``role``).
    """
    version = _version(ctx)
    if version == "v1.3":
        return body
    defaults = defaults_for("GET", template.replace("{version}", version), ctx.now)
    if not defaults:
        return body
    return {key: body.get(key, value) for key, value in defaults.items()}


def company_users(ctx: Context) -> Response:
    """GET /rest/v1.{0-3}/companies/{company_id}/users: active directory users."""
    company_id = ctx.ids["company_id"]
    refused = _directory_gate(ctx, company_id)
    if refused is not None:
        return refused
    index = ctx.emu.index
    search = (ctx.request.param("filters[search]") or "").lower()
    chosen = []
    for user_id in index.company_directory.get(company_id, []):
        user = index.users.get(user_id)
        if user is None or not user.is_active:
            continue
        haystack = f"{user.name} {user.email} {user.job_title or ''}".lower()
        if search and search not in haystack:
            continue
        chosen.append(user)
    template = "/rest/{version}/companies/{company_id}/users"
    return paginate(
        ctx.request,
        chosen,
        _max(ctx),
        lambda user: _versioned_user(ctx, _user_json(ctx, user, company_id), template),
    )


def company_user(ctx: Context) -> Response:
    """GET /rest/v1.{0-3}/companies/{company_id}/users/{id}: one user, with template ids."""
    company_id, user_id = ctx.ids["company_id"], ctx.ids["user_id"]
    refused = _directory_gate(ctx, company_id)
    if refused is not None:
        return refused
    record = ctx.emu.index.directory.get((user_id, company_id))
    user = ctx.emu.index.users.get(user_id)
    if record is None or user is None:
        return error(404, "User not found")
    body = _user_json(ctx, user, company_id)
    body["company_permission_template_id"] = record.company_template_id
    body["default_permission_template_id"] = None
    body["add_to_new_projects"] = record.add_to_new_projects
    body["is_insurance_manager"] = False
    template = "/rest/{version}/companies/{company_id}/users/{id}"
    return json_response(200, _versioned_user(ctx, body, template))


def _assigned(ctx: Context, user_id: int, project: Project) -> tuple[bool, str | None]:
    index = ctx.emu.index
    membership = index.memberships.get((user_id, project.id))
    if membership is not None:
        template = index.templates.get(membership.template_id or 0)
        return True, template.name if template else None
    if project.id in index.install_projects.get((user_id, project.company_id), ()):
        return True, None
    return False, None


def _assignment_json(ctx: Context, user_id: int, project: Project) -> dict[str, Any]:
    is_assigned, template_name = _assigned(ctx, user_id, project)
    return {
        "project_id": project.id,
        "name": project.name,
        "project_number": project.project_number,
        "address": None,
        "stage": None,
        "active": project.active,
        "is_assigned": is_assigned,
        "roles": [],
        "permission_template_name": template_name,
        "region": None,
        "program": None,
        "project_type": None,
    }


def project_assignments(ctx: Context) -> Response:
    """GET /rest/v1.0/companies/{company_id}/users/{user_id}/project_assignments."""
    company_id, user_id = ctx.ids["company_id"], ctx.ids["user_id"]
    refused = _directory_gate(ctx, company_id)
    if refused is not None:
        return refused
    index = ctx.emu.index
    if (user_id, company_id) not in index.directory or user_id not in index.users:
        return error(404, "User not found")
    req = ctx.request
    active = (req.param("filters[active]") or "").lower()
    status = (req.param("filters[by_status]") or "All").lower()
    chosen = []
    for project in index.company_projects.get(company_id, []):
        if active in ("true", "false") and project.active != (active == "true"):
            continue
        if status in ("active", "inactive") and project.active != (status == "active"):
            continue
        chosen.append(project)
    return paginate(
        req, chosen, _max(ctx), lambda project: _assignment_json(ctx, user_id, project)
    )


# -- permission templates ---------------------------------------------------------------
def _template_json(template: Template, detailed: bool) -> dict[str, Any]:
    body = _template_ref(template) or {}
    # INFERRED: the OAS documents ``category`` (internal|external) without saying what
    # decides it; templates a company made for its own people are taken as internal.
    body["category"] = "internal"
    if detailed:
        body.update(
            {
                "company_id": template.company_id,
                "provider_type": "Company",
                "provider_id": template.company_id,
                "project_id": None,
                "user_access_levels": {k: LEVEL_IDS[v] for k, v in template.levels.items()},
                "permissions": {},
            }
        )
    return body


def permission_templates(ctx: Context) -> Response:
    """GET /rest/v1.0/companies/{company_id}/permission_templates (``filters[type]``)."""
    company_id = ctx.ids["company_id"]
    refused = _directory_gate(ctx, company_id)
    if refused is not None:
        return refused
    wanted = ctx.request.param("filters[type]") or "project_tools"
    kind = "company" if wanted == "company_tools" else "project"
    detailed = ctx.request.param("view") == "with_permissions"
    items = [
        _template_json(t, detailed)
        for t in ctx.emu.index.company_templates.get((company_id, kind), [])
    ]
    return paginate(ctx.request, items, _max(ctx))


def permission_template(ctx: Context) -> Response:
    """GET /rest/v1.0/companies/{company_id}/permission_templates/{id}."""
    company_id = ctx.ids["company_id"]
    refused = _directory_gate(ctx, company_id)
    if refused is not None:
        return refused
    template = ctx.emu.index.templates.get(ctx.ids["template_id"])
    if template is None or template.company_id != company_id:
        return error(404, "Permission template not found")
    return json_response(200, _template_json(template, detailed=True))


# -- project directory --------------------------------------------------------------------
def project_gate(ctx: Context, project_id: int) -> tuple[Project | None, Response | None]:
    project = ctx.emu.index.projects.get(project_id)
    if project is None:
        return None, error(404, "Project not found")
    refused = company_gate(ctx, project.company_id)
    if refused is not None:
        return None, refused
    if not ctx.caller.can_see_project(project_id):
        if ctx.caller.token.kind == "dmsa":
            # Procore's troubleshooting guide files a DMSA asking for a project outside its
            # Permitted Projects under 403 "Resource outside access scope" (its general
            # rule, 404 when a principal cannot see a resource at all, is for principals
            # without that more specific case); the guide's DMSA entry decides.
            return None, error(403, OUTSIDE_SCOPE)
        return None, error(404, "Project not found")
    return project, None


def project_users(ctx: Context) -> Response:
    """GET /rest/v1.0/projects/{project_id}/users (compact without Directory read)."""
    project, refused = project_gate(ctx, ctx.ids["project_id"])
    if project is None:
        return refused or error(404, "Project not found")
    index = ctx.emu.index
    full = ctx.caller.can_read_directory(project.company_id) or (
        LEVEL_ORDER[ctx.caller.project_levels(project.id).get("directory", "none")] >= 1
    )
    req = ctx.request
    search = (req.param("filters[search]") or "").lower()
    ids = {int(v) for raw in req.params("filters[id]") for v in raw.split(",") if v.isdigit()}
    tpl_filter = _int_param(ctx, "filters[permission_template]")
    members = dict(index.project_members.get(project.id, {}))
    for install_user in index.install_users.get(project.id, []):
        members.setdefault(install_user, None)
    items = []
    for user_id in sorted(members):
        user = index.users.get(user_id)
        if user is None or (ids and user_id not in ids):
            continue
        if search and search not in f"{user.name} {user.email}".lower():
            continue
        if tpl_filter is not None and members[user_id] != tpl_filter:
            continue
        if not full:
            items.append({"id": user.id, "name": user.name})
            continue
        body = _user_json(ctx, user, project.company_id)
        body["permission_template"] = _template_ref(index.templates.get(members[user_id] or 0))
        items.append(body)
    return paginate(req, items, _max(ctx))


# -- effective permissions ------------------------------------------------------------------
def _tool_vocabulary(ctx: Context, company_id: int, scope: str) -> list[str]:
    return ctx.emu.index.tool_keys(company_id, "company" if scope == "company" else "project")


def _tool_json(number: int, key: str, level: str, scope_url: str) -> dict[str, Any]:
    return {
        "id": number,
        "name": key,
        "friendly_name": key.replace("_", " ").title(),
        "domain_id": number,
        "tab_group": "core",
        "available_for_user": level != "none",
        "url": f"{scope_url}/{key}",
        "user_access_level": {"id": LEVEL_IDS[level], "name": LEVEL_NAMES[level]},
        "permitted_actions": [],
        "create_url": None,
        "can_create": LEVEL_ORDER[level] >= LEVEL_ORDER["standard"],
        "trial": False,
    }


def settings_permissions(ctx: Context) -> Response:
    """GET /rest/v1.0/settings/permissions with ``company_id`` or ``project_id``."""
    company_id = _int_param(ctx, "company_id")
    project_id = _int_param(ctx, "project_id")
    if (company_id is None) == (project_id is None):
        return json_response(
            400,
            {
                "error": {
                    "code": "bad_request",
                    "message": "Send company_id or project_id, not both",
                }
            },
        )
    if project_id is not None:
        project, refused = project_gate(ctx, project_id)
        if project is None:
            return refused or error(404, "Project not found")
        levels = ctx.caller.project_levels(project_id)
        keys = _tool_vocabulary(ctx, project.company_id, "project")
        url = f"/{project.id}/project"
    else:
        assert company_id is not None
        refused = company_gate(ctx, company_id)
        if refused is not None:
            return refused
        levels = ctx.caller.company_levels(company_id)
        keys = _tool_vocabulary(ctx, company_id, "company")
        url = f"/{company_id}/company"
    keys = sorted(set(keys) | set(levels))
    tools = [_tool_json(n, k, levels.get(k, "none"), url) for n, k in enumerate(keys, start=1)]
    return json_response(200, {"tools": tools})


# -- app installations ------------------------------------------------------------------------
def app_installations(ctx: Context) -> Response:
    """GET /rest/v1.0/app_installations?company_id= (INFERRED: App Management read needed;
    a DMSA token without it sees its own installation only)."""
    company_id = _int_param(ctx, "company_id")
    if company_id is None:
        project = ctx.emu.index.projects.get(_int_param(ctx, "project_id") or 0)
        company_id = project.company_id if project is not None else None
    if company_id is None:
        return error(400, "company_id or project_id is required")
    refused = company_gate(ctx, company_id)
    if refused is not None:
        return refused
    level = ctx.caller.company_levels(company_id).get("app_management", "none")
    own = ctx.caller.app
    if LEVEL_ORDER[level] < LEVEL_ORDER["readonly"] and own is None:
        return error(403, FORBIDDEN)
    index = ctx.emu.index
    items = []
    for inst in ctx.emu.world.installations:
        if inst.company_id != company_id:
            continue
        if LEVEL_ORDER[level] < 1 and own is not None and inst.app_client_id != own.client_id:
            continue
        app = index.apps[inst.app_client_id]
        items.append(
            {
                "id": index.installation_ids[(inst.app_client_id, inst.company_id)],
                "app_uid": app.client_id,
                "components": [],
                "developer_app": {
                    "id": index.app_id(app),
                    "uid": app.client_id,
                    "name": app.name,
                    "app_type": "data_connector",
                    "internal": False,
                },
                "installed_at": None,
                "installer": None,
                "semantic_version": inst.semantic_version,
                "status": inst.status,
                "uninstalled_at": None,
                "uninstaller": None,
                "updatable_app_version_id": None,
            }
        )
    return paginate(ctx.request, items, _max(ctx))


def app_installation(ctx: Context) -> Response:
    """GET /rest/v1.0/app_installations/{id}: the installed version's ``manifest`` and
    ``post_installation_instruction`` (the two fields its OAS documents). Same access as
    the list (INFERRED): App Management read in the installation's company, or the DMSA's
    own installation."""
    index = ctx.emu.index
    wanted = ctx.ids["installation_id"]
    found = next(
        (key for key, number in index.installation_ids.items() if number == wanted), None
    )
    if found is None:
        return error(404, "App installation not found")
    client_id, company_id = found
    refused = company_gate(ctx, company_id)
    if refused is not None:
        return refused
    level = ctx.caller.company_levels(company_id).get("app_management", "none")
    own = ctx.caller.app
    readable = LEVEL_ORDER[level] >= LEVEL_ORDER["readonly"]
    if not readable and (own is None or own.client_id != client_id):
        return error(404, "App installation not found")
    app = index.apps[client_id]
    inst = index.installations[found]
    manifest = {
        "schema_version": "4.1",
        "app_manifest": {"id": str(index.app_id(app))},
        "version": inst.semantic_version,
        "permissions": {
            "company": dict(app.permissions.company),
            "project": dict(app.permissions.project),
        },
    }
    instruction = {"page": {"url": None, "label": None}, "notes": None}
    return json_response(
        200, {"manifest": manifest, "post_installation_instruction": instruction}
    )
