"""The session store: resumable, private, atomic, audited, and never loses a session."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import stat
from pathlib import Path

import pytest

from dmsa_migrate import sessions as sessions_module
from dmsa_migrate.cli import main
from dmsa_migrate.errors import FileFormatError, InputError, SecretReferenceError, StorageError
from dmsa_migrate.models.session import Connection, Credentials
from dmsa_migrate.playbooks import find_playbook
from dmsa_migrate.sessions import SessionConflictError, SessionNotFoundError, SessionStore

SECRET = "s3cr3t-value-never-stored"


def _clock() -> sessions_module.Clock:
    ticks = itertools.count()
    start = dt.datetime(2025, 2, 1, 9, 0, tzinfo=dt.UTC)
    return lambda: start + dt.timedelta(minutes=next(ticks))


@pytest.fixture
def store(tmp_path: Path) -> SessionStore:
    return SessionStore(tmp_path / "sessions", clock=_clock(), actor="jane")


def _new(store: SessionStore, name: str = "acme") -> sessions_module.Session:
    return store.create(
        name,
        customer="Acme Builders",
        playbook=find_playbook(),
        connection=Connection(environment="sandbox"),
        company_ids=[202, 101],
        credentials=Credentials(
            dmsa_client_id="abcd1234ef", secret_refs={"dmsa_secret": "env:DMSA"}
        ),
    )


def test_four_steps_recorded_survive_closing_and_reopening(store: SessionStore) -> None:
    session = _new(store)
    outputs = {
        "inventory": '{"accounts": []}',
        "manifest": '{"schema_version": "4.1"}',
        "verify": '{"ok": false}',
        "checklist": '{"items": []}',
    }
    for step, content in outputs.items():
        status = "needs_attention" if step == "verify" else "done"
        session = store.record_step(
            session,
            step,
            status,
            content=content,
            exit_code=1 if step == "verify" else 0,
            summary=f"{step} ran",
        )
    reopened = SessionStore(store.root).load("acme")
    assert reopened.model_dump() == session.model_dump()
    assert reopened.progress == (3, 4)
    assert reopened.steps["verify"].status == "needs_attention"
    assert reopened.steps["verify"].exit_code == 1
    assert (store.folder("acme") / "verification.json").read_text() == '{"ok": false}'
    actions = [entry.action for entry in reopened.audit]
    assert actions == [
        "session created",
        "step inventory run",
        "step manifest run",
        "step verify run",
        "step checklist run",
    ]
    assert all(entry.actor == "jane" for entry in reopened.audit)


def test_step_output_can_be_copied_from_a_file(store: SessionStore, tmp_path: Path) -> None:
    source = tmp_path / "inventory.out.json"
    source.write_text('{"accounts": [1]}')
    session = store.record_step(_new(store), "inventory", "done", artifact=source)
    assert store.artifact_path(session, "inventory") == store.folder("acme") / "inventory.json"
    assert store.export(session)["outputs"]["inventory"] == {"accounts": [1]}


def test_session_files_are_private(store: SessionStore) -> None:
    session = store.record_step(_new(store), "inventory", "done", content="{}")
    for path in (store.file("acme"), store.folder("acme") / "inventory.json"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.folder("acme").stat().st_mode) == 0o700
    assert session.revision == 2


def test_a_secret_value_is_refused_and_never_echoed(store: SessionStore) -> None:
    with pytest.raises(SecretReferenceError) as caught:
        Credentials(secret_refs={"dmsa_secret": SECRET})
    assert SECRET not in str(caught.value)
    session = _new(store)
    with pytest.raises(SecretReferenceError) as caught:
        store.set_secret_ref(session, "directory_token", SECRET)
    assert SECRET not in str(caught.value)
    store.set_secret_ref(session, "directory_token", "keyring:procore/admin")
    text = store.file("acme").read_text()
    assert 'directory_token = "keyring:procore/admin"' in text
    assert SECRET not in text


def test_a_secret_value_in_a_hand_edited_file_is_refused_on_load(store: SessionStore) -> None:
    _new(store)
    path = store.file("acme")
    path.write_text(path.read_text().replace('"env:DMSA"', f'"{SECRET}"'))
    with pytest.raises(SecretReferenceError) as caught:
        store.load("acme")
    assert SECRET not in str(caught.value)


def test_killed_save_leaves_the_previous_session_intact(
    store: SessionStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = _new(store)
    before = store.file("acme").read_bytes()

    def crash(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(StorageError, match="No space left"):
        store.record_step(session, "inventory", "done", summary="lost")
    monkeypatch.undo()
    assert store.file("acme").read_bytes() == before
    assert SessionStore(store.root).load("acme").steps["inventory"].status == "not_started"
    assert not [p for p in store.folder("acme").iterdir() if p.name.endswith(".tmp")]


def test_each_save_keeps_the_previous_file_as_backup(store: SessionStore) -> None:
    session = _new(store)
    first = store.file("acme").read_bytes()
    store.record_step(session, "inventory", "done")
    assert (store.folder("acme") / "session.toml.bak").read_bytes() == first


def test_corrupt_session_is_listed_with_its_problem_and_left_untouched(store: SessionStore) -> None:
    _new(store, "good")
    _new(store, "broken")
    broken = store.file("broken")
    broken.write_text("schema_version = 1\nname = \n")
    listed = {s.name: s for s in store.list()}
    assert listed["good"].problem is None
    assert listed["broken"].problem is not None
    assert f"{broken}:2: invalid TOML" in listed["broken"].problem
    with pytest.raises(FileFormatError):
        store.load("broken")
    with pytest.raises(InputError, match="already exists"):
        _new(store, "broken")
    assert broken.read_text() == "schema_version = 1\nname = \n"


def test_future_schema_is_refused_with_a_clear_message(store: SessionStore) -> None:
    _new(store)
    path = store.file("acme")
    text = path.read_text().replace("schema_version = 2", "schema_version = 9")
    path.write_text(text)
    with pytest.raises(FileFormatError, match=r"newer dmsa-migrate .*schema 9.*left untouched"):
        store.load("acme")
    assert "schema 9" in (store.list()[0].problem or "")
    assert path.read_text() == text


def test_older_schema_is_migrated_on_load(
    store: SessionStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    _new(store)
    path = store.file("acme")
    old = (
        path.read_text()
        .replace("schema_version = 2", "schema_version = 0")
        .replace('customer = "Acme Builders"', 'client = "Acme Builders"')
    )
    path.write_text(old)
    with pytest.raises(FileFormatError, match="too old"):
        store.load("acme")

    def rename_client(data: dict[str, object]) -> dict[str, object]:
        data["customer"] = data.pop("client")
        return data

    monkeypatch.setitem(sessions_module.MIGRATIONS, 0, rename_client)
    session = store.load("acme")
    assert session.customer == "Acme Builders"
    assert session.schema_version == 2


def test_a_version_1_demo_session_is_pointed_at_its_emulator_world(store: SessionStore) -> None:
    """Version 1 stored the demo's placeholder host; reopened, its steps went there."""
    _new(store)
    path = store.file("acme")
    text = path.read_text().replace("schema_version = 2", "schema_version = 1")
    text = text.replace('api_base = ""', 'api_base = "https://emulator.invalid"')
    assert "emulator.invalid" in text
    path.write_text(text)
    (store.root / "demo-post-sunset").mkdir()
    (store.root / "demo-post-sunset" / "session.toml").write_text(
        text.replace('name = "acme"', 'name = "demo-post-sunset"')
    )
    assert store.load("acme").connection.emulator == "demo"
    migrated = store.load("demo-post-sunset").connection
    assert (migrated.emulator, migrated.api_base) == ("post-sunset", "")


