"""Light and dark themes whose text is legible, and settings remembered between runs.

The contrast is computed from the colours the app really resolves for each theme (WCAG
2.x relative luminance), for every text tone the screens use, on every surface they are
drawn on: the screen, panels and the footer, the highlighted table row, the current step.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.color import Color

from dmsa_migrate.sessions import SessionStore
from dmsa_migrate.tui.app import make_app
from dmsa_migrate.tui.screens.workspace import WorkspaceScreen
from dmsa_migrate.tui.settings import TuiSettings, load_settings, save_settings
from dmsa_migrate.tui.widgets.tones import DARK, LIGHT, THEMES, contrast, resolve, tone

from .conftest import settle, wait_for

pytestmark = pytest.mark.anyio

AA = 4.5
TEXT = ("text", "text-muted", "text-success", "text-warning", "text-error", "text-accent")
SURFACES = ("background", "surface", "panel", "footer-background", "block-cursor-background")


def test_contrast_formula_matches_wcag_reference_values() -> None:
    assert contrast(Color(0, 0, 0), Color(255, 255, 255)) == pytest.approx(21.0)
    assert contrast(Color(118, 118, 118), Color(255, 255, 255)) == pytest.approx(4.54, abs=0.01)


@pytest.mark.parametrize("theme", [t.name for t in THEMES])
async def test_every_text_tone_reaches_aa_on_every_surface(theme: str,
                                                         store: SessionStore) -> None:
    app = make_app(store=store)
    async with app.run_test() as pilot:
        app.theme = theme
        await pilot.pause()
        variables = app.theme_variables
        background = Color.parse(variables["background"])
        failures = []
        for surface_name in SURFACES:
            surface = resolve(variables[surface_name], background)
            for name in TEXT:
                ratio = contrast(resolve(variables[name], surface), surface)
                if ratio < AA:
                    failures.append(f"{name} on {surface_name}: {ratio:.2f}")
        cursor = resolve(variables["block-cursor-background"], background)
        ratio = contrast(resolve(variables["block-cursor-foreground"], cursor), cursor)
        if ratio < AA:
            failures.append(f"cursor text: {ratio:.2f}")
        accent = resolve(variables["accent"], background)  # the current step's chip
        ratio = contrast(resolve(variables["text"], accent), accent)
        if ratio < AA:
            failures.append(f"current step: {ratio:.2f}")
        key = resolve(variables["footer-key-foreground"], background)
        footer = resolve(variables["footer-background"], background)
        if contrast(key, footer) < AA:
            failures.append("footer keys")
        assert not failures, failures


async def test_table_status_colours_follow_the_theme(prepared_store: SessionStore) -> None:
    app = make_app(session="demo", store=prepared_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, WorkspaceScreen))
        await settle(pilot)
        for theme in (DARK.name, LIGHT.name):
            app.theme = theme
            await pilot.pause()
            await pilot.press("4")
            await settle(pilot)
            pane = app.screen.query_one("#pane-checklist")
            pane.refresh_view()  # type: ignore[attr-defined]
            table = app.screen.query_one("#items")
            styles = {str(cell.style) for cell in table.get_column_at(2)}  # type: ignore[attr-defined]
            assert styles <= {tone(app, t) for t in ("success", "warning", "error", "accent",
                                                     "muted")}


async def test_ctrl_t_switches_theme_and_the_next_start_remembers_it(
    store: SessionStore,
) -> None:
    app = make_app(store=store)
    async with app.run_test() as pilot:
        assert app.theme == DARK.name
        await pilot.press("ctrl+t")
        assert app.theme == LIGHT.name
        await wait_for(pilot, lambda: load_settings().theme == LIGHT.name)
    again = make_app(store=store)
    async with again.run_test() as pilot:
        await settle(pilot)
        assert again.theme == LIGHT.name


def test_damaged_settings_give_the_defaults(tmp_path: Path) -> None:
    path = tmp_path / "tui.toml"
    path.write_text("theme = [not toml", encoding="utf-8")
    assert load_settings(path) == TuiSettings()
    path.write_text('theme = 3\nlast_step = "x"\n', encoding="utf-8")
    assert load_settings(path) == TuiSettings()
    save_settings(TuiSettings("dmsa-light", {"acme": "verify"}), path)
    assert load_settings(path) == TuiSettings("dmsa-light", {"acme": "verify"})


async def test_a_session_reopens_on_its_last_step(prepared_store: SessionStore) -> None:
    app = make_app(session="demo", store=prepared_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, WorkspaceScreen))
        await settle(pilot)
        await pilot.press("2")
        await wait_for(pilot, lambda: load_settings().last_step.get("demo") == "manifest")
    again = make_app(session="demo", store=prepared_store)
    async with again.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(again.screen, WorkspaceScreen))
        await settle(pilot)  # let it finish mounting before the app closes
        assert again.screen.current == "manifest"  # type: ignore[attr-defined]
