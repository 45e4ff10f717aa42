"""Manifest generation on the demo inventory: both modes, provenance, findings."""

from __future__ import annotations

from pathlib import Path

import pytest

from dmsa_migrate.inventory.activity import read_activity_report
from dmsa_migrate.manifest.generate import GeneratedManifest, generate_manifest
from dmsa_migrate.models.inventory import Inventory, UsageEntry
from dmsa_migrate.models.manifest import ManifestV41
from dmsa_migrate.permissions.map import build_map

from .conftest import demo_inventory_data

MIRROR = {
    "company": {"directory": "admin", "documents": "readonly", "home": "readonly",
                "schedule": "readonly"},
    "project": {"budgeting": "readonly", "commitments": "readonly", "daily_log": "standard",
                "directory": "readonly", "documents": "standard", "drawings": "readonly",
                "images": "readonly", "prime_contracts": "readonly", "rfi": "standard",
                "submittal_logs": "readonly"},
}
LEAST = {
    "company": {**MIRROR["company"], "directory": "readonly"},
    "project": {**MIRROR["project"], "daily_log": "readonly"},
}


@pytest.fixture
def inventory() -> Inventory:
    return Inventory.model_validate(demo_inventory_data())


def _generate(inventory: Inventory, usage: list[UsageEntry], **kwargs: object) -> GeneratedManifest:
    return generate_manifest(
        inventory, usage, permission_map=build_map(include_user_files=False), **kwargs  # type: ignore[arg-type]
    )


def _codes(result: GeneratedManifest) -> dict[str, list[tuple[str | None, str | None]]]:
    codes: dict[str, list[tuple[str | None, str | None]]] = {}
    for finding in result.explanation.findings:
        codes.setdefault(finding.code, []).append((finding.scope, finding.tool))
    return codes


def test_mirror_is_the_highest_old_level_per_tool(inventory: Inventory) -> None:
    result = _generate(inventory, [], mode="mirror")
    assert result.manifest.permissions.model_dump() == MIRROR
    assert result.manifest.schema_version == "4.1"
    codes = _codes(result)
    assert codes["company_directory_admin"] == [("company", "directory")]
    assert ("company", "directory") not in codes.get("admin_level", [])
    assert "no_usage_evidence" in codes and "old_directory_admin" in codes


def test_least_privilege_narrows_what_the_usage_covers(
    inventory: Inventory, demo_activity_file: Path
) -> None:
    result = _generate(inventory, read_activity_report(demo_activity_file),
                       mode="least-privilege")
    assert result.manifest.permissions.model_dump() == LEAST
    reasons = {(r.scope, r.tool): r for r in result.explanation.permissions}
    assert reasons[("company", "directory")].basis == "usage"
    assert reasons[("company", "directory")].old_level == "admin"
    assert reasons[("project", "drawings")].basis == "kept-no-usage-evidence"
    assert "kept: no usage evidence" in reasons[("project", "drawings")].reason
    codes = _codes(result)
    assert "company_directory_admin" not in codes
    assert ("project", "drawings") in codes["unused_tool"]
    assert codes["exceeds_old_access"] == [("project", "rfi")]
    exceeds = next(f for f in result.explanation.findings if f.code == "exceeds_old_access")
    assert "4 call(s) answered 403" in exceeds.message
    assert "DELETE /rest/v1.0/projects/{project_id}/rfis/{id}" in exceeds.endpoints
    assert [n.template for n in result.explanation.unmapped] == [
        "/rest/v1.0/projects/{project_id}/widgets"
    ]
    assert "unmapped_endpoint" in codes


def test_every_permission_has_provenance(inventory: Inventory, demo_activity_file: Path) -> None:
    for mode in ("mirror", "least-privilege"):
        result = _generate(inventory, read_activity_report(demo_activity_file), mode=mode)
        explained = {(r.scope, r.tool): r.level for r in result.explanation.permissions}
        granted = {("company", t): lvl for t, lvl in result.manifest.permissions.company.items()}
        granted |= {("project", t): lvl for t, lvl in result.manifest.permissions.project.items()}
        assert explained == granted
        for reason in result.explanation.permissions:
            assert reason.reason and reason.old_access
            if reason.basis == "usage":
                assert reason.evidence and all(item.sources for item in reason.evidence)


