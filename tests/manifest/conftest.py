"""The demo inventory: the three old accounts of the built-in demo world, as step 1 sees them.

Levels are the demo world's permission templates (emulator/worlds/demo.toml): acme-erp-sync
(company 101, templates 502/501), bayview-reporting (company 202, 503/504, company Directory
admin) and cedar-doc-bridge (company 303, 509/505). Two projects each are enough: a mirror
takes the maximum, so more projects with the same template change nothing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).parent / "fixtures"

ERP_PROJECT = {"rfi": "standard", "daily_log": "standard", "submittal_logs": "readonly",
               "documents": "readonly", "directory": "readonly", "budgeting": "readonly"}
REPORTING_PROJECT = {"budgeting": "readonly", "commitments": "readonly",
                     "prime_contracts": "readonly", "daily_log": "readonly"}
BRIDGE_PROJECT = {"documents": "standard", "drawings": "readonly", "images": "readonly"}


def _company(cid: int, name: str, perms: dict[str, str], projects: list[int],
             project_perms: dict[str, str], **extra: Any) -> dict[str, Any]:
    return {
        "id": cid, "name": name, "permissions": perms,
        "projects": [{"id": pid, "name": f"P{pid}", "permissions": project_perms}
                     for pid in projects],
        **extra,
    }


def demo_inventory_data() -> dict[str, Any]:
    return {
        "schema": "dmsa-migrate/inventory/1",
        "generated_at": "2025-02-15T12:00:00Z",
        "accounts": [
            {"label": "acme-erp-sync", "client_id": "ab12…9f", "status": "active",
             "sources": ["live"], "user": {"id": 9001, "name": "ERP Sync"},
             "companies": [_company(101, "Acme Builders",
                                    {"documents": "readonly", "directory": "readonly"},
                                    [1001, 1002], ERP_PROJECT)]},
            {"label": "bayview-reporting", "client_id": "cd34…1a", "status": "active",
             "sources": ["live"], "user": {"id": 9002, "name": "Reporting"},
             "companies": [_company(202, "Bayview Construction Group",
                                    {"home": "readonly", "documents": "readonly",
                                     "directory": "admin", "schedule": "readonly"},
                                    [2001, 2002], REPORTING_PROJECT, directory_admin=True)]},
            {"label": "cedar-doc-bridge", "client_id": "ef56…2b", "status": "rejected",
             "sources": ["directory"], "user": {"id": 9003, "name": "Doc Bridge"},
             "companies": [_company(303, "Cedar Ridge Contractors", {"documents": "readonly"},
                                    [3001, 3002], BRIDGE_PROJECT)]},
        ],
        "usage": [],
    }


@pytest.fixture
def demo_inventory_file(tmp_path: Path) -> Path:
    path = tmp_path / "inventory.json"
    path.write_text(json.dumps(demo_inventory_data()), encoding="utf-8")
    return path


@pytest.fixture
def demo_activity_file() -> Path:
    return FIXTURES / "demo_activity.csv"
