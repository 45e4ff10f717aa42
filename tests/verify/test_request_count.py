"""The request count is pinned: no per-project requests when the Directory is readable."""

from __future__ import annotations

import math
from typing import Any

import pytest

from dmsa_migrate.emulator import World, generate_world
from dmsa_migrate.emulator.world import Limits
from dmsa_migrate.models.inventory import Inventory
from dmsa_migrate.procore import ClientCredentials
from dmsa_migrate.verify import verify_install

from .conftest import codes, company, factory

pytestmark = pytest.mark.anyio

PROJECTS = 2_000
PAGE = 100


def big_world(*, directory: bool) -> World:
    """One company whose 2,000 projects are all permitted and all reached by the old account."""
    limits = Limits(hourly=100_000, spike=100_000, max_per_page=PAGE)
    base = generate_world(1, PROJECTS, limits=limits).model_dump()
    base["installations"][0]["permitted_projects"] = [p["id"] for p in base["projects"]]
    if not directory:
        base["apps"][0]["permissions"]["company"] = {}
    return World.model_validate(base)


def big_inventory(world: World) -> Inventory:
    levels = {"rfi": "readonly", "directory": "readonly"}
    return Inventory.model_validate({"accounts": [{
        "label": "erp", "client_id": "tsa-…", "companies": [{
            "id": 101, "name": "Company 1", "permissions": {"directory": "readonly"},
            "projects": [
                {"id": p.id, "active": p.active, "permissions": levels} for p in world.projects
            ],
        }],
    }]})


async def _verify(conn: Any, world: World) -> Any:
    return await verify_install(
        big_inventory(world), factory(conn),
        ClientCredentials("dmsa-generated-client", "dmsa-generated-secret"),
    )


async def test_2000_permitted_projects_cost_a_fixed_number_of_requests(inprocess: Any) -> None:
    world = big_world(directory=True)
    conn = inprocess(world)
    result = await _verify(conn, world)

    pages = math.ceil(PROJECTS / PAGE)  # 20
    # me + company permissions + project pages + user record + assignment pages
    # + one settings/permissions for the single (manifest) template group.
    per_company = 1 + 1 + pages + 1 + pages + 1
    entry = company(result, 101)
    assert entry.strategy == "directory"
    assert entry.requests == per_company == 44
    assert result.requests == 1 + 1 + per_company  # + token + companies listing
    assert conn.emulator.stats.requests == result.requests
    # Exactly one project-level permission check, not one per project.
    assert conn.emulator.stats.paths["/rest/v1.0/settings/permissions"] == 2
    assert len(entry.matched_projects) == PROJECTS and entry.permission_gaps == []
    # The old account reached every project; the app is not added to new ones.
    assert codes(entry) == ["add_to_new_projects_off"]


async def test_without_directory_read_one_check_per_project(inprocess: Any) -> None:
    world = big_world(directory=False)
    conn = inprocess(world)
    result = await _verify(conn, world)

    entry = company(result, 101)
    assert entry.strategy == "per_project"
    assert entry.requests == 1 + 1 + 20 + 1 + PROJECTS  # 403 on the user record, then N
    assert "directory_not_readable" in codes(entry)
