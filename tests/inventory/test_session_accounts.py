"""``session new --accounts FILE`` then ``inventory --session``: the file given is the one read.

A session keeps a relative accounts path as one inside its own folder (where the TUI copies
an imported file), so a path typed relative to the shell's folder must be stored whole.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dmsa_migrate.cli import main
from dmsa_migrate.emulator import Emulator, World, serve_in_thread


def test_a_relative_accounts_file_given_to_session_new_is_found_by_the_inventory(
    demo_world: World, write_accounts, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    write_accounts(demo_world)  # tmp_path / "accounts.toml"
    monkeypatch.chdir(tmp_path)
    with serve_in_thread(Emulator(demo_world)) as served:
        assert main(["session", "new", "acme", "--customer", "Acme", "--company-id", "101",
                     "--accounts", "accounts.toml", "--api-base", served]) == 0
        code = main(["inventory", "--session", "acme"])
    printed = capsys.readouterr()
    assert code == 0, printed.err
    assert "erp-sync" in printed.out
    assert main(["session", "show", "acme", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert str(tmp_path / "accounts.toml") in json.dumps(shown)
