"""Evidence for one customer with two companies: one fine, one with planted problems."""

from __future__ import annotations

import pytest

from dmsa_migrate.conditions import Evidence
from dmsa_migrate.models.inventory import Inventory
from dmsa_migrate.models.verification import Verification

INVENTORY = Inventory.model_validate(
    {
        "schema": "dmsa-migrate/inventory/1",
        "accounts": [
            {
                "label": "acme-erp",
                "client_id": "ab12…9f",
                "status": "rejected",
                "sources": ["directory", "scan"],
                "user": {"id": 9001, "name": "ERP Sync"},
                "companies": [
                    {
                        "id": 101,
                        "name": "Acme Builders",
                        "permissions": {"documents": "readonly", "directory": "none"},
                        "add_to_new_projects": True,
                        "projects": [
                            {"id": 1001, "permissions": {"rfi": "standard"}},
                            {"id": 1007, "permissions": {"rfi": "readonly"}},
                            {"id": 1012, "active": False, "permissions": {"daily_log": "readonly"}},
                        ],
                    },
                    {"id": 202, "name": "Acme West", "projects": [{"id": 2001}]},
                ],
            }
        ],
        "usage": [
            {
                "method": "GET",
                "template": "/rest/v1.0/projects/{project_id}/rfis",
                "source": "scan",
            },
            {"method": "POST", "template": "/rest/v1.0/webhooks/hooks", "source": "scan"},
        ],
    }
)

VERIFICATION = Verification.model_validate(
    {
        "ok": False,
        "companies": [
            {
                "id": 101,
                "name": "Acme Builders",
                "installed": True,
                "status": "installed",
                "matched_projects": [1001],
                "missing_projects": [1012, 1007],
                "permission_gaps": [
                    {
                        "scope": "project",
                        "tool": "rfi",
                        "needed": "standard",
                        "granted": "readonly",
                        "projects": [1001],
                    }
                ],
                "findings": [
                    {"code": "manual_directory_edit", "severity": "warning", "message": "…"}
                ],
            },
            {"id": 202, "installed": False, "status": "disconnected", "matched_projects": [2001]},
        ],
    }
)

MANIFEST = {
    "schema_version": "4.1",
    "permissions": {
        "company": {"documents": "readonly"},
        "project": {"rfi": "standard", "daily_log": "readonly"},
    },
    "post_installation_instruction": "Choose the permitted projects.",
}

FULL = Evidence(inventory=INVENTORY, manifest=MANIFEST, verification=VERIFICATION)


@pytest.fixture
def full() -> Evidence:
    """Inventory, manifest and verification of the fixture customer."""
    return FULL


@pytest.fixture
def inventory() -> Inventory:
    """The fixture inventory alone."""
    return INVENTORY
