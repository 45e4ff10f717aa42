"""Deleting (to the trash), renaming, and forgetting an optional credential reference."""

from __future__ import annotations

import datetime as dt
import stat
from pathlib import Path

import pytest

from dmsa_migrate.errors import InputError
from dmsa_migrate.models.session import Credentials, Session
from dmsa_migrate.playbooks import find_playbook
from dmsa_migrate.sessions import (
    SessionConflictError,
    SessionNotFoundError,
    SessionStore,
)

NOW = dt.datetime(2025, 2, 15, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def store(tmp_path: Path) -> SessionStore:
    return SessionStore(tmp_path / "sessions", clock=lambda: NOW, actor="jane")


def _new(store: SessionStore, name: str = "acme") -> Session:
    session = store.create(
        name, customer="Acme Builders", playbook=find_playbook(),
        credentials=Credentials(accounts_file="accounts.toml",
                                secret_refs={"dmsa_secret": "env:DMSA"}),
    )
    return store.record_step(session, "inventory", "done", content='{"accounts": []}')


def test_a_deleted_session_goes_to_the_trash_with_every_file(store: SessionStore) -> None:
    _new(store)
    (store.folder("acme") / "accounts.toml").write_text("[[accounts]]\n", encoding="utf-8")
    where = store.trash("acme")
    assert where == store.root / ".trash" / "acme-20250215T120000Z"
    assert sorted(p.name for p in where.iterdir()) == [
        "accounts.toml", "inventory.json", "session.toml", "session.toml.bak",
    ]
    assert not store.folder("acme").exists()
    assert [s.name for s in store.list()] == []  # the trash is never listed as a session
    assert stat.S_IMODE(store.trash_root.stat().st_mode) == 0o700
    # the same name again (created anew, deleted again the same second): both are kept
    _new(store)
    again = store.trash("acme")
    assert again.name == "acme-20250215T120000Z-2" and where.exists()


def test_an_unreadable_session_can_be_deleted_and_a_missing_one_cannot(
    store: SessionStore,
) -> None:
    broken = store.root / "broken"
    broken.mkdir(parents=True)
    (broken / "session.toml").write_text("not = [toml", encoding="utf-8")
    assert store.trash("broken").exists()
    with pytest.raises(SessionNotFoundError):
        store.trash("nobody")


def test_rename_moves_the_folder_and_keeps_outputs_and_audit(store: SessionStore) -> None:
    session = _new(store)
    renamed = store.rename(session, "acme-2025")
    assert not store.folder("acme").exists()
    loaded = store.load("acme-2025")
    assert loaded.name == "acme-2025" and loaded.revision == renamed.revision
    output = store.artifact_path(loaded, "inventory")
    assert output == store.folder("acme-2025") / "inventory.json" and output.exists()
    assert loaded.audit[-1].action == "session renamed"
    assert loaded.audit[-1].detail == "acme → acme-2025"


def test_rename_refuses_a_taken_or_bad_name_and_a_stale_session(store: SessionStore) -> None:
    session = _new(store)
    _new(store, "bayview")
    with pytest.raises(InputError, match="already exists"):
        store.rename(session, "bayview")
    with pytest.raises(InputError, match="not valid"):
        store.rename(session, "../elsewhere")
    stale = store.load("acme")
    store.save(store.load("acme"))  # another window saved in between
    with pytest.raises(SessionConflictError):
        store.rename(stale, "acme-2025")
    assert store.load("acme").name == "acme" and not store.folder("acme-2025").exists()


def test_remove_secret_ref_forgets_it_with_an_audit_line(store: SessionStore) -> None:
    session = store.load(_new(store).name)
    store.set_secret_ref(session, "user_token", "env:USER_TOKEN")
    store.remove_secret_ref(session, "user_token")
    loaded = store.load("acme")
    assert loaded.credentials.secret_refs == {"dmsa_secret": "env:DMSA"}
    assert loaded.audit[-1].action == "credential reference removed"


def test_mark_step_closes_a_custom_step_with_who_and_when(store: SessionStore) -> None:
    session = _new(store)
    store.mark_step(session, "kickoff-call", "done", " call held ")
    loaded = store.load("acme")
    state = loaded.steps["kickoff-call"]
    assert state.status == "done" and state.summary == "call held (jane, 2025-02-15)"
    assert state.runs == 0  # marked by hand, not run
    assert loaded.audit[-1].action == "step kickoff-call marked"
    assert loaded.audit[-1].detail == "status done: call held"
    store.mark_step(loaded, "kickoff-call", "not_started")
    assert store.load("acme").steps["kickoff-call"].summary == "marked by jane, 2025-02-15"
