"""Validated session edits (exit 2 with the valid choices), custom steps marked from the
CLI, the pinned playbook, and quiet exits on a closed pipe."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from dmsa_migrate.cli import main
from dmsa_migrate.playbooks import shipped_playbooks_dir
from dmsa_migrate.sessions import SessionStore


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def sessions(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    root = tmp_path / "sessions"
    code, _, _ = cli(capsys, "session", "new", "acme", "--customer", "Acme", "--company-id",
                     "101", "--playbook", "standard-data-connector", "--sessions-dir", str(root))
    assert code == 0
    return root


def test_a_mistyped_item_id_or_company_is_refused_with_the_valid_choices(
    sessions: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    where = ("--sessions-dir", str(sessions))
    code, _, err = cli(capsys, "session", "item", "acme", "permited-projects",
                       "--company-id", "101", "--sign-off", "Pat", *where)
    assert code == 2
    assert "no checklist item 'permited-projects'" in err
    assert "permitted-projects" in err and "app-installed" in err
    code, _, err = cli(capsys, "session", "item", "acme", "permitted-projects",
                       "--company-id", "1010", "--sign-off", "Pat", *where)
    assert code == 2 and "company 1010 is not part of session acme" in err
    assert "valid companies: 101" in err
    assert SessionStore(sessions).load("acme").checklist == [], "nothing was stored"
    code, out, _ = cli(capsys, "session", "item", "acme", "permitted-projects",
                       "--company-id", "101", "--sign-off", "Pat", *where)
    assert code == 0 and "signed off by Pat" in out


def test_an_override_of_an_unknown_tool_is_refused(
    sessions: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    where = ("--sessions-dir", str(sessions))
    code, _, err = cli(capsys, "session", "override", "acme", "--scope", "company", "--tool",
                       "directori", "--level", "readonly", "--reason", "r", *where)
    assert code == 2
    assert "'directori' is not a company-level tool" in err and "directory" in err
    with pytest.raises(SystemExit) as exited:
        main(["session", "override", "acme", "--scope", "company", "--tool", "directory",
              "--level", "superuser", "--reason", "r", *where])
    err = capsys.readouterr().err
    assert exited.value.code == 2 and "invalid choice" in err and "readonly" in err
    assert SessionStore(sessions).load("acme").manifest_overrides == []


def test_custom_steps_are_marked_from_the_cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shipped = shipped_playbooks_dir()
    assert shipped is not None
    text = (shipped / "standard-data-connector.toml").read_text(encoding="utf-8")
    custom = '[[steps]]\nid = "kickoff-call"\nkind = "custom"\ntitle = "Kick-off call"\n\n'
    playbook = tmp_path / "with-call.toml"
    playbook.write_text(text.replace("[[steps]]", custom + "[[steps]]", 1), encoding="utf-8")
    where = ("--sessions-dir", str(tmp_path / "s"))
    assert cli(capsys, "session", "new", "acme", "--customer", "A", "--playbook",
               str(playbook), *where)[0] == 0
    code, out, _ = cli(capsys, "session", "step", "acme", "kickoff-call", "--done",
                       "--note", "call held with Dana", *where)
    assert code == 0 and out.strip() == "kickoff-call: done"
    state = SessionStore(tmp_path / "s").load("acme").steps["kickoff-call"]
    assert state.status == "done" and "call held with Dana" in state.summary
    code, _, err = cli(capsys, "session", "step", "acme", "inventory", "--done", *where)
    assert code == 2 and "built-in step" in err and "custom steps: kickoff-call" in err
    code, _, err = cli(capsys, "session", "step", "acme", "kick-off", "--pending", *where)
    assert code == 2 and "kickoff-call" in err
    assert cli(capsys, "session", "step", "acme", "kickoff-call", "--pending", *where)[0] == 0
    status = SessionStore(tmp_path / "s").load("acme").steps["kickoff-call"].status
    assert status == "not_started"


def test_the_playbook_is_pinned_at_creation_and_upgraded_only_on_request(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shipped = shipped_playbooks_dir()
    assert shipped is not None
    playbook = tmp_path / "mine.toml"
    original = (shipped / "standard-data-connector.toml").read_text(encoding="utf-8")
    playbook.write_text(original, encoding="utf-8")
    where = ("--sessions-dir", str(tmp_path / "s"))
    assert cli(capsys, "session", "new", "acme", "--customer", "A", "--company-id", "101",
               "--playbook", str(playbook), *where)[0] == 0
    playbook.unlink()  # the file is gone: the session still has its copy
    code, out, _ = cli(capsys, "session", "playbook", "acme", *where)
    assert code == 0 and "pinned copy playbook.toml" in out
    code, _, err = cli(capsys, "session", "item", "acme", "permitted-projects",
                       "--company-id", "101", "--owner", "Dana", *where)
    assert code == 0, err

    edited = original.replace('version = "1.0.0"', 'version = "1.1.0"', 1)
    assert edited != original
    playbook.write_text(edited, encoding="utf-8")
    assert "1.0.0" in cli(capsys, "session", "playbook", "acme", *where)[1], "not silently"
    code, out, _ = cli(capsys, "session", "playbook", "acme", "--upgrade", str(playbook), *where)
    assert code == 0 and "now follows standard-data-connector 1.1.0 (was" in out
    session = SessionStore(tmp_path / "s").load("acme")
    assert session.playbook.version == "1.1.0"
    assert session.audit[-1].action == "playbook pinned"


def test_head_of_a_long_output_exits_0(tmp_path: Path) -> None:
    """What a user types: the demo session's inventory JSON (tens of kilobytes, several
    writes) cut after one line."""
    sessions = str(tmp_path / "s")
    assert main(["demo", "--headless", "--out", str(tmp_path / "out"),
                 "--sessions-dir", sessions]) == 0
    program = f"{sys.executable} -m dmsa_migrate"
    script = (f"set -o pipefail; {program} inventory --session demo --sessions-dir {sessions}"
              " | head -1")
    result = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "{\n"
    assert "internal error" not in result.stderr
