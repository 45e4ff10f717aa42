"""``dmsa-migrate login``: the authorization-code flow against the loopback emulator."""

from __future__ import annotations

import io
import json
import re
import sys
import threading
import types
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from dmsa_migrate.cli import login_cmd, main
from dmsa_migrate.emulator import Emulator, load_world, serve_in_thread

APP_ID = "dmsa-acme-sync-2f6b8d4e1a9c"
APP_SECRET = "dmsa-secret-acme-sync-7c3e9a1f5b2d"


class FakeKeyring(types.ModuleType):
    """An in-memory stand-in for the keyring package (CI has no OS keyring)."""

    def __init__(self) -> None:
        super().__init__("keyring")
        self.store: dict[tuple[str, str], str] = {}

    def set_password(self, service: str, name: str, value: str) -> None:
        self.store[(service, name)] = value

    def get_password(self, service: str, name: str) -> str | None:
        return self.store.get((service, name))


@pytest.fixture
def emulator_url() -> Iterator[tuple[str, Emulator]]:
    emulator = Emulator(load_world("demo"))
    with serve_in_thread(emulator) as base:
        yield base, emulator


@pytest.fixture
def keyring(monkeypatch: pytest.MonkeyPatch) -> FakeKeyring:
    fake = FakeKeyring()
    monkeypatch.setitem(sys.modules, "keyring", fake)
    return fake


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Plays the admin's browser: opens the authorize URL and follows the redirect home."""
    opened: list[str] = []

    def approve(url: str, no_browser: bool) -> None:
        opened.append(url)

        def visit() -> None:
            response = httpx.get(url, follow_redirects=False)
            location = response.headers["location"].replace("localhost", "127.0.0.1", 1)
            httpx.get(location)

        threading.Thread(target=visit, daemon=True).start()

    monkeypatch.setattr(login_cmd, "_show", approve)
    return opened


def _login(base: str, *extra: str) -> int:
    return main([
        "login", "--client-id", APP_ID, "--client-secret", "env:APP_SECRET",
        "--api-base", base, "--redirect-port", "0", "--timeout", "20", *extra,
    ])


