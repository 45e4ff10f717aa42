"""What the TUI knows about the open engagement: the session, its playbook and step outputs.

Why a plain module (no textual): every function here does file IO, so screens call them
from workers only (``asyncio.to_thread``), and tests can check them without an app. The
:class:`Workspace` is the one object the screens share; it is changed on the event loop
only, after a worker has done the IO.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

from dmsa_migrate.engagement.manifest_step import EXPLAIN_FILE, PREVIOUS_MANIFEST_FILE
from dmsa_migrate.engagement.verify_step import PREVIOUS_VERIFICATION_FILE
from dmsa_migrate.errors import FileFormatError
from dmsa_migrate.fileio import parse_json, read_text
from dmsa_migrate.models.checklist import Checklist
from dmsa_migrate.models.common import MAX_INT64
from dmsa_migrate.models.inventory import Inventory
from dmsa_migrate.models.manifest import ManifestExplanation, ManifestV41
from dmsa_migrate.models.playbook import Playbook, Step
from dmsa_migrate.models.session import Session, StepStatus
from dmsa_migrate.models.verification import Verification
from dmsa_migrate.sessions import SessionStore

StepKind = Literal["inventory", "manifest", "verify", "checklist"]
STEP_KINDS: tuple[StepKind, ...] = ("inventory", "manifest", "verify", "checklist")
"""The four built-in steps, in the order the stepper shows them."""

STEP_TITLES: dict[StepKind, str] = {
    "inventory": "Inventory",
    "manifest": "Manifest",
    "verify": "Verify",
    "checklist": "Checklist",
}

CUSTOM_PREFIX = "custom:"
"""A playbook's custom step (a meeting, a hand-over) is a stop of the stepper keyed
``custom:<step id>``; the four built-in steps are keyed by their kind."""


def custom_key(step_id: str) -> str:
    """The stepper key of the custom step ``step_id``."""
    return f"{CUSTOM_PREFIX}{step_id}"


def is_custom(key: str) -> bool:
    """True for the key of a playbook's custom step."""
    return key.startswith(CUSTOM_PREFIX)


def dom_id(key: str) -> str:
    """The key as a widget id part: ``inventory``, ``custom-kickoff-call``."""
    return key.replace(":", "-")




@dataclass
class Workspace:
    """One open session with everything its screens show.

    Attributes:
        store: where the session lives (all saves go through it).
        session: the loaded session (its ``revision`` guards against two windows).
        playbook: the playbook the session follows (for notes, items, timeline).
        demo: the demo setup when the session runs against the in-process emulator.
        inventory / manifest / explanation / verification / checklist: step outputs,
            ``None`` until the step ran.
        previous_verification: the run before the last one, for "compare with last run".
        notices: the engagement's notices of the last step run, not shown yet.
        prompted: secrets typed into password fields in this TUI process, by reference
            name; kept in memory only, never saved.
    """

    store: SessionStore
    session: Session
    playbook: Playbook
    demo: Any = None
    inventory: Inventory | None = None
    manifest: ManifestV41 | None = None
    explanation: ManifestExplanation | None = None
    previous_manifest: ManifestV41 | None = None
    verification: Verification | None = None
    previous_verification: Verification | None = None
    checklist: Checklist | None = None
    prompted: dict[str, str] = field(default_factory=dict, repr=False)
    notices: list[str] = field(default_factory=list)
    """The engagement's notices of the last step run (``compared with the previous
    verification …``, the playbook used), shown once as notifications: the CLI prints the
    same ones on stderr."""

    @property
    def folder(self) -> Path:
        """The session's folder (step outputs, exports)."""
        return self.store.folder(self.session.name)

    def step(self, kind: str) -> Step | None:
        """The playbook step of this kind, or of this custom-step key (its id, title and
        consultant notes)."""
        if is_custom(kind):
            step_id = kind.removeprefix(CUSTOM_PREFIX)
            return next((s for s in self.playbook.steps if s.id == step_id), None)
        return next((s for s in self.playbook.steps if s.kind == kind), None)

    def step_id(self, kind: str) -> str:
        """The id the session records this step under (the playbook's, else the kind)."""
        if is_custom(kind):
            return kind.removeprefix(CUSTOM_PREFIX)
        step = self.step(kind)
        return step.id if step is not None else kind

    def custom_steps(self) -> list[Step]:
        """The playbook's own steps (meetings, hand-overs), which the consultant marks."""
        return [step for step in self.playbook.steps if step.kind == "custom"]

    def stops(self) -> list[str]:
        """The stepper, in the playbook's order: built-in steps by kind, custom steps by
        ``custom:<id>``; a built-in step the playbook leaves out still gets its place."""
        order: list[str] = []
        for step in self.playbook.steps:
            key = custom_key(step.id) if step.kind == "custom" else step.kind
            if key not in order:
                order.append(key)
        for index, kind in enumerate(STEP_KINDS):
            if kind not in order:
                before = [k for k in STEP_KINDS[:index] if k in order]
                order.insert(order.index(before[-1]) + 1 if before else 0, kind)
        return order

    def title(self, kind: str) -> str:
        """What the stepper and the notes call a step."""
        if is_custom(kind):
            step = self.step(kind)
            return step.title if step is not None else kind.removeprefix(CUSTOM_PREFIX)
        return next((t for k, t in STEP_TITLES.items() if k == kind), kind)

    def status(self, kind: str) -> StepStatus:
        """done / needs_attention / not_started, as the session says."""
        state = self.session.steps.get(self.step_id(kind))
        return state.status if state is not None else "not_started"

    def summary(self, kind: str) -> str:
        """The one-line summary the last run of the step recorded."""
        state = self.session.steps.get(self.step_id(kind))
        return state.summary if state is not None else ""

    def notes(self, kind: str) -> str:
        """The playbook's consultant notes for a step (whitespace folded)."""
        step = self.step(kind)
        return " ".join(step.notes.split()) if step is not None else ""

    def current_kind(self) -> str:
        """Where to open: the first step that is not done (else the last)."""
        stops = self.stops()
        for kind in stops:
            if self.status(kind) != "done":
                return kind
        return stops[-1]