def test_default_mode_follows_the_evidence(inventory: Inventory) -> None:
    assert _generate(inventory, []).explanation.mode == "mirror"
    used = [UsageEntry(method="GET", template="/rest/v1.0/me", source="scan")]
    assert _generate(inventory, used).explanation.mode == "least-privilege"


def test_inventory_usage_counts_as_evidence(inventory: Inventory) -> None:
    inventory.usage.append(UsageEntry(
        method="GET", template="/rest/v1.0/projects/{project_id}/daily_logs", source="scan"))
    result = _generate(inventory, [], mode="least-privilege")
    assert result.manifest.permissions.project["daily_log"] == "readonly"


def test_tool_outside_old_access_is_left_out_and_flagged(inventory: Inventory) -> None:
    used = [UsageEntry(method="GET", template="/rest/v1.0/projects/1/incidents", source="scan")]
    result = _generate(inventory, used, mode="least-privilege")
    assert "incidents" not in result.manifest.permissions.project
    assert ("project", "incidents") in _codes(result)["not_in_old_access"]
    wider = _generate(inventory, used, mode="least-privilege", allow_wider=True)
    assert wider.manifest.permissions.project["incidents"] == "readonly"


def test_no_old_access_builds_from_usage(tmp_path: Path) -> None:
    used = [UsageEntry(method="POST", template="/v1.0/projects/:project_id/rfis", source="a")]
    result = _generate(Inventory(), used, mode="least-privilege")
    assert result.manifest.permissions.project == {"rfi": "standard"}
    assert "old_access_unknown" in _codes(result)


def test_deprecated_and_admin_findings(inventory: Inventory) -> None:
    used = [UsageEntry(method="GET", template="/vapid/projects/1/rfis", source="scan"),
            UsageEntry(method="DELETE", template="/rest/v1.0/files/3?project_id=1",
                       source="scan")]
    inventory.accounts[2].companies[0].projects[0].permissions["documents"] = "admin"
    result = _generate(inventory, used, mode="least-privilege")
    codes = _codes(result)
    assert ("project", "documents") in codes["admin_level"]
    deprecated = next(f for f in result.explanation.findings if f.code == "deprecated_endpoint")
    assert deprecated.endpoints == ["GET /vapid/projects/{project_id}/rfis"]


def test_playbook_overrides_instruction_and_levels(inventory: Inventory) -> None:
    entries = [{"method": "GET", "template": "/rest/v1.0/projects/{project_id}/widgets",
                "tool": "budgeting", "scope": "project", "level": "readonly"}]
    used = [UsageEntry(method="GET", template="/rest/v1.0/projects/1/widgets", source="scan")]
    result = generate_manifest(
        inventory, used, mode="mirror", override_entries=entries,
        instruction="Pick the ERP projects.", required_levels={"company": {"admin": "admin"}},
        max_level_cap="standard",
    )
    assert result.explanation.unmapped == []
    assert result.manifest.post_installation_instruction.notes == "Pick the ERP projects."
    assert result.manifest.permissions.company["admin"] == "standard"
    assert result.manifest.permissions.company["directory"] == "standard"
    assert "default_instructions" not in _codes(result)


def test_manifest_is_the_v41_shape_only(inventory: Inventory) -> None:
    data = _generate(inventory, [], mode="mirror").manifest.model_dump(mode="json")
    assert set(data) == {"schema_version", "post_installation_instruction", "permissions"}
    assert set(data["post_installation_instruction"]) == {"notes", "page"}
    assert set(data["post_installation_instruction"]["page"]) == {"url", "label"}
    ManifestV41.model_validate(data)
