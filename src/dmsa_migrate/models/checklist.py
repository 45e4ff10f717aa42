"""The sunset checklist (ARCHITECTURE 3.4): one model, rendered to md, html, json and csv.

Why one flat list of rows: customers open the CSV in a spreadsheet and scripts read the
JSON; both must carry the same field names and the same grain (one row per company and
item), so the row *is* the contract (:data:`ITEM_FIELDS`). Everything else here (timeline,
per-company summary, item definitions) is context the human formats print around the rows.

Rows hold display-ready strings (dates as ISO text, owner as a readable label) so that the
four formats show the very same value for every field.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from dmsa_migrate.models.common import Count, Id, OutputModel, Whole

CHECKLIST_SCHEMA = "dmsa-migrate/checklist/1"

ChecklistStatus = Literal["done", "pending", "blocked", "waived", "not_applicable"]

STATUSES: tuple[ChecklistStatus, ...] = ("done", "pending", "blocked", "waived", "not_applicable")
"""Every status, in the order summaries list them."""

OPEN_STATUSES: frozenset[str] = frozenset({"pending", "blocked"})
"""Statuses that keep the old service account from being switched off."""

ITEM_FIELDS: tuple[str, ...] = (
    "company_id",
    "company",
    "item_id",
    "title",
    "status",
    "owner",
    "due",
    "evidence",
    "waiver",
    "signed_off_by",
    "signed_off_at",
)
"""The contract fields of a checklist row, in column order, identical in every format."""

WORK_ORDER_FIELDS: tuple[str, ...] = (
    "status_text",
    "overdue",
    "action",
    "where",
    "owner_contact",
)
"""Words added to every row after the contract fields: what to do, where, how to reach the owner."""

MACHINE_FIELDS: tuple[str, ...] = (
    "status_detail",
    "kind",
    "owner_role",
    "finding_codes",
    "facts",
    "where_source",
)
"""Machine fields beside the words (JSON and CSV only): for scripts and tracking tools."""

EXPORT_FIELDS: tuple[str, ...] = ITEM_FIELDS + WORK_ORDER_FIELDS + MACHINE_FIELDS
"""Every field of a row in JSON and CSV, in column order (contract fields first)."""

CODE_FIELDS: frozenset[str] = frozenset(
    {"company_id", "item_id", "status", "due", "signed_off_at", "overdue", *MACHINE_FIELDS}
)
"""Fields that hold identifiers or codes rather than the customer's words."""

StatusDetail = Literal[
    "", "not_yet_possible", "contradicted", "waiting_for_evidence", "signed_but_open"
]


class ChecklistRow(OutputModel):
    """One checklist item for one company (the contract row)."""

    company_id: Id
    company: str
    item_id: str
    title: str
    status: ChecklistStatus
    owner: str = Field(description="the person named in the session, else the playbook role")
    due: str = Field(description="ISO date, or '' when the item has no due date")
    evidence: str = Field(description="why the item has its status, in one sentence")
    waiver: str = Field(description="the written reason when the item is waived, else ''")
    signed_off_by: str = ""
    signed_off_at: str = Field(default="", description="ISO time (UTC) of the sign-off, or ''")
    # Work-order words (extensions).
    status_text: str = Field(default="", description="the status in words: 'not yet possible'")
    overdue: bool = Field(default=False, description="open and past its due date")
    action: str = Field(default="", description="what to do next ('' when nothing is left)")
    where: str = Field(default="", description="where in Procore: the click path")
    owner_contact: str = Field(default="", description="how to reach the owner")
    # Machine fields (extensions).
    status_detail: StatusDetail = Field(default="", description="why an open item is open")
    kind: str = Field(default="", description="the work order that wrote the words")
    owner_role: str = Field(default="", description="the playbook's owner role key")
    finding_codes: list[str] = Field(default_factory=list, description="verify codes read")
    facts: str = Field(default="", description="the facts the conditions read: name=value; …")
    where_source: str = Field(default="", description="the source of the click path")

    @property
    def is_open(self) -> bool:
        """Pending or blocked: it still stands between the customer and the goal."""
        return self.status in OPEN_STATUSES


