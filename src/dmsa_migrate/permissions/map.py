"""The endpoint → tool/scope/level map: the shipped data plus any override layers.

Two kinds of data answer a call, in this order:

1. route entries of the user's own layers (override files, ``--map``, playbook entries):
   what a person wrote for this integration beats everything shipped;
2. the **operation catalog** (``data/operations.json``, every operation of Procore's API,
   built from Procore's reference by ``scripts/build_permission_map.py``; a catalog that
   ``routes import-openapi`` wrote from a newer download replaces its operations);
3. the shipped route entries (``data/permission_map.toml``): endpoint families for calls
   the catalog does not list (older spellings, the retired ``/vapid/`` namespace);
4. entries marked ``fallback``, used only when nothing else matches.

Within route layers the most specific entry wins, and on a tie the later layer.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from dmsa_migrate.errors import FileFormatError, InputError
from dmsa_migrate.fileio import CONFIG_FILE_CAP, read_text
from dmsa_migrate.models.common import LEVEL_ORDER, validate_toml
from dmsa_migrate.models.permissions import (
    HTTP_METHODS,
    AreaInfo,
    MethodLevels,
    OperationEntry,
    PermissionMapFile,
    RouteEntry,
    RouteExplanation,
    ToolInfo,
)
from dmsa_migrate.permissions.catalog import (
    CatalogLayer,
    OperationIndex,
    OperationMatch,
    load_catalog_file,
    shipped_catalog,
)
from dmsa_migrate.permissions.paths import Endpoint, Segment, parse_endpoint, split_template

SHIPPED_SOURCE = "shipped"
_DEFAULT_LEVELS = MethodLevels(
    read="readonly", create="standard", update="standard", delete="admin"
)
_VAPID_NOTE = "/vapid/ is Procore's retired pre-REST namespace; call /rest/v1.0/ instead"
_METHOD_KIND = {
    "GET": "read",
    "HEAD": "read",
    "OPTIONS": "read",
    "POST": "create",
    "PUT": "update",
    "PATCH": "update",
    "DELETE": "delete",
}


@dataclass(frozen=True)
class MapLayer:
    """One map file, already validated, and the name it is reported under."""

    source: str
    data: PermissionMapFile
    implicit_tools: bool = False


@dataclass(frozen=True)
class _Candidate:
    entry: RouteEntry
    layer_index: int
    source: str
    names: dict[int, str]
    score: tuple[int, ...]


def parse_map_text(text: str, source: str) -> PermissionMapFile:
    """Validate map TOML text; errors name ``source``, the line and the field."""
    return validate_toml(PermissionMapFile, text, source)


def load_map_file(path: Path | str) -> MapLayer:
    """Read and validate one override file."""
    text = read_text(path, cap=CONFIG_FILE_CAP, what="a permission-map file")
    return MapLayer(str(path), parse_map_text(text, str(path)))


def shipped_layer() -> MapLayer:
    """The map that ships inside the package (``permissions/data/permission_map.toml``)."""
    text = resources.files("dmsa_migrate.permissions").joinpath("data/permission_map.toml")
    return MapLayer(SHIPPED_SOURCE, parse_map_text(text.read_text("utf-8"), SHIPPED_SOURCE))


def entries_layer(entries: Iterable[Any], source: str) -> MapLayer:
    """A layer from a list of entries (how a playbook hands over its overrides).

    Each entry is a :class:`RouteEntry`, a dict of its fields, or a playbook-style entry
    (``method``, ``template``, ``tool``, ``scope``, ``level``; a dict or any object with
    those attributes) that covers exactly that one endpoint. Tools the shipped map does
    not declare are declared here as unconfirmed.
    """
    routes: list[RouteEntry] = []
    for index, entry in enumerate(entries):
        if isinstance(entry, RouteEntry):
            routes.append(entry)
            continue
        raw = entry if isinstance(entry, dict) else _attributes(entry)
        if "template" in raw:
            raw = _from_endpoint_entry(raw)
        try:
            routes.append(RouteEntry.model_validate(raw))
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(part) for part in first.get("loc", ()))
            raise InputError(f"{source}: routes[{index}].{field}: {first.get('msg')}") from exc
    tools = [
        ToolInfo(key=key, confidence="low", basis=f"declared by {source}")
        for key in sorted({route.tool for route in routes if route.tool})
    ]
    return MapLayer(source, PermissionMapFile(tools=tools, routes=routes), implicit_tools=True)


def _attributes(entry: Any) -> dict[str, Any]:
    if hasattr(entry, "model_dump"):
        return dict(entry.model_dump())
    return {name: getattr(entry, name) for name in ("method", "template", "tool", "scope",
                                                     "level") if hasattr(entry, name)}


def _from_endpoint_entry(raw: dict[str, Any]) -> dict[str, Any]:
    """``{method, template, tool, scope, level}`` → an exact one-method route entry."""
    endpoint = parse_endpoint(str(raw["template"]))
    words = [
        "{" + (segment.name or "id") + "}" if segment.is_param else segment.text
        for segment in endpoint.canonical
    ]
    scope = raw.get("scope") or "auto"
    level = raw.get("level")
    converted: dict[str, Any] = {
        "path": "/" + "/".join(words),
        "match": "exact",
        "scope": scope,
        "tool": raw.get("tool") if scope != "none" else None,
        "level": level if level is not None else ("none" if scope == "none" else None),
        "basis": str(raw.get("basis", "override")),
    }
    if raw.get("method"):
        converted["methods"] = [str(raw["method"])]
    return converted


class PermissionMap:
    """Answers "which tool, scope and level does METHOD PATH need?" for any spelling."""

    def __init__(
        self, layers: Sequence[MapLayer], catalogs: Sequence[CatalogLayer] = ()
    ) -> None:
        self.layers = list(layers)
        self.catalogs = list(catalogs)
        self.operations = _index_for(self.catalogs)
        self.tools: dict[str, ToolInfo] = {}
        self.areas: dict[str, AreaInfo] = {}
        self.admin_segments: set[str] = set()
        for layer in self.layers:
            for tool in layer.data.tools:
                if layer.implicit_tools:
                    self.tools.setdefault(tool.key, tool)
                else:
                    self.tools[tool.key] = tool
            for area in layer.data.areas:
                self.areas[area.area] = area
            self.admin_segments.update(layer.data.map.admin_segments)
        self._check_tools_known()

    @property
    def version(self) -> str:
        """The shipped map's version (what a report should cite)."""
        for layer in self.layers:
            if layer.source == SHIPPED_SOURCE:
                return layer.data.map.version
        return ""

    @property
    def reference_date(self) -> str:
        """The date of the newest Procore API reference the operation catalog was built from."""
        dates = [layer.data.reference.date for layer in self.catalogs if layer.data.reference.date]
        return max(dates) if dates else ""

    def _check_tools_known(self) -> None:
        """A route naming a tool no layer declares is a typo in an override, not a new tool."""
        for layer in self.layers:
            for index, route in enumerate(layer.data.routes):
                if route.tool is not None and route.tool not in self.tools:
                    raise FileFormatError(
                        layer.source,
                        f"routes[{index}].tool: unknown tool key {route.tool!r} "
                        "(declare it in a [[tools]] table first)",
                    )

    def unconfirmed_tools(self) -> list[str]:
        """Tool keys that Procore's own manifest examples do not confirm."""
        return sorted(key for key, tool in self.tools.items() if not tool.confirmed)

    def explain(self, method: str, path: str) -> RouteExplanation:
        """Explain one call. Unmapped endpoints come back ``known: false``, never guessed."""
        verb = method.strip().upper()
        if verb not in HTTP_METHODS:
            allowed = ", ".join(HTTP_METHODS)
            raise InputError(f"unknown HTTP method {method!r} (use one of {allowed})")
        endpoint = parse_endpoint(path)
        own = self._best_candidate(verb, endpoint, own_only=True)
        if own is not None:
            return self._explanation(verb, path, endpoint, own)
        operation = self.operations.find(verb, endpoint)
        if operation is not None:
            return self._operation_explanation(verb, path, endpoint, operation)
        best = self._best_candidate(verb, endpoint)
        if best is None:
            return _unmapped(verb, path, endpoint)
        return self._explanation(verb, path, endpoint, best)

    def _operation_explanation(
        self, verb: str, path: str, endpoint: Endpoint, found: OperationMatch
    ) -> RouteExplanation:
        entry = found.entry
        notes = [_VAPID_NOTE] if endpoint.vapid else []
        common: dict[str, Any] = {
            "method": verb, "path": path, "template": endpoint.template(found.names),
            "operation": entry.operation, "summary": entry.summary or None, "rule": entry.rule,
            "basis": entry.basis, "matched": entry.path, "map_source": found.source,
            "deprecated": endpoint.vapid, "notes": notes,
        }
        if not entry.known:
            notes.append(f"the permission map knows this operation but not its tool: {entry.basis}")
            return RouteExplanation(tool=None, scope="none", level=None, known=False, **common)
        if entry.tool is None or entry.level is None:
            return RouteExplanation(
                tool=None, scope="none", level=None, known=True, confidence=entry.confidence,
                **common,
            )
        tool_info = self.tools.get(entry.tool)
        return RouteExplanation(
            tool=entry.tool, scope=_request_scope(entry, endpoint, tool_info), level=entry.level,
            known=True,
            confidence=entry.confidence,
            tool_confirmed=tool_info.confirmed if tool_info else None, **common,
        )

    def _best_candidate(
        self, verb: str, endpoint: Endpoint, *, own_only: bool = False
    ) -> _Candidate | None:
        regular: list[_Candidate] = []
        fallback: list[_Candidate] = []
        for layer_index, layer in enumerate(self.layers):
            if own_only and layer.source == SHIPPED_SOURCE:
                continue
            for entry in layer.data.routes:
                if entry.methods and verb not in entry.methods:
                    continue
                names = _match(entry, endpoint.canonical)
                if names is None:
                    continue
                score = _score(entry, layer_index)
                candidate = _Candidate(entry, layer_index, layer.source, names, score)
                (fallback if entry.fallback else regular).append(candidate)
        pool = regular if own_only else (regular or fallback)
        return max(pool, key=lambda candidate: candidate.score) if pool else None

    def _explanation(
        self, verb: str, path: str, endpoint: Endpoint, best: _Candidate
    ) -> RouteExplanation:
        entry = best.entry
        notes: list[str] = []
        level = self._level_for(verb, entry, endpoint, best.names, notes)
        tool_info = self.tools.get(entry.tool) if entry.tool else None
        deprecated = entry.deprecated or endpoint.vapid
        if endpoint.vapid:
            notes.append(_VAPID_NOTE)
        confidence = entry.confidence or (tool_info.confidence if tool_info else None)
        granted = level if level not in (None, "none") else None
        if granted is None or entry.tool is None or entry.scope == "none":
            return RouteExplanation(
                method=verb, path=path, template=endpoint.template(best.names), tool=None,
                scope="none", level=None, known=True, confidence=confidence or "medium",
                rule="route",
                basis=entry.basis or "no tool permission needed", matched=entry.path,
                map_source=best.source, deprecated=deprecated, notes=notes,
            )
        scope = self._scope_for(entry, endpoint, notes)
        return RouteExplanation(
            method=verb, path=path, template=endpoint.template(best.names), tool=entry.tool,
            scope=scope, level=granted, known=True, confidence=confidence, rule="route",
            basis=entry.basis or (tool_info.basis if tool_info else ""), matched=entry.path,
            map_source=best.source, tool_confirmed=tool_info.confirmed if tool_info else None,
            deprecated=deprecated, notes=notes,
        )

    def _level_for(
        self, verb: str, entry: RouteEntry, endpoint: Endpoint, names: dict[int, str],
        notes: list[str],
    ) -> str | None:
        if entry.level is not None:
            return entry.level
        kind = _METHOD_KIND[verb]
        tool_levels = self.tools[entry.tool].levels if entry.tool in self.tools else MethodLevels()
        level: str | None = None
        for source in (entry.levels, tool_levels, _DEFAULT_LEVELS):
            level = getattr(source, kind)
            if level is not None:
                break
        if kind != "read" and level is not None and self._touches_admin_segment(entry, endpoint):
            if LEVEL_ORDER[level] < LEVEL_ORDER["admin"]:
                notes.append("writes to settings, configuration or the recycle bin need admin")
            level = "admin"
        return level

    def _touches_admin_segment(self, entry: RouteEntry, endpoint: Endpoint) -> bool:
        below = endpoint.canonical[len(split_template(entry.path)) :]
        return any(not seg.is_param and seg.text in self.admin_segments for seg in below)

    @staticmethod
    def _scope_for(entry: RouteEntry, endpoint: Endpoint, notes: list[str]) -> str:
        if entry.scope in ("company", "project"):
            return entry.scope
        if endpoint.names_project():
            return "project"
        if endpoint.names_company():
            return "company"
        notes.append(
            f"neither path nor query names a project or company; assumed {entry.fallback_scope}"
        )
        return entry.fallback_scope