def test_unknown_key_names_file_line_and_field(store: SessionStore) -> None:
    _new(store)
    path = store.file("acme")
    path.write_text(path.read_text().replace("[connection]\n", '[connection]\nregion = "eu"\n'))
    with pytest.raises(FileFormatError) as caught:
        store.load("acme")
    assert caught.value.line is not None
    assert "connection.region: unknown key" in caught.value.message


def test_two_windows_saving_the_same_session_do_not_lose_changes(store: SessionStore) -> None:
    _new(store)
    window_a = store.load("acme")
    window_b = store.load("acme")
    store.record_step(window_a, "inventory", "done")
    with pytest.raises(SessionConflictError, match="changed since it was loaded"):
        store.record_step(window_b, "manifest", "done")
    assert store.load("acme").steps["inventory"].status == "done"


def test_waiver_needs_a_reason_and_sign_off_records_name_and_time(store: SessionStore) -> None:
    session = _new(store)
    with pytest.raises(InputError, match="waiver_reason"):
        store.set_item(session, "old-user-deactivated", 101, status="waived")
    session = store.set_item(
        session,
        "old-user-deactivated",
        101,
        status="waived",
        waiver_reason="user kept for audit until 2025-06",
    )
    session = store.set_item(session, "old-user-deactivated", 101, sign_off_by="Pat Admin")
    state = store.load("acme").item_state("old-user-deactivated", 101)
    assert state is not None
    assert state.status == "waived" and state.waiver_reason.startswith("user kept")
    assert state.signed_off_by == "Pat Admin"
    assert state.signed_off_at is not None and state.signed_off_at.tzinfo is not None
    assert [e.action for e in session.audit][-2:] == [
        "checklist old-user-deactivated company 101"
    ] * 2
    assert "waiver_reason=user kept" in session.audit[-2].detail


