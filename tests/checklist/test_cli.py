"""``dmsa-migrate checklist``: the real command, its outputs, its errors and exit codes."""

from __future__ import annotations

import json
import shutil
import stat
from pathlib import Path

import pytest

from dmsa_migrate.cli import main
from dmsa_migrate.sessions import SessionStore

from .conftest import FIXTURES, GOLDEN, demo_playbook

BASE = [
    "checklist",
    "--inventory",
    str(FIXTURES / "inventory.json"),
    "--verification",
    str(FIXTURES / "verification.json"),
    "--manifest",
    str(FIXTURES / "manifest.json"),
    "--today",
    "2025-02-15",
]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main([*BASE, *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_writes_every_format_and_prints_the_paths(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "--out", str(tmp_path / "out"), "--customer", "Acme")
    assert code == 0
    paths = [Path(line) for line in out.splitlines()]
    assert [p.name for p in paths] == [
        "checklist.md",
        "checklist.html",
        "checklist.json",
        "checklist.csv",
    ]
    for path in paths:
        assert path.exists()
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "33 items over 3 companies" in err
    document = json.loads(paths[2].read_text(encoding="utf-8"))
    assert document["customer"] == "Acme"
    assert document["today"] == "2025-02-15"


def test_csv_matches_the_golden_file_without_a_session(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, _ = run(capsys, "--out", str(tmp_path), "--format", "csv")
    assert code == 0
    written = (tmp_path / "checklist.csv").read_text(encoding="utf-8")
    golden = (GOLDEN / "checklist.csv").read_text(encoding="utf-8")
    # The golden file applies the session; without it, the waived item is pending again.
    assert len(written.splitlines()) == len(golden.splitlines())
    assert ",waived," not in written and ",waived," in golden


def test_session_states_are_applied_and_the_step_is_recorded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = SessionStore(tmp_path / "sessions")
    session = store.create("acme", customer="Acme Sync rollout", playbook=demo_playbook())
    store.set_item(session, "old-secrets-deleted", 202, status="waived", waiver_reason="wiped")
    store.set_item(session, "credentials-switched", 202, sign_off_by="Priya Natarajan")
    code, out, _ = run(
        capsys,
        "--out",
        str(tmp_path / "out"),
        "--session",
        "acme",
        "--sessions-dir",
        str(tmp_path / "sessions"),
        "--format",
        "json",
    )
    assert code == 0
    document = json.loads(Path(out.strip()).read_text(encoding="utf-8"))
    assert document["customer"] == "Acme Sync rollout"
    rows = {(r["company_id"], r["item_id"]): r for r in document["items"]}
    assert rows[(202, "old-secrets-deleted")]["status"] == "waived"
    assert rows[(202, "old-secrets-deleted")]["waiver"] == "wiped"
    assert rows[(202, "credentials-switched")]["status"] == "done"
    assert rows[(202, "credentials-switched")]["signed_off_by"] == "Priya Natarajan"
    reloaded = store.load("acme")
    assert reloaded.steps["checklist"].status == "needs_attention"
    assert (store.folder("acme") / "checklist.json").exists()


def test_fail_on_open_exits_1_while_items_are_open(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "--out", str(tmp_path), "--format", "md", "--fail-on-open")
    assert code == 1
    assert out.strip().endswith("checklist.md")


def test_company_filter(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--out", str(tmp_path), "--format", "json", "--company-id", "303")
    assert code == 0
    document = json.loads(Path(out.strip()).read_text(encoding="utf-8"))
    assert {row["company_id"] for row in document["items"]} == {303}


def test_playbook_by_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    playbook = Path(__file__).resolve().parents[2] / "playbooks" / "read-only-reporting.toml"
    code, out, _ = run(
        capsys, "--out", str(tmp_path), "--format", "json", "--playbook", str(playbook)
    )
    assert code == 0
    document = json.loads(Path(out.strip()).read_text(encoding="utf-8"))
    assert document["playbook"]["id"] == "read-only-reporting"
    assert "read-only-manifest" in {row["item_id"] for row in document["items"]}


# ---------------------------------------------------------------- bad input: exit 2, named


def bad_copy(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def run_with(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, inventory: Path, verification: Path
) -> tuple[int, str, str]:
    code = main(
        [
            "checklist",
            "--inventory",
            str(inventory),
            "--verification",
            str(verification),
            "--out",
            str(tmp_path / "out"),
        ]
    )
    out, err = capsys.readouterr()
    return code, out, err


def test_invalid_json_names_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = '{"schema": "dmsa-migrate/inventory/1",\n  "accounts": [,]}'
    broken = bad_copy(tmp_path, "inventory.json", text)
    code, out, err = run_with(capsys, tmp_path, broken, FIXTURES / "verification.json")
    assert code == 2
    assert out == ""
    assert f"{broken}:2: invalid JSON" in err
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_wrong_field_type_names_file_field_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = json.loads((FIXTURES / "verification.json").read_text(encoding="utf-8"))
    data["companies"][1]["missing_projects"] = ["not-an-id"]
    path = bad_copy(tmp_path, "verification.json", json.dumps(data, indent=2))
    code, _, err = run_with(capsys, tmp_path, FIXTURES / "inventory.json", path)
    assert code == 2
    assert "companies.1.missing_projects.0" in err
    line = int(err.split(f"{path}:", 1)[1].split(":", 1)[0])
    assert '"not-an-id"' in path.read_text(encoding="utf-8").splitlines()[line - 1]


def test_swapped_files_are_caught_by_their_schema(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_with(
        capsys, tmp_path, FIXTURES / "verification.json", FIXTURES / "verification.json"
    )
    assert code == 2
    assert "schema: expected 'dmsa-migrate/inventory/1'" in err


def test_missing_file_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_with(
        capsys, tmp_path, FIXTURES / "inventory.json", tmp_path / "nowhere.json"
    )
    assert code == 2
    assert f"{tmp_path / 'nowhere.json'}: no such file" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "md,pdf"], "--format: unknown format 'pdf'"),
        (["--today", "15/02/2025"], "--today: '15/02/2025' is not a date"),
        (["--playbook", "no-such-playbook"], "no playbook 'no-such-playbook'"),
        (["--session", "ghost"], "no session 'ghost'"),
    ],
)
def test_bad_options_exit_2_with_a_message(
    args: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "--out", str(tmp_path / "out"), *args)
    assert code == 2
    assert message in err
    assert out == ""


def test_bad_manifest_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    manifest = bad_copy(tmp_path, "manifest.json", '{"permissions": {}}')
    code = main(
        [
            *BASE[:5],
            "--manifest",
            str(manifest),
            "--out",
            str(tmp_path / "out"),
        ]
    )
    _, err = capsys.readouterr()
    assert code == 2
    assert f"{manifest}: schema_version" in err


def test_out_that_is_a_file_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = bad_copy(tmp_path, "taken", "")
    code, _, err = run(capsys, "--out", str(target))
    assert code == 2
    assert str(target) in err


def test_help_lists_the_contract_options(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["checklist", "--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    for option in ("--inventory", "--verification", "--playbook", "--format", "--out"):
        assert option in text


def test_subprocess_console_script(tmp_path: Path) -> None:
    import subprocess
    import sys

    executable = shutil.which("dmsa-migrate", path=str(Path(sys.executable).parent))
    assert executable is not None
    result = subprocess.run(
        [executable, *BASE, "--out", str(tmp_path), "--format", "md"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(tmp_path / "checklist.md")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"accounts": []}', "schema: missing"),
        ('{"schema": "dmsa-migrate/inventory/1"}', "accounts: missing"),
    ],
)
def test_inventory_without_its_contract_keys_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    path = bad_copy(tmp_path, "inventory.json", text)
    code, _, err = run_with(capsys, tmp_path, path, FIXTURES / "verification.json")
    assert code == 2
    assert f"{path}: {message}" in err


def test_session_owner_names_people_per_company_and_per_item(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sessions = ["--sessions-dir", str(tmp_path / "sessions")]
    store = SessionStore(tmp_path / "sessions")
    store.create("acme", customer="Acme Sync rollout", playbook=demo_playbook())
    assert main(["session", "owner", "acme", "--role", "company_admin", "--company-id", "101",
                 "--person", "Dana Whitfield", "--contact", "dana@acme.example", *sessions]) == 0
    assert main(["session", "owner", "acme", "--item", "permitted-projects", "--company-id",
                 "101", "--person", "Ravi Patel", "--contact", "+1 555 0100", *sessions]) == 0
    out = capsys.readouterr().out
    assert "role company_admin in company 101: Dana Whitfield <dana@acme.example>" in out
    code, out, _ = run(capsys, "--out", str(tmp_path / "out"), "--session", "acme",
                       *sessions, "--format", "json")
    assert code == 0
    rows = {
        (r["company_id"], r["item_id"]): r
        for r in json.loads(Path(out.strip()).read_text(encoding="utf-8"))["items"]
    }
    assert (rows[(101, "app-installed")]["owner"],
            rows[(101, "app-installed")]["owner_contact"]) == ("Dana Whitfield",
                                                               "dana@acme.example")
    assert rows[(101, "permitted-projects")]["owner"] == "Ravi Patel"
    assert rows[(202, "app-installed")]["owner"] == "Company admin"
    assert main(["session", "show", "acme", *sessions]) == 0
    assert "owner     item permitted-projects in company 101: Ravi Patel" in (
        capsys.readouterr().out
    )


def test_session_owner_needs_a_person_and_one_target(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sessions = ["--sessions-dir", str(tmp_path / "sessions")]
    SessionStore(tmp_path / "sessions").create(
        "acme", customer="Acme", playbook=demo_playbook()
    )
    with pytest.raises(SystemExit) as exited:
        main(["session", "owner", "acme", "--person", "Dana", *sessions])
    assert exited.value.code == 2
    assert main(["session", "owner", "acme", "--role", "company_admin", "--person", " ",
                 *sessions]) == 2
    assert "session owner: name" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("today", "playbook"),
    [("2025-03-17", "standard-data-connector"), ("2025-03-18", "post-sunset-recovery"),
     ("2026-12-02", "post-sunset-recovery")],
)
def test_the_engagement_date_picks_the_default_playbook(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], today: str, playbook: str
) -> None:
    code = main([*BASE[:-2], "--today", today, "--out", str(tmp_path), "--format", "json"])
    assert code == 0
    document = json.loads((tmp_path / "checklist.json").read_text(encoding="utf-8"))
    assert document["playbook"]["id"] == playbook
    assert document["after_sunset"] is (today >= "2025-03-18")
