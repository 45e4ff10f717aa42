"""A playbook: the shape of a guided migration, read from a TOML file.

Why a data file and not code: vendors move dates (Procore moved the sunset four times) and
every customer engagement differs a little, so consultants must be able to change the
timeline, the notes and the checklist without a release. These models only describe the
structure; :mod:`dmsa_migrate.playbooks` adds the checks that need more than one field
(unique ids, timeline references, condition expressions against the fact catalogue).

Unknown keys are an error everywhere (:class:`StrictModel`), so a typo such as
``done_wehn`` is reported instead of silently ignored.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from pydantic import Field, field_validator

from dmsa_migrate.models.common import GrantedLevel, Scope, StrictModel

ID_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,63}$"
"""Ids of playbooks, steps, timeline events and checklist items: short lowercase slugs."""

StepKind = Literal["inventory", "manifest", "verify", "checklist", "custom"]
"""The four built-in steps; ``custom`` is a consultant's own step (a meeting, a hand-over)."""

OwnerRole = Literal[
    "consultant",
    "integration_developer",
    "company_admin",
    "customer_it",
    "customer_project_manager",
]
"""Who does a checklist item. A fixed list so exports can group and translate owners."""

RELATIVE_DUE = re.compile(
    r"^\s*(?P<event>[a-z0-9][a-z0-9_-]*?)\s*(?:(?P<sign>[+-])\s*(?P<days>\d{1,4})\s*d)?\s*$"
)
"""``sunset``, ``sunset-30d``, ``creation_blocked + 7d``: days before or after an event."""

OFFSET_DUE = re.compile(r"^\s*\+\s*(?P<days>\d{1,4})\s*d\s*$")
"""``+5d``: days after the engagement start (the session's creation date)."""


class PlaybookMeta(StrictModel):
    """Who the playbook is for and which version of it a session used."""

    id: str = Field(pattern=ID_PATTERN)
    title: str = Field(min_length=1)
    version: str = Field(pattern=r"^\d+(\.\d+){0,2}$", description="e.g. 1, 1.2 or 1.2.3")
    description: str = ""
    audience: str = Field(default="", description="who should pick this playbook")


class TimelineEvent(StrictModel):
    """One dated event of the migration timeline (e.g. the sunset)."""

    id: str = Field(pattern=ID_PATTERN)
    date: dt.date
    title: str = Field(min_length=1)
    description: str = ""
    source: str = Field(default="", description="where the date comes from (a URL or a doc)")

    def days_from(self, today: dt.date) -> int:
        """Days from ``today`` to the event: negative when the event has passed."""
        return (self.date - today).days


class StepInput(StrictModel):
    """Something a step needs before it can run (a file, a credential reference, a choice)."""

    id: str = Field(pattern=ID_PATTERN)
    description: str = Field(min_length=1)
    required: bool = True


class Step(StrictModel):
    """One step of the guided migration, with the notes shown to the consultant there."""

    id: str = Field(pattern=ID_PATTERN)
    kind: StepKind
    title: str = Field(min_length=1)
    notes: str = ""
    inputs: list[StepInput] = Field(default_factory=list)


class ChecklistItem(StrictModel):
    """One item of the per-company sunset checklist.

    Status is decided in this order: ``applies_when`` false → not applicable;
    ``blocked_when`` true → blocked; ``done_when`` true → done; otherwise pending. An item
    with no ``done_when`` is manual: only a sign-off or a waiver in the session closes it.
    """

    id: str = Field(pattern=ID_PATTERN)
    title: str = Field(min_length=1)
    description: str = Field(min_length=1, description="customer-facing: what and why")
    owner: OwnerRole
    phase: Literal["prepare", "install", "cutover", "cleanup", "monitor"] = "prepare"
    due: dt.date | str | None = Field(
        default=None,
        description="a date, an event id with an offset ('sunset-30d'), or days after the "
        "engagement start ('+5d')",
    )
    kind: str | None = Field(
        default=None,
        pattern=ID_PATTERN,
        description="which built-in work order writes the item's words (default: the item id)",
    )
    action: str = Field(default="", description="customer-facing: what to do (custom items)")
    applies_when: str | None = None
    done_when: str | None = None
    blocked_when: str | None = None
    evidence: str = Field(
        default="",
        description="evidence sentence; {fact.name} placeholders are filled per company",
    )

    @field_validator("due")
    @classmethod
    def _due_shape(cls, value: dt.date | str | None) -> dt.date | str | None:
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                if re.match(r"^\s*\d{4}-\d{1,2}-\d{1,2}\s*$", value):
                    raise ValueError("due is not a valid calendar date") from None
            if not RELATIVE_DUE.match(value) and not OFFSET_DUE.match(value):
                raise ValueError(
                    "due must be a date (2025-03-01), an event id with an optional "
                    "offset in days (sunset, sunset-30d, sunset+7d), or days after the "
                    "engagement start (+5d)"
                )
        return value

    @property
    def is_manual(self) -> bool:
        """True when no condition can close the item: it needs a person's sign-off."""
        return self.done_when is None


class PermissionMapEntry(StrictModel):
    """An override of the endpoint → tool/scope/level map (same fields as ``routes explain``)."""

    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE"]
    template: str = Field(pattern=r"^/")
    tool: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    scope: Scope | Literal["none"]
    level: GrantedLevel | None = None


class ToolLevels(StrictModel):
    """Tool key → level at company and at project level, as in a v4.1 manifest."""

    company: dict[str, GrantedLevel] = Field(default_factory=dict)
    project: dict[str, GrantedLevel] = Field(default_factory=dict)


class ManifestSettings(StrictModel):
    """What the playbook adds to the generated manifest."""

    post_installation_instruction: str = ""
    require: ToolLevels = Field(
        default_factory=ToolLevels,
        description="levels the manifest must grant at least (e.g. ERP: company admin)",
    )
    max_level: GrantedLevel | None = Field(
        default=None, description="cap every permission at this level (read-only reporting)"
    )
    mode: Literal["mirror", "least-privilege"] | None = None


class Playbook(StrictModel):
    """A whole playbook file."""

    playbook: PlaybookMeta
    timeline: list[TimelineEvent] = Field(min_length=1)
    steps: list[Step] = Field(min_length=1)
    checklist: list[ChecklistItem] = Field(default_factory=list)
    manifest: ManifestSettings = Field(default_factory=ManifestSettings)
    permission_map: list[PermissionMapEntry] = Field(default_factory=list)

    @property
    def id(self) -> str:
        """The playbook id (sessions store it)."""
        return self.playbook.id

    @property
    def version(self) -> str:
        """The playbook version (sessions store it with the id)."""
        return self.playbook.version

    def event(self, event_id: str) -> TimelineEvent | None:
        """The timeline event with this id, if any."""
        return next((event for event in self.timeline if event.id == event_id), None)

    def due_date(self, item: ChecklistItem, start: dt.date | None = None) -> dt.date | None:
        """The absolute due date of ``item``.

        Event-relative dues resolve against the timeline; ``+Nd`` against ``start``, the
        engagement start (None when no start is known).
        """
        if item.due is None or isinstance(item.due, dt.date):
            return item.due
        offset = OFFSET_DUE.match(item.due)
        if offset is not None:
            return None if start is None else start + dt.timedelta(days=int(offset["days"]))
        match = RELATIVE_DUE.match(item.due)
        event = self.event(match["event"]) if match else None
        if match is None or event is None:
            return None
        days = int(match["days"] or 0)
        return event.date + dt.timedelta(days=-days if match["sign"] == "-" else days)
