"""``routes import-openapi``: the whole API in one step, from a small hand-written OAS."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dmsa_migrate.cli import main
from dmsa_migrate.permissions.map import build_map, load_map_file

FIXTURE = Path(__file__).parents[1] / "manifest" / "fixtures" / "openapi_small.json"


def test_import_writes_a_valid_override_by_area_and_method(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "oas.toml"
    assert main(["routes", "import-openapi", str(FIXTURE), "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert "wrote 6 entries for 7 operations" in captured.out
    assert "Secret Area/Unknown" in captured.err
    layer = load_map_file(out)
    paths = {(route.path, tuple(route.methods)) for route in layer.data.routes}
    assert ("/projects/{project_id}/widgets", ("DELETE",)) in paths
    assert ("/projects/{project_id}/gizmos/{id}", ("PATCH",)) in paths  # v2 scoping folded
    pmap = build_map([out], include_user_files=False)
    widgets = pmap.explain("DELETE", "/v1.0/projects/:project_id/widgets")
    assert (widgets.tool, widgets.scope, widgets.level) == ("budgeting", "project", "admin")
    gizmo = pmap.explain("PATCH", "/rest/v2.0/companies/1/projects/2/gizmos/3")
    assert (gizmo.tool, gizmo.level) == ("punch_list", "admin")
    info = pmap.explain("GET", "/rest/v1.0/oauth_like/info")
    assert info.known and info.tool is None


def test_imported_entries_never_override_the_shipped_map(tmp_path: Path) -> None:
    out = tmp_path / "oas.toml"
    assert main(["routes", "import-openapi", str(FIXTURE), "--out", str(out)]) == 0
    replies = build_map([out], include_user_files=False).explain(
        "POST", "/rest/v1.0/projects/1/rfis"
    )
    assert replies.map_source == "shipped"


def test_import_without_out_goes_to_the_user_map_folder(
    isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["routes", "import-openapi", str(FIXTURE)]) == 0
    assert (isolated_home / "config" / "permission-maps" / "openapi.toml").is_file()
    capsys.readouterr()
    assert main(["routes", "explain", "GET", "/rest/v1.0/projects/5/widgets"]) == 0
    assert json.loads(capsys.readouterr().out)["tool"] == "budgeting"


def test_not_an_openapi_document_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "oas.json"
    bad.write_text('{"openapi": "3.0.1"}', encoding="utf-8")
    assert main(["routes", "import-openapi", str(bad), "--out", str(tmp_path / "o.toml")]) == 2
    assert f"{bad}: paths: missing" in capsys.readouterr().err
