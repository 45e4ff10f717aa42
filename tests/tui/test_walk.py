"""A whole demo session through the four steps and the export, then reopened.

Each step is checked for what a consultant would see: the tables hold the demo world's
planted problems (project 1008 missing in company 101, the hand-set template on the DMSA
user, company 303 disconnected), the stepper marks, and the files recorded in the session.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import DataTable, Tree

from dmsa_migrate.sessions import SessionStore
from dmsa_migrate.tui.app import make_app
from dmsa_migrate.tui.screens.workspace import WorkspaceScreen
from dmsa_migrate.tui.widgets.stepper import StepChip

from .conftest import settle, wait_for

pytestmark = pytest.mark.anyio


def chip(screen: WorkspaceScreen, kind: str) -> str:
    return str(screen.query_one(f"#chip-{kind}", StepChip).render())


def cells(table: DataTable[Any]) -> list[list[str]]:
    return [[str(cell) for cell in table.get_row_at(row)] for row in range(table.row_count)]


async def test_demo_walk_through_four_steps_and_export(store: SessionStore) -> None:
    app = make_app(demo="demo", store=store)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, WorkspaceScreen))
        screen = app.screen
        assert isinstance(screen, WorkspaceScreen)
        workspace = screen.workspace
        await settle(pilot)
        assert chip(screen, "inventory").startswith("○ 1 Inventory")
        accounts = cells(screen.query_one("#accounts", DataTable))
        assert [row[0] for row in accounts] == ["erp-sync", "reporting-export", "document-bridge"]
        assert all("env:" in row[2] for row in accounts)  # references, never values

        # Step 1: inventory
        await pilot.press("r")
        await wait_for(pilot, lambda: workspace.inventory is not None)
        await settle(pilot)
        statuses = [row[4] for row in cells(screen.query_one("#accounts", DataTable))]
        assert statuses == ["active", "active", "rejected"]  # 303's old secret was revoked
        tree = screen.query_one("#access-tree", Tree)
        labels = [str(node.label) for node in tree.root.children]
        assert labels[2].startswith("document-bridge rejected")
        acme = next(a for a in workspace.inventory.accounts if a.label == "erp-sync")
        assert 1008 in {p.id for p in acme.companies[0].projects}
        assert chip(screen, "inventory").startswith("✔")

        # Step 2: manifest
        await pilot.press("2", "r")
        await wait_for(pilot, lambda: workspace.manifest is not None)
        await settle(pilot)
        rows = cells(screen.query_one("#permissions", DataTable))
        # the Activity Report is evidence: least privilege, rfi from the observed usage
        assert workspace.explanation.mode == "least-privilege"
        assert rows[[r[1] for r in rows].index("rfi")][:2] == ["project", "rfi"]
        assert rows[[r[1] for r in rows].index("rfi")][3] == "usage"
        await pilot.press("m")  # switch to mirroring the old access
        await wait_for(pilot, lambda: workspace.explanation.mode == "mirror")
        await settle(pilot)
        rows = cells(screen.query_one("#permissions", DataTable))
        assert rows[[r[1] for r in rows].index("rfi")][2:4] == ["standard", "old access"]
        assert workspace.status("manifest") in ("done", "needs_attention")
        assert (workspace.folder / "manifest.json").exists()

        # Step 3: verify
        await pilot.press("3", "r")
        await wait_for(pilot, lambda: workspace.verification is not None)
        await settle(pilot)
        companies = cells(screen.query_one("#companies", DataTable))
        by_id = {row[0].split()[0]: row for row in companies}
        assert by_id["101"][1] == "installed" and "7/8" in by_id["101"][2]
        assert by_id["303"][1] == "disconnected"
        findings = str(screen.query_one("#company-findings").render())
        assert "1008" in findings  # the missing project, shown with what to do
        assert "hand-set permission template" in findings  # the manual template edit
        assert chip(screen, "verify").startswith("! 3 Verify")

        # Step 4: checklist and export
        await pilot.press("4", "r")
        await wait_for(pilot, lambda: workspace.checklist is not None)
        await settle(pilot)
        items = cells(screen.query_one("#items", DataTable))
        assert {row[0] for row in items} == {"101", "202", "303"}
        assert any(row[0] == "303" and row[2] == "blocked" for row in items)

        # mark the first item of company 101 waived, with a reason
        await pilot.press("w")
        await wait_for(pilot, lambda: app.screen is not screen)
        await pilot.click("#field-reason")
        await pilot.press(*"customer installs next week")
        await pilot.press("enter")
        await wait_for(pilot, lambda: bool(workspace.session.checklist))
        await settle(pilot)
        first = workspace.checklist.items[0]
        assert first.status == "waived" and first.waiver == "customer installs next week"

        await pilot.press("e")
        await settle(pilot)
        exports = workspace.folder / "exports"
        assert sorted(p.name for p in exports.iterdir()) == [
            "checklist.csv", "checklist.html", "checklist.json", "checklist.md",
        ]
        assert "exported to" in str(screen.query_one("#checklist-info").render())
        saved_steps = {k: v.status for k, v in workspace.session.steps.items()}

    # Reopen the saved session in a new app: the same state, read from disk.
    again = make_app(session="demo", store=SessionStore(store.root, clock=store.clock))
    async with again.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(again.screen, WorkspaceScreen))
        await settle(pilot)
        screen = again.screen
        assert isinstance(screen, WorkspaceScreen)
        reopened = screen.workspace
        assert {k: v.status for k, v in reopened.session.steps.items()} == saved_steps
        assert screen.current == "checklist"  # it opens on the step it was left on
        await pilot.press("3")
        companies = cells(screen.query_one("#companies", DataTable))
        assert [row[1] for row in companies] == ["installed", "installed", "disconnected"]
        await pilot.press("4")
        items = cells(screen.query_one("#items", DataTable))
        assert items[0][2] == "waived"
        await pilot.press("2")
        assert screen.query_one("#permissions", DataTable).row_count == len(
            reopened.explanation.permissions
        )
        await pilot.press("1")
        tree = screen.query_one("#access-tree", Tree)
        assert len(tree.root.children) == 3