@lru_cache(maxsize=1)
def _shipped_index() -> OperationIndex:
    return OperationIndex([shipped_catalog()])


def _index_for(catalogs: Sequence[CatalogLayer]) -> OperationIndex:
    """The packaged catalog's index is built once per process (it never changes)."""
    if len(catalogs) == 1 and catalogs[0] is shipped_catalog():
        return _shipped_index()
    return OperationIndex(catalogs)


def _path_names_scope(path: str) -> bool:
    """True when a catalog path itself names a project or a company (``…/projects/{id}/…``)."""
    words = path.split("/")
    return any(
        word in ("projects", "project", "companies") and words[index + 1].startswith("{")
        for index, word in enumerate(words[:-1])
    )


def _request_scope(entry: OperationEntry, endpoint: Endpoint, tool: ToolInfo | None) -> str:
    """The catalog's scope, unless the operation's path names neither a project nor a company
    and the request's query does (``/rest/v1.0/webhooks/hooks?project_id=1``)."""
    if _path_names_scope(entry.path):
        return entry.scope
    wanted = "project" if endpoint.names_project() else (
        "company" if endpoint.names_company() else entry.scope
    )
    if tool is not None and tool.scopes and wanted not in tool.scopes:
        return entry.scope
    return wanted


def _unmapped(verb: str, path: str, endpoint: Endpoint) -> RouteExplanation:
    notes = ["no entry in the permission map; add one in an override file"]
    if endpoint.vapid:
        notes.append(_VAPID_NOTE)
    return RouteExplanation(
        method=verb, path=path, template=endpoint.template(), tool=None, scope="none",
        level=None, known=False, deprecated=endpoint.vapid, notes=notes,
    )


