"""The verify step's fleet table (f): every company, sorted and filtered with keys."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Input

from dmsa_migrate.sessions import SessionStore
from dmsa_migrate.tui.app import make_app
from dmsa_migrate.tui.screens.workspace import WorkspaceScreen
from dmsa_migrate.tui.widgets.fleet_table import FleetScreen, FleetTable

from .conftest import settle, wait_for

pytestmark = pytest.mark.anyio


def _first_cells(table: DataTable) -> list[str]:
    return [str(table.get_row_at(i)[0]) for i in range(table.row_count)]


async def test_fleet_table_sorts_and_filters_the_verified_companies(
    prepared_store: SessionStore,
) -> None:
    app = make_app(demo="demo", store=prepared_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, WorkspaceScreen))
        await settle(pilot)
        workspace = app.screen.workspace
        await pilot.press("3")
        if workspace.verification is None:
            await pilot.press("r")
            await wait_for(pilot, lambda: workspace.verification is not None)
            await settle(pilot)
        verification = workspace.verification
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, FleetScreen))
        await settle(pilot)
        fleet = app.screen.query_one(FleetTable)
        table = app.screen.query_one("#fleet-rows", DataTable)
        assert table.row_count == len(verification.companies)

        await pilot.press("s")  # by install status
        await settle(pilot)
        statuses = [str(table.get_row_at(i)[1]) for i in range(table.row_count)]
        assert statuses == sorted(statuses)

        await pilot.press("p")  # only the companies that need attention
        await settle(pilot)
        troubled = [c for c in verification.companies
                    if c.status != "installed" or c.permission_gaps or c.lost_projects
                    or any(f.severity == "error" for f in c.findings)]
        assert troubled and table.row_count == len(troubled)
        await pilot.press("p")

        name = verification.companies[0].name
        await pilot.press("slash")
        app.screen.query_one("#fleet-filter", Input).value = name
        await settle(pilot)
        assert _first_cells(table) == [f"{verification.companies[0].id} {name}"]
        assert "1 of" in str(app.screen.query_one("#fleet-state").render())
        assert fleet.filter_text == name
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, FleetScreen))
