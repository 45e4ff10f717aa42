"""``routes import-openapi``: refresh the operation catalog from an OpenAPI document, with the
same rules the packaged catalog is built with."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from dmsa_migrate.cli import main
from dmsa_migrate.permissions.catalog import load_catalog_file
from dmsa_migrate.permissions.map import build_map

FIXTURE = Path(__file__).parents[1] / "manifest" / "fixtures" / "openapi_small.json"


def _import(tmp_path: Path, paths: dict[str, object]) -> Path:
    """Write a small OpenAPI document with these paths, import it, return the catalog."""
    source = tmp_path / "combined_OAS.json"
    document = {"openapi": "3.0.1", "info": {"title": "t", "version": "9"}, "paths": paths}
    source.write_text(json.dumps(document), encoding="utf-8")
    out = tmp_path / "catalog.json"
    assert main(["routes", "import-openapi", str(source), "--out", str(out)]) == 0
    return out


def test_import_writes_a_private_catalog_by_area_and_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "oas.json"
    assert main(["routes", "import-openapi", str(FIXTURE), "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert "wrote 7 operations (6 attributed, 1 unknown)" in captured.out
    assert "Secret Area/Unknown" in captured.err
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    layer = load_catalog_file(out)
    assert {entry.operation for entry in layer.data.operations} >= {"DeleteWidget", "UpdateGizmo"}
    pmap = build_map([out], include_user_files=False)
    widgets = pmap.explain("DELETE", "/v1.0/projects/:project_id/widgets")
    assert (widgets.tool, widgets.scope, widgets.level) == ("budgeting", "project", "admin")
    assert widgets.operation == "DeleteWidget" and widgets.rule == "method"
    gizmo = pmap.explain("PATCH", "/rest/v2.0/companies/1/projects/2/gizmos/3")
    assert (gizmo.tool, gizmo.level) == ("punch_list", "admin")
    info = pmap.explain("GET", "/rest/v1.0/oauth_like/info")
    assert info.known and info.tool is None
    mystery = pmap.explain("GET", "/rest/v1.0/mystery")
    assert mystery.known is False and "Secret Area" in " ".join(mystery.notes)


def test_a_newer_download_replaces_the_packaged_operation(tmp_path: Path) -> None:
    out = _import(tmp_path, {
        "/rest/v1.0/projects/{project_id}/rfis": {"get": {
            "operationId": "RestV10ProjectsProjectIdRfisGet", "summary": "List RFIs (new)",
            "tags": ["Project Management/RFI/rfis"]}},
    })
    answer = build_map([out], include_user_files=False).explain("GET", "/rest/v1.0/projects/1/rfis")
    assert answer.summary == "List RFIs (new)" and answer.map_source == str(out)


def test_summary_verb_decides_not_the_method(tmp_path: Path) -> None:
    out = _import(tmp_path, {
        "/rest/v1.0/budget_views/{budget_view_id}/budget_details": {"post": {
            "operationId": "Details", "summary": "List Budget Details",
            "tags": ["Construction Financials/Budget/budget-details"]}},
    })
    answer = build_map([out], include_user_files=False).explain(
        "POST", "/rest/v1.0/budget_views/7/budget_details?project_id=1"
    )
    assert (answer.tool, answer.level, answer.rule) == ("budgeting", "readonly", "summary")


def test_a_tag_given_as_a_string_is_one_tag(tmp_path: Path) -> None:
    out = _import(tmp_path, {
        "/rest/v1.0/projects/{project_id}/rfis/{id}": {"get": {
            "operationId": "ShowRfi", "summary": "Show RFI",
            "tags": "Project Management/RFI/rfis"}},
    })
    entry = load_catalog_file(out).data.operations[0]
    assert (entry.tag, entry.tool) == ("Project Management/RFI/rfis", "rfi")


def test_import_without_out_goes_to_the_user_map_folder(
    isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["routes", "import-openapi", str(FIXTURE)]) == 0
    written = isolated_home / "config" / "permission-maps" / "openapi.json"
    assert written.is_file() and stat.S_IMODE(written.stat().st_mode) == 0o600
    capsys.readouterr()
    assert main(["routes", "explain", "GET", "/rest/v1.0/projects/5/widgets"]) == 0
    assert json.loads(capsys.readouterr().out)["tool"] == "budgeting"


def test_not_an_openapi_document_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "oas.json"
    bad.write_text('{"openapi": "3.0.1"}', encoding="utf-8")
    assert main(["routes", "import-openapi", str(bad), "--out", str(tmp_path / "o.json")]) == 2
    assert f"{bad}: paths: missing" in capsys.readouterr().err


def test_out_must_be_a_json_catalog(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["routes", "import-openapi", str(FIXTURE), "--out", str(tmp_path / "o.toml")]) == 2
    assert "*.json" in capsys.readouterr().err
    assert not (tmp_path / "o.toml").exists()


def test_referenced_parameters_decide_the_scope(tmp_path: Path) -> None:
    """Procore's combined document shares parameters under components/parameters."""
    source = tmp_path / "combined_OAS.json"
    source.write_text(json.dumps({
        "openapi": "3.0.1",
        "components": {"parameters": {"project_id": {
            "name": "project_id", "in": "query", "required": True}}},
        "paths": {"/rest/v1.0/folders": {"get": {
            "operationId": "ListFolders", "summary": "List project folders and files",
            "tags": ["Core/Documents/project-folders-and-files"],
            "parameters": [{"$ref": "#/components/parameters/project_id"}]}}},
    }), encoding="utf-8")
    out = tmp_path / "catalog.json"
    assert main(["routes", "import-openapi", str(source), "--out", str(out)]) == 0
    entry = load_catalog_file(out).data.operations[0]
    assert (entry.tool, entry.scope, entry.level) == ("documents", "project", "readonly")