def _match(entry: RouteEntry, request: list[Segment]) -> dict[int, str] | None:
    """Placeholder names by position when ``entry`` matches, else ``None``."""
    pattern = split_template(entry.path)
    if len(request) < len(pattern) or (entry.match == "exact" and len(request) != len(pattern)):
        return None
    names: dict[int, str] = {}
    for position, (want, got) in enumerate(zip(pattern, request, strict=False)):
        if want.is_param:
            if want.name:
                names[position] = want.name
            continue
        if got.is_param:
            return None
        if "*" in want.text:
            if not fnmatch.fnmatchcase(got.text, want.text):
                return None
        elif want.text != got.text:
            return None
    return names


def _score(entry: RouteEntry, layer_index: int) -> tuple[int, ...]:
    """Longer patterns beat shorter, literal words beat wildcards and placeholders, an exact
    entry beats a prefix one, a method-specific entry beats an any-method one, and on a
    full tie the later layer (override) wins."""
    pattern = split_template(entry.path)
    literals = sum(1 for seg in pattern if not seg.is_param and "*" not in seg.text)
    return (
        len(pattern),
        literals,
        1 if entry.match == "exact" else 0,
        1 if entry.methods else 0,
        layer_index,
    )


def build_map(
    override_files: Sequence[Path | str] = (),
    override_entries: Iterable[RouteEntry | dict[str, Any]] | None = None,
    *,
    entries_source: str = "playbook",
    include_user_files: bool = True,
) -> PermissionMap:
    """The map a command uses: shipped data, the user's own files, then given overrides.

    Args:
        override_files: extra override files (``--map FILE``), applied in order.
        override_entries: route entries from a playbook, applied last.
        entries_source: the name those entries are reported under.
        include_user_files: also load the user's config-folder files (see
            :func:`user_map_files`); tests switch it off.
    """
    layers = [shipped_layer()]
    catalogs = [shipped_catalog()]
    files = [*(user_map_files() if include_user_files else []), *map(Path, override_files)]
    for path in files:
        if path.suffix.lower() == ".json":
            catalogs.append(load_catalog_file(path))
        else:
            layers.append(load_map_file(path))
    if override_entries is not None:
        layers.append(entries_layer(override_entries, entries_source))
    return PermissionMap(layers, catalogs)


def user_map_files() -> list[Path]:
    """``permission-map.toml``, ``permission-maps/*.toml`` (route overrides) and
    ``permission-maps/*.json`` (operation catalogs from ``routes import-openapi``) in the
    user's config folder."""
    from dmsa_migrate.paths import config_dir

    folder = config_dir()
    files = [folder / "permission-map.toml"] if (folder / "permission-map.toml").is_file() else []
    extra = folder / "permission-maps"
    if extra.is_dir():
        files.extend(sorted(extra.glob("*.toml")))
        files.extend(sorted(extra.glob("*.json")))
    return files
