"""The endpoint → permission map: every API area, every spelling, overrides, unmapped."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dmsa_migrate.cli import main
from dmsa_migrate.errors import FileFormatError, InputError
from dmsa_migrate.permissions.map import PermissionMap, build_map, load_map_file


@pytest.fixture(scope="module")
def pmap() -> PermissionMap:
    return build_map(include_user_files=False)


# (method, path, tool, scope, level): /rest forms with concrete ids and queries, Activity
# Report forms, Rest v2 forms. One or more rows per API area of issue 4.
AREA_TABLE = [
    # Directory
    ("GET", "/rest/v1.3/companies/101/users?per_page=100", "directory", "company", "readonly"),
    ("POST", "/rest/v1.3/companies/101/users", "directory", "company", "admin"),
    ("GET", "/v1.0/projects/:project_id/users", "directory", "project", "readonly"),
    ("PATCH", "/rest/v1.0/projects/1001/users/9001/", "directory", "project", "admin"),
    # a read, though only admins see every template (issue 15)
    ("GET", "/rest/v1.0/projects/1001/permission_templates", "directory", "project", "readonly"),
    # Documents
    ("GET", "/rest/v1.0/folders?project_id=1001", "documents", "project", "readonly"),
    ("GET", "/rest/v1.0/folders?company_id=101", "documents", "company", "readonly"),
    ("POST", "/rest/v1.0/files?project_id=1001", "documents", "project", "standard"),
    ("DELETE", "/rest/v1.0/files/77?project_id=1001", "documents", "project", "admin"),
    # RFIs
    ("GET", "/rest/v1.0/projects/1001/rfis?per_page=100", "rfi", "project", "readonly"),
    ("GET", "/v1.0/projects/:project_id/rfis", "rfi", "project", "readonly"),
    ("POST", "/v1.0/projects/:project_id/rfis/:id/replies", "rfi", "project", "standard"),
    ("PATCH", "/rest/v1.1/projects/1001/rfis/5", "rfi", "project", "admin"),
    # Submittals
    ("GET", "/rest/v1.1/projects/1001/submittals", "submittal_logs", "project", "readonly"),
    ("POST", "/v1.0/projects/:project_id/submittals", "submittal_logs", "project", "standard"),
    ("GET", "/rest/v1.0/projects/1001/submittal_packages", "submittal_logs", "project", "readonly"),
    # Daily Log
    ("GET", "/rest/v1.0/projects/1001/manpower_logs?filters[date]=2025-01-01", "daily_log",
     "project", "readonly"),
    ("POST", "/v1.0/projects/:project_id/notes_logs", "daily_log", "project", "standard"),
    ("GET", "/rest/v1.1/projects/1001/daily_logs/headers", "daily_log", "project", "readonly"),
    # Photos
    ("GET", "/rest/v1.0/images?project_id=1001", "images", "project", "readonly"),
    ("POST", "/v1.0/image_categories", "images", "project", "standard"),
    # Drawings
    ("GET", "/rest/v1.0/projects/1001/drawing_areas", "drawings", "project", "readonly"),
    ("POST", "/rest/v1.0/projects/1001/drawing_uploads", "drawings", "project", "admin"),
    # Meetings
    ("GET", "/rest/v1.0/meetings?project_id=1001", "meetings", "project", "readonly"),
    ("POST", "/v1.0/meeting_topics", "meetings", "project", "admin"),
    # Schedule
    ("GET", "/rest/v1.0/projects/1001/schedule/tasks", "schedule", "project", "readonly"),
    ("POST", "/rest/v1.0/calendar_events?project_id=1001", "schedule", "project", "standard"),
    # Punch List
    ("GET", "/rest/v1.1/punch_items?project_id=1001", "punch_list", "project", "readonly"),
    ("POST", "/v1.0/projects/:project_id/punch_item_types", "punch_list", "project", "standard"),
    # Inspections
    ("GET", "/rest/v1.0/checklist/lists?project_id=1001", "checklists", "project", "readonly"),
    ("GET", "/rest/v1.0/projects/1001/checklist/list_templates", "checklists", "project",
     "readonly"),
    # Observations
    ("GET", "/v1.0/projects/:project_id/observations", "observations", "project", "readonly"),
    ("POST", "/rest/v1.0/observations/items?project_id=1001", "observations", "project",
     "standard"),
    # Incidents
    ("GET", "/rest/v1.0/projects/1001/incidents", "incidents", "project", "readonly"),
    # Budget
    ("GET", "/rest/v1.0/budget_line_items?project_id=1001", "budgeting", "project", "readonly"),
    ("POST", "/rest/v1.0/projects/1001/budget_modifications", "budgeting", "project", "admin"),
    # Commitments
    ("GET", "/rest/v1.0/purchase_order_contracts?project_id=1001", "commitments", "project",
     "readonly"),
    ("POST", "/v1.0/work_order_contracts", "commitments", "project", "admin"),
    ("GET", "/rest/v2.0/companies/101/projects/1001/commitment_contracts", "commitments",
     "project", "readonly"),
    ("PATCH", "/rest/v1.0/requisitions/3?project_id=1001", "commitments", "project", "standard"),
    # Prime Contracts
    ("GET", "/rest/v1.0/prime_contracts?project_id=1001", "prime_contracts", "project",
     "readonly"),
    ("POST", "/rest/v1.0/payment_applications", "prime_contracts", "project", "admin"),
    # Change Events and Change Orders
    ("GET", "/rest/v1.1/change_events?project_id=1001", "change_events", "project", "readonly"),
    ("GET", "/v1.0/projects/:project_id/change_events", "change_events", "project", "readonly"),
    ("POST", "/rest/v1.0/potential_change_orders", "change_orders", "project", "admin"),
    ("GET", "/rest/v1.0/change_order_packages?project_id=1", "change_orders", "project",
     "readonly"),
    # Direct Costs
    ("GET", "/rest/v1.1/projects/1001/direct_costs", "direct_costs", "project", "readonly"),
    # Coordination Issues
    ("GET", "/rest/v1.0/coordination_issues?project_id=1001", "coordination_issues", "project",
     "readonly"),
    ("POST", "/rest/v1.0/procore_item_associations/bulk_destroy", "coordination_issues",
     "project", "admin"),
    # Timesheets and timecards
    ("GET", "/rest/v1.0/companies/101/timesheets", "timesheets", "company", "readonly"),
    ("GET", "/rest/v1.0/projects/1001/timecard_entries", "timecard", "project", "readonly"),
    # Bidding
    # reads stay Read Only: only a 2013 training app said viewing bids needed Admin
    ("GET", "/rest/v1.0/projects/1001/bid_packages", "bidding", "project", "readonly"),
    # Webhooks (Procore: Webhooks API Standard)
    ("POST", "/rest/v1.0/webhooks/hooks?project_id=1001", "webhooks_api", "project", "standard"),
    ("GET", "/rest/v1.0/webhooks/hooks/55/deliveries", "webhooks_api", "company", "standard"),
    ("POST", "/rest/v2.0/companies/101/webhooks/hooks", "webhooks_api", "company", "standard"),
    # Emails, Correspondence, Transmittals, Specifications, Forms
    ("GET", "/rest/v1.0/project/1001/email_communications", "emails", "project", "readonly"),
    ("GET", "/rest/v1.0/projects/1001/generic_tools/9/generic_tool_items", "generic_tool",
     "project", "readonly"),
    ("GET", "/rest/v1.0/projects/1001/transmittals", "transmittals", "project", "readonly"),
    ("GET", "/rest/v1.0/specification_sections?project_id=1", "specifications", "project",
     "readonly"),
    ("GET", "/rest/v1.0/projects/1001/forms", "forms", "project", "readonly"),
    # Portfolio / project configuration
    ("POST", "/rest/v1.0/projects?company_id=101", "home", "company", "admin"),
    ("POST", "/rest/v1.0/projects/1001/locations", "admin", "project", "admin"),
    ("PATCH", "/rest/v1.0/projects/1001/tools/7", "admin", "project", "admin"),
    ("POST", "/rest/v2.0/companies/101/projects/1001/links", "home", "project", "admin"),
    # Permissions, App Management, Equipment
    ("POST", "/rest/v1.0/companies/101/permission_templates", "permissions", "company", "admin"),
    ("GET", "/rest/v1.0/app_installations", "app_management", "company", "readonly"),
    ("GET", "/rest/v2.0/companies/101/equipment_register", "equipment", "company", "readonly"),
]


@pytest.mark.parametrize(("method", "path", "tool", "scope", "level"), AREA_TABLE)
def test_each_area_maps_to_its_tool_scope_and_level(
    pmap: PermissionMap, method: str, path: str, tool: str, scope: str, level: str
) -> None:
    answer = pmap.explain(method, path)
    assert (answer.known, answer.tool, answer.scope, answer.level) == (True, tool, scope, level)
    assert answer.confidence in ("high", "medium", "low")
    assert answer.basis


@pytest.mark.parametrize(
    "path",
    ["/rest/v1.0/me", "/v1.0/companies", "/rest/v1.1/projects?company_id=101",
     "https://api.procore.com/rest/v1.0/projects/1001", "/rest/v1.0/settings/permissions"],
)
def test_identity_and_discovery_need_no_tool(pmap: PermissionMap, path: str) -> None:
    answer = pmap.explain("GET", path)
    assert answer.known and answer.tool is None and answer.scope == "none" and answer.level is None


def test_every_spelling_gives_one_template(pmap: PermissionMap) -> None:
    spellings = [
        "/rest/v1.0/projects/1001/rfis",
        "/rest/v1.0/projects/1001/rfis/",
        "/rest/v1.0/projects/1001/rfis?page=2&per_page=100",
        "https://api.procore.com/rest/v1.0/projects/1001/rfis",
        "/v1.0/projects/:project_id/rfis",
        "/rest/v1.0/projects/{project_id}/rfis",
    ]
    templates = {pmap.explain("GET", path).template for path in spellings}
    assert templates == {"/rest/v1.0/projects/{project_id}/rfis"}


def test_unmapped_endpoint_is_reported_not_guessed(pmap: PermissionMap) -> None:
    answer = pmap.explain("GET", "/rest/v1.0/projects/1001/widgets")
    assert answer.known is False and answer.tool is None and answer.level is None
    assert answer.template == "/rest/v1.0/projects/{project_id}/widgets"


def test_vapid_endpoint_is_flagged_deprecated(pmap: PermissionMap) -> None:
    answer = pmap.explain("GET", "/vapid/projects/1001/rfis")
    assert answer.deprecated and answer.tool == "rfi"
    assert answer.template == "/vapid/projects/{project_id}/rfis"


def test_writes_to_configuration_need_admin(pmap: PermissionMap) -> None:
    answer = pmap.explain("POST", "/rest/v1.0/projects/1001/daily_logs/configuration")
    assert answer.level == "admin"


def test_confirmed_keys_are_exactly_procores_examples(pmap: PermissionMap) -> None:
    confirmed = {key for key, tool in pmap.tools.items() if tool.confirmed}
    assert confirmed == {"documents", "home", "schedule", "timecard", "timesheets", "budgeting",
                         "commitments", "coordination_issues", "daily_log", "directory"}
    assert "rfi" in pmap.unconfirmed_tools()


def test_unknown_method_is_bad_input(pmap: PermissionMap) -> None:
    with pytest.raises(InputError):
        pmap.explain("FETCH", "/rest/v1.0/me")


OVERRIDE = """
[[tools]]
key = "widgets"
confidence = "low"

