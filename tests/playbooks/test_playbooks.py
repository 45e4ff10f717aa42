"""Playbook files: shipped ones pass, broken ones are explained with file, line and field."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from dmsa_migrate import playbooks
from dmsa_migrate.cli import main
from dmsa_migrate.conditions import Evidence, facts_for_company
from dmsa_migrate.errors import InputError
from dmsa_migrate.playbooks import (
    DEFAULT_PLAYBOOK,
    PlaybookError,
    decide_item,
    discover_playbooks,
    find_playbook,
    load_playbook,
    parse_playbook,
    shipped_playbooks_dir,
    timeline_lines,
)

SHIPPED = sorted((Path(__file__).resolve().parents[2] / "playbooks").glob("*.toml"))

MINIMAL = """\
[playbook]
id = "mini"
title = "Minimal"
version = "1.0"

[[timeline]]
id = "sunset"
date = 2025-03-18
title = "Sunset"

[[steps]]
id = "verify"
kind = "verify"
title = "Verify"

[[checklist]]
id = "installed"
title = "App installed"
description = "The app is installed."
owner = "company_admin"
due = "sunset-14d"
done_when = "company.installed"
"""


def _broken(old: str, new: str) -> str:
    assert old in MINIMAL
    return MINIMAL.replace(old, new)


def test_four_playbooks_are_shipped_with_the_default() -> None:
    ids = {entry.id for entry in discover_playbooks() if entry.origin == "shipped"}
    assert ids == {
        "standard-data-connector",
        "erp-integration",
        "read-only-reporting",
        "post-sunset-recovery",
    }
    assert DEFAULT_PLAYBOOK in ids
    assert find_playbook().id == DEFAULT_PLAYBOOK


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_shipped_playbook_passes_playbook_check(
    path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["playbook", "check", str(path)]) == 0
    assert capsys.readouterr().out.startswith(f"ok: {path}")


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_timelines_carry_the_procore_dates(path: Path) -> None:
    playbook = load_playbook(path)
    dates = {event.id: event.date for event in playbook.timeline}
    assert dates["deprecated"] == dt.date(2021, 12, 9)
    assert dates["creation_blocked"] == dt.date(2025, 1, 21)
    assert dates["sunset"] == dt.date(2025, 3, 18)


def test_erp_playbook_requires_the_erp_admin_rights() -> None:
    erp = find_playbook("erp-integration")
    assert erp.manifest.require.company == {
        "admin": "admin",
        "directory": "admin",
        "erp_integrations": "admin",
    }


def test_read_only_playbook_caps_every_level() -> None:
    assert find_playbook("read-only-reporting").manifest.max_level == "readonly"


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        (
            _broken('owner = "company_admin"', 'owner = "company_admin"\nowner_role = "x"'),
            21,
            "checklist.0.owner_role: unknown key",
        ),
        (_broken("date = 2025-03-18", 'date = "2025-02-30"'), 8, "timeline.0.date"),
        (_broken('due = "sunset-14d"', 'due = "2025-02-30"'), 21, "not a valid calendar date"),
        (
            _broken('done_when = "company.installed"', 'done_when = "company.instaled"'),
            22,
            "unknown fact 'company.instaled'; did you mean 'company.installed'?",
        ),
        (MINIMAL + MINIMAL[MINIMAL.index("[[checklist]]") :], 24, "duplicate id 'installed'"),
        (_broken('due = "sunset-14d"', 'due = "sunsett-14d"'), 21, "'sunsett' is not a timeline"),
        (_broken('version = "1.0"', 'version = "one"'), 4, "playbook.version"),
        (_broken('kind = "verify"', 'kind = "deploy"'), 13, "steps.0.kind"),
        (_broken('title = "Minimal"\n', ""), 1, "playbook.title: required key is missing"),
    ],
    ids=[
        "unknown key",
        "bad date",
        "bad due date",
        "unknown fact",
        "duplicate item id",
        "unknown event",
        "bad version",
        "bad step kind",
        "missing key",
    ],
)
def test_broken_playbooks_name_line_and_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, line: int, fragment: str
) -> None:
    path = tmp_path / "broken.toml"
    path.write_text(text, encoding="utf-8")
    assert main(["playbook", "check", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:{line}: " in err
    assert fragment in err
    assert "Traceback" not in err


def test_invalid_toml_names_the_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(MINIMAL + "\n[[checklist]\n", encoding="utf-8")
    assert main(["playbook", "check", str(path)]) == 2
    assert f"{path}:24: invalid TOML" in capsys.readouterr().err


def test_every_problem_is_reported_not_just_the_first() -> None:
    text = _broken('done_when = "company.installed"', 'done_when = "company.x"\nevidence = "{a.b}"')
    with pytest.raises(PlaybookError) as caught:
        parse_playbook(text, "p.toml")
    fields = [problem.field for problem in caught.value.problems]
    assert fields == ["checklist.0.done_when", "checklist.0.evidence"]
    assert "(1 more) p.toml:23: checklist.0.evidence: unknown fact '{a.b}'" in caught.value.message


def test_required_level_above_the_cap_is_a_contradiction() -> None:
    text = (
        MINIMAL
        + '\n[manifest]\nmax_level = "readonly"\n[manifest.require.company]\nadmin = "admin"\n'
    )
    with pytest.raises(PlaybookError, match="requires admin but max_level is readonly"):
        parse_playbook(text, "p.toml")


def test_check_of_a_missing_file_is_bad_input(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["playbook", "check", "nowhere/else.toml"]) == 2
    assert "nowhere/else.toml: no such file" in capsys.readouterr().err


def test_check_accepts_a_shipped_id(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["playbook", "check", "erp-integration"]) == 0
    assert "erp-integration 1.0.0" in capsys.readouterr().out


def test_list_shows_shipped_and_user_playbooks(
    isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    user = isolated_home / "config" / "playbooks"
    user.mkdir(parents=True)
    (user / "mine.toml").write_text(MINIMAL, encoding="utf-8")
    (user / "broken.toml").write_text("[playbook]\n", encoding="utf-8")
    assert main(["playbook", "list"]) == 1  # a broken playbook is a finding
    out = capsys.readouterr().out
    assert ("standard-data-connector  1.0.0    Standard data connector  "
            "(shipped, default before 2025-03-18)") in out
    assert "Post-sunset recovery  (shipped, default from 2025-03-18)" in out
    assert "mini" in out and "(user)" in out
    assert "broken" in out and "INVALID" in out
    assert main(["playbook", "list", "--json"]) == 1
    rows = json.loads(capsys.readouterr().out)["playbooks"]
    assert {row["id"]: row["origin"] for row in rows}["mini"] == "user"
    # "default" is what `session new` and `checklist` pick today: after the sunset
    assert [row["id"] for row in rows if row["default"]] == ["post-sunset-recovery"]


def test_user_playbook_with_a_shipped_id_takes_its_place(isolated_home: Path) -> None:
    user = isolated_home / "config" / "playbooks"
    user.mkdir(parents=True)
    text = MINIMAL.replace('id = "mini"', f'id = "{DEFAULT_PLAYBOOK}"').replace("Minimal", "Ours")
    (user / "ours.toml").write_text(text, encoding="utf-8")
    assert find_playbook(DEFAULT_PLAYBOOK).playbook.title == "Ours"
    shipped = [
        e for e in discover_playbooks() if e.id == DEFAULT_PLAYBOOK and e.origin == "shipped"
    ]
    assert shipped[0].shadowed


def test_unknown_playbook_name_lists_the_known_ones() -> None:
    with pytest.raises(InputError, match=r"no playbook 'nope' \(known: .*erp-integration"):
        find_playbook("nope")


def test_installed_wheel_layout_is_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """In a wheel, hatch puts playbooks/ at dmsa_migrate/_playbooks (no checkout around)."""
    package = tmp_path / "site-packages" / "dmsa_migrate"
    (package / "_playbooks").mkdir(parents=True)
    shutil.copy(SHIPPED[0], package / "_playbooks")
    monkeypatch.setattr(playbooks, "__file__", str(package / "playbooks.py"))
    assert shipped_playbooks_dir() == package / "_playbooks"
    assert [e.path.name for e in discover_playbooks() if e.origin == "shipped"] == [SHIPPED[0].name]


def test_relative_due_dates_resolve_against_the_timeline() -> None:
    playbook = parse_playbook(MINIMAL, "p.toml")
    assert playbook.due_date(playbook.checklist[0]) == dt.date(2025, 3, 4)


def test_timeline_reads_relative_to_today() -> None:
    playbook = find_playbook()
    lines = timeline_lines(playbook, dt.date(2026, 11, 28))
    assert (
        "Sunset: traditional service accounts stop working: 2025-03-18 — passed 620 days ago"
        in lines
    )
    assert timeline_lines(playbook, dt.date(2025, 3, 17))[2].endswith("in 1 day")


def test_shipped_items_decide_status_from_evidence(full: Evidence) -> None:
    playbook = find_playbook()
    items = {item.id: item for item in playbook.checklist}
    acme = facts_for_company(full, 101)
    west = facts_for_company(full, 202)
    assert decide_item(items["app-installed"], acme).status == "done"
    assert decide_item(items["app-installed"], west).status == "blocked"
    assert decide_item(items["permitted-projects"], acme).status == "pending"
    assert decide_item(items["no-manual-directory-edits"], acme).status == "pending"
    assert decide_item(items["webhooks-moved"], acme).status == "pending"
    assert decide_item(items["credentials-switched"], acme).decided_by is None
    assert acme.render(items["permitted-projects"].evidence) == (
        "2 of 3 projects not permitted: 1007, 1012"
    )


def test_items_without_evidence_stay_pending_and_say_why() -> None:
    item = {i.id: i for i in find_playbook().checklist}["permitted-projects"]
    decision = decide_item(item, facts_for_company(Evidence(), 101))
    assert decision.status == "pending"
    assert "verification.missing_projects_count" in decision.missing_facts


def test_applies_when_false_makes_an_item_not_applicable(full: Evidence) -> None:
    item = {i.id: i for i in find_playbook().checklist}["webhooks-moved"]
    no_webhooks = Evidence(inventory=full.inventory.model_copy(update={"usage": []}))  # type: ignore[union-attr]
    assert decide_item(item, facts_for_company(no_webhooks, 101)).status == "not_applicable"
