"""The engagement's notices reach the person in every door: what the CLI prints on stderr
(``dmsa-migrate: note: compared with the previous verification …``, the manifest overrides
applied) the TUI shows in the run's notification, word for word."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path
from typing import Any

import pytest

from dmsa_migrate.cli import main
from dmsa_migrate.sessions import SessionStore
from dmsa_migrate.tui.app import make_app
from dmsa_migrate.tui.screens.workspace import WorkspaceScreen

from .conftest import make_store, settle, wait_for
from .test_doors import forget_demo_secrets

pytestmark = pytest.mark.anyio

CLI_PREFIX = "dmsa-migrate: note: "
TUI_PREFIX = "Note: "


def add_override(root: Path) -> None:
    store = SessionStore(root)
    store.override_manifest_level(
        store.load("demo"), "project", "rfi", "readonly", reason="the ERP only reads RFIs"
    )


async def tui_notices(root: Path, keys: tuple[str, ...]) -> list[str]:
    """Run the steps ``keys`` name in the TUI; every "Note:" line its notifications showed."""
    app = make_app(session="demo", store=make_store(root))
    seen: list[str] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, WorkspaceScreen))
        await settle(pilot)
        for key in keys:
            app.clear_notifications()
            await pilot.press(key, "r")
            await settle(pilot)
            for notification in app._notifications:
                seen.extend(line.removeprefix(TUI_PREFIX) for line in
                            str(notification.message).splitlines()
                            if line.startswith(TUI_PREFIX))
    return seen


def cli_notices(root: Path, capsys: Any) -> list[str]:
    s = ["--session", "demo", "--sessions-dir", str(root)]
    assert main(["manifest", *s]) == 0
    assert main(["verify", *s]) == 1
    err = capsys.readouterr().err
    return [line.removeprefix(CLI_PREFIX) for line in err.splitlines()
            if line.startswith(CLI_PREFIX)]


async def test_cli_and_tui_show_the_same_notices(
    prepared_root: Path, tmp_path: Path, capsys: Any
) -> None:
    copies = [tmp_path / "cli", tmp_path / "tui"]
    for copy in copies:
        shutil.copytree(prepared_root, copy)
        add_override(copy)
    forget_demo_secrets()
    loop = asyncio.get_running_loop()
    cli = await loop.run_in_executor(None, cli_notices, copies[0], capsys)
    forget_demo_secrets()
    tui = await tui_notices(copies[1], ("2", "3"))

    assert cli == tui
    assert len(cli) == 2
    overrides, compared = cli
    assert overrides == "applied the session's manifest overrides: project.rfi=readonly"
    assert compared.startswith("compared with the previous verification of ")
    assert compared.endswith("(the session's last verification)")
