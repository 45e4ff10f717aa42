"""``verification.json`` (ARCHITECTURE 3.4, contract: these keys at least)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from dmsa_migrate.models.common import OutputModel, Scope

VERIFICATION_SCHEMA = "dmsa-migrate/verification/1"

InstallStatus = Literal["installed", "disconnected", "not_installed"]
Severity = Literal["error", "warning", "info"]


class PermissionGap(OutputModel):
    """A tool whose granted level is below what the old access or the manifest needs."""

    scope: Scope
    tool: str
    needed: str
    granted: str
    projects: list[int] = Field(default_factory=list)


class Finding(OutputModel):
    """Something the user should know or do, with a stable code."""

    code: str
    severity: Severity
    message: str


class CompanyVerification(OutputModel):
    """One customer company: the DMSA install compared with the old access."""

    id: int
    name: str = ""
    installed: bool = False
    status: InstallStatus = "not_installed"
    matched_projects: list[int] = Field(default_factory=list)
    missing_projects: list[int] = Field(default_factory=list)
    extra_projects: list[int] = Field(default_factory=list)
    permission_gaps: list[PermissionGap] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)


class Verification(OutputModel):
    """The whole step-3 result."""

    schema_: str = Field(default=VERIFICATION_SCHEMA, alias="schema")
    ok: bool = False
    generated_at: str = ""
    companies: list[CompanyVerification] = Field(default_factory=list)

    model_config = OutputModel.model_config | {"populate_by_name": True}
