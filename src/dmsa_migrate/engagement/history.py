"""A session's run history: ``runs/<id>/`` holds each run's record and outputs.

Layout::

    <session>/runs/0001-inventory/run.json         the RunRecord (inputs + sha256, times …)
    <session>/runs/0001-inventory/inventory.json   the outputs of that run
    <session>/runs/0002-manifest/…

Run ids are ``<number>-<step kind>``, numbered in order across steps, so ``session
history`` reads like a log and ``session diff S 3 7`` can name runs by number. The folder is
claimed with an exclusive ``mkdir`` (two windows running steps at once get two numbers).
The latest output of each step is also kept at the top of the session folder
(``inventory.json`` …), where the TUI and ``session export`` read it.
"""

from __future__ import annotations

import hashlib
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from dmsa_migrate import __version__
from dmsa_migrate.errors import FileFormatError, InputError
from dmsa_migrate.fileio import (
    atomic_copy_file,
    atomic_write_bytes,
    atomic_write_json,
    ensure_private_dir,
    parse_json,
    read_text,
)
from dmsa_migrate.models.run import RunInput, RunRecord
from dmsa_migrate.models.session import Session, StepStatus
from dmsa_migrate.sessions import SessionStore

RUNS_FOLDER = "runs"
RUN_FILE = "run.json"
RUN_ID = re.compile(r"^(\d{4,})-([a-z][a-z0-9_-]*)$")
MAX_RUN_FILE = 1_000_000


MAX_HASHED = 1 << 30
"""Inputs larger than this (1 GiB, the data-file cap) are not hashed."""


def sha256_of(path: Path) -> str:
    """The digest of a regular file's bytes, read in chunks (empty when it cannot be read,
    is not a regular file, or is over :data:`MAX_HASHED`): hashing must never read a device
    such as ``/dev/zero`` without end before the step's own reader refuses it."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_HASHED:
            return ""
        digest = hashlib.sha256()
        with path.open("rb") as stream:
            for chunk in iter(lambda: stream.read(1 << 20), b""):
                digest.update(chunk)
        return digest.hexdigest()
    except OSError:
        return ""


def runs_root(store: SessionStore, session: Session) -> Path:
    """The session's ``runs`` folder."""
    return store.folder(session.name) / RUNS_FOLDER


@dataclass
class RunRecorder:
    """Collects what one step run reads and writes, then records it (or, with no session,
    only keeps the record in memory: a plain ``inventory --accounts FILE`` run)."""

    store: SessionStore | None
    session: Session | None
    step_id: str
    kind: str
    connection: tuple[str, str]
    versions: dict[str, str]
    record: RunRecord = field(init=False)

    def __post_init__(self) -> None:
        clock = self.store.clock if self.store is not None else _utc_now
        environment, api_base = self.connection
        self.record = RunRecord(
            id="", number=1, step=self.step_id, kind=self.kind,
            actor=self.store.actor if self.store is not None else "",
            started_at=clock(), tool_version=__version__, environment=environment,
            api_base=api_base, **self.versions,
        )

    def input(self, role: str, path: Path | str | None, *, origin: str = "session") -> None:
        """Note one input file (hashed now, as the run reads it)."""
        if path is None:
            return
        file = Path(path)
        self.record.inputs.append(
            RunInput(role=role, path=str(path), sha256=sha256_of(file), origin=origin)
        )

    def note(self, text: str) -> None:
        """A notice the door shows the person who ran the step (the CLI on stderr, the TUI
        as a notification, ``demo --headless`` in its progress lines), also kept in the run."""
        self.record.notes.append(text)

    def override(self, name: str, value: Any) -> None:
        """Note a flag that replaced the session's value for this run."""
        self.record.overrides[name] = value

    def finish(
        self,
        status: StepStatus,
        summary: str,
        outputs: Mapping[str, str | Path],
        *,
        exit_code: int = 0,
        main: str | None = None,
        error: str = "",
    ) -> RunRecord:
        """Write the run folder and the step's new state into the session.

        ``outputs``: name → the text, or a file already written (a fleet's step output,
        streamed to disk as it was collected), which is copied a chunk at a time.
        """
        clock = self.store.clock if self.store is not None else _utc_now
        record = self.record
        record.finished_at = clock()
        record.status, record.summary, record.exit_code = status, summary, exit_code
        record.error = error
        record.outputs = list(outputs)
        if self.store is None or self.session is None:
            return record
        folder = _claim_folder(runs_root(self.store, self.session), self.kind)
        record.id = folder.name
        record.number = int(folder.name.split("-", 1)[0])
        for name, output in outputs.items():
            if isinstance(output, Path):
                atomic_copy_file(output, folder / name, what="a step output")
            else:
                atomic_write_bytes(folder / name, output.encode("utf-8"))
        atomic_write_json(folder / RUN_FILE, record.model_dump(mode="json", by_alias=True))
        main_name = main or next(iter(outputs), None)
        kept = outputs[main_name] if main_name else None
        self.store.record_step(
            self.session, self.step_id, status,
            content=kept if isinstance(kept, str) else None,
            artifact=folder / main_name if isinstance(kept, Path) and main_name else None,
            exit_code=exit_code, summary=summary, run_id=record.id, artifact_name=main_name,
        )
        return record