class ItemDefinition(OutputModel):
    """What an item means, once per item (the customer-facing description)."""

    item_id: str
    title: str
    description: str
    owner_role: str
    phase: str
    due: str = ""
    automatic: bool = Field(description="a condition can close it; else it needs a sign-off")


class TimelineEntry(OutputModel):
    """One playbook date, relative to the checklist's ``today``."""

    id: str
    title: str
    date: str
    days_from_today: Whole = Field(description="negative: the event has passed")
    text: str = Field(description="'Sunset: 2025-03-18 — passed 620 days ago'")


class ProjectRef(OutputModel):
    """A project named in a per-company project table."""

    id: Id
    name: str = ""
    active: bool | None = None


class NextAction(OutputModel):
    """One of a company's next actions, for the management summary."""

    title: str
    action: str
    owner: str
    owner_contact: str = ""
    due: str = ""
    overdue: bool = False


class CompanySummary(OutputModel):
    """The at-a-glance numbers of one company."""

    company_id: Id
    company: str
    install_status: str = Field(description="installed, disconnected, not_installed or unknown")
    verified: bool = Field(description="verification.json has an entry for this company")
    matched_projects: list[ProjectRef] = Field(default_factory=list)
    missing_projects: list[ProjectRef] = Field(default_factory=list)
    extra_projects: list[ProjectRef] = Field(default_factory=list)
    counts: dict[str, Count] = Field(default_factory=dict, description="status → items")
    state: str = Field(default="", description="restored, broken, ready or open (machine)")
    state_text: str = Field(default="", description="the company's state in one sentence")
    broken: str = Field(default="", description="what is broken, in words ('' when nothing)")
    next_actions: list[NextAction] = Field(default_factory=list)

    @property
    def open_items(self) -> int:
        """Items still pending or blocked."""
        return sum(self.counts.get(status, 0) for status in OPEN_STATUSES)

    @property
    def projects_sentence(self) -> str:
        """The coverage in words, as every human-readable export prints it."""
        if not self.verified:
            return "Projects: not verified yet (run verify)."
        return (
            f"Projects: {len(self.matched_projects)} matched, "
            f"{len(self.missing_projects)} missing, {len(self.extra_projects)} extra."
        )


class PlaybookInfo(OutputModel):
    """Which playbook (and version) the checklist was built from."""

    id: str
    version: str
    title: str


class Checklist(OutputModel):
    """The whole checklist: rows plus the context the human formats print."""

    schema_: str = Field(default=CHECKLIST_SCHEMA, alias="schema")
    generated_at: str = Field(description="the only field that changes between equal runs")
    today: str = Field(description="the date the timeline and overdue marks are relative to")
    engagement_start: str = Field(default="", description="what '+5d' due dates count from")
    sunset: str = Field(default="", description="the date the old service accounts stopped")
    after_sunset: bool = Field(default=False, description="today is on or after the sunset")
    customer: str = ""
    playbook: PlaybookInfo
    timeline: list[TimelineEntry] = Field(default_factory=list)
    totals: dict[str, Count] = Field(default_factory=dict, description="status → items")
    companies: list[CompanySummary] = Field(default_factory=list)
    definitions: list[ItemDefinition] = Field(default_factory=list)
    items: list[ChecklistRow] = Field(default_factory=list)

    model_config = OutputModel.model_config | {"populate_by_name": True}

    def rows_for(self, company_id: int) -> list[ChecklistRow]:
        """The rows of one company, in playbook order."""
        return [row for row in self.items if row.company_id == company_id]

    @property
    def open_items(self) -> int:
        """Items still pending or blocked, over every company."""
        return sum(self.totals.get(status, 0) for status in OPEN_STATUSES)
