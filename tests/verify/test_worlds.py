"""Small hand-made variations of the demo world, one planted problem each (in-process)."""

from __future__ import annotations

from typing import Any

import pytest

from dmsa_migrate.emulator import load_world
from dmsa_migrate.models.inventory import Inventory
from dmsa_migrate.procore import UserToken

from .conftest import (
    DEMO_MANIFEST,
    codes,
    company,
    demo_inventory,
    demo_inventory_data,
    demo_world_data,
    directory_row,
    installation,
    run_verify,
    world,
)

pytestmark = pytest.mark.anyio


def _finding(entry: Any, code: str) -> Any:
    return next(f for f in entry.findings if f.code == code)


async def test_company_with_an_old_account_but_no_install(inprocess: Any) -> None:
    data = demo_world_data()
    data["companies"].append({"id": 404, "name": "Delta Builders", "is_active": True})
    data["projects"].append({"id": 4001, "company_id": 404, "name": "Delta HQ", "active": True})
    inventory = demo_inventory_data()
    inventory["accounts"][0]["companies"].append(
        {"id": 404, "name": "Delta Builders", "projects": [{"id": 4001}]}
    )
    result = await run_verify(
        inprocess(world(data)), Inventory.model_validate(inventory), expected=DEMO_MANIFEST
    )

    delta = company(result, 404)
    assert (delta.status, delta.installed) == ("not_installed", False)
    assert delta.missing_projects == [4001]
    assert codes(delta) == ["app_not_installed"]
    assert "Install" in _finding(delta, "app_not_installed").action


async def test_not_installed_in_the_bootstrap_company_still_discovers_the_others(
    inprocess: Any,
) -> None:
    data = demo_world_data()
    data["installations"] = [i for i in data["installations"] if i["company_id"] != 101]
    result = await run_verify(inprocess(world(data)), expected=DEMO_MANIFEST)

    assert company(result, 101).status == "not_installed"
    assert company(result, 202).status == "installed"
    assert company(result, 303).status == "disconnected"


async def test_extra_projects_are_a_warning_to_review(inprocess: Any) -> None:
    data = demo_world_data()
    installation(data, 101)["permitted_projects"] += [1008, 1009, 1010]
    data["memberships"] = [m for m in data["memberships"] if m["user_id"] != 9101]
    result = await run_verify(inprocess(world(data)), expected=DEMO_MANIFEST, company_ids=[101])

    acme = company(result, 101)
    assert acme.missing_projects == [] and acme.extra_projects == [1009, 1010]
    assert codes(acme) == ["extra_projects"]
    assert _finding(acme, "extra_projects").severity == "warning"
    assert result.ok is True  # a warning does not block the sunset


async def test_add_to_new_projects_off_when_the_old_account_covered_everything(
    inprocess: Any,
) -> None:
    data = demo_world_data()
    directory_row(data, 9102, 202)["add_to_new_projects"] = False
    result = await run_verify(inprocess(world(data)), expected=DEMO_MANIFEST, company_ids=[202])

    bayview = company(result, 202)
    assert codes(bayview) == ["add_to_new_projects_off"]
    assert "Directory admin" in _finding(bayview, "add_to_new_projects_off").message


async def test_app_with_company_directory_admin(inprocess: Any) -> None:
    data = demo_world_data()
    directory_row(data, 9101, 101)["directory_admin"] = True
    data["memberships"] = [m for m in data["memberships"] if m["user_id"] != 9101]
    result = await run_verify(inprocess(world(data)), expected=DEMO_MANIFEST, company_ids=[101])

    acme = company(result, 101)
    assert "dmsa_directory_admin" in codes(acme)
    # A Directory admin lists all 15 projects; only its permitted ones count as reach.
    assert acme.permitted_projects == list(range(1001, 1008))
    assert acme.extra_projects == []


async def test_inactive_projects_missing_are_a_warning_not_an_error(inprocess: Any) -> None:
    inventory = demo_inventory_data()
    projects = inventory["accounts"][0]["companies"][0]["projects"]
    projects.append({"id": 1013, "name": "Summit Data Center", "active": False})
    data = demo_world_data()
    installation(data, 101)["permitted_projects"].append(1008)
    data["memberships"] = [m for m in data["memberships"] if m["user_id"] != 9101]
    result = await run_verify(
        inprocess(world(data)), Inventory.model_validate(inventory),
        expected=DEMO_MANIFEST, company_ids=[101],
    )

    acme = company(result, 101)
    assert acme.missing_projects == [1013]
    assert 1013 in acme.inactive_projects
    assert codes(acme) == ["inactive_projects_missing"]
    assert result.ok is True


