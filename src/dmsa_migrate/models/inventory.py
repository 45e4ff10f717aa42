"""``inventory.json`` (ARCHITECTURE 3.4, contract: these keys at least)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from dmsa_migrate.models.common import Count, Id, Level, OutputModel, Source
from dmsa_migrate.textsafe import first_break

INVENTORY_SCHEMA = "dmsa-migrate/inventory/1"

AccountStatus = Literal["active", "rejected", "unverified"]


class InventoryUser(OutputModel):
    """The old account's Directory user."""

    id: Id
    name: str = ""
    login: str = ""
    sources: list[Source] = Field(default_factory=list)


class UserCandidate(OutputModel):
    """A company user that may be the old account (shown to a person, never picked)."""

    id: Id
    name: str = ""
    login: str = ""
    score: Count = 0
    reasons: list[str] = Field(default_factory=list)


class InventoryProject(OutputModel):
    """A project the old account could reach, with its project-level tool levels."""

    id: Id
    name: str = ""
    active: bool = True
    permissions: dict[str, Level] = Field(default_factory=dict)
    sources: list[Source] = Field(default_factory=list)
    assigned: bool | None = Field(
        default=None,
        description="a project membership in the Directory (False: listed only as Directory admin)",
    )


class InventoryCompany(OutputModel):
    """A company the old account belonged to, its company-level levels and projects."""

    id: Id
    name: str = ""
    permissions: dict[str, Level] = Field(default_factory=dict)
    projects: list[InventoryProject] = Field(default_factory=list)
    directory_admin: bool = False
    add_to_new_projects: bool = False
    sources: list[Source] = Field(default_factory=list)


class InventoryAccount(OutputModel):
    """One old traditional service account."""

    label: str
    client_id: str = Field(description="masked, never the full id")
    status: AccountStatus = "unverified"
    status_reason: str = ""
    sources: list[Source] = Field(default_factory=list)
    user: InventoryUser | None = None
    companies: list[InventoryCompany] = Field(default_factory=list)
    status_detail: str = Field(default="", description="Procore's own words for a refusal")
    user_candidates: list[UserCandidate] = Field(default_factory=list)
    conflicts: list[str] = Field(
        default_factory=list, description="facts on which the sources disagree (all kept)"
    )
    notes: list[str] = Field(default_factory=list)
    found_in: list[str] = Field(
        default_factory=list, description="file:line where a scan found this client id"
    )
    complete: bool = Field(default=True, description="False: a failure stopped collection")


class UsageEntry(OutputModel):
    """An endpoint the integration calls, and the evidence that says so."""

    method: str
    template: str
    source: str
    count: Count | None = None
    statuses: dict[str, Count] = Field(
        default_factory=dict,
        description="calls per HTTP response code, when the evidence says (Activity Report)",
    )
    locations: list[str] = Field(
        default_factory=list, description="file:line of each call site (code scan)"
    )
    deprecated: bool = Field(default=False, description="a sunset /vapid/ path (code scan)")
    first_seen: str | None = Field(
        default=None, description="first day with a call, YYYY-MM-DD (Activity Report)"
    )
    last_seen: str | None = Field(
        default=None, description="last day with a call, YYYY-MM-DD (Activity Report)"
    )
    account: str | None = Field(
        default=None,
        description="the label of the one old account this evidence is tied to "
        "(--activity LABEL=FILE); None: evidence for the integration as a whole",
    )

    @field_validator("method", "template")
    @classmethod
    def _one_token(cls, value: str) -> str:
        if (odd := first_break(value)) is not None:
            raise ValueError(f"holds {odd}; a method or a route is one word")
        return value

    @property
    def failed(self) -> int:
        """Calls answered with a 4xx or 5xx status (a 403 is a permission the caller lacked)."""
        return sum(n for code, n in self.statuses.items() if code[:1] in ("4", "5"))


class Inventory(OutputModel):
    """The whole step-1 result."""

    schema_: str = Field(default=INVENTORY_SCHEMA, alias="schema")
    generated_at: str = ""
    accounts: list[InventoryAccount] = Field(default_factory=list)
    usage: list[UsageEntry] = Field(default_factory=list)

    model_config = OutputModel.model_config | {"populate_by_name": True}
