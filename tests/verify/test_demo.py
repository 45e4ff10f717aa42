"""The demo world, over both transports: verify finds exactly the planted problems."""

from __future__ import annotations

from typing import Any

import pytest

from dmsa_migrate.emulator import load_world

from .conftest import DEMO_MANIFEST, codes, company, run_verify

pytestmark = pytest.mark.anyio


async def test_demo_finds_exactly_the_planted_problems(connect: Any) -> None:
    conn = connect(load_world("demo"))
    result = await run_verify(conn, expected=DEMO_MANIFEST)

    assert result.ok is False and result.complete is True
    assert [c.id for c in result.companies] == [101, 202, 303]

    acme = company(result, 101)
    assert (acme.status, acme.installed) == ("installed", True)
    assert acme.matched_projects == [1001, 1002, 1003, 1004, 1005, 1006, 1007]
    assert acme.missing_projects == [1008]
    assert acme.extra_projects == []
    assert codes(acme) == ["manual_directory_edit", "permission_gaps", "projects_missing"]
    edit = next(f for f in acme.findings if f.code == "manual_directory_edit")
    assert edit.projects == [1002] and "Read only (manual)" in edit.message
    # Every gap comes from the hand-set template on 1002, nowhere else.
    assert {p for g in acme.permission_gaps for p in g.projects} == {1002}
    gaps = {(g.scope, g.tool): (g.granted, g.needed) for g in acme.permission_gaps}
    assert gaps[("project", "rfi")] == ("readonly", "standard")
    assert gaps[("project", "daily_log")] == ("readonly", "standard")
    assert gaps[("project", "budgeting")] == ("none", "readonly")
    assert all(g.basis == "manifest" for g in acme.permission_gaps)

    bayview = company(result, 202)
    assert bayview.status == "installed"
    assert bayview.matched_projects == list(range(2001, 2015))
    assert (bayview.missing_projects, bayview.extra_projects) == ([], [])
    assert bayview.permission_gaps == [] and bayview.findings == []

    cedar = company(result, 303)
    assert (cedar.status, cedar.installed) == ("disconnected", False)
    assert cedar.missing_projects == [3001, 3002, 3003, 3004, 3005, 3006]
    assert codes(cedar) == ["app_disconnected"]
    assert cedar.findings[0].severity == "error"


async def test_without_a_manifest_needed_levels_come_from_the_old_access(connect: Any) -> None:
    conn = connect(load_world("demo"))
    result = await run_verify(conn, company_ids=[202])

    bayview = company(result, 202)
    gaps = {(g.scope, g.tool): (g.granted, g.needed, g.basis) for g in bayview.permission_gaps}
    # The old account read Home and Schedule and was Directory admin; the app does not.
    assert gaps == {
        ("company", "directory"): ("readonly", "admin", "old_access"),
        ("company", "home"): ("none", "readonly", "old_access"),
        ("company", "schedule"): ("none", "readonly", "old_access"),
    }
    assert codes(bayview) == ["permission_gaps"]
    assert result.needed_from == "old_access" and result.ok is False


async def test_demo_request_count_uses_the_directory_strategy(connect: Any) -> None:
    conn = connect(load_world("demo"))
    result = await run_verify(conn, expected=DEMO_MANIFEST)

    assert company(result, 101).strategy == "directory"
    # 101: me, company permissions, projects, user record, assignments, and one
    # settings/permissions per template group (manifest default + "Read only (manual)").
    assert company(result, 101).requests == 7
    assert company(result, 202).requests == 6
    # token + companies + 101 (7) + 202 (6) + one probe of disconnected 303.
    assert result.requests == 1 + 1 + 7 + 6 + 1
    project_checks = conn.emulator.stats.paths["/rest/v1.0/settings/permissions"]
    assert project_checks == 2 + 3  # two company-level, three project-level calls
