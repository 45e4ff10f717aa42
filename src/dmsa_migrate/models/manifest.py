"""The DMSA app manifest (v4.1, ARCHITECTURE 3.4) and the generator's sidecar files.

``manifest.json`` holds only what Procore's v4.1 manifest holds, so it can be pasted into
the Developer Portal as is; the reason and evidence for every permission live in the
sidecar ``manifest.explain.json`` (:class:`ManifestExplanation`), never in the manifest.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator

from dmsa_migrate.models.common import Count, GrantedLevel, OutputModel, Scope, StrictModel
from dmsa_migrate.textsafe import is_safe_page_url

MANIFEST_SCHEMA_VERSION = "4.1"
EXPLAIN_SCHEMA = "dmsa-migrate/manifest-explain/1"
DIFF_SCHEMA = "dmsa-migrate/manifest-diff/1"

DEFAULT_INSTRUCTION_NOTES = (
    "After installing, choose the projects this integration may use under Permitted "
    "Projects in App Management. Choose them again after every app update: Procore does "
    "not carry permitted projects over, and it never adds future projects by itself."
)
DEFAULT_INSTRUCTION_URL = "https://support.procore.com/integrations/app-setup-instructions"
DEFAULT_INSTRUCTION_LABEL = "App Setup Instructions"


class InstructionPage(StrictModel):
    """The link shown with the post-installation notes."""

    url: str
    label: str

    @field_validator("url")
    @classmethod
    def _https_only(cls, value: str) -> str:
        """Only an https page (http on loopback, for tests): the URL reaches the company
        admin's screen and every checklist export, so ``javascript:`` and friends never do."""
        if not is_safe_page_url(value):
            raise ValueError(
                "must be an https:// URL (http:// only for localhost or 127.0.0.1)"
            )
        return value


class PostInstallationInstruction(StrictModel):
    """Shown to the company admin right after install and later in App Management."""

    notes: str
    page: InstructionPage


class ManifestPermissions(StrictModel):
    """Tool key → level per scope. Tools at None are left out, as Procore's builder does."""

    company: dict[str, GrantedLevel] = Field(default_factory=dict)
    project: dict[str, GrantedLevel] = Field(default_factory=dict)


class ManifestV41(StrictModel):
    """A v4.1 manifest as this tool writes it (the keys a DMSA data-connection app needs)."""

    schema_version: Literal["4.1"] = "4.1"
    post_installation_instruction: PostInstallationInstruction
    permissions: ManifestPermissions = Field(default_factory=ManifestPermissions)


Severity = Literal["error", "warning", "info"]


class Finding(OutputModel):
    """Something the user should look at before publishing the manifest."""

    code: str
    severity: Severity
    message: str
    scope: Scope | None = None
    tool: str | None = None
    endpoints: list[str] = Field(default_factory=list)


class Evidence(OutputModel):
    """One endpoint the integration calls and what it needs, with where we saw it."""

    method: str
    template: str
    level: GrantedLevel
    summary: str | None = None
    operation: str | None = None
    rule: str | None = None
    sources: list[str] = Field(default_factory=list)
    count: Count | None = None
    statuses: dict[str, Count] = Field(default_factory=dict)
    accounts: list[str] = Field(
        default_factory=list,
        description="old accounts this evidence is tied to (--activity LABEL=FILE); "
        "empty: the integration as a whole",
    )

    @property
    def label(self) -> str:
        """``GET /rest/v1.0/…/rfis ("List RFIs")``: the call and what it does."""
        return f"{self.method} {self.template}" + (f' ("{self.summary}")' if self.summary else "")


Basis = Literal[
    "old-access", "usage", "kept-no-usage-evidence", "usage-beyond-old-access", "required"
]


class PermissionReason(OutputModel):
    """Why one permission is in the manifest at the level it has."""

    scope: Scope
    tool: str
    level: GrantedLevel
    old_level: GrantedLevel | None = None
    needed_level: GrantedLevel | None = None
    basis: Basis
    reason: str
    old_access: list[str] = Field(default_factory=list)
    evidence: list[Evidence] = Field(default_factory=list)
    tool_confirmed: bool | None = None


class EndpointNote(OutputModel):
    """A used endpoint that grants nothing: it needs no permission, or the map does not know it."""

    method: str
    template: str
    summary: str | None = None
    operation: str | None = None
    reason: str = ""
    sources: list[str] = Field(default_factory=list)
    count: Count | None = None
    deprecated: bool = False


class ManifestExplanation(OutputModel):
    """``manifest.explain.json``: the provenance of every permission, and the findings."""

    schema_: str = Field(default=EXPLAIN_SCHEMA, alias="schema")
    generated_at: str = ""
    mode: Literal["mirror", "least-privilege"]
    map_version: str = ""
    map_reference_date: str = ""
    inputs: list[str] = Field(default_factory=list)
    permissions: list[PermissionReason] = Field(default_factory=list)
    not_granted: list[PermissionReason] = Field(default_factory=list)
    no_permission_needed: list[EndpointNote] = Field(default_factory=list)
    unmapped: list[EndpointNote] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)

    model_config = OutputModel.model_config | {"populate_by_name": True}


ChangeKind = Literal["added", "removed", "raised", "lowered"]


class PermissionChange(OutputModel):
    """One permission that differs between two manifests."""

    scope: Scope
    tool: str
    change: ChangeKind
    old: GrantedLevel | None
    new: GrantedLevel | None


class ManifestDiff(OutputModel):
    """What ``manifest diff --json`` prints."""

    schema_: str = Field(default=DIFF_SCHEMA, alias="schema")
    old: str
    new: str
    old_schema_version: str
    new_schema_version: str
    widens: bool
    changes: list[PermissionChange] = Field(default_factory=list)
    unchanged: Count = 0

    model_config = OutputModel.model_config | {"populate_by_name": True}

    def of_kind(self, kind: ChangeKind) -> list[PermissionChange]:
        """The changes of one kind, in scope/tool order."""
        return [change for change in self.changes if change.change == kind]


def manifest_dict(manifest: ManifestV41) -> dict[str, Any]:
    """The manifest as JSON-ready data, keys in the order Procore's examples show."""
    return manifest.model_dump(mode="json")
