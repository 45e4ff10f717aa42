"""Secrets never leak from the TUI: a whole walk on canary secrets, then a search for them.

The real app, driven with Pilot, against the canary world served over loopback HTTP: a new
session from the picker, the accounts file imported (``env:`` and ``file:`` references),
one account's secret typed and the Directory admin token and the DMSA secret pasted into
password fields, a wrong DMSA secret first (the error dialog), a signed-in user's token
for the user comparison as an ``env:`` reference, a code tree holding planted
credentials scanned, the four steps run, the JSON preview, the drill-down and the user
comparison opened, an item waived, the checklist exported, the manifest saved to a file,
and finally the session renamed and deleted (moved to the trash).
DEBUG logging of the tool and the HTTP stack goes to a file all along.

Then every screen shown (screenshots taken at each step and of each dialog), every
notification, everything written to stdout/stderr, the log, and every file under the
working folder and DMSA_MIGRATE_HOME (sessions, exports, trash) are searched for each
canary in plain, URL-encoded, base64, JSON- and HTML-escaped forms: there must be no hit.
Run twice, the second time with the last-line redactor switched off.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.pilot import Pilot
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input

from dmsa_migrate.secrets import Redactor
from dmsa_migrate.sessions import SessionStore
from dmsa_migrate.tui.app import DmsaMigrateApp, make_app
from dmsa_migrate.tui.screens.modals import ConfirmModal, ErrorModal, FormModal, TextModal
from dmsa_migrate.tui.screens.workspace import WorkspaceScreen
from tests.reliability import canaries
from tests.reliability.setups import DMSA_CLIENT_ID, Inputs
from tests.reliability.test_secrets import assert_private
from tests.tui.conftest import settle, submit_form, wait_for

pytestmark = pytest.mark.anyio


@pytest.fixture(params=["redactor on", "redactor off"])
def safety_net(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """As shipped, and with the redactor disabled: nothing shown may rely on it."""
    if request.param == "redactor off":
        monkeypatch.setattr(Redactor, "redact", lambda self, text: text)
    return str(request.param)


class Seen:
    """Everything the user could have read: screenshots and notifications."""

    def __init__(self, app: DmsaMigrateApp) -> None:
        self.app = app
        self.texts: list[tuple[str, str]] = []
        original = app.notify

        def notify(message: str, **kwargs: Any) -> None:
            self.texts.append((f"notification {kwargs.get('title', '')}", str(message)))
            original(message, **kwargs)

        app.notify = notify  # type: ignore[method-assign]

    def look(self, where: str) -> None:
        """Keep the current screen as the user sees it (every widget, as SVG text)."""
        self.texts.append((f"screen {where}", self.app.export_screenshot()))

    def leaks(self) -> list[canaries.Leak]:
        found: list[canaries.Leak] = []
        for where, text in self.texts:
            found += canaries.leaks_in_text(text, where)
        return found


async def fill(
    pilot: Pilot[Any],
    values: dict[str, str],
    *,
    typed: dict[str, str] | None = None,
    pasted: dict[str, str] | None = None,
    seen: Seen | None = None,
) -> None:
    """Fill the open form and submit it: ``values`` set directly; ``typed`` keyed in one
    character at a time and ``pasted`` pasted, into password fields, as a person enters a
    secret (the screen is kept at that moment: a screenshare would show it)."""
    form = pilot.app.screen
    assert isinstance(form, FormModal), form
    for name, value in values.items():
        form.query_one(f"#field-{name}", Input).value = value
    secrets = [(name, value, True) for name, value in (typed or {}).items()]
    secrets += [(name, value, False) for name, value in (pasted or {}).items()]
    for name, value, keyed in secrets:
        field = form.query_one(f"#field-{name}", Input)
        assert field.password, f"{name} is not a password field"
        field.focus()
        if keyed:
            await pilot.press(*value)
        else:
            field.post_message(events.Paste(value))
            await pilot.pause()
        assert field.value == value
        if seen is not None:
            seen.look(f"{form.form_title} with {name} entered")
    await submit_form(pilot)
    await wait_for(pilot, lambda: not isinstance(pilot.app.screen, FormModal))
    await wait_for(pilot, lambda: _saved(pilot.app))
    await settle(pilot)


def _saved(app: DmsaMigrateApp) -> bool:
    """The form's worker has done its work (saved, or shows a dialog about it).

    Why: edit workers of one group are exclusive, so the next key (``e`` right after an
    import) would cancel a save still running on a loaded machine, and the walk would go on
    from a state the user never saw.
    """
    busy = [worker for worker in app.workers if worker.group.endswith(_EDIT_GROUPS)
            and not worker.is_finished]
    return not busy or isinstance(app.screen, ModalScreen)


_EDIT_GROUPS = ("-edit", "-new", "-manage", "-prepare")


async def open_form(pilot: Pilot[Any], *keys: str) -> None:
    await pilot.press(*keys)
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, FormModal))


async def walk(pilot: Pilot[Any], seen: Seen, inputs: Inputs, api: str, out: Path) -> Any:
    """The consultant's whole walk; returns the workspace."""
    app = pilot.app
    await settle(pilot)
    await open_form(pilot, "n")
    seen.look("new session form")
    await fill(pilot, {"name": "acme", "customer": "Acme Builders", "api_base": api,
                       "company_ids": "101, 202, 303", "dmsa_client_id": DMSA_CLIENT_ID})
    await wait_for(pilot, lambda: isinstance(app.screen, WorkspaceScreen))
    screen = app.screen
    assert isinstance(screen, WorkspaceScreen)
    workspace = screen.workspace
    await settle(pilot)

    # Step 1 inputs: accounts file (references), a typed account secret, a typed admin
    # token, the Activity Report and the scan of a code tree with planted credentials.
    await open_form(pilot, "i")
    await fill(pilot, {"path": str(inputs.accounts)})
    seen.look("accounts imported")
    screen.query_one("#accounts", DataTable).move_cursor(row=0)
    await open_form(pilot, "e")
    await fill(pilot, {"client_secret": ""}, typed={"typed": canaries.TSA_ACME}, seen=seen)
    await open_form(pilot, "d")
    await fill(pilot, {"token": ""}, pasted={"typed": canaries.ADMIN_TOKEN}, seen=seen)
    await open_form(pilot, "u")
    await fill(pilot, {"path": str(inputs.activity)})
    await open_form(pilot, "s")
    await fill(pilot, {"path": str(inputs.code)})
    seen.look("inventory inputs")
    inputs_line = str(screen.query_one("#inventory-inputs").render())
    assert "Directory: token prompt" in inputs_line
    assert "0 secrets found" not in inputs_line and "secrets found" in inputs_line

    await pilot.press("r")
    await wait_for(pilot, lambda: workspace.inventory is not None, 30)
    await settle(pilot)
    seen.look("inventory run")

    await pilot.press("2", "r")
    await wait_for(pilot, lambda: workspace.manifest is not None)
    await settle(pilot)
    seen.look("manifest")
    await pilot.press("j")
    await wait_for(pilot, lambda: isinstance(app.screen, TextModal))
    seen.look("manifest JSON preview")
    await pilot.press("escape")
    await open_form(pilot, "w")
    await fill(pilot, {"path": str(out / "manifest.json")})

    # Step 3: a wrong secret first (the error dialog), then the right one, typed.
    await open_form(pilot, "3", "k")
    seen.look("verify credential form")
    await fill(pilot, {"reference": ""}, pasted={"typed": canaries.WRONG_SECRET}, seen=seen)
    await pilot.press("r")
    await wait_for(pilot, lambda: isinstance(app.screen, ErrorModal), 30)
    seen.look("verify refused")
    error = app.screen
    assert isinstance(error, ErrorModal)
    assert "401" in error.message or any("401" in value for _, value in error.details)
    await pilot.press("escape")
    await settle(pilot)
    await open_form(pilot, "k")
    await fill(pilot, {"reference": "", "user_token": "env:CANARY_ADMIN_TOKEN"},
               pasted={"typed": canaries.DMSA_SECRET}, seen=seen)
    await pilot.press("r")
    await wait_for(pilot, lambda: workspace.verification is not None, 30)
    await settle(pilot)
    seen.look("verify run")
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, TextModal))
    seen.look("verify drill-down")
    await pilot.press("escape")

    # Step 4: build, waive an item, export every format.
    await pilot.press("4", "r")
    await wait_for(pilot, lambda: workspace.checklist is not None)
    await settle(pilot)
    await open_form(pilot, "w")
    await fill(pilot, {"reason": "customer installs next week"})
    await pilot.press("e")
    await settle(pilot)
    seen.look("checklist exported")
    await pilot.press("escape")
    await settle(pilot)
    seen.look("picker")

    # Renamed, then deleted: the folder moves to the trash, which is searched too.
    await open_form(pilot, "f2")
    await fill(pilot, {"name": "acme-done"})
    await pilot.press("delete")
    await wait_for(pilot, lambda: isinstance(app.screen, ConfirmModal))
    seen.look("delete confirmation")
    await pilot.press("y")
    await wait_for(pilot, lambda: not SessionStore().folder("acme-done").exists())
    await settle(pilot)
    seen.look("picker after delete")
    return workspace


