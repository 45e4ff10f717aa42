"""Fixtures for the verify step: the demo world, an inventory that matches it, helpers.

The inventory is written by hand to match the demo world as the inventory step reports it:
ERP Sync (9001) reached projects 1001-1008 of Acme (101) with template 501's levels;
Reporting Export (9002) is a Directory admin of Bayview (202), seeing all 14 projects;
Document Bridge (9003) reached 3001-3006 of Cedar Ridge (303).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from dmsa_migrate.emulator import World, load_world
from dmsa_migrate.emulator.testing import Connector
from dmsa_migrate.models.inventory import Inventory
from dmsa_migrate.models.verification import CompanyVerification, Verification
from dmsa_migrate.procore import ClientCredentials, Environment
from dmsa_migrate.runtime import Connection
from dmsa_migrate.verify import verify_install

DMSA_ID = "dmsa-acme-sync-2f6b8d4e1a9c"
DMSA_SECRET = "dmsa-secret-acme-sync-7c3e9a1f5b2d"

ERP_LEVELS = {
    "rfi": "standard", "daily_log": "standard", "submittal_logs": "readonly",
    "documents": "readonly", "directory": "readonly", "budgeting": "readonly",
}
REPORTING_LEVELS = {
    "budgeting": "readonly", "commitments": "readonly", "prime_contracts": "readonly",
    "daily_log": "readonly",
}
DOCS_LEVELS = {"documents": "standard", "drawings": "readonly", "images": "readonly"}
DEMO_MANIFEST = {
    "company": {"documents": "readonly", "directory": "readonly"},
    "project": {
        "rfi": "standard", "daily_log": "standard", "submittal_logs": "readonly",
        "documents": "readonly", "budgeting": "readonly", "commitments": "readonly",
        "prime_contracts": "readonly", "directory": "readonly",
    },
}
"""The demo app's declared permissions (what step 2's manifest.json holds)."""


def write_demo_manifest(path: Path) -> Path:
    """The demo app's published levels as a v4.1 manifest file (verify --manifest)."""
    path.write_text(json.dumps({
        "schema_version": "4.1",
        "post_installation_instruction": {"notes": "n", "page": {"url": "u", "label": "l"}},
        "permissions": DEMO_MANIFEST,
    }), encoding="utf-8")
    return path


def _project(pid: int, levels: dict[str, str], active: bool = True) -> dict[str, Any]:
    return {"id": pid, "name": f"Project {pid}", "active": active, "permissions": levels}


def demo_inventory_data() -> dict[str, Any]:
    """inventory.json for the demo world, as a plain dict (tests edit it)."""
    reporting = [2001, 2002, 2004, 2006, 2009]
    return {
        "schema": "dmsa-migrate/inventory/1",
        "generated_at": "2025-02-15T12:00:00Z",
        "accounts": [
            {
                "label": "acme-erp-sync", "client_id": "tsa-…0e2d", "status": "active",
                "sources": ["live"], "user": {"id": 9001, "name": "ERP Sync"},
                "companies": [{
                    "id": 101, "name": "Acme Builders",
                    "permissions": {"documents": "readonly", "directory": "readonly"},
                    "projects": [_project(p, ERP_LEVELS) for p in range(1001, 1009)],
                }],
            },
            {
                "label": "bayview-reporting", "client_id": "tsa-…77b1", "status": "active",
                "sources": ["live"], "user": {"id": 9002, "name": "Reporting Export"},
                "companies": [{
                    "id": 202, "name": "Bayview Construction Group",
                    "permissions": {
                        "home": "readonly", "documents": "readonly", "directory": "admin",
                        "schedule": "readonly",
                    },
                    "directory_admin": True, "add_to_new_projects": True,
                    "projects": [
                        _project(p, REPORTING_LEVELS if p in reporting else {},
                                 active=p not in (2012, 2013))
                        for p in range(2001, 2015)
                    ],
                }],
            },
            {
                "label": "cedar-docs", "client_id": "tsa-…b2c8", "status": "rejected",
                "sources": ["directory"], "user": {"id": 9003, "name": "Document Bridge"},
                "companies": [{
                    "id": 303, "name": "Cedar Ridge Contractors",
                    "permissions": {"documents": "readonly"},
                    "projects": [_project(p, DOCS_LEVELS) for p in range(3001, 3007)],
                }],
            },
        ],
        "usage": [],
    }


def demo_inventory() -> Inventory:
    return Inventory.model_validate(demo_inventory_data())


def demo_world_data() -> dict[str, Any]:
    """The built-in demo world as a plain dict (tests edit it, then :func:`world`)."""
    return load_world("demo").model_dump()


def world(data: dict[str, Any]) -> World:
    return World.model_validate(data)


def installation(data: dict[str, Any], company_id: int) -> dict[str, Any]:
    """The demo app's installation row in ``company_id`` (to edit in place)."""
    return next(i for i in data["installations"] if i["company_id"] == company_id)


def directory_row(data: dict[str, Any], user_id: int, company_id: int) -> dict[str, Any]:
    return next(
        d for d in data["directory"] if d["user_id"] == user_id and d["company_id"] == company_id
    )


def factory(conn: Any) -> Connection:
    """A runtime Connection (what verify_install takes) from a testing connection."""
    env = Environment("emulator", conn.base_url, conn.base_url)
    return Connection(env, conn.transport, conn.emulator)


Run = Callable[..., Any]


@pytest.fixture
def inprocess() -> Iterator[Connector]:
    connector = Connector("inprocess")
    yield connector
    connector.close()


async def run_verify(
    conn: Any,
    inventory: Inventory | None = None,
    *,
    company_ids: Sequence[int] = (),
    **options: Any,
) -> Verification:
    return await verify_install(
        inventory or demo_inventory(),
        factory(conn),
        ClientCredentials(DMSA_ID, DMSA_SECRET),
        company_ids=company_ids,
        **options,
    )


def company(verification: Verification, company_id: int) -> CompanyVerification:
    return next(c for c in verification.companies if c.id == company_id)


def codes(entry: CompanyVerification) -> list[str]:
    return sorted(f.code for f in entry.findings)
