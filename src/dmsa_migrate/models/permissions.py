"""Shapes of the endpoint → permission map files and of one endpoint's explanation.

The shipped map (``permissions/data/permission_map.toml``), user override files and the
files ``routes import-openapi`` writes all share :class:`PermissionMapFile`, so one
validator gives every one of them the same file:line errors.
"""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field, field_validator

from dmsa_migrate.models.common import Level, OutputModel, StrictModel

Confidence = Literal["high", "medium", "low"]
"""How far a map entry is backed by Procore's own material (see docs/permission-map.md)."""

EntryScope = Literal["company", "project", "none", "auto"]
"""``auto``: project when the path or query names a project, company when it names only a
company, else the entry's ``fallback_scope``."""

ExplainScope = Literal["company", "project", "none"]

MatchKind = Literal["prefix", "exact"]


class MapInfo(StrictModel):
    """Header of a map file: which version of the map it is and where it comes from."""

    version: str = ""
    description: str = ""
    admin_segments: list[str] = Field(default_factory=list)


class MethodLevels(StrictModel):
    """The least level each kind of call needs; ``none`` means no tool permission at all."""

    read: Level | None = None
    create: Level | None = None
    update: Level | None = None
    delete: Level | None = None


class ToolInfo(StrictModel):
    """A Procore tool key as the manifest spells it, and how sure we are of the spelling."""

    key: str
    label: str = ""
    scopes: list[Literal["company", "project"]] = Field(default_factory=list)
    confirmed: bool = False
    confidence: Confidence = "low"
    basis: str = ""
    levels: MethodLevels = Field(default_factory=MethodLevels)


class AreaInfo(StrictModel):
    """An API area and the tool that guards it: the OpenAPI tag's ``Category/Module``, or a
    whole tag ``Category/Module/resource`` where one module spans several tools.

    ``tool = None`` with ``unknown`` empty means the area needs no tool permission (identity,
    the caller's own settings); ``unknown`` says why no tool can be named honestly.
    """

    area: str
    tool: str | None = None
    scope: Literal["company", "project", "auto"] = "auto"
    confidence: Confidence = "low"
    unknown: str = ""
    source: str = ""
    note: str = ""


RuleName = Literal["correction", "description", "summary", "method", "no-tool", "unknown", "route"]
"""Which rule decided an answer: a hand-written correction, an explicit statement in the
operation's description, the summary's verb, the HTTP method (the summary's verb was not
recognised), an area that needs no tool, no tool known, or a hand-written route entry."""


class Correction(StrictModel):
    """A hand-written fix for one operation of the catalog, with the source that backs it."""

    method: str
    path: str
    tool: str | None = None
    scope: Literal["company", "project", "auto"] = "auto"
    level: Level | None = None
    no_tool: bool = False
    unknown: str = ""
    confidence: Confidence | None = None
    source: str = Field(min_length=3)


class ReferenceInfo(StrictModel):
    """The Procore API reference a catalog was built from."""

    source: str = ""
    date: str = ""
    commit: str = ""


class AttributionFile(StrictModel):
    """``permissions/data/attribution.toml``: areas to tools, and per-operation corrections."""

    reference: ReferenceInfo = Field(default_factory=ReferenceInfo)
    areas: list[AreaInfo] = Field(default_factory=list)
    corrections: list[Correction] = Field(default_factory=list)


class OperationEntry(OutputModel):
    """One operation of Procore's API and what it needs (a row of the operation catalog)."""

    operation: str
    method: str
    path: str
    summary: str = ""
    tag: str = ""
    tool: str | None = None
    scope: ExplainScope = "none"
    level: Literal["readonly", "standard", "admin"] | None = None
    known: bool = True
    rule: RuleName = "summary"
    confidence: Confidence = "low"
    basis: str = ""


class OperationCatalog(OutputModel):
    """The operation catalog file: every operation, and the reference it was built from."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)
    schema_: str = Field(default="dmsa-migrate/operation-map/1", alias="schema")
    reference: ReferenceInfo = Field(default_factory=ReferenceInfo)
    generated_by: str = ""
    operations: list[OperationEntry] = Field(default_factory=list)


class RouteEntry(StrictModel):
    """One endpoint family: a path template (without ``/rest/vX.Y``) and what it needs.

    ``path`` segments in braces match any one segment; a ``*`` inside a literal segment is a
    wildcard (``drawing_*``). ``match = "prefix"`` also covers every path below it.
    """

    path: str
    methods: list[str] = Field(default_factory=list)
    match: MatchKind = "prefix"
    tool: str | None = None
    scope: EntryScope = "auto"
    fallback_scope: Literal["company", "project"] = "project"
    level: Level | None = None
    levels: MethodLevels = Field(default_factory=MethodLevels)
    confidence: Confidence | None = None
    basis: str = ""
    deprecated: bool = False
    fallback: bool = False

    @field_validator("path")
    @classmethod
    def _path_starts_with_slash(cls, value: str) -> str:
        if not value.startswith("/"):
            raise ValueError("must start with '/'")
        return value

    @field_validator("methods")
    @classmethod
    def _known_methods(cls, value: list[str]) -> list[str]:
        upper = [method.upper() for method in value]
        unknown = [method for method in upper if method not in HTTP_METHODS]
        if unknown:
            raise ValueError(f"unknown HTTP method {unknown[0]!r}")
        return upper


HTTP_METHODS = ("GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE")


class PermissionMapFile(StrictModel):
    """A whole map file: the shipped map, a user override file or an OpenAPI import."""

    map: MapInfo = Field(default_factory=MapInfo)
    tools: list[ToolInfo] = Field(default_factory=list)
    areas: list[AreaInfo] = Field(default_factory=list)
    routes: list[RouteEntry] = Field(default_factory=list)


class RouteExplanation(OutputModel):
    """What ``routes explain`` prints (ARCHITECTURE 3.1 keys first, then extensions)."""

    method: str
    path: str
    template: str
    tool: str | None
    scope: ExplainScope
    level: Literal["readonly", "standard", "admin"] | None
    known: bool
    operation: str | None = None
    summary: str | None = None
    rule: RuleName | None = None
    confidence: Confidence | None = None
    basis: str = ""
    matched: str | None = None
    map_source: str | None = None
    tool_confirmed: bool | None = None
    deprecated: bool = False
    notes: list[str] = Field(default_factory=list)
