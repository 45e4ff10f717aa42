"""A session: the saved state of one customer engagement (``session.toml``).

Why a versioned, strict model: a consultant runs an engagement over days and several tool
versions; the file must say which schema wrote it (``schema_version``) so a newer file is
refused instead of half-read, and unknown keys are reported instead of dropped.

Secrets never live here: credentials are stored as *references* (``env:NAME`` …). A value
that is not a reference is refused with :class:`SecretReferenceError`, whose message never
repeats the value.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import PurePosixPath
from typing import Literal

from pydantic import Field, field_validator, model_validator

from dmsa_migrate.models.common import Count, ExitCode, Id, Level, Scope, StrictModel
from dmsa_migrate.secrets import parse_ref

SESSION_SCHEMA_VERSION = 2
"""The schema this version writes; older ones are migrated on load, newer ones refused.

2: the pinned playbook copy (``playbook.sha256``/``file``), the emulator world of a demo
connection (``connection.emulator``) and each step's last run id (``steps.*.last_run``)."""

NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
"""Session names become folder names: no slashes, no leading dot, short."""

StepStatus = Literal["not_started", "done", "needs_attention"]
ItemStatus = Literal["pending", "done", "blocked", "waived", "not_applicable"]
Environment = Literal["production", "sandbox", "monthly", "gov"]


class PlaybookRef(StrictModel):
    """Which playbook (and which version of it) the engagement follows."""

    id: str = Field(min_length=1)
    version: str = Field(min_length=1)
    file: str = Field(
        default="", description="the pinned copy inside the session folder (playbook.toml)"
    )
    sha256: str = Field(default="", description="digest of the pinned copy's text")


class Connection(StrictModel):
    """Where Procore (or an emulator) is for this engagement."""

    environment: Environment = "production"
    api_base: str = ""
    login_base: str = ""
    emulator: str = Field(
        default="",
        description="a built-in world name or world file: the steps run on the in-process "
        "emulator serving it (the demo); empty for a real Procore",
    )


class Credentials(StrictModel):
    """Credential *references* only. ``dmsa_client_id`` is not secret (shown masked)."""

    accounts_file: str = Field(default="", description="path of the accounts file (refs only)")
    dmsa_client_id: str = ""
    secret_refs: dict[str, str] = Field(
        default_factory=dict,
        description="name → reference, e.g. dmsa_secret = 'env:DMSA_SECRET'",
    )

    @field_validator("secret_refs")
    @classmethod
    def _only_references(cls, value: dict[str, str]) -> dict[str, str]:
        for name, reference in value.items():
            if not re.fullmatch(r"[a-z][a-z0-9_]{0,63}", name):
                raise ValueError(f"'{name}' is not a valid credential name (lowercase, _)")
            parse_ref(reference, field=f"secret_refs.{name}")  # raises without the value
        return value


class StepState(StrictModel):
    """The state of one playbook step in this engagement."""

    status: StepStatus = "not_started"
    last_run_at: dt.datetime | None = None
    runs: Count = 0
    exit_code: ExitCode | None = None
    summary: str = ""
    artifact: str = Field(default="", description="file name inside the session folder")
    last_run: str = Field(default="", description="id of the last recorded run (runs/<id>/)")

    @field_validator("artifact")
    @classmethod
    def _inside_the_folder(cls, value: str) -> str:
        """A relative path with no ``..``: session.toml is untrusted (see SessionStore)."""
        parts = PurePosixPath(value).parts
        if value and (
            value.startswith(("/", "~")) or "\\" in value or "\0" in value or ".." in parts
            or re.match(r"^[A-Za-z]:", value)
        ):
            raise ValueError("must name a file inside the session folder (no /, .. or ~)")
        return value


class ItemState(StrictModel):
    """The manual state of one checklist item for one company."""

    item_id: str = Field(min_length=1)
    company_id: Id
    status: ItemStatus | None = Field(
        default=None, description="None: let the playbook's conditions decide"
    )
    owner: str = ""
    evidence_note: str = ""
    waiver_reason: str = ""
    signed_off_by: str = ""
    signed_off_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None

    @model_validator(mode="after")
    def _consistent(self) -> ItemState:
        if self.status == "waived" and not self.waiver_reason.strip():
            raise ValueError("a waived item needs a waiver_reason")
        if bool(self.signed_off_by.strip()) != (self.signed_off_at is not None):
            raise ValueError("a sign-off needs both signed_off_by and signed_off_at")
        return self


class OwnerAssignment(StrictModel):
    """A named person (with contact) who owns items: by role or by item, in one or all companies.

    Why beside :class:`ItemState`: a customer names its company admin once per company,
    not once per item; the checklist picks the most specific assignment for each row.
    """

    name: str = Field(min_length=1, max_length=200)
    contact: str = Field(default="", max_length=200, description="e-mail or phone")
    role: str = Field(default="", pattern=r"^([a-z][a-z_]{0,63})?$")
    item_id: str = Field(default="", max_length=64)
    company_id: Id | None = Field(default=None, description="None: every company")

    @model_validator(mode="after")
    def _targets_something(self) -> OwnerAssignment:
        if not self.role and not self.item_id:
            raise ValueError("an owner needs a role or an item_id")
        return self


class ManifestOverride(StrictModel):
    """A consultant's change to one generated manifest level, with the reason for it."""

    scope: Scope
    tool: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    level: Level
    reason: str = Field(min_length=1)
    at: dt.datetime | None = None
    by: str = ""


class AuditEntry(StrictModel):
    """One line of the append-only audit log."""

    at: dt.datetime
    actor: str
    action: str
    detail: str = ""


class Session(StrictModel):
    """The whole ``session.toml``."""

    schema_version: Count = SESSION_SCHEMA_VERSION
    revision: Count = Field(default=0, description="bumped on every save")
    name: str = Field(pattern=NAME_PATTERN)
    customer: str = Field(min_length=1)
    playbook: PlaybookRef
    connection: Connection = Field(default_factory=Connection)
    company_ids: list[Id] = Field(default_factory=list)
    credentials: Credentials = Field(default_factory=Credentials)
    notes: str = ""
    created_at: dt.datetime
    updated_at: dt.datetime
    steps: dict[str, StepState] = Field(default_factory=dict)
    checklist: list[ItemState] = Field(default_factory=list)
    owners: list[OwnerAssignment] = Field(default_factory=list)
    manifest_overrides: list[ManifestOverride] = Field(default_factory=list)
    audit: list[AuditEntry] = Field(default_factory=list)

    def item_state(self, item_id: str, company_id: int) -> ItemState | None:
        """The manual state of an item for a company, if anyone set one."""
        return next(
            (s for s in self.checklist if s.item_id == item_id and s.company_id == company_id),
            None,
        )

    @property
    def progress(self) -> tuple[int, int]:
        """(steps done, steps in total): what the session picker shows."""
        done = sum(1 for state in self.steps.values() if state.status == "done")
        return done, len(self.steps)