[[routes]]
path = "/projects/{project_id}/widgets"
tool = "widgets"
basis = "our own finding"

[[routes]]
path = "/projects/{project_id}/rfis"
tool = "rfi"
level = "readonly"
basis = "corrected"
"""


def test_override_file_adds_and_corrects_entries(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(OVERRIDE, encoding="utf-8")
    pmap = build_map([path], include_user_files=False)
    added = pmap.explain("GET", "/rest/v1.0/projects/1/widgets")
    assert (added.known, added.tool, added.map_source) == (True, "widgets", str(path))
    corrected = pmap.explain("POST", "/rest/v1.0/projects/1/rfis")
    assert corrected.level == "readonly" and corrected.basis == "corrected"


def test_user_config_folder_override_is_loaded(isolated_home: Path) -> None:
    folder = isolated_home / "config" / "permission-maps"
    folder.mkdir(parents=True)
    (folder / "team.toml").write_text(OVERRIDE, encoding="utf-8")
    assert build_map().explain("GET", "/rest/v1.0/projects/1/widgets").tool == "widgets"


def test_playbook_entries_override(pmap: PermissionMap) -> None:
    entries = [{"method": "GET", "template": "/rest/v1.0/projects/{project_id}/widgets",
                "tool": "widgets", "scope": "project", "level": "standard"}]
    answer = build_map(override_entries=entries, include_user_files=False).explain(
        "GET", "/v1.0/projects/:project_id/widgets"
    )
    assert (answer.tool, answer.level, answer.map_source) == ("widgets", "standard", "playbook")


def test_bad_override_file_names_file_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('[[routes]]\npath = "/x"\ntool = "rfi"\nlevel = "write"\n', encoding="utf-8")
    with pytest.raises(FileFormatError) as caught:
        load_map_file(path)
    assert caught.value.path == str(path) and caught.value.line == 4
    assert "routes.0.level" in caught.value.detail


def test_override_naming_an_undeclared_tool_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "typo.toml"
    path.write_text('[[routes]]\npath = "/x"\ntool = "rfis"\n', encoding="utf-8")
    with pytest.raises(FileFormatError, match="unknown tool key 'rfis'"):
        build_map([path], include_user_files=False)


def test_routes_explain_cli_prints_the_contract_object(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["routes", "explain", "get", "/rest/v1.0/projects/1001/rfis?per_page=5"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {k: data[k] for k in ("method", "path", "template", "tool", "scope", "level",
                                 "known")} == {
        "method": "GET", "path": "/rest/v1.0/projects/1001/rfis?per_page=5",
        "template": "/rest/v1.0/projects/{project_id}/rfis", "tool": "rfi",
        "scope": "project", "level": "readonly", "known": True,
    }


def test_routes_explain_cli_unmapped(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["routes", "explain", "GET", "/rest/v1.0/nothing/here"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["known"] is False and data["tool"] is None and data["level"] is None


def test_routes_explain_cli_bad_method_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["routes", "explain", "FETCH", "/rest/v1.0/me"]) == 2
    assert "unknown HTTP method" in capsys.readouterr().err
