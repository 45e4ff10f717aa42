"""``inventory.json`` (ARCHITECTURE 3.4, contract: these keys at least)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from dmsa_migrate.models.common import Level, OutputModel, Source

INVENTORY_SCHEMA = "dmsa-migrate/inventory/1"

AccountStatus = Literal["active", "rejected", "unverified"]


class InventoryUser(OutputModel):
    """The old account's Directory user."""

    id: int
    name: str = ""
    login: str = ""


class InventoryProject(OutputModel):
    """A project the old account could reach, with its project-level tool levels."""

    id: int
    name: str = ""
    active: bool = True
    permissions: dict[str, Level] = Field(default_factory=dict)
    sources: list[Source] = Field(default_factory=list)


class InventoryCompany(OutputModel):
    """A company the old account belonged to, its company-level levels and projects."""

    id: int
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


class UsageEntry(OutputModel):
    """An endpoint the integration calls, and the evidence that says so."""

    method: str
    template: str
    source: str
    count: int | None = None
    statuses: dict[str, int] = Field(
        default_factory=dict,
        description="calls per HTTP response code, when the evidence says (Activity Report)",
    )


class Inventory(OutputModel):
    """The whole step-1 result."""

    schema_: str = Field(default=INVENTORY_SCHEMA, alias="schema")
    generated_at: str = ""
    accounts: list[InventoryAccount] = Field(default_factory=list)
    usage: list[UsageEntry] = Field(default_factory=list)

    model_config = OutputModel.model_config | {"populate_by_name": True}
