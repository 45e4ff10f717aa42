"""The documented filters and sorts of ``GET /rest/v1.0/projects`` and ``/rest/v1.1/projects``.

Every filter the OAS lists for these operations is honoured, none silently ignored: a
filter on an attribute the world models compares it; a filter on an attribute the world
does not model (vendors, custom fields, regions, offices, …) matches no project, because no
project of the world has a value there, which is what Procore answers for projects that
carry no such value. Date filters take Procore's forms (procore-facts 4.3, "Filtering on
List Actions"): one date or time, or a range ``START...END``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from dmsa_migrate.emulator.http import Request
from dmsa_migrate.emulator.world import Project

UNMODELLED = {
    "v1.0": ("vendor_id", "custom_fields", "from_project_template_id"),
    "v1.1": (
        "vendor_id",
        "custom_fields",
        "by_owner_type",
        "by_department",
        "by_region",
        "by_office",
        "by_program",
        "by_bid_type",
    ),
}
"""Documented filters on attributes no world project has: any value selects nothing."""

Range = tuple[dt.datetime, dt.datetime]


def _moment(text: str, end: bool) -> dt.datetime:
    """One bound: a date (the whole day) or a date-time (UTC when no offset is given)."""
    text = text.strip()
    if len(text) == 10:
        day = dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)
        return day + dt.timedelta(days=1) - dt.timedelta(microseconds=1) if end else day
    moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def parse_range(raw: str) -> Range:
    """``START...END`` or one value; raises ValueError for anything else."""
    start, sep, end = raw.partition("...")
    if not sep:
        return _moment(start, end=False), _moment(start, end=True)
    return _moment(start, end=False), _moment(end, end=True)


def _bool(raw: str | None) -> bool | None:
    if raw is None or raw == "":
        return None
    return raw.strip().lower() in ("true", "1", "yes")


def project_filter_problem(request: Request, version: str) -> str | None:
    """The message of a 400 for a malformed filter value, else None."""
    for name in ("created_at", "updated_at"):
        raw = request.param(f"filters[{name}]")
        if raw:
            try:
                parse_range(raw)
            except ValueError:
                return f"filters[{name}] must be an ISO 8601 date or range START...END"
    status = request.param("filters[by_status]")
    if status and status.lower() not in ("active", "inactive", "all"):
        return "filters[by_status] must be one of Active, Inactive, All"
    sort = request.param("sort")
    if sort and sort not in ("name", "display_name"):
        return "sort must be one of name, display_name"
    return None


def _given(request: Request, name: str) -> str | None:
    values = request.params(f"filters[{name}]")
    return next((v for v in values if v != ""), None)


def _checks(request: Request, version: str, started_at: float) -> list[Callable[[Project], bool]]:
    checks: list[Callable[[Project], bool]] = []
    status = (request.param("filters[by_status]") or "Active").lower()
    if status != "all":
        checks.append(lambda p: p.active == (status == "active"))
    ids = {int(v) for raw in request.params("filters[id]") for v in raw.split(",") if v.isdigit()}
    if ids:
        checks.append(lambda p: p.id in ids)
    name = (request.param("filters[name]") or "").lower()
    if name:
        checks.append(lambda p: name in p.name.lower())
    origin = _given(request, "origin_id")
    if origin is not None:
        checks.append(lambda p: p.origin_id == origin)
    synced = _bool(request.param("filters[synced]"))
    if synced is not None:
        # INFERRED: a project is "synced" when it carries an ERP origin id.
        checks.append(lambda p: (p.origin_id is not None) == synced)
    fallback = dt.datetime.fromtimestamp(started_at, dt.UTC)
    for field in ("created_at", "updated_at"):
        raw = request.param(f"filters[{field}]")
        if raw:
            checks.append(_within(field, parse_range(raw), fallback))
    checks.extend(_v11_checks(request) if version == "v1.1" else [])
    for name_ in UNMODELLED[version]:
        if _given(request, name_) is not None:
            checks.append(lambda p: False)
    return checks


def _within(field: str, bounds: Range, fallback: dt.datetime) -> Callable[[Project], bool]:
    """A project's ``created_at``/``updated_at`` (the emulator's start when unset) in range."""
    low, high = bounds

    def check(project: Project) -> bool:
        moment: dt.datetime = getattr(project, field) or fallback
        return low <= moment <= high

    return check


def _v11_checks(request: Request) -> list[Callable[[Project], bool]]:
    checks: list[Callable[[Project], bool]] = []
    number = _given(request, "project_number")
    if number is not None:
        checks.append(lambda p: p.project_number == number)
    demo = _bool(request.param("filters[is_demo]"))
    if demo is not None:
        checks.append(lambda p: p.is_demo == demo)
    if _bool(request.param("filters[template]")):
        checks.append(lambda p: False)  # no world project is a project template
    stages = set(request.params("filters[by_stage]")) - {""}
    if stages:
        checks.append(lambda p: p.stage in stages)
    types = set(request.params("filters[by_type]")) - {""}
    if types:
        checks.append(lambda p: p.project_type in types)
    return checks


def display_name(project: Project) -> str:
    """``NUMBER - NAME`` when the project has a number, else its name."""
    if project.project_number:
        return f"{project.project_number} - {project.name}"
    return project.name


def select_projects(
    request: Request, visible: list[Project], version: str, started_at: float
) -> list[Project]:
    """The visible projects every given filter keeps, in the requested ``sort``."""
    checks = _checks(request, version, started_at)
    chosen = [p for p in visible if all(check(p) for check in checks)]
    sort = request.param("sort")
    if sort == "name":
        chosen.sort(key=lambda p: (p.name.lower(), p.id))
    elif sort == "display_name":
        chosen.sort(key=lambda p: (display_name(p).lower(), p.id))
    return chosen
