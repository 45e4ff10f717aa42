"""The session store: one folder per engagement, ``session.toml`` plus the step artifacts.

Layout::

    <sessions dir>/<name>/session.toml       the state (0600, written atomically)
    <sessions dir>/<name>/session.toml.bak   the previous state (kept by every save)
    <sessions dir>/<name>/inventory.json     step outputs, copied in by record_step()
    <sessions dir>/<name>/manifest.json
    <sessions dir>/<name>/verification.json
    <sessions dir>/<name>/playbook.toml       the pinned copy of the session's playbook
    <sessions dir>/<name>/runs/<run id>/…     every recorded run (see engagement.history)
    <sessions dir>/<name>/exports/…

Why so careful: a consultant's session is days of work. A crash mid-save leaves the
previous file (atomic replace); a file that cannot be read (corrupt, or from a newer
version) is reported and left untouched, never overwritten or skipped silently; two
windows saving the same session are caught by ``revision`` instead of one losing the
other's changes.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import tomli_w
from pydantic import ValidationError

from dmsa_migrate.errors import FileFormatError, InputError, StorageError
from dmsa_migrate.fileio import (
    CONFIG_FILE_CAP,
    DATA_FILE_CAP,
    atomic_copy_file,
    atomic_write_bytes,
    atomic_write_text,
    ensure_private_dir,
    parse_json,
    parse_toml,
    problem_text,
    read_capped_bytes,
    read_text,
    remove_stale_temp_files,
    toml_key_line,
)
from dmsa_migrate.models.common import Level, Scope
from dmsa_migrate.models.playbook import Playbook
from dmsa_migrate.models.session import (
    NAME_PATTERN,
    SESSION_SCHEMA_VERSION,
    AuditEntry,
    Connection,
    Credentials,
    ItemState,
    ItemStatus,
    ManifestOverride,
    OwnerAssignment,
    PlaybookRef,
    Session,
    StepState,
    StepStatus,
)
from dmsa_migrate.secrets import parse_ref, redact

SESSION_FILE = "session.toml"
PINNED_PLAYBOOK_FILE = "playbook.toml"
TRASH_FOLDER = ".trash"
BACKUP_FILE = "session.toml.bak"
ACTOR_ENV = "DMSA_MIGRATE_ACTOR"

STEP_ARTIFACTS: dict[str, str] = {
    "inventory": "inventory.json",
    "manifest": "manifest.json",
    "verify": "verification.json",
    "checklist": "checklist.json",
}
"""The file name each built-in step's output gets inside the session folder."""

Migration = Callable[[dict[str, Any]], dict[str, Any]]


EMULATOR_PLACEHOLDER = "https://emulator.invalid"


def _v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    """Version 2 added fields with defaults (pinned playbook, emulator, last run).

    A version-1 demo session stored the in-process emulator's placeholder host as its API
    base, so reopening it sent every request there; it now names its world instead
    (``demo-<world>`` → ``<world>``, any other name → ``demo``).
    """
    connection = data.get("connection")
    if isinstance(connection, dict) and connection.get("api_base") == EMULATOR_PLACEHOLDER:
        name = str(data.get("name", ""))
        connection["emulator"] = name.removeprefix("demo-") if name.startswith("demo-") else "demo"
        connection.pop("api_base", None)
        connection.pop("login_base", None)
    return data


