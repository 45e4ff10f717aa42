"""Catalog mode: every documented operation a world does not model still answers.

An integration calls far more of Procore than the handful of endpoints a world models
(RFIs, submittals, budgets, …). In catalog mode the emulator answers any operation of
Procore's OpenAPI document (:mod:`.oas`) that no modelled route serves, the way Procore
would treat the caller:

1. the usual request rules run first (token, rate limit, ``Procore-Company-Id``, a DMSA's
   install state: see :mod:`.app`);
2. the scope is the project named by the path (``{project_id}``, or ``{id}`` of
   ``/projects/{id}``) or the ``project_id`` query, else the company named by the path, the
   ``company_id`` query or the header; the caller must see it (404, or 403 "Resource
   outside access scope" for a DMSA outside its permitted projects, as modelled routes do);
3. the tool level the operation needs comes from the emulator's own module → tool table
   (:mod:`.tools`, never the migration tool's permission map); a caller below it gets 403;
4. the body is built from the operation's response schema (:mod:`.shapes`) with the ids
   of the path; lists are paginated like every list. Writes are acknowledged with their
   documented success status and shape, and change nothing (the world is immutable).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dmsa_migrate.emulator.http import Response, error, json_response, paginate
from dmsa_migrate.emulator.oas import Operation
from dmsa_migrate.emulator.rest import FORBIDDEN, company_gate, project_gate
from dmsa_migrate.emulator.shapes import Hints, sample
from dmsa_migrate.emulator.tools import needed_level
from dmsa_migrate.emulator.world import LEVEL_ORDER

if TYPE_CHECKING:
    from dmsa_migrate.emulator.app import Context


def _numeric(params: dict[str, str]) -> dict[str, int]:
    return {key: int(value) for key, value in params.items() if value.isdigit()}


def _query_int(ctx: Context, name: str) -> int | None:
    raw = (ctx.request.param(name) or "").strip()
    return int(raw) if raw.isdigit() else None


def _project_of(op: Operation, ids: dict[str, int], ctx: Context) -> int | None:
    if "project_id" in ids:
        return ids["project_id"]
    if "/projects/{id}" in op.path and "id" in ids:
        return ids["id"]
    return _query_int(ctx, "project_id")


def _granted(ctx: Context, tool: str, project_id: int | None, company_id: int | None) -> str:
    caller = ctx.caller
    if project_id is not None:
        level = caller.project_levels(project_id).get(tool, "none")
        project = ctx.emu.index.projects[project_id]
        if tool == "directory" and caller.is_directory_admin(project.company_id):
            return "admin"  # a company Directory admin reads and edits project directories
        return level
    if company_id is None:
        return "none"
    return caller.company_levels(company_id).get(tool, "none")


def _scope(
    ctx: Context, op: Operation, ids: dict[str, int]
) -> tuple[int | None, int | None, Response | None]:
    """(project id, company id, refusal) of the operation for this caller."""
    project_id = _project_of(op, ids, ctx)
    if project_id is not None:
        project, refused = project_gate(ctx, project_id)
        if project is None:
            return None, None, refused or error(404, "Project not found")
        return project_id, project.company_id, None
    company_id = ids.get("company_id") or _query_int(ctx, "company_id") or ctx.company
    if company_id is not None:
        refused = company_gate(ctx, company_id)
        if refused is not None:
            return None, None, refused
    return None, company_id, None


def answer(ctx: Context, op: Operation, params: dict[str, str]) -> Response:
    """The answer to a documented operation no modelled route serves."""
    ids = _numeric(params)
    project_id, company_id, refused = _scope(ctx, op, ids)
    if refused is not None:
        return refused
    need = needed_level(op.module, op.method, op.is_read)
    if need is not None:
        tool, level = need
        granted = _granted(ctx, tool, project_id, company_id)
        if LEVEL_ORDER[granted] < LEVEL_ORDER[level]:
            return error(403, FORBIDDEN)
    ctx.emu.stats.catalog += 1
    if op.status == 204:
        return Response(204)
    known = {"project_id": project_id, "company_id": company_id}
    hints = Hints(now=ctx.now, ids={**ids, **{k: v for k, v in known.items() if v is not None}})
    body = sample(op.schema, "", hints)
    if isinstance(body, list):
        return paginate(ctx.request, body, ctx.emu.world.limits.max_per_page)
    return json_response(op.status, body if body is not None else {})