# ---------------------------------------------------------------- loading (IO: workers only)


def _load_model(path: Path, model: type[BaseModel]) -> Any:
    if not path.exists():
        return None
    text = read_text(path)
    data = parse_json(text, str(path))  # bounded: depth, NaN and long numbers are bad input
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise FileFormatError(str(path), f"cannot be read as {model.__name__}: {exc}") from None


def load_outputs(workspace: Workspace) -> Workspace:
    """Read the step outputs stored in the session folder into ``workspace``."""
    folder = workspace.folder
    store, session = workspace.store, workspace.session
    inventory = store.artifact_path(session, workspace.step_id("inventory"))
    manifest = store.artifact_path(session, workspace.step_id("manifest"))
    verification = store.artifact_path(session, workspace.step_id("verify"))
    checklist = store.artifact_path(session, workspace.step_id("checklist"))
    if inventory is not None:
        workspace.inventory = _load_model(inventory, Inventory)
    if manifest is not None:
        workspace.manifest = _load_model(manifest, ManifestV41)
        workspace.explanation = _load_model(folder / EXPLAIN_FILE, ManifestExplanation)
    workspace.previous_manifest = _load_model(folder / PREVIOUS_MANIFEST_FILE, ManifestV41)
    if verification is not None:
        workspace.verification = _load_model(verification, Verification)
    workspace.previous_verification = _load_model(
        folder / PREVIOUS_VERIFICATION_FILE, Verification
    )
    if checklist is not None:
        workspace.checklist = _load_model(checklist, Checklist)
    return workspace


def open_workspace(store: SessionStore, name: str, demo: Any = None) -> Workspace:
    """Load session ``name``, its playbook and its step outputs.

    The playbook is the session's pinned copy (see
    :func:`dmsa_migrate.engagement.context.load_pinned_playbook`); when it cannot be had,
    the error names it rather than opening a half-working session.
    """
    from dmsa_migrate.engagement.context import load_pinned_playbook

    session = store.load(name)
    return load_outputs(Workspace(store, session, load_pinned_playbook(store, session), demo=demo))


def parse_company_ids(text: str) -> list[int]:
    """``"101, 202 303"`` → ``[101, 202, 303]``; raises ValueError naming the bad part."""
    ids: list[int] = []
    for part in text.replace(",", " ").split():
        # ASCII digits only ('²'.isdigit() is true) and within 64 bits, as a session holds it
        if not (part.isascii() and part.isdigit()) or not 0 < int(part) <= MAX_INT64:
            raise ValueError(f"'{part[:20]}' is not a company id (a number from 1 to 2^63-1)")
        ids.append(int(part))
    return sorted(set(ids))


def age(when: dt.datetime | None, now: dt.datetime) -> str:
    """``3 min ago``, ``2 h ago``, ``2025-02-03``: how the picker shows the last change."""
    if when is None:
        return "—"
    seconds = (now - when).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    return when.date().isoformat()
