"""The command line as a user meets it: help, exit codes, messages without tracebacks."""

from __future__ import annotations

import subprocess
import sys

import pytest

from dmsa_migrate.cli import main

CONTRACT_COMMANDS = [
    "tui", "demo", "emulator", "login", "inventory", "scan", "routes",
    "manifest", "verify", "checklist", "playbook",
]


def test_help_lists_every_contract_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["--help"])
    assert caught.value.code == 0
    out = capsys.readouterr().out
    for command in CONTRACT_COMMANDS:
        assert f"    {command} " in out, command


@pytest.mark.parametrize("command", CONTRACT_COMMANDS)
def test_every_command_has_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main([command, "--help"])
    assert caught.value.code == 0
    assert "usage: dmsa-migrate" in capsys.readouterr().out


def test_bad_usage_exits_2() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "dmsa_migrate", "verify", "--inventory"],
        capture_output=True, text=True,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