def test_browser_login_proves_who_approved(
    emulator_url: tuple[str, Emulator], browser: list[str], capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("APP_SECRET", APP_SECRET)
    assert _login(emulator_url[0]) == 0
    out, err = capsys.readouterr()
    assert "logged in as dana.whitfield@acmebuilders.example (id 42)" in out
    assert "not saved" in err
    assert "redirect_uri=http%3A%2F%2Flocalhost%3A" in browser[0]
    assert re.search(r"state=[\w-]{20,}", browser[0]), "the authorize URL carries a state"
    assert APP_SECRET not in out + err


def test_keyring_login_feeds_directory_reads_and_refreshes(
    emulator_url: tuple[str, Emulator], browser: list[str], keyring: FakeKeyring,
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    base = emulator_url[0]
    monkeypatch.setenv("APP_SECRET", APP_SECRET)
    assert _login(base, "--keyring") == 0
    ((service, name), saved), = keyring.store.items()
    assert service == "dmsa-migrate" and name == f"login {base}"
    first = json.loads(saved)
    assert first["client_secret_ref"] == "env:APP_SECRET", "the reference is kept, not the value"
    assert APP_SECRET not in saved

    # The saved token has run out: the inventory refreshes it and stores the rotated pair.
    first["expires_at"] = 0
    keyring.store[(service, name)] = json.dumps(first)
    monkeypatch.setenv("SYNC_SECRET", "tsa-secret-cedar-docs-1d7f3b9e5a0c")
    accounts = tmp_path / "accounts.toml"
    accounts.write_text(
        '[[accounts]]\nlabel = "document-bridge"\nclient_id = "tsa-cedar-docs-93e5b2c8"\n'
        'client_secret = "env:SYNC_SECRET"\ncompany_id = 303\nuser_id = 9003\n\n'
        "[directory]\nlogin = true\n"
    )
    capsys.readouterr()
    code = main(["inventory", "--accounts", str(accounts), "--api-base", base, "--json"])
    assert code == 0
    inventory = json.loads(capsys.readouterr().out)
    (account,) = inventory["accounts"]
    assert account["status"] == "rejected"
    assert {p["id"] for p in account["companies"][0]["projects"]} == set(range(3001, 3007))
    second = json.loads(keyring.store[(service, name)])
    assert second["refresh_token"] != first["refresh_token"], "refresh rotates the refresh token"
    assert second["expires_at"] > 0


@pytest.fixture
def oob_shown(emulator_url: tuple[str, Emulator], monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The approval URLs an out-of-band login shows (instead of opening a browser)."""
    monkeypatch.setenv("APP_SECRET", APP_SECRET)
    shown: list[str] = []
    monkeypatch.setattr(login_cmd, "_show", lambda url, no_browser: shown.append(url))
    return shown


def test_out_of_band_login_takes_a_pasted_code(
    emulator_url: tuple[str, Emulator], oob_shown: list[str],
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    class Paste(io.StringIO):
        """Standard input that holds the code the approval page shows, once it is shown."""

        def readline(self, size: int | None = -1) -> str:
            page = httpx.get(oob_shown[0]).text
            match = re.search(r'<pre id="authorization_code">([^<]+)</pre>', page)
            assert match
            return f"  {match.group(1)}  \n"

    monkeypatch.setattr("sys.stdin", Paste())
    assert _login(emulator_url[0], "--oob") == 0
    assert "urn%3Aietf%3Awg%3Aoauth%3A2.0%3Aoob" in oob_shown[0]
    out, err = capsys.readouterr()
    assert "logged in as dana.whitfield@acmebuilders.example" in out
    assert "Paste the code" in err and "Paste the code" not in out  # results stay clean


def test_out_of_band_login_with_nothing_pasted_says_so(
    emulator_url: tuple[str, Emulator], oob_shown: list[str],
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert _login(emulator_url[0], "--oob") == 2
    err = capsys.readouterr().err
    assert "no code was pasted" in err and "Traceback" not in err


def test_directory_login_without_saved_login_says_what_to_do(
    keyring: FakeKeyring, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SYNC_SECRET", "x" * 20)
    accounts = tmp_path / "accounts.toml"
    accounts.write_text(
        '[[accounts]]\nlabel = "a"\nclient_id = "tsa-cedar-docs-93e5b2c8"\n'
        'client_secret = "env:SYNC_SECRET"\ncompany_id = 303\n\n[directory]\nlogin = true\n'
    )
    code = main(["inventory", "--accounts", str(accounts), "--api-base", "http://127.0.0.1:9"])
    assert code == 2
    assert "dmsa-migrate login" in capsys.readouterr().err


def test_refused_authorization_is_reported() -> None:
    from dmsa_migrate.errors import InputError
    from dmsa_migrate.procore.login import code_from_paste

    with pytest.raises(InputError, match=r"access_denied|refused"):
        code_from_paste("http://localhost/?error=access_denied&state=x")
    with pytest.raises(InputError, match="state"):
        code_from_paste("http://localhost/?code=abc&state=other", state="mine")


def test_a_stray_page_cannot_end_the_login_and_its_words_are_shown_escaped() -> None:
    """Any local page can send the browser to the redirect catcher with ``?error=``: only
    an answer carrying this login's ``state`` ends the wait, and Procore's own error
    description reaches the terminal with its control characters made visible."""
    from dmsa_migrate.errors import InputError
    from dmsa_migrate.procore.login import RedirectCatcher, new_state

    state = new_state()
    with RedirectCatcher(0, state) as catcher:
        base = f"http://127.0.0.1:{catcher.port}/"
        stray = httpx.get(base, params={"error": "access_denied", "state": "not-this-one"})
        assert stray.status_code == 400
        unsigned = httpx.get(base, params={"error": "access_denied"})
        assert unsigned.status_code == 400
        real = httpx.get(base, params={
            "error": "access_denied", "state": state,
            "error_description": "denied\x1b]0;owned\x07 by admin",
        })
        assert real.status_code == 200
        with pytest.raises(InputError) as refused:
            catcher.wait_for_code(state, timeout=60)
    message = str(refused.value)
    assert "\x1b" not in message and "\x07" not in message
    assert "denied\\x1b]0;owned\\x07 by admin" in message