def _utc_now() -> Any:
    from dmsa_migrate.sessions import utc_now

    return utc_now()


def _claim_folder(root: Path, kind: str) -> Path:
    ensure_private_dir(root)
    number = max((_number(p.name) for p in root.iterdir()), default=0) + 1
    while True:
        folder = root / f"{number:04d}-{kind}"
        try:
            folder.mkdir(mode=0o700)
            return folder
        except FileExistsError:
            number += 1


def _number(name: str) -> int:
    match = RUN_ID.match(name)
    return int(match.group(1)) if match else 0


# ---------------------------------------------------------------- reading the history


def list_runs(store: SessionStore, session: Session) -> list[RunRecord]:
    """Every recorded run of the session, oldest first (unreadable records are skipped
    with their problem in ``error``, never silently)."""
    root = runs_root(store, session)
    if not root.is_dir():
        return []
    runs = [_read_record(folder) for folder in root.iterdir() if RUN_ID.match(folder.name)]
    return sorted(runs, key=lambda r: r.number)


def _read_record(folder: Path) -> RunRecord:
    path = folder / RUN_FILE
    try:
        if path.stat().st_size > MAX_RUN_FILE:
            raise InputError(f"larger than {MAX_RUN_FILE} bytes")
        text = read_text(path)
        return RunRecord.model_validate(parse_json(text, str(path)))
    except (OSError, InputError, ValueError, ValidationError) as exc:
        number = _number(folder.name)
        kind = folder.name.split("-", 1)[-1]
        return RunRecord(
            id=folder.name, number=max(number, 1), step=kind, kind=kind,
            started_at=_utc_now(), error=f"{path}: unreadable run record ({exc})",
        )


def find_run(store: SessionStore, session: Session, ref: str) -> RunRecord:
    """A run by id (``0003-verify``) or number (``3``).

    Raises:
        InputError: no such run; the message lists the runs there are.
    """
    runs = list_runs(store, session)
    wanted = ref.strip()
    for run in runs:
        if wanted in (run.id, str(run.number)) or (wanted.isdigit() and int(wanted) == run.number):
            return run
    known = ", ".join(r.id for r in runs) or "none yet"
    raise InputError(f"session {session.name} has no run '{ref[:40]}' (runs: {known})")


def run_output(store: SessionStore, session: Session, run: RunRecord, name: str) -> Path:
    """The path of one output file of a run.

    Raises:
        FileFormatError: the run has no such output (never a path outside its folder).
    """
    folder = runs_root(store, session) / run.id
    path = folder / name
    if name not in run.outputs or "/" in name or "\\" in name or not path.is_file():
        raise FileFormatError(str(folder), f"run {run.id} has no output {name}")
    if not store.is_inside(session, path):
        raise FileFormatError(str(path), "a run's output must be a file inside the session folder")
    return path


def latest_run(
    store: SessionStore, session: Session, kind: str, *, before: int | None = None
) -> RunRecord | None:
    """The last run of a step kind (optionally the last one before run number ``before``)."""
    runs = [r for r in list_runs(store, session) if r.kind == kind and not r.error]
    if before is not None:
        runs = [r for r in runs if r.number < before]
    return runs[-1] if runs else None
