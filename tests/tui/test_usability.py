"""The TUI as a consultant uses it: progress while a step runs, findings that stay true,
forms that take what is typed or pasted, help and palette that list the step's own keys,
notifications that do not pile up, and a footer that keeps F1 and ctrl+q at 80 columns.

No test here reads a clock: progress is checked with the emulator's answers held at the
gate of ``test_responsive`` (so the run is provably still going), and the progress line's
rate and ETA with an injected clock.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, Static

from dmsa_migrate.models.manifest import manifest_dict
from dmsa_migrate.procore import ClientEvent
from dmsa_migrate.sessions import SessionStore
from dmsa_migrate.tui.app import make_app
from dmsa_migrate.tui.screens.base import StepPane
from dmsa_migrate.tui.screens.help import HelpScreen
from dmsa_migrate.tui.screens.modals import ChoiceModal, FormModal
from dmsa_migrate.tui.screens.workspace import WorkspaceScreen
from dmsa_migrate.tui.widgets.footer import KeyFooter
from dmsa_migrate.tui.widgets.progress import RunProgress, RunStats
from dmsa_migrate.tui.widgets.table import SmartTable, plain

from .conftest import settle, submit_form, wait_for
from .test_responsive import Gate, gate  # noqa: F401 (the fixture)

pytestmark = pytest.mark.anyio


async def in_step(pilot: Any, key: str) -> WorkspaceScreen:
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, WorkspaceScreen))
    await settle(pilot)
    await pilot.press(key)
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, WorkspaceScreen)
    return screen


# ---------------------------------------------------------------- progress


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_progress_line_gives_done_rate_waits_and_eta() -> None:
    clock = FakeClock()
    stats = RunStats(stage="verify", clock=clock)
    for _ in range(20):
        stats.on_event(ClientEvent(kind="request"))
    stats.on_event(ClientEvent(kind="rate_limit_wait", seconds=2.0))
    stats.done, stats.total = 2, 6
    clock.now += 5.0
    line = stats.line()
    assert "2/6" in line
    assert "20 requests" in line
    assert "4.0 req/s" in line
    assert "429 waits 1 (2.0 s)" in line
    assert "ETA 10 s" in line  # 5 s for 2 of 6: 4 left at 2.5 s each


def test_progress_line_before_anything_is_done_shows_time_so_far() -> None:
    clock = FakeClock()
    stats = RunStats(clock=clock)
    clock.now += 75
    assert stats.line().endswith("1 min 15 s so far")


async def test_progress_shows_while_a_run_waits_on_procore(
    store: SessionStore, gate: Gate  # noqa: F811
) -> None:
    app = make_app(demo="demo", store=store)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, WorkspaceScreen))
        await settle(pilot)
        pane = app.screen.query_one("#pane-inventory", StepPane)
        progress = pane.query_one(RunProgress)
        await pilot.press("r")
        await wait_for(pilot, lambda: gate.waiting >= 1)
        gate.release(3)
        await wait_for(pilot, lambda: gate.passed >= 3 and gate.waiting >= 1)
        assert pane.running
        assert progress.display and progress.region.height >= 1  # on screen, not hidden
        assert "ETA" in progress.snapshot_line() or "so far" in progress.snapshot_line()
        await wait_for(pilot, lambda: "3 requests" in progress.snapshot_line()
                       or "4 requests" in progress.snapshot_line())
        assert "429 waits 0" in progress.snapshot_line()
        await pilot.press("c")
        await wait_for(pilot, lambda: not pane.running)
        assert not progress.display


# ---------------------------------------------------------------- manifest findings


async def test_findings_all_listed_and_refreshed_after_an_override(
    prepared_store: SessionStore,
) -> None:
    app = make_app(session="demo", store=prepared_store)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await in_step(pilot, "2")
        workspace = screen.workspace
        findings = screen.query_one("#manifest-findings", SmartTable)
        before = workspace.explanation.findings
        assert findings.row_count == len(before)  # info included, nothing capped
        assert any(f.severity == "info" for f in before)
        assert any(f.code == "company_directory_admin" for f in before)
        assert workspace.status("manifest") == "needs_attention"  # warnings stand
        assert str(screen.query_one("#chip-manifest").render()).startswith("!")

        table = screen.query_one("#permissions", SmartTable)
        table.move_to_key("company.directory")
        await pilot.press("o")
        await wait_for(pilot, lambda: isinstance(app.screen, FormModal))
        app.screen.query_one("#field-level").value = "readonly"  # type: ignore[attr-defined]
        reason = app.screen.query_one("#field-reason", Input)
        reason.value = "the customer confirmed no user changes"
        await submit_form(pilot)
        await wait_for(pilot, lambda: any(
            f.code == "override" for f in workspace.explanation.findings))
        await settle(pilot)
        after = workspace.explanation.findings
        assert not any(f.code == "company_directory_admin" for f in after)
        texts = [plain(findings.get_row_at(i)[1]) for i in range(findings.row_count)]
        assert any("the customer confirmed no user changes" in t for t in texts)
        assert not any("company Directory admin lets the app" in t for t in texts)
        warnings = [f for f in after if f.severity == "warning"]
        expected = "needs_attention" if warnings else "done"
        assert workspace.status("manifest") == expected


async def test_copy_manifest_json_is_the_portal_document(prepared_store: SessionStore) -> None:
    app = make_app(session="demo", store=prepared_store)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await in_step(pilot, "2")
        await pilot.press("C")
        manifest = screen.workspace.manifest
        await wait_for(pilot, lambda: bool(app.clipboard))
        assert json.loads(app.clipboard) == manifest_dict(manifest)


# ---------------------------------------------------------------- opening exports


async def test_open_an_export_or_its_folder(prepared_store: SessionStore) -> None:
    app = make_app(session="demo", store=prepared_store)
    opened: list[Path] = []
    async with app.run_test(size=(120, 40)) as pilot:
        app.opener = opened.append
        await in_step(pilot, "4")
        await pilot.press("v")  # nothing exported yet: told what to do
        await pilot.press("e")
        await settle(pilot)
        await pilot.press("v")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceModal))
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(opened) == 1)
        assert opened[0].name.startswith("checklist.") and opened[0].exists()
        await pilot.press("v")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceModal))
        await pilot.press("end", "enter")  # the last choice: the folder
        await wait_for(pilot, lambda: len(opened) == 2)
        assert opened[1] == opened[0].parent and opened[1].is_dir()


# ---------------------------------------------------------------- evidence pane


async def test_evidence_pane_names_source_request_and_time(prepared_store: SessionStore) -> None:
    app = make_app(session="demo", store=prepared_store)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await in_step(pilot, "1")
        tree = screen.query_one("#access-tree")
        tree.focus()
        inventory = screen.workspace.inventory
        erp = inventory.accounts[0]
        company = erp.companies[0]
        project = company.projects[0]
        node = next(n for n in tree._tree_nodes.values()  # type: ignore[attr-defined]
                    if n.data is not None and n.data.project == project.id
                    and n.data.account == erp.label)
        node.parent.expand()
        await pilot.pause()
        tree.move_cursor(node)  # type: ignore[attr-defined]
        await pilot.pause()
        text = str(screen.query_one("#evidence", Static).render())
        assert f"{project.id} {project.name}" in text
        assert inventory.generated_at in text
        assert "project_assignments" in text or "/rest/v1.1/projects" in text
        levels = ", ".join(f"{t} {lv}" for t, lv in sorted(project.permissions.items())
                           if lv != "none")
        assert levels in text


# ---------------------------------------------------------------- forms


async def test_forms_focus_their_first_field_and_keep_a_paste_whole(
    prepared_store: SessionStore,
) -> None:
    from textual import events

    app = make_app(session="demo", store=prepared_store)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await in_step(pilot, "4")
        await pilot.press("o")  # owner of the highlighted item
        await wait_for(pilot, lambda: isinstance(app.screen, FormModal))
        await pilot.pause()
        field = app.screen.query_one("#field-owner", Input)
        assert app.focused is field
        field.value = ""
        field.post_message(events.Paste("Dana Whitfield\nCompany admin\n"))
        await pilot.pause()
        assert field.value == "Dana Whitfield Company admin"
        await pilot.press("enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, FormModal))
        await settle(pilot)
        owners = {row.owner for row in screen.workspace.checklist.items}
        assert "Dana Whitfield Company admin" in owners


# ---------------------------------------------------------------- help, palette, footer


async def test_help_lists_the_step_keys_first_with_cancel_and_no_duplicates(
    prepared_store: SessionStore,
) -> None:
    app = make_app(session="demo", store=prepared_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await in_step(pilot, "1")
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        rows = app.screen.rows
        keys = [key for key, _ in rows]
        assert keys[0] == "r" and rows[0][1] == "Run inventory"
        assert "c" in keys[:10]
        assert len(keys) == len(set(keys))
        table = app.screen.query_one(SmartTable)
        every = [plain(table.get_row_at(i)[0]) for i in range(table.row_count)]
        assert len(every) == len(set(every))  # tab, f1 … once each
        assert not any("Cursor" in text for _, text in rows)


async def test_palette_offers_the_screen_s_actions_not_generic_cursor_moves(
    prepared_store: SessionStore,
) -> None:
    app = make_app(session="demo", store=prepared_store)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await in_step(pilot, "2")
        titles = [command.title for command in app.get_system_commands(screen)]
        assert "Generate" in titles and "Copy manifest JSON" in titles
        assert "Filter" in titles and "Light/dark theme" in titles
        for generic in ("Cursor up", "Page down", "Screenshot", "Maximize", "Keys", "Top"):
            assert generic not in titles
        assert len(titles) == len(set(titles))


@pytest.mark.parametrize("step,key", [("1", "r"), ("2", "r"), ("3", "r"), ("4", "r")])
async def test_footer_at_80_columns_keeps_help_quit_and_the_step_keys(
    prepared_store: SessionStore, step: str, key: str
) -> None:
    app = make_app(session="demo", store=prepared_store)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await in_step(pilot, step)
        footer = screen.query_one(KeyFooter)
        await pilot.pause()
        keys = [child.key for child in footer.children]  # type: ignore[attr-defined]
        assert keys[0] == "f1" and "ctrl+q" in keys and key in keys
        right = max(child.region.right for child in footer.children)
        assert right <= 80  # nothing pushed off the edge


async def test_one_notification_at_a_time_and_none_follow_to_another_step(
    prepared_store: SessionStore,
) -> None:
    app = make_app(session="demo", store=prepared_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await in_step(pilot, "2")
        app.clear_notifications()
        app.notify("first")
        app.notify("second")
        app.notify("third", severity="warning")
        await pilot.pause()
        assert [n.message for n in app._notifications] == ["third"]
        await pilot.press("3")
        await pilot.pause()
        assert len(app._notifications) == 0
