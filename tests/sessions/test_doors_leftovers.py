"""Issue 16 leftovers: the checklist writes into the session folder without ``--out``,
``session item`` knows the accounts file's companies before any inventory, a default
playbook is pinned at creation, and a step's notices are the same in every door."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dmsa_migrate.cli import main
from dmsa_migrate.engagement.demo import open_demo_session
from dmsa_migrate.sessions import SessionStore

FORMATS = ("md", "html", "json", "csv")


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    """A fresh demo session (in-process emulator: no network, fixture credentials)."""
    root = tmp_path / "sessions"
    open_demo_session(SessionStore(root), "demo")
    return root


def test_checklist_for_a_session_needs_no_out_and_says_where_it_wrote(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    s = ("--session", "demo", "--sessions-dir", str(demo))
    assert cli(capsys, "inventory", *s)[0] == 0
    assert cli(capsys, "verify", *s)[0] == 1
    code, out, err = cli(capsys, "checklist", *s)
    assert code == 0, err
    exports = demo / "demo" / "exports"
    assert out.splitlines() == [str(exports / f"checklist.{fmt}") for fmt in FORMATS]
    assert f"written into the exports folder of session demo: {exports}" in err
    run = demo / "demo" / "runs" / "0003-checklist"
    for fmt in FORMATS:  # the very files the run recorded, not an empty shell
        name = f"checklist.{fmt}"
        assert (exports / name).read_bytes() == (run / name).read_bytes()
    rows = json.loads((exports / "checklist.json").read_text(encoding="utf-8"))["items"]
    assert {row["company_id"] for row in rows} == {101, 202, 303}


def test_checklist_without_a_session_still_needs_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inventory = tmp_path / "i.json"
    inventory.write_text("{}")
    code, out, err = cli(capsys, "checklist", "--inventory", str(inventory),
                         "--verification", str(inventory))
    assert (code, out) == (2, "")
    assert "--out DIR" in err and "Traceback" not in err


def test_session_item_knows_the_accounts_file_companies_before_any_inventory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    accounts = tmp_path / "accounts.toml"
    accounts.write_text(
        '[[accounts]]\nlabel = "erp"\nclient_id = "tsa-erp-1"\nclient_secret = "env:A"\n'
        'company_id = 101\n\n[[accounts]]\nlabel = "docs"\nclient_id = "tsa-docs-2"\n'
        'client_secret = "env:B"\ncompany_id = 202\n'
    )
    where = ("--sessions-dir", str(tmp_path / "s"))
    assert cli(capsys, "session", "new", "acme", "--customer", "Acme", "--playbook",
               "standard-data-connector", "--accounts", str(accounts), *where)[0] == 0
    code, _, err = cli(capsys, "session", "item", "acme", "app-installed", "--company-id",
                       "202", "--status", "done", *where)
    assert code == 0, err
    (state,) = SessionStore(tmp_path / "s").load("acme").checklist
    assert (state.company_id, state.item_id, state.status) == (202, "app-installed", "done")

    code, _, err = cli(capsys, "session", "item", "acme", "app-installed", "--company-id",
                       "303", "--status", "done", *where)
    assert code == 2 and "valid companies: 101, 202" in err
    assert len(SessionStore(tmp_path / "s").load("acme").checklist) == 1, "nothing stored"


def test_session_new_without_playbook_pins_the_default_so_an_edit_changes_nothing(
    tmp_path: Path, isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import hashlib

    from dmsa_migrate.paths import user_playbooks_dir
    from dmsa_migrate.playbooks import shipped_playbooks_dir

    where = ("--sessions-dir", str(tmp_path / "s"))
    code, out, err = cli(capsys, "session", "new", "acme", "--customer", "Acme",
                         "--company-id", "101", *where)
    assert code == 0, err
    session = SessionStore(tmp_path / "s").load("acme")
    shipped = shipped_playbooks_dir()
    assert shipped is not None
    original = (shipped / f"{session.playbook.id}.toml").read_text(encoding="utf-8")
    pinned = tmp_path / "s" / "acme" / "playbook.toml"
    assert f"({session.playbook.id} {session.playbook.version})" in out
    assert pinned.read_text(encoding="utf-8") == original
    assert session.playbook.sha256 == hashlib.sha256(pinned.read_bytes()).hexdigest()

    # the consultant edits "the" default afterwards, same id and version, new item title
    edited = original.replace('title = "App installed in the company"',
                              'title = "EDITED after the session began"', 1)
    assert edited != original
    (user_playbooks_dir() / f"{session.playbook.id}.toml").write_text(edited, "utf-8")
    fixtures = Path(__file__).resolve().parents[1] / "checklist" / "fixtures"
    code, _, err = cli(capsys, "checklist", "--session", "acme", "--inventory",
                       str(fixtures / "inventory.json"), "--verification",
                       str(fixtures / "verification.json"), "--format", "md", *where)
    assert code == 0, err
    text = (tmp_path / "s" / "acme" / "exports" / "checklist.md").read_text(encoding="utf-8")
    assert "App installed in the company" in text
    assert "EDITED" not in text, "the step used the pinned copy, not the edited default"
