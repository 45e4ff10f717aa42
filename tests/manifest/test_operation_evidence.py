"""The manifest's explanation says what each used endpoint does, and warns about operations
the permission map does not know, naming the reference date it was built from (issue 15)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dmsa_migrate.cli import main

ACTIVITY = (
    "Date,Response Code,HTTP Method,Normalized Route,Count\n"
    "2025-02-01,200,GET,/v1.0/projects/:project_id/rfis,40\n"
    "2025-02-01,200,POST,/v1.0/budget_views/:budget_view_id/budget_details,12\n"
    "2025-02-01,200,GET,/v1.0/companies/:company_id/payments/beneficiaries,3\n"
    "2025-02-01,200,GET,/v1.0/projects/:project_id/hovercrafts,5\n"
)


def test_explanation_carries_summaries_and_warns_on_unknown_operations(
    tmp_path: Path, demo_inventory_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    usage = tmp_path / "activity.csv"
    usage.write_text(ACTIVITY, encoding="utf-8")
    out = tmp_path / "manifest.json"
    code = main(["manifest", "--inventory", str(demo_inventory_file), "--usage", str(usage),
                 "--out", str(out), "--allow-wider", "--explain"])
    assert code == 0
    printed = capsys.readouterr().out
    assert '("List Budget Details") -> readonly' in printed
    sidecar = json.loads((tmp_path / "manifest.explain.json").read_text("utf-8"))
    assert sidecar["map_reference_date"] == "2026-05-08"
    evidence = {item["template"]: item for reason in sidecar["permissions"]
                for item in reason["evidence"]}
    details = evidence["/rest/v1.0/budget_views/{budget_view_id}/budget_details"]
    assert (details["summary"], details["level"], details["rule"]) == (
        "List Budget Details", "readonly", "summary")
    assert evidence["/rest/v1.0/projects/{project_id}/rfis"]["summary"] == "List RFIs"
    unmapped = {note["template"]: note for note in sidecar["unmapped"]}
    pay = unmapped["/rest/v1.0/companies/{company_id}/payments/beneficiaries"]
    assert pay["summary"] == "List Payments Beneficiaries" and "Procore Pay" in pay["reason"]
    warnings = {finding["endpoints"][0]: finding["message"] for finding in sidecar["findings"]
                if finding["code"] == "unmapped_endpoint"}
    new = warnings["GET /rest/v1.0/projects/{project_id}/hovercrafts"]
    assert "2026-05-08" in new and "routes import-openapi" in new
    known_op = "GET /rest/v1.0/companies/{company_id}/payments/beneficiaries"
    assert "names no tool" in warnings[known_op]