@pytest.mark.usefixtures("safety_net")
async def test_a_tui_walk_on_canaries_leaks_nothing(
    inputs: Inputs, procore: str, workdir: Path, debug_log: Path, isolated_home: Path,
    capfd: pytest.CaptureFixture[str],
) -> None:
    out = workdir / "out"
    app = make_app()
    seen = Seen(app)
    async with app.run_test(size=(120, 40)) as pilot:
        workspace = await walk(pilot, seen, inputs, procore, out)
    printed = capfd.readouterr()

    # The walk did use the secrets: typed ones logged in, references resolved, the scan
    # found the planted credentials, the wrong secret was refused.
    inventory = workspace.inventory
    statuses = {account.label: account.status for account in inventory.accounts}
    assert statuses["acme-erp-sync"] == "active"  # its secret was typed
    assert statuses["bayview-reporting"] == "active"  # file: reference
    (folder,) = SessionStore().trash_root.iterdir()
    assert 'dmsa_secret = "prompt"' in (folder / "session.toml").read_text(encoding="utf-8")
    assert (folder / "accounts.toml").read_text(encoding="utf-8").count('"prompt"') == 2
    companies = workspace.verification.companies
    assert any(c.user_comparison and c.user_comparison.user_projects for c in companies)
    assert sorted(p.name for p in (folder / "exports").iterdir()) == [
        "checklist.csv", "checklist.html", "checklist.json", "checklist.md",
    ]
    assert (out / "manifest.json").exists()

    leaks = seen.leaks()
    leaks += canaries.leaks_in_text(printed.out, "stdout")
    leaks += canaries.leaks_in_text(printed.err, "stderr")
    leaks += canaries.leaks_in_tree([workdir, isolated_home, debug_log.parent])
    assert not leaks, "\n".join(str(leak) for leak in leaks)
    assert debug_log.read_text(encoding="utf-8").count("\n") > 20  # DEBUG was on
    assert_private(isolated_home / "sessions")
    assert_private(out)
