"""Inside one company the project list and the Directory reads go side by side.

They do not depend on each other, so reading them one after the other only added round
trips (a user waits for them); the request count stays the same.
"""

from __future__ import annotations

from typing import Any

import pytest

from dmsa_migrate.emulator import generate_world
from dmsa_migrate.emulator.http import Request, Response
from dmsa_migrate.emulator.world import Limits
from dmsa_migrate.procore import ClientCredentials
from dmsa_migrate.verify import verify_install

from .conftest import company, factory
from .test_request_count import big_inventory

pytestmark = pytest.mark.anyio

PROJECTS_PATH = "/rest/v1.1/projects"
USER_PATH = "/rest/v1.3/companies/101/users/"


async def test_project_pages_are_read_while_the_assignments_are(inprocess: Any) -> None:
    # 600 projects, 300 permitted: 3 project pages and 6 assignment pages of 100.
    limits = Limits(hourly=100_000, spike=100_000, max_per_page=100, latency_ms=2)
    world = generate_world(1, 600, limits=limits)
    conn = inprocess(world)
    handled: list[str] = []
    handle = conn.emulator.handle

    def recording(request: Request) -> Response:
        handled.append(request.path)
        return handle(request)

    conn.emulator.handle = recording
    result = await verify_install(
        big_inventory(world), factory(conn),
        ClientCredentials("dmsa-generated-client", "dmsa-generated-secret"),
    )

    assignments = [i for i, path in enumerate(handled) if path.endswith("/project_assignments")]
    projects = [i for i, path in enumerate(handled) if path == PROJECTS_PATH]
    user = next(i for i, path in enumerate(handled) if path.startswith(USER_PATH))
    assert len(assignments) == 6 and len(projects) == 3
    # The two interleave: the user's record is asked for before the last project page (not
    # projects, then Directory), and the first project page before the first assignment
    # page (not Directory, then projects). (Later pages are requested ahead once page 1
    # says how many there are, so the project list may end before the assignments start.)
    assert user < max(projects) and min(projects) < min(assignments)
    entry = company(result, 101)
    assert entry.strategy == "directory"
    assert entry.requests == 1 + 1 + 3 + 1 + 6 + 1  # unchanged by running side by side
    assert len(entry.matched_projects) == 300
