"""Issue 13 item 2 through the TUI's door: a session folder whose step outputs point out of
it (an edited ``artifact`` path, a step output replaced by a symlink) is refused when the
TUI opens it, with a message naming the field; nothing of the outside file is shown, and
no checklist can be exported from it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from dmsa_migrate.sessions import SessionStore
from dmsa_migrate.tui.app import make_app
from dmsa_migrate.tui.screens.modals import ErrorModal

from .conftest import settle, wait_for

pytestmark = pytest.mark.anyio

OUTSIDE_TEXT = "outside-the-session-7f3a"
"""The content of the file outside the folder: it must appear nowhere."""


def _outside(tmp_path: Path) -> Path:
    target = tmp_path / "outside.json"
    target.write_text(json.dumps({"schema": "dmsa-migrate/inventory/1", "accounts": [],
                                  "note": OUTSIDE_TEXT}), encoding="utf-8")
    return target


def _point_out(store: SessionStore, tmp_path: Path, how: str) -> None:
    folder = store.folder("demo")
    outside = _outside(tmp_path)
    if how == "symlink":
        (folder / "inventory.json").unlink()
        (folder / "inventory.json").symlink_to(outside)
        return
    artifact = {"absolute": str(outside), "dotdot": f"../../{outside.name}"}[how]
    path = folder / "session.toml"
    text = path.read_text(encoding="utf-8")
    assert 'artifact = "inventory.json"' in text
    path.write_text(text.replace('artifact = "inventory.json"',
                                 f"artifact = {json.dumps(artifact)}", 1), encoding="utf-8")


def _screen_text(app: Any) -> str:
    return "\n".join(str(widget.render()) for widget in app.screen.query("*"))


@pytest.mark.parametrize("how", ["absolute", "dotdot", "symlink"])
async def test_the_tui_refuses_a_session_whose_outputs_point_outside(
    prepared_store: SessionStore, tmp_path: Path, how: str
) -> None:
    _point_out(prepared_store, tmp_path, how)
    exports = prepared_store.folder("demo") / "exports"
    app = make_app(store=prepared_store, session="demo")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await wait_for(pilot, lambda: isinstance(app.screen, ErrorModal))
        shown = _screen_text(app)
        assert "steps.inventory.artifact" in shown or "inside the session folder" in shown
        assert OUTSIDE_TEXT not in shown
    assert not exports.exists() or not any(exports.iterdir())