async def test_without_directory_read_manual_edits_are_inferred_from_levels(
    inprocess: Any,
) -> None:
    data = demo_world_data()
    data["apps"][0]["permissions"]["company"] = {"documents": "readonly"}
    result = await run_verify(inprocess(world(data)), company_ids=[101])

    acme = company(result, 101)
    assert acme.strategy == "per_project"
    assert acme.requests == 3 + 1 + 7  # me, permissions, projects; 403 record; 7 projects
    edit = _finding(acme, "manual_directory_edit")
    assert edit.projects == [1002] and "inferred" in edit.message
    assert "directory_not_readable" in codes(acme)
    assert {p for g in acme.permission_gaps for p in g.projects} == {1002}


async def test_previous_reports_projects_lost_since_an_app_update(inprocess: Any) -> None:
    first = await run_verify(inprocess(load_world("demo")), expected=DEMO_MANIFEST)
    assert company(first, 101).permitted_projects == list(range(1001, 1008))

    data = demo_world_data()  # an app update: the admin re-selected fewer projects
    installation(data, 101)["permitted_projects"] = [1001, 1002, 1003, 1004]
    installation(data, 202)["permitted_projects"].remove(2005)
    second = await run_verify(inprocess(world(data)), expected=DEMO_MANIFEST, previous=first)

    acme, bayview = company(second, 101), company(second, 202)
    assert acme.lost_projects == [1005, 1006, 1007]
    reset = _finding(acme, "permitted_projects_reset")
    assert reset.severity == "error" and reset.projects == [1005, 1006, 1007]
    assert bayview.lost_projects == [2005]
    assert "permitted_projects_reset" in codes(bayview)
    assert second.previous_generated_at == first.generated_at
    # Nothing was lost in the disconnected company: it had nothing permitted before either.
    assert company(second, 303).lost_projects == []


async def test_previous_with_nothing_lost_adds_no_finding(inprocess: Any) -> None:
    first = await run_verify(inprocess(load_world("demo")), expected=DEMO_MANIFEST)
    second = await run_verify(
        inprocess(load_world("demo")), expected=DEMO_MANIFEST, previous=first
    )
    assert all("permitted_projects_reset" not in codes(c) for c in second.companies)


async def test_user_comparison_lists_projects_side_by_side(inprocess: Any) -> None:
    data = demo_world_data()
    data["user_tokens"].append({"token": "sam-token-123", "user_id": 43})
    result = await run_verify(
        inprocess(world(data)), expected=DEMO_MANIFEST, company_ids=[101, 202],
        user_credentials=UserToken("sam-token-123"),
    )

    acme = company(result, 101)
    uc = acme.user_comparison
    assert uc is not None and uc.user_id == 43 and uc.user_name == "Sam Ortega"
    assert uc.user_projects == [1001, 1002, 1003, 1010]
    assert uc.both == [1001, 1002, 1003]
    assert uc.app_only == [1004, 1005, 1006, 1007]
    assert uc.user_only == [1010]
    assert _finding(acme, "app_reaches_beyond_user").projects == [1004, 1005, 1006, 1007]
    # Sam has no access to Bayview at all: every project the app reaches there is beyond him.
    bayview = company(result, 202)
    assert bayview.user_comparison is not None
    assert bayview.user_comparison.user_projects == []
    assert len(bayview.user_comparison.app_only) == 14


async def test_installed_company_missing_from_the_inventory_is_reported(inprocess: Any) -> None:
    inventory = demo_inventory()
    inventory.accounts = inventory.accounts[:1]  # only Acme's old account is known
    result = await run_verify(inprocess(load_world("demo")), inventory, expected=DEMO_MANIFEST)

    assert [c.id for c in result.companies] == [101, 202]
    bayview = company(result, 202)
    assert bayview.in_inventory is False
    assert codes(bayview) == ["no_old_account"]
    assert bayview.extra_projects == list(range(2001, 2015))
