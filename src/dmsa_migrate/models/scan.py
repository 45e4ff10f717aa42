"""Result of ``dmsa-migrate scan`` and its baseline file.

A secret finding carries a redacted form only; its ``fingerprint`` is a hash of the file
path, the kind and the value (no line number), so moving code around does not turn an
accepted finding into a new one. The report also has a ``usage`` list in the shape of
``inventory.json``'s, so ``manifest --usage scan.json`` reads it directly.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, computed_field

from dmsa_migrate.models.common import Count, OutputModel, StrictModel
from dmsa_migrate.models.inventory import UsageEntry

SCAN_SCHEMA = "dmsa-migrate/scan/1"
BASELINE_SCHEMA = "dmsa-migrate/scan-baseline/1"

SecretKind = Literal["client_secret", "client_id", "access_token", "refresh_token"]


class SecretFinding(OutputModel):
    """A Procore credential found in a file (never its value)."""

    fingerprint: str
    kind: SecretKind
    file: str
    line: Count
    key: str = Field(description="the name it was assigned to, e.g. PROCORE_CLIENT_SECRET")
    redacted: str = Field(description="«redacted» for secrets; a masked id for client ids")
    length: Count
    rule: str = Field(
        description="which detector matched (assignment, xml, url, url-query, bearer, call)"
    )
    baselined: bool = False


FoundBy = Literal[
    "literal", "constant", "wrapper", "base+relative", "class-member", "line", "operation-name"
]
Confidence = Literal["high", "medium", "low"]
Evidence = Literal["code", "test"]


class EndpointFinding(OutputModel):
    """A Procore endpoint the code calls.

    ``method`` is ``UNKNOWN`` when nothing at the call site says which it is; the manifest
    then reads it as a possible write, never as GET.
    """

    method: str
    method_inferred: bool = Field(description="False: the call site did not show the method")
    template: str
    file: str
    line: Count = Field(description="the call site (or the class member a call reads it from)")
    known: bool = Field(description="the permission map knows this endpoint")
    tool: str | None = None
    scope: str = "none"
    level: str | None = None
    deprecated: bool = Field(default=False, description="a sunset /vapid/ path")
    found_by: FoundBy = Field(
        default="literal",
        description="literal path, resolved constant, through a wrapper function, a base "
        "plus a relative path, a class member read by a shared client, a line pattern "
        "(files with no parser), or the method name of a client generated from Procore's "
        "OpenAPI document (operation-name)",
    )
    confidence: Confidence = "high"
    method_source: str = Field(default="", description="what told the method")
    evidence: Evidence = Field(
        default="code", description="test: found in a test or mock file (not counted as use)"
    )
    via: list[str] = Field(
        default_factory=list, description="file:line of the constants and wrappers it went through"
    )


class BlindSpot(OutputModel):
    """An HTTP call site that looks Procore-bound but whose path the scan could not resolve."""

    file: str
    line: Count
    call: str
    reason: str


class Coverage(OutputModel):
    """How many of the Procore-bound HTTP call sites (tests apart) were resolved."""

    call_sites: Count = 0
    resolved: Count = 0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def summary(self) -> str:
        """The one coverage line: ``resolved 71 of 74 call sites``."""
        return f"resolved {self.resolved} of {self.call_sites} call sites"


class ScanReport(OutputModel):
    """The whole scan."""

    schema_: str = Field(default=SCAN_SCHEMA, alias="schema")
    root: str
    files_scanned: Count = 0
    files_skipped: Count = 0
    secrets: list[SecretFinding] = Field(default_factory=list)
    baselined: Count = Field(default=0, description="findings accepted by the baseline")
    ignored: Count = Field(default=0, description="findings silenced by an inline marker")
    endpoints: list[EndpointFinding] = Field(default_factory=list)
    blind_spots: list[BlindSpot] = Field(default_factory=list)
    coverage: Coverage = Field(default_factory=Coverage)
    tests_counted: bool = Field(
        default=False, description="test evidence went into usage (--include-tests)"
    )
    usage: list[UsageEntry] = Field(default_factory=list)

    model_config = OutputModel.model_config | {"populate_by_name": True}

    @property
    def new_secrets(self) -> list[SecretFinding]:
        """Findings neither ignored nor in the baseline (what makes ``scan`` exit 1)."""
        return [finding for finding in self.secrets if not finding.baselined]


class Baseline(StrictModel):
    """Accepted findings: ``dmsa-migrate scan --write-baseline FILE`` writes one."""

    schema_: str = Field(default=BASELINE_SCHEMA, alias="schema")
    fingerprints: list[str] = Field(default_factory=list)

    model_config = StrictModel.model_config | {"populate_by_name": True}
