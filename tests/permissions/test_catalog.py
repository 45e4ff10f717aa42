"""The operation catalog: every operation of Procore's API, built from the reference data."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from dmsa_migrate.cli import main
from dmsa_migrate.models.common import LEVEL_ORDER
from dmsa_migrate.permissions.build import build_from_reference, shipped_attribution_file
from dmsa_migrate.permissions.catalog import catalog_json, shipped_catalog, shipped_catalog_text
from dmsa_migrate.permissions.derive import summary_kind
from dmsa_migrate.permissions.map import PermissionMap, build_map, shipped_layer

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT.parent / "shared" / "reference" / "procore-oas"
needs_reference = pytest.mark.skipif(
    not (REFERENCE / "operations.jsonl").is_file(),
    reason=f"Procore reference data not found at {REFERENCE} (shared/ beside the repository)",
)


@pytest.fixture(scope="module")
def pmap() -> PermissionMap:
    return build_map(include_user_files=False)


@needs_reference
def test_packaged_catalog_is_what_the_script_builds_from_the_reference() -> None:
    assert shipped_catalog_text() == catalog_json(build_from_reference(REFERENCE)), (
        "permissions/data/operations.json is stale: run scripts/build_permission_map.py"
    )


@needs_reference
def test_build_script_check_mode_agrees() -> None:
    script = ROOT / "scripts" / "build_permission_map.py"
    done = subprocess.run(
        [sys.executable, str(script), "--check", "--reference", str(REFERENCE)],
        capture_output=True, text=True, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "2636 operations" in done.stdout


@needs_reference
def test_every_reference_operation_is_in_the_catalog() -> None:
    rows = json.loads((REFERENCE / "catalog.json").read_text("utf-8"))
    wanted = {(row["method"], row["path"]) for row in rows}
    have = {(entry.method, entry.path) for entry in shipped_catalog().data.operations}
    assert wanted == have


def test_at_least_98_percent_of_operations_are_attributed() -> None:
    entries = shipped_catalog().data.operations
    known = sum(entry.known for entry in entries)
    assert known / len(entries) >= 0.98
    for entry in entries:
        if not entry.known:
            assert entry.rule == "unknown" and entry.basis, entry  # unknown says why


def test_catalog_names_only_declared_tool_keys() -> None:
    declared = {tool.key for tool in shipped_layer().data.tools}
    used = {entry.tool for entry in shipped_catalog().data.operations if entry.tool}
    assert used <= declared


def test_no_read_is_mapped_above_readonly_unless_procore_documents_it() -> None:
    for entry in shipped_catalog().data.operations:
        if entry.level is None or summary_kind(entry.summary, entry.method) != "read":
            continue
        if LEVEL_ORDER[entry.level] > LEVEL_ORDER["readonly"]:
            documented = entry.rule in ("description", "correction") or (
                entry.tool == "webhooks_api"  # Procore: the Webhooks API permission is Standard
            )
            assert documented, entry


def test_every_correction_cites_its_source() -> None:
    for fix in shipped_attribution_file().corrections:
        assert len(fix.source) > 20, fix


@pytest.mark.parametrize(
    ("method", "path", "tool", "level", "rule"),
    [
        # a read sent as POST
        ("POST", "/rest/v1.0/budget_views/5/budget_details?project_id=1", "budgeting",
         "readonly", "summary"),
        # a read the old map put at admin
        ("GET", "/rest/v1.0/projects/1/permission_templates", "directory", "readonly", "summary"),
        # the description's explicit statement wins over the verb
        ("PATCH", "/rest/v1.0/companies/1/users/sync", "directory", "admin", "description"),
        ("PATCH", "/rest/v1.0/requisitions/9?project_id=1", "commitments", "standard",
         "description"),
        # "Retrieve Recycled RFI" restores: a write
        ("PATCH", "/rest/v1.0/projects/1/rfis/2/retrieve", "rfi", "admin", "summary"),
        ("GET", "/rest/v1.0/projects/1/rfis/2", "rfi", "readonly", "summary"),
        ("POST", "/rest/v1.0/projects/1/rfis/2/replies", "rfi", "standard", "summary"),
    ],
)
def test_level_comes_from_what_the_operation_does(
    pmap: PermissionMap, method: str, path: str, tool: str, level: str, rule: str
) -> None:
    answer = pmap.explain(method, path)
    assert (answer.tool, answer.level, answer.rule) == (tool, level, rule)
    assert answer.operation and answer.summary


@pytest.mark.parametrize(
    ("method", "path", "tool"),
    [  # endpoints six real integrations call that the old map did not know (issue 15)
        ("GET", "/rest/v1.0/budget_views/3/detail_rows?project_id=1", "budgeting"),
        ("GET", "/rest/v2.0/companies/1/change_events/statuses", "change_events"),
        ("GET", "/rest/v1.0/punch_item_types?project_id=1", "punch_list"),
        ("GET", "/rest/v1.0/projects/1/correspondence_type_items", "generic_tool"),
        ("GET", "/rest/v1.0/bim_models?project_id=1", "bim"),
        ("GET", "/rest/v1.0/project_roles?project_id=1", "directory"),
        ("GET", "/rest/v1.0/projects/1/project_dates", "home"),
    ],
)
def test_endpoints_real_integrations_call_are_known(
    pmap: PermissionMap, method: str, path: str, tool: str
) -> None:
    answer = pmap.explain(method, path)
    assert answer.known and answer.tool == tool


def test_an_unknown_operation_says_why(pmap: PermissionMap) -> None:
    answer = pmap.explain("GET", "/rest/v1.0/companies/1/payments/beneficiaries")
    assert answer.known is False and answer.tool is None
    assert answer.summary == "List Payments Beneficiaries" and answer.rule == "unknown"
    assert any("Procore Pay" in note for note in answer.notes)


def test_a_users_override_beats_the_catalog(tmp_path: Path) -> None:
    override = tmp_path / "mine.toml"
    override.write_text(
        '[[routes]]\npath = "/projects/{project_id}/rfis"\ntool = "rfi"\nlevel = "admin"\n'
        'basis = "our integration closes RFIs"\n', encoding="utf-8",
    )
    answer = build_map([override], include_user_files=False).explain(
        "GET", "/rest/v1.0/projects/1/rfis"
    )
    assert (answer.level, answer.rule, answer.map_source) == ("admin", "route", str(override))


def test_explain_cli_prints_operation_summary_and_rule(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["routes", "explain", "GET", "/rest/v1.0/projects/1001/rfis"]) == 0
    answer = json.loads(capsys.readouterr().out)
    for key in ("method", "path", "template", "tool", "scope", "level", "known"):
        assert key in answer  # the contract keys stay
    assert answer["operation"] == "RestV10ProjectsProjectIdRfisGet"
    assert (answer["summary"], answer["rule"]) == ("List RFIs", "summary")


def test_coverage_cli_reports_the_share_and_modules(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["routes", "coverage", "--by", "module", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["operations"] == len(shipped_catalog().data.operations)
    assert report["attributed"] + report["unknown"] == report["operations"]
    assert report["reference_date"] == "2026-05-08"
    payments = next(row for row in report["modules"]
                    if row["module"] == "Construction Financials/Payments")
    assert payments["unknown"] == payments["operations"]
    assert main(["routes", "coverage"]) == 0
    text = capsys.readouterr().out
    assert "attributed" in text and "2026-05-08" in text


@pytest.mark.parametrize(
    ("summary", "method", "kind"),
    [
        ("List Budget Details", "POST", "read"),
        ("Retrieve Recycled RFI", "PATCH", "update"),
        ("Retrieve Equipment", "PATCH", "update"),
        ("Retrieve a single webhook for project", "GET", "read"),
        ("Finds or Creates a Inspection Item Signature Request", "POST", "create"),
        ("Create Advanced Export for Existing RFI", "POST", "read"),
        ("Create PDF Template Config", "POST", "create"),
        ("Bulk remove company users from projects", "POST", "delete"),
        ("Creates or updates project date", "POST", "update"),
        ("Company Folder and File index", "GET", None),
    ],
)
def test_summary_verbs(summary: str, method: str, kind: str | None) -> None:
    assert summary_kind(summary, method) == kind


@needs_reference
def test_import_of_the_reference_as_openapi_gives_the_packaged_catalog(tmp_path: Path) -> None:
    """``routes import-openapi`` and the build script apply the same rules: Procore's
    operations written as an OpenAPI document come back as the packaged catalog."""
    paths: dict[str, dict[str, object]] = {}
    for line in (REFERENCE / "operations.jsonl").read_text("utf-8").splitlines():
        row = json.loads(line)
        paths.setdefault(row["path"], {})[row["method"].lower()] = {
            "operationId": row["operationId"], "summary": row["summary"],
            "tags": [row["tag"]], "description": row.get("description", ""),
            "parameters": row.get("parameters", []),
        }
    source = tmp_path / "combined_OAS.json"
    source.write_text(json.dumps({"openapi": "3.0.1", "paths": paths}), encoding="utf-8")
    out = tmp_path / "catalog.json"
    assert main(["routes", "import-openapi", str(source), "--out", str(out)]) == 0
    imported = json.loads(out.read_text("utf-8"))["operations"]
    packaged = [entry.model_dump(mode="json") for entry in shipped_catalog().data.operations]
    assert imported == packaged