MIGRATIONS: dict[int, Migration] = {1: _v1_to_v2}
"""schema_version N → function turning a version-N document into version N+1, so old
sessions keep loading."""

Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    """Now, in UTC, to the second (sessions are read by people; microseconds are noise)."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def default_actor() -> str:
    """Who the audit log names: ``DMSA_MIGRATE_ACTOR``, else the OS user name."""
    override = os.environ.get(ACTOR_ENV, "").strip()
    if override:
        return override
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


class SessionNotFoundError(InputError):
    """No session of that name in the sessions folder."""

    title = "No such session"


class SessionConflictError(StorageError):
    """The session changed on disk since it was loaded (another window or process)."""

    title = "Session changed"


@dataclass(frozen=True)
class SessionSummary:
    """One row of the session picker; ``problem`` is set when the file cannot be loaded."""

    name: str
    path: Path
    customer: str = ""
    playbook_id: str = ""
    playbook_version: str = ""
    steps_done: int = 0
    steps_total: int = 0
    needs_attention: int = 0
    updated_at: dt.datetime | None = None
    problem: str | None = None

    @property
    def progress(self) -> str:
        return f"{self.steps_done}/{self.steps_total}"


def check_name(name: str) -> str:
    """A session name must be usable as a folder name on every OS."""
    if not re.fullmatch(NAME_PATTERN, name):
        raise InputError(
            f"session name '{name[:80]}' is not valid: use letters, digits, '.', '_' or '-' "
            "(start with a letter or digit, at most 64 characters)"
        )
    return name


# ---------------------------------------------------------------- (de)serialisation


def session_to_toml(session: Session) -> str:
    """The TOML text of ``session`` (None fields left out: TOML has no null)."""
    data = session.model_dump(mode="python", exclude_none=True)
    return redact(tomli_w.dumps(data))


def parse_session(text: str, source: str) -> Session:
    """Parse ``session.toml`` text, migrating older schemas; errors name file and line.

    Raises:
        FileFormatError: invalid TOML, not a session file, a schema from a newer version,
            or a field that does not validate.
    """
    data = parse_toml(text, source)
    version = data.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise FileFormatError(
            source, "not a session file: schema_version is missing or not a number"
        )
    if version > SESSION_SCHEMA_VERSION:
        raise FileFormatError(
            source,
            f"written by a newer dmsa-migrate (session schema {version}; this version reads "
            f"up to {SESSION_SCHEMA_VERSION}). Upgrade dmsa-migrate; the file is left untouched",
        )
    data = _migrate(data, version, source)
    try:
        return Session.model_validate(data)
    except ValidationError as exc:
        raise _session_failure(source, text, exc.errors()) from None


def _migrate(data: dict[str, Any], version: int, source: str) -> dict[str, Any]:
    while version < SESSION_SCHEMA_VERSION:
        step = MIGRATIONS.get(version)
        if step is None:
            raise FileFormatError(
                source,
                f"session schema {version} is too old for this version to migrate "
                f"(it reads {SESSION_SCHEMA_VERSION}); the file is left untouched",
            )
        data = step(dict(data))
        version += 1
        data["schema_version"] = version
    return data


def _session_failure(source: str, text: str, errors: list[Any]) -> FileFormatError:
    first = errors[0]
    location = tuple(first.get("loc", ()))
    message = problem_text(first)
    field = ".".join(str(part) for part in location) or "(top level)"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    line = toml_key_line(text, location) if location else None
    return FileFormatError(source, f"{field}: {message}{more}", line)


# ---------------------------------------------------------------- the store


class SessionStore:
    """Sessions in one folder (default: the platform data dir, or ``--sessions-dir``)."""

    def __init__(
        self,
        root: Path | str | None = None,
        *,
        clock: Clock = utc_now,
        actor: str | None = None,
    ) -> None:
        if root is None:
            from dmsa_migrate.paths import sessions_dir

            root = sessions_dir()
        self.root = Path(root).expanduser()
        self.clock = clock
        self.actor = actor or default_actor()

    # --------------------------------------------------------- paths

    def folder(self, name: str) -> Path:
        """The folder of session ``name``."""
        return self.root / check_name(name)

    def file(self, name: str) -> Path:
        """The ``session.toml`` of session ``name``."""
        return self.folder(name) / SESSION_FILE

    def artifact_path(self, session: Session, step_id: str) -> Path | None:
        """The stored output of a step, if the step recorded one.

        Raises:
            FileFormatError: session.toml names an artifact outside the session folder
                (an absolute path, ``..``, or a symlink pointing out). The session file is
                untrusted input: without this check an edited file could pull
                ``/etc/shadow`` or ``/proc/self/environ`` into ``session export``.
        """
        state = session.steps.get(step_id)
        if state is None or not state.artifact:
            return None
        path = self.folder(session.name) / state.artifact
        if not self.is_inside(session, path):
            raise FileFormatError(
                str(self.file(session.name)),
                f"steps.{step_id}.artifact: must name a file inside the session folder",
            )
        return path

    def is_inside(self, session: Session, path: Path) -> bool:
        """True when ``path``, symlinks followed, stays inside the session's folder.

        Why: every file of a session folder is untrusted; a step output or a run's output
        replaced by a link to ``/etc/shadow`` must not be read as the session's own.
        """
        folder = self.folder(session.name)
        try:
            return path.resolve().is_relative_to(folder.resolve())
        except (OSError, RuntimeError):  # a symlink loop
            return False

    # --------------------------------------------------------- create, load, save

    def create(
        self,
        name: str,
        *,
        customer: str,
        playbook: Playbook,
        connection: Connection | None = None,
        company_ids: list[int] | None = None,
        credentials: Credentials | None = None,
        notes: str = "",
        playbook_text: str | None = None,
    ) -> Session:
        """Create and save a new session; its steps come from the playbook.

        ``playbook_text`` (the playbook file's text) is pinned: copied into the session
        folder, so a later edit of the playbook does not change a running engagement
        (:meth:`pin_playbook` upgrades it on request).

        Raises:
            InputError: bad name, or a session (even an unreadable one) already has it.
        """
        folder = self.folder(name)
        if folder.exists():
            raise InputError(f"a session named '{name}' already exists in {self.root}")
        now = self.clock()
        session = Session(
            name=name,
            customer=customer,
            playbook=PlaybookRef(id=playbook.id, version=playbook.version),
            connection=connection or Connection(),
            company_ids=sorted(set(company_ids or [])),
            credentials=credentials or Credentials(),
            notes=notes,
            created_at=now,
            updated_at=now,
            steps={step.id: StepState() for step in playbook.steps},
        )
        _audit(
            session,
            now,
            self.actor,
            "session created",
            f"playbook {playbook.id} {playbook.version}, customer {customer}",
        )
        ensure_private_dir(self.root)
        ensure_private_dir(folder)
        if playbook_text is not None:
            session.playbook = self._write_pinned(session, playbook, playbook_text)
        return self._write(session, expected_revision=None)

    def _write_pinned(self, session: Session, playbook: Playbook, text: str) -> PlaybookRef:
        atomic_write_text(self.folder(session.name) / PINNED_PLAYBOOK_FILE, text)
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        return PlaybookRef(
            id=playbook.id, version=playbook.version, file=PINNED_PLAYBOOK_FILE, sha256=digest
        )

    def pin_playbook(self, session: Session, playbook: Playbook, text: str) -> Session:
        """Replace the session's pinned playbook copy (an upgrade the consultant asked for).

        Steps the new playbook adds are added as not started; the audit line names the
        versions before and after.
        """
        before = f"{session.playbook.id} {session.playbook.version}"
        session.playbook = self._write_pinned(session, playbook, text)
        for step in playbook.steps:
            session.steps.setdefault(step.id, StepState())
        after = f"{playbook.id} {playbook.version} (sha256 {session.playbook.sha256[:12]})"
        _audit(session, self.clock(), self.actor, "playbook pinned", f"{before} → {after}")
        return self.save(session)

    def load(self, name: str) -> Session:
        """Load session ``name``.

        Raises:
            SessionNotFoundError: no such session (the message lists the known ones).
            FileFormatError: the file cannot be read; it is left as it is.
        """
        path = self.file(name)
        if not path.exists():
            known = ", ".join(s.name for s in self.list()) or "none"
            raise SessionNotFoundError(f"no session '{name}' in {self.root} (known: {known})")
        remove_stale_temp_files(path.parent)
        session = parse_session(read_text(path, cap=CONFIG_FILE_CAP), str(path))
        if session.name != name:
            raise FileFormatError(
                str(path), f"name: the file says '{session.name}', its folder '{name}'"
            )
        return session

    def save(self, session: Session) -> Session:
        """Save ``session`` over the stored one; returns it with the new revision.

        Raises:
            SessionConflictError: the stored file changed since ``session`` was loaded.
            FileFormatError: the stored file is unreadable (it is kept, not overwritten).
        """
        session.updated_at = self.clock()
        return self._write(session, expected_revision=session.revision)

    def _write(self, session: Session, *, expected_revision: int | None) -> Session:
        path = self.file(session.name)
        previous: bytes | None = None
        if path.exists():
            previous = read_capped_bytes(path, CONFIG_FILE_CAP, "a session file")
            if expected_revision is not None:
                stored = parse_session(previous.decode("utf-8", "replace"), str(path))
                if stored.revision != expected_revision:
                    raise SessionConflictError(
                        f"{path}: changed since it was loaded (revision {stored.revision}, "
                        f"expected {expected_revision}); reload the session and redo the change"
                    )
                if len(session.audit) < len(stored.audit):
                    raise StorageError(
                        f"{path}: the audit log is append-only; entries were removed"
                    )
        updated = session.model_copy(update={"revision": session.revision + 1})
        text = session_to_toml(updated)
        if previous is not None:
            atomic_write_bytes(path.with_name(BACKUP_FILE), previous)
        atomic_write_text(path, text)
        session.revision = updated.revision
        return session

    # --------------------------------------------------------- listing

    def list(self) -> list[SessionSummary]:
        """Every session folder, most recently changed first; unreadable ones included."""
        if not self.root.is_dir():
            return []
        summaries = [
            self._summary(folder)
            for folder in self.root.iterdir()
            if folder.is_dir() and re.fullmatch(NAME_PATTERN, folder.name)
        ]
        oldest = dt.datetime.min.replace(tzinfo=dt.UTC)
        return sorted(summaries, key=lambda s: (s.updated_at or oldest, s.name), reverse=True)

    def _summary(self, folder: Path) -> SessionSummary:
        path = folder / SESSION_FILE
        if not path.exists():
            return SessionSummary(folder.name, path, problem=f"{path}: no {SESSION_FILE}")
        try:
            session = parse_session(read_text(path, cap=CONFIG_FILE_CAP), str(path))
        except InputError as exc:
            return SessionSummary(folder.name, path, problem=exc.message)
        done, total = session.progress
        return SessionSummary(
            name=folder.name,
            path=path,
            customer=session.customer,
            playbook_id=session.playbook.id,
            playbook_version=session.playbook.version,
            steps_done=done,
            steps_total=total,
            needs_attention=sum(1 for s in session.steps.values() if s.status == "needs_attention"),
            updated_at=session.updated_at,
        )

    # --------------------------------------------------------- changes (each audited and saved)

    def record_step(
        self,
        session: Session,
        step_id: str,
        status: StepStatus,
        *,
        artifact: Path | str | None = None,
        content: str | bytes | None = None,
        exit_code: int | None = None,
        summary: str = "",
        run_id: str = "",
        artifact_name: str | None = None,
    ) -> Session:
        """Record a step run: its status, its output (copied into the folder), an audit line.

        ``run_id`` names the run's folder in ``runs/`` (its inputs, outputs and record);
        ``artifact_name`` the stored file (default: the step's standard name).

        ``artifact`` is a file to copy in; ``content`` is the output itself. Either is
        stored under the step's standard name (``inventory.json`` …) and replaces the
        previous run's output.
        """
        now = self.clock()
        state = session.steps.get(step_id, StepState())
        if artifact is not None or content is not None:
            state.artifact = self._store_artifact(
                session, step_id, artifact, content, artifact_name
            )
        state.status = status
        state.last_run_at = now
        state.runs += 1
        state.exit_code = exit_code
        state.summary = summary
        state.last_run = run_id or state.last_run
        session.steps[step_id] = state
        detail = f"status {status}" + (f", exit {exit_code}" if exit_code is not None else "")
        if run_id:
            detail += f", run {run_id}"
        if summary:
            detail += f": {summary}"
        _audit(session, now, self.actor, f"step {step_id} run", detail)
        return self.save(session)

    def _store_artifact(
        self,
        session: Session,
        step_id: str,
        artifact: Path | str | None,
        content: str | bytes | None,
        file_name: str | None = None,
    ) -> str:
        name = file_name or STEP_ARTIFACTS.get(step_id)
        if name is not None and (name != Path(name).name or name.startswith(".")):
            raise InputError(f"step output name '{name[:60]}' must be a plain file name")
        if name is None:
            suffix = Path(artifact).suffix if artifact is not None else ".txt"
            name = f"{step_id}{suffix or '.txt'}"
        target = self.folder(session.name) / name
        if content is None:  # copied a chunk at a time: a fleet's output is tens of MB
            source = Path(str(artifact)).expanduser()
            atomic_copy_file(source, target, cap=DATA_FILE_CAP, what="a step output")
            return name
        data = content.encode("utf-8") if isinstance(content, str) else content
        atomic_write_bytes(target, data)
        return name

    def mark_step(
        self, session: Session, step_id: str, status: StepStatus, note: str = ""
    ) -> Session:
        """Set a step's status by hand (audited): a playbook's ``custom`` step (a meeting,
        a hand-over) is closed by the consultant, since no command runs it.

        The summary keeps the note with who and when (``call held (jane, 2025-02-03)``).
        """
        now = self.clock()
        state = session.steps.get(step_id, StepState())
        state.status = status
        state.last_run_at = now
        who = f"{self.actor}, {now.date().isoformat()}"
        state.summary = f"{note.strip()} ({who})" if note.strip() else f"marked by {who}"
        session.steps[step_id] = state
        detail = f"status {status}" + (f": {note.strip()}" if note.strip() else "")
        _audit(session, now, self.actor, f"step {step_id} marked", detail)
        return self.save(session)

    def set_item(
        self,
        session: Session,
        item_id: str,
        company_id: int,
        *,
        status: ItemStatus | Literal["auto"] | None = None,
        owner: str | None = None,
        evidence_note: str | None = None,
        waiver_reason: str | None = None,
        sign_off_by: str | None = None,
        clear_sign_off: bool = False,
    ) -> Session:
        """Change the manual state of one checklist item for one company (audited).

        ``status="auto"`` hands the decision back to the playbook's conditions. A waiver
        needs a reason; a sign-off records the name and the time.

        Raises:
            InputError: waived without a reason, or nothing to change.
        """
        now = self.clock()
        current = session.item_state(item_id, company_id) or ItemState(
            item_id=item_id, company_id=company_id
        )
        changes: dict[str, Any] = {}
        if status is not None:
            changes["status"] = None if status == "auto" else status
        if owner is not None:
            changes["owner"] = owner
        if evidence_note is not None:
            changes["evidence_note"] = evidence_note
        if waiver_reason is not None:
            changes["waiver_reason"] = waiver_reason
        if sign_off_by is not None:
            if not sign_off_by.strip():
                raise InputError("a sign-off needs the name of the person signing off")
            changes.update(signed_off_by=sign_off_by.strip(), signed_off_at=now)
        if clear_sign_off:
            changes.update(signed_off_by="", signed_off_at=None)
        if not changes:
            raise InputError("nothing to change: give a status, owner, note, waiver or sign-off")
        try:
            updated = ItemState.model_validate(
                {**current.model_dump(), **changes, "updated_at": now}
            )
        except ValidationError as exc:
            message = str(exc.errors()[0].get("msg", "invalid")).removeprefix("Value error, ")
            raise InputError(
                f"checklist item {item_id} (company {company_id}): {message}"
            ) from None
        session.checklist = [
            s for s in session.checklist if (s.item_id, s.company_id) != (item_id, company_id)
        ] + [updated]
        session.checklist.sort(key=lambda s: (s.company_id, s.item_id))
        detail = ", ".join(f"{key}={_audit_value(value)}" for key, value in changes.items())
        _audit(session, now, self.actor, f"checklist {item_id} company {company_id}", detail)
        return self.save(session)

    def set_owner(self, session: Session, owner: OwnerAssignment) -> Session:
        """Name the owner (and contact) of a role or an item, in one company or all (audited).

        A new assignment for the same role/item and company replaces the old one.
        """
        now = self.clock()
        target = (owner.role, owner.item_id, owner.company_id)
        session.owners = [
            o for o in session.owners if (o.role, o.item_id, o.company_id) != target
        ] + [owner]
        session.owners.sort(key=lambda o: (o.company_id or 0, o.role, o.item_id))
        scope = "every company" if owner.company_id is None else f"company {owner.company_id}"
        what = f"item {owner.item_id}" if owner.item_id else f"role {owner.role}"
        _audit(session, now, self.actor, f"owner of {what} in {scope}", owner.name)
        return self.save(session)

    def override_manifest_level(
        self, session: Session, scope: Scope, tool: str, level: Level, reason: str
    ) -> Session:
        """Replace the generated level of one tool, with the reason (audited)."""
        if not reason.strip():
            raise InputError("a manifest override needs a reason")
        now = self.clock()
        try:
            override = ManifestOverride(
                scope=scope, tool=tool, level=level, reason=reason.strip(), at=now, by=self.actor
            )
        except ValidationError as exc:
            message = str(exc.errors()[0].get("msg", "invalid"))
            raise InputError(f"manifest override {scope}.{tool}: {message}") from None
        session.manifest_overrides = [
            o for o in session.manifest_overrides if (o.scope, o.tool) != (scope, tool)
        ] + [override]
        _audit(session, now, self.actor, "manifest override", f"{scope}.{tool} = {level}: {reason}")
        return self.save(session)

    def set_secret_ref(self, session: Session, name: str, reference: str) -> Session:
        """Store a credential reference (never a value: a literal is refused, not echoed)."""
        parse_ref(reference, field=name)
        refs = {**session.credentials.secret_refs, name: reference}
        session.credentials = session.credentials.model_copy(
            update={"secret_refs": Credentials(secret_refs=refs).secret_refs}
        )
        _audit(session, self.clock(), self.actor, "credential reference set", name)
        return self.save(session)

    def remove_secret_ref(self, session: Session, name: str) -> Session:
        """Forget a credential reference (an optional one the consultant no longer wants)."""
        if name not in session.credentials.secret_refs:
            return session
        refs = {k: v for k, v in session.credentials.secret_refs.items() if k != name}
        session.credentials = session.credentials.model_copy(update={"secret_refs": refs})
        _audit(session, self.clock(), self.actor, "credential reference removed", name)
        return self.save(session)

    # --------------------------------------------------------- delete (to the trash), rename

    @property
    def trash_root(self) -> Path:
        """Where deleted sessions go: ``.trash`` inside the sessions folder.

        Why there: on the same volume (a move, not a copy; an encrypted volume keeps them
        encrypted) and never listed (a session name cannot start with a dot).
        """
        return self.root / TRASH_FOLDER

    def trash(self, name: str) -> Path:
        """Move session ``name``'s folder (readable or not) to the trash; returns where.

        Nothing is destroyed: the folder keeps every file, under ``<name>-<UTC time>``.

        Raises:
            SessionNotFoundError: no folder of that name.
        """
        folder = self.folder(name)
        if not folder.is_dir():
            raise SessionNotFoundError(f"no session '{name}' in {self.root}")
        ensure_private_dir(self.trash_root)
        stamp = self.clock().strftime("%Y%m%dT%H%M%SZ")
        target = self.trash_root / f"{name}-{stamp}"
        counter = 1
        while target.exists():
            counter += 1
            target = self.trash_root / f"{name}-{stamp}-{counter}"
        try:
            folder.rename(target)
        except OSError as exc:
            raise StorageError(f"cannot move {folder} to {target}: {exc.strerror}") from exc
        return target

    def rename(self, session: Session, new_name: str) -> Session:
        """Rename a session: its folder moves and ``name`` changes (audited).

        Step outputs are stored by file name inside the folder, so they follow.

        Raises:
            InputError: bad name, or a session (even an unreadable one) already has it.
            SessionConflictError: the session changed on disk since it was loaded.
        """
        old_name = session.name
        target = self.folder(check_name(new_name))
        if new_name == old_name:
            return session
        if target.exists():
            raise InputError(f"a session named '{new_name}' already exists in {self.root}")
        source = self.folder(old_name)
        stored = parse_session(read_text(source / SESSION_FILE), str(source / SESSION_FILE))
        if stored.revision != session.revision:
            raise SessionConflictError(
                f"{source / SESSION_FILE}: changed since it was loaded; reload and rename again"
            )
        try:
            source.rename(target)
        except OSError as exc:
            raise StorageError(f"cannot rename {source} to {target}: {exc.strerror}") from exc
        session.name = new_name
        _audit(session, self.clock(), self.actor, "session renamed", f"{old_name} → {new_name}")
        try:
            return self.save(session)
        except Exception:
            session.name = old_name
            session.audit.pop()
            target.rename(source)
            raise

    # --------------------------------------------------------- export

    def export(self, session: Session) -> dict[str, Any]:
        """The session and its step outputs embedded, as one JSON-ready document."""
        document: dict[str, Any] = session.model_dump(mode="json", exclude_none=True)
        outputs: dict[str, Any] = {}
        for step_id in session.steps:
            path = self.artifact_path(session, step_id)
            if path is None or not path.exists():
                continue
            text = read_text(path)
            try:
                outputs[step_id] = parse_json(text, str(path)) if path.suffix == ".json" else text
            except FileFormatError:
                outputs[step_id] = text
        document["outputs"] = outputs
        return document

    def export_json(self, session: Session) -> str:
        """:meth:`export` as indented JSON text (secrets redacted, as everywhere)."""
        return redact(json.dumps(self.export(session), indent=2, ensure_ascii=False) + "\n")

    def exports_folder(self, session: Session) -> Path:
        """Where checklist exports of this session go (created private)."""
        return ensure_private_dir(self.folder(session.name) / "exports")


def _audit(session: Session, at: dt.datetime, actor: str, action: str, detail: str = "") -> None:
    session.audit.append(AuditEntry(at=at, actor=actor, action=action, detail=detail))


def _audit_value(value: object) -> str:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return "auto" if value is None else str(value)
