"""``verification.json`` (ARCHITECTURE 3.4, contract: these keys at least).

The contract keys (``schema``, ``ok``, ``generated_at``, ``companies[id, name, installed,
status, matched_projects, missing_projects, extra_projects, permission_gaps[scope, tool,
needed, granted, projects], findings[code, severity, message]]``) never change; the other
fields are optional additions the verify step writes so that a later run (``--previous``),
the checklist and a reader can see how each answer was reached. docs/verify.md lists them.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from dmsa_migrate.models.common import Count, HttpStatus, Id, OutputModel, Scope

VERIFICATION_SCHEMA = "dmsa-migrate/verification/1"

InstallStatus = Literal["installed", "disconnected", "not_installed"]
Severity = Literal["error", "warning", "info"]
GapBasis = Literal["manifest", "old_access"]
Strategy = Literal["directory", "per_project", "none"]


class PermissionGap(OutputModel):
    """A tool whose granted level is below what the old access or the manifest needs."""

    scope: Scope
    tool: str
    needed: str
    granted: str
    projects: list[Id] = Field(default_factory=list)
    basis: GapBasis | None = Field(
        default=None, description="what 'needed' came from: the manifest or the old access"
    )


class Finding(OutputModel):
    """Something the user should know or do, with a stable code."""

    code: str
    severity: Severity
    message: str
    action: str = Field(default="", description="what to do about it, and who does it")
    projects: list[Id] = Field(default_factory=list)


class UserComparison(OutputModel):
    """Procore's documented check: the projects a signed-in user sees next to the app's."""

    user_id: Id | None = None
    user_name: str = ""
    user_projects: list[Id] = Field(default_factory=list)
    app_projects: list[Id] = Field(default_factory=list)
    both: list[Id] = Field(default_factory=list)
    app_only: list[Id] = Field(default_factory=list)
    user_only: list[Id] = Field(default_factory=list)


ReplayOutcome = Literal["allowed", "forbidden", "not_found", "skipped", "failed"]


class ReplayRead(OutputModel):
    """One read ``verify --replay`` sent with the app's token, and what Procore answered."""

    method: str = "GET"
    template: str
    path: str
    project_id: Id | None = None
    outcome: ReplayOutcome
    status: HttpStatus | None = None
    detail: str = ""


UNREAD_CODE = "company_not_read"
"""The finding of a company whose reads failed after retries: nothing is known about it."""


class CompanyVerification(OutputModel):
    """One customer company: the DMSA install compared with the old access."""

    id: Id
    name: str = ""
    installed: bool = False
    status: InstallStatus = "not_installed"
    matched_projects: list[Id] = Field(default_factory=list)
    missing_projects: list[Id] = Field(default_factory=list)
    extra_projects: list[Id] = Field(default_factory=list)
    permission_gaps: list[PermissionGap] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)
    # Optional additions (not contract keys).
    permitted_projects: list[Id] = Field(
        default_factory=list, description="every project the app may use here (for --previous)"
    )
    inactive_projects: list[Id] = Field(
        default_factory=list, description="of the projects compared, those Procore marks inactive"
    )
    lost_projects: list[Id] = Field(
        default_factory=list, description="permitted in --previous, not permitted any more"
    )
    in_inventory: bool = True
    dmsa_user_id: Id | None = None
    dmsa_user_name: str = ""
    company_permissions: dict[str, str] = Field(
        default_factory=dict, description="the app's effective company-level tool levels"
    )
    strategy: Strategy = "none"
    requests: Count = 0
    user_comparison: UserComparison | None = None
    replay: list[ReplayRead] | None = Field(
        default=None, description="(--replay) each read the integration makes, as Procore answered"
    )

    def unread_reason(self) -> str:
        """Why the company could not be read ('' when it was read).

        An unread company has no project lists: every report says "unread" and the reason
        instead of counting its empty lists as projects lost, reset or missing."""
        return next((f.message or "unread" for f in self.findings if f.code == UNREAD_CODE), "")


class Verification(OutputModel):
    """The whole step-3 result."""

    schema_: str = Field(default=VERIFICATION_SCHEMA, alias="schema")
    ok: bool = False
    generated_at: str = ""
    companies: list[CompanyVerification] = Field(default_factory=list)
    # Optional additions (not contract keys).
    complete: bool = True
    dmsa_client_id: str = Field(default="", description="masked")
    needed_from: GapBasis = "old_access"
    previous_generated_at: str | None = None
    requests: Count = 0

    model_config = OutputModel.model_config | {"populate_by_name": True}
