"""A company that could not be read is reported as *unread*, with the reason: never as
projects lost, reset or missing; in the verification, in ``session diff`` and in the fleet
summary. (Its empty project lists say nothing: the reads failed.)"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from dmsa_migrate.cli import main
from dmsa_migrate.emulator.world import builtin_world_path
from dmsa_migrate.engagement import Engagement, load_pinned_playbook, run_inventory, run_verify
from dmsa_migrate.engagement.demo import open_demo_session
from dmsa_migrate.engagement.status import verification_status
from dmsa_migrate.runtime import Connection, emulator_connection
from dmsa_migrate.sessions import SessionStore
from dmsa_migrate.verify import VerificationIncomplete
from dmsa_migrate.verify.fleet import fleet_rows, summary_csv, summary_json
from dmsa_migrate.verify.render import render_summary

from .test_failures import FailCompany


def engagement(store: SessionStore, connection: Connection) -> Engagement:
    session = store.load("demo")
    return Engagement(store, session, load_pinned_playbook(store, session),
                      ready_connection=connection)


def test_an_unread_company_is_unread_everywhere_never_lost(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = SessionStore(tmp_path / "s")
    _, setup = open_demo_session(store, "demo")
    good = setup.connection
    assert good.transport is not None
    failing = Connection(good.environment, FailCompany(good.transport, 101))

    asyncio.run(run_inventory(engagement(store, good)))
    first = asyncio.run(run_verify(engagement(store, good)))  # run 2: 101 read, 7 permitted
    assert first.verification.companies[0].permitted_projects
    with pytest.raises(VerificationIncomplete) as caught:  # run 3: 101 cannot be read
        asyncio.run(run_verify(engagement(store, failing)))
    partial = caught.value.partial
    (unread,) = [c for c in partial.companies if c.id == 101]
    assert unread.unread_reason() and "400" in unread.unread_reason()
    assert unread.lost_projects == [] and "permitted_projects_reset" not in {
        f.code for f in unread.findings
    }

    text = render_summary(partial)
    block = text.split("Acme Builders (101)")[1].split("\n\n")[0]
    assert "install           unread: " in block and "400" in block
    assert "permitted" not in block and "missing" not in block, "no counts for unread"
    assert "INCOMPLETE: unread companies 101" in text
    assert "unread: 101" in verification_status(partial)[1]

    rows = {row.company_id: row for row in fleet_rows(partial)}
    assert rows[101].install_status == "unread" and "400" in rows[101].unread_reason
    assert rows[101].lost_since_last_run == 0
    assert rows[202].install_status == "installed" and rows[202].unread_reason == ""
    assert json.loads(summary_json(partial, list(rows.values())))["unread"] == 1
    assert summary_csv(list(rows.values())).splitlines()[0].endswith(",unread_reason")

    where = ("--sessions-dir", str(tmp_path / "s"))
    assert main(["session", "diff", "demo", "2", "3", *where]) == 0
    diff = capsys.readouterr().out
    assert "  company 101: unread in run 0003-verify (" in diff.splitlines()[2]
    assert "company 101: lost" not in diff and "permitted_projects_reset" not in diff

    # run 4: read again, after an app update reset 101's permitted projects to two. The
    # last run could not read 101, so 101 is compared with run 2, and the reset is caught.
    again = asyncio.run(run_verify(engagement(store, emulator_connection(reset_world(tmp_path)))))
    (read,) = [c for c in again.verification.companies if c.id == 101]
    assert read.unread_reason() == ""
    assert read.lost_projects == [1003, 1004, 1005, 1006, 1007]
    assert "permitted_projects_reset" in {f.code for f in read.findings}
    (note,) = again.run.notes
    assert note.endswith("unread there, so compared with earlier runs: 101 (run 0002-verify)")
    assert main(["session", "diff", "demo", "3", "4", *where]) == 0
    diff = capsys.readouterr().out
    assert "company 101: unread in run 0003-verify (" in diff
    assert "read in run 0004-verify" in diff and "company 101: gained" not in diff


def reset_world(tmp_path: Path) -> Path:
    """The demo world after an app update reset company 101's permitted projects."""
    text = builtin_world_path("demo").read_text(encoding="utf-8")
    before = "permitted_projects = [1001, 1002, 1003, 1004, 1005, 1006, 1007]"
    assert before in text
    world = tmp_path / "after-update.toml"
    world.write_text(text.replace(before, "permitted_projects = [1001, 1002]"), "utf-8")
    return world
