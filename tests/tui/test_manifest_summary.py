"""The manifest step shows, for each endpoint behind a permission, Procore's summary of it
beside the level it needs, so a reviewer sees why the tool is requested (issue 15)."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Static

from dmsa_migrate.sessions import SessionStore
from dmsa_migrate.tui.app import make_app
from dmsa_migrate.tui.screens.workspace import WorkspaceScreen

from .conftest import settle, wait_for

pytestmark = pytest.mark.anyio


async def test_permission_detail_names_what_each_endpoint_does(
    prepared_store: SessionStore,
) -> None:
    app = make_app(session="demo", store=prepared_store)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, WorkspaceScreen))
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        workspace = pilot.app.screen.workspace  # type: ignore[attr-defined]
        pairs = [(reason, item) for reason in workspace.explanation.permissions
                 for item in reason.evidence[:4] if item.summary]
        assert pairs, "the demo's used endpoints are operations the catalog names"
        wanted, evidence = pairs[0]
        table = pilot.app.screen.query_one("#permissions", DataTable)
        keys = [(str(table.get_row_at(i)[0]), str(table.get_row_at(i)[1]))
                for i in range(table.row_count)]
        table.move_cursor(row=keys.index((wanted.scope, wanted.tool)))
        await settle(pilot)
        detail = str(pilot.app.screen.query_one("#permission-detail", Static).render())
        assert f'("{evidence.summary}")' in detail
        assert f"→ {evidence.level}" in detail
