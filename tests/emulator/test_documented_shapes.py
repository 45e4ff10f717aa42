"""Every endpoint the emulator serves answers with the fields its OAS response schema documents.

The schema comes from ``shared/reference/procore-oas/operations.jsonl`` itself (not the
emulator's packaged copy); each served route is called for real and its body is checked
field by field: present, of the documented JSON type, plausible (ISO times, positive ids,
enum values). A route added to the emulator without a request here fails the coverage test.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from dmsa_migrate.emulator import app as emulator_app
from dmsa_migrate.emulator import oas, parse_world
from dmsa_migrate.emulator.tools import MODULE_TOOLS

from . import oas_reference as ref
from .conftest import SMALL_WORLD, Api

# (method, path, token, company header, query): one real request per modelled route.
DMSA = "dmsa"
REQUESTS: list[tuple[str, str, str, int | None, dict[str, Any]]] = [
    ("GET", "/rest/v1.0/me", "admin-token", 101, {"company_id": 101}),
    ("GET", "/rest/v1.0/companies", "admin-token", None, {}),
    ("GET", "/rest/v1.0/projects", "admin-token", 101, {"company_id": 101}),
    ("GET", "/rest/v1.1/projects", "admin-token", 101, {"company_id": 101}),
    ("GET", "/rest/v1.0/companies/101/projects", "admin-token", 101, {}),
    ("GET", "/rest/v1.0/companies/101/users", "admin-token", 101, {}),
    ("GET", "/rest/v1.1/companies/101/users", "admin-token", 101, {}),
    ("GET", "/rest/v1.2/companies/101/users", "admin-token", 101, {}),
    ("GET", "/rest/v1.3/companies/101/users", "admin-token", 101, {}),
    ("GET", "/rest/v1.0/companies/101/users/9001", "admin-token", 101, {}),
    ("GET", "/rest/v1.3/companies/101/users/9001", "admin-token", 101, {}),
    ("GET", "/rest/v1.0/companies/101/users/9001/project_assignments", "admin-token", 101, {}),
    ("GET", "/rest/v1.0/companies/101/permission_templates", "admin-token", 101, {}),
    ("GET", "/rest/v1.0/companies/101/permission_templates/501", "admin-token", 101, {}),
    ("GET", "/rest/v1.0/projects/1001/users", "admin-token", 101, {}),
    ("GET", "/rest/v1.0/settings/permissions", "admin-token", 101, {"project_id": 1001}),
    ("GET", "/rest/v1.0/app_installations", DMSA, 101, {"company_id": 101}),
    ("GET", "/rest/v1.0/app_installations/{installation}", DMSA, 101, {}),
]


@pytest.fixture
def served(make_api: Callable[..., Api]) -> Callable[[str, str, str, int | None, dict], Any]:
    api = make_api()
    dmsa = api.token("dmsa-client", "dmsa-secret")
    installation = api.get("/rest/v1.0/app_installations", dmsa, 101, company_id=101).json()

    def call(method: str, path: str, token: str, company: int | None, query: dict) -> Any:
        path = path.replace("{installation}", str(installation[0]["id"]))
        response = api.get(path, dmsa if token == DMSA else token, company, **query)
        assert response.status_code == 200, f"{path}: {response.text}"
        return response.json()

    return call


@pytest.mark.parametrize("request_", REQUESTS, ids=lambda r: f"{r[0]} {r[1]}")
def test_served_endpoint_answers_every_documented_field(
    served: Callable[..., Any], request_: tuple[str, str, str, int | None, dict]
) -> None:
    method, path, token, company, query = request_
    op = ref.find(method, path.replace("{installation}", "1"))
    body = served(method, path, token, company, query)
    if isinstance(body, list):
        assert body, f"{path} answered an empty list: nothing to check"
    found = ref.problems(body, ref.success_schema(op))
    assert not found, f"{method} {path} (OAS {op['path']}):\n" + "\n".join(found[:20])


def test_every_modelled_api_route_has_a_shape_check() -> None:
    ref.require_reference()
    covered = [
        route
        for route in emulator_app.ROUTES
        if any(
            route.pattern.match(path.replace("{installation}", "1")) and route.method == method
            for method, path, *_ in REQUESTS
        )
    ]
    missing = [r.pattern.pattern for r in emulator_app.ROUTES if r.api and r not in covered]
    assert not missing, f"add a request to REQUESTS for: {missing}"


def _all_tools_world() -> str:
    """The small world plus a person with admin on every tool of the emulator's table, on
    project 1001 and at company 101, so catalog reads answer 200 to check their shapes."""
    levels = ", ".join(f'{rule.tool} = "admin"' for rule in {*MODULE_TOOLS.values()})
    levels = ", ".join(sorted(set(levels.split(", "))))
    extra = f"""
[[templates]]
id = 590
company_id = 101
name = "Everything (project)"
type = "project"
levels = {{ {levels} }}

[[templates]]
id = 591
company_id = 101
name = "Everything (company)"
type = "company"
levels = {{ {levels} }}

[[users]]
id = 4242
name = "Root Person"
email = "root@acme.example"

[[directory]]
user_id = 4242
company_id = 101
company_template_id = 591

[[memberships]]
user_id = 4242
project_id = 1001
template_id = 590

[[user_tokens]]
token = "root-token"
user_id = 4242
"""
    return SMALL_WORLD + extra


def _concrete(path: str) -> str | None:
    values = {"company_id": "101", "project_id": "1001"}
    parts = []
    for segment in path.split("/"):
        if segment.startswith("{"):
            name = segment.strip("{}")
            parts.append(values.get(name, "77" if name != "id" or "/projects/{id}" not in path
                                    else "1001"))
        else:
            parts.append(segment)
    return "/".join(parts)


def test_catalog_reads_answer_their_documented_shapes(make_api: Callable[..., Api]) -> None:
    """Every documented GET of the catalog that the world does not model, called as a
    person with admin everywhere: its documented success status and every documented
    field, typed and plausible."""
    world = parse_world(_all_tools_world(), "all-tools.toml")
    unlimited = world.model_copy(
        update={"limits": world.limits.model_copy(update={"spike": 100_000, "hourly": 100_000})}
    )
    api = make_api(unlimited)
    checked = 0
    failures: list[str] = []
    for op in ref.operations():
        if op["method"] != "GET" or not op["path"].startswith("/rest/"):
            continue
        path = _concrete(op["path"])
        if path is None or any(r.pattern.match(path) for r in emulator_app.ROUTES):
            continue
        if oas.catalog().find("GET", path)[0].path != op["path"]:
            continue  # a more literal sibling serves this concrete path
        response = api.get(path, "root-token", 101)
        if response.status_code != ref.success_status(op):
            failures.append(f"{op['path']}: {response.status_code} {response.text[:80]}")
            continue
        checked += 1
        failures += [f"{op['path']} {p}" for p in ref.problems(response.json(),
                                                              ref.success_schema(op))]
    assert checked > 1000, f"only {checked} catalog reads checked"
    assert not failures, "\n".join(failures[:30])