def test_status_auto_hands_the_item_back_to_its_conditions(store: SessionStore) -> None:
    session = store.set_item(_new(store), "app-installed", 101, status="done")
    session = store.set_item(session, "app-installed", 101, status="auto")
    assert store.load("acme").item_state("app-installed", 101).status is None  # type: ignore[union-attr]


def test_manifest_override_needs_a_reason(store: SessionStore) -> None:
    session = _new(store)
    with pytest.raises(InputError, match="reason"):
        store.override_manifest_level(session, "company", "directory", "readonly", " ")
    store.override_manifest_level(session, "company", "directory", "readonly", "least privilege")
    override = store.load("acme").manifest_overrides[0]
    assert (override.tool, override.level, override.by) == ("directory", "readonly", "jane")


def test_audit_log_is_append_only(store: SessionStore) -> None:
    session = _new(store)
    session.audit.clear()
    with pytest.raises(StorageError, match="append-only"):
        store.save(session)


def test_sessions_list_for_the_picker_most_recent_first(store: SessionStore) -> None:
    _new(store, "older")
    newer = _new(store, "newer")
    store.record_step(newer, "inventory", "done")
    rows = store.list()
    assert [row.name for row in rows] == ["newer", "older"]
    assert (rows[0].customer, rows[0].playbook_id, rows[0].progress) == (
        "Acme Builders",
        "standard-data-connector",
        "1/4",
    )


@pytest.mark.parametrize("name", ["../escape", ".hidden", "a/b", "", "x" * 65])
def test_bad_session_names_are_refused(store: SessionStore, name: str) -> None:
    with pytest.raises(InputError, match="not valid"):
        _new(store, name)


def test_missing_session_lists_the_known_ones(store: SessionStore) -> None:
    _new(store)
    with pytest.raises(SessionNotFoundError, match="known: acme"):
        store.load("other")


def test_default_store_lives_under_the_user_data_folder(isolated_home: Path) -> None:
    assert SessionStore().root == isolated_home / "sessions"


# ---------------------------------------------------------------- CLI


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_session_commands_end_to_end(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    where = ["--sessions-dir", str(tmp_path)]
    code, out, _ = _cli(
        capsys,
        "session",
        "new",
        "acme",
        "--customer",
        "Acme Builders",
        "--playbook",
        "erp-integration",
        "--company-id",
        "101",
        "--dmsa-secret",
        "env:DMSA_SECRET",
        *where,
    )
    assert code == 0 and "created session acme (erp-integration 1.0.0)" in out
    code, out, _ = _cli(
        capsys,
        "session",
        "item",
        "acme",
        "erp-sync-paused",
        "--company-id",
        "101",
        "--waive",
        "no scheduled syncs",
        *where,
    )
    assert code == 0 and "waived" in out
    code, out, _ = _cli(
        capsys,
        "session",
        "item",
        "acme",
        "erp-sync-paused",
        "--company-id",
        "101",
        "--sign-off",
        "Pat Admin",
        *where,
    )
    assert "signed off by Pat Admin" in out
    code, out, _ = _cli(capsys, "session", "list", *where)
    header, row = out.splitlines()
    assert header.split()[:4] == ["SESSION", "CUSTOMER", "PLAYBOOK", "STEPS"]
    assert row.split()[:5] == ["acme", "Acme", "Builders", "erp-integration", "0/4"]
    assert row.split()[5:9] == ["-", "-", "-", "not"], "no checklist, no verification yet"
    code, out, _ = _cli(capsys, "session", "show", "acme", *where)
    assert "secrets   dmsa_secret=env:DMSA_SECRET  (references only)" in out
    assert "101 erp-sync-paused: waived; waiver: no scheduled syncs; signed off by Pat Admin" in out
    code, out, _ = _cli(
        capsys, "session", "export", "acme", "--out", str(tmp_path / "x.json"), *where
    )
    exported = json.loads((tmp_path / "x.json").read_text())
    assert exported["customer"] == "Acme Builders" and exported["outputs"] == {}
    assert len(exported["audit"]) == 3
    code, out, _ = _cli(capsys, "session", "list", "--json", *where)
    assert json.loads(out)["sessions"][0]["progress"] == "0/4"


def test_session_new_refuses_a_literal_secret(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _cli(
        capsys,
        "session",
        "new",
        "acme",
        "--customer",
        "A",
        "--dmsa-secret",
        SECRET,
        "--sessions-dir",
        str(tmp_path),
    )
    assert code == 2
    assert "not a secret reference" in err and SECRET not in err
    assert not (tmp_path / "acme").exists()


def test_show_of_a_missing_session_is_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _cli(capsys, "session", "show", "ghost", "--sessions-dir", str(tmp_path))
    assert code == 2 and "no session 'ghost'" in err
