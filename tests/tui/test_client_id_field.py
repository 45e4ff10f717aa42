"""The client-id fields of the TUI hide a pasted credential and say why (issue 13, item 12).

A Procore app's client id and secret are both long random strings; pasting the secret into
the client-id field is an easy slip, and in clear it would be on a shared screen.
"""

from __future__ import annotations

import pytest
from textual import events
from textual.widgets import Input, Static

from dmsa_migrate.sessions import SessionStore

from .conftest import credential_form, settle

pytestmark = pytest.mark.anyio

PASTED = "9f2cA71be04d4c0e8b3aF6d2c5e1a7b90d3e4f12"


def _screen_text(app) -> str:  # type: ignore[no-untyped-def]
    return app.export_screenshot()  # type: ignore[no-any-return]


async def test_a_pasted_credential_in_the_client_id_field_is_hidden_and_warned(
    prepared_store: SessionStore,
) -> None:
    async with credential_form(prepared_store) as (app, pilot, form):
        field = form.query_one("#field-client_id", Input)
        field.value = ""
        field.focus()
        await pilot.pause()
        field.post_message(events.Paste(PASTED))
        await settle(pilot)
        assert field.value == PASTED  # kept whole, only hidden
        assert field.password
        note = form.query_one("#hint-client_id", Static)
        assert note.display
        hint = str(note.render())
        assert "reads like a credential" in hint
        assert "9f2c…12 is the client id" in hint  # the masked form lets the user recognise it
        shown = _screen_text(app)
        assert PASTED not in shown and PASTED[:12] not in shown


async def test_a_plain_client_id_stays_readable(prepared_store: SessionStore) -> None:
    async with credential_form(prepared_store) as (_app, pilot, form):
        field = form.query_one("#field-client_id", Input)
        field.value = "acme-erp-client"
        await settle(pilot)
        assert not field.password
        assert not form.query_one("#hint-client_id", Static).display


async def test_a_client_id_equal_to_the_typed_secret_is_refused(
    prepared_store: SessionStore,
) -> None:
    async with credential_form(prepared_store) as (app, pilot, form):
        form.query_one("#field-client_id", Input).value = PASTED
        form.query_one("#field-reference", Input).value = ""
        typed = form.query_one("#field-typed", Input)
        typed.value = PASTED
        typed.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is form  # not saved
        error = str(form.query_one("#form-error", Static).render())
        assert "same value as the secret" in error
        assert PASTED not in error
    assert prepared_store.load("demo").credentials.dmsa_client_id != PASTED
