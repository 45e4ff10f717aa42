"""Decide what one operation of Procore's API needs, from the operation's own facts.

Used twice with the same rules: by ``scripts/build_permission_map.py`` to build the packaged
operation catalog from the reference data, and by ``routes import-openapi`` to rebuild it
from a newer download of Procore's OpenAPI document.

* **Tool**: a hand-written correction for the operation, else the area (the OAS tag
  ``Category/Module/resource``, then ``Category/Module``) in ``data/attribution.toml``. An
  area may need no tool (identity, the caller's own settings) or be *unknown*, with the
  reason: no tool is ever guessed without saying how sure it is.
* **Level**, from what the operation does and not from its HTTP method (Procore sends some
  reads as POST, e.g. "List Budget Details"): an explicit statement in the description
  ("Requires Directory Admin permissions") wins; else the summary's verb says whether it
  reads, creates, updates or deletes, and the tool's level for that kind of call applies;
  writes to settings, configuration or the recycle bin need admin. Only when the verb is not
  recognised does the HTTP method decide.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from dmsa_migrate.models.permissions import (
    AreaInfo,
    AttributionFile,
    Correction,
    MethodLevels,
    OperationEntry,
    ToolInfo,
)

DEFAULT_LEVELS = MethodLevels(
    read="readonly", create="standard", update="standard", delete="admin"
)
METHOD_KIND = {
    "GET": "read", "HEAD": "read", "OPTIONS": "read", "POST": "create", "PUT": "update",
    "PATCH": "update", "DELETE": "delete",
}
_VERB_KIND: dict[str, str] = {}
for _kind, _words in {
    "read": "list lists index show shows get gets batch-get retrieve retrieves fetch fetches "
            "return validate "
            "returns download export view check search find finds read count preview calculate "
            "review lookup",
    "create": "create creates add adds post upload save send email submit reply respond copy "
              "clone clones duplicate generate generates import initiate grant make draft "
              "setup",
    "update": "update updates edit modify patch put set assign unassign associate disassociate "
              "move reorder restore restoring reactivate activate activation deactivation sync "
              "enable disable approve close "
              "reopen convert deactivate toggle restart terminate merges revoke",
    "delete": "delete deletes remove destroy recycle discard",
}.items():
    for _word in _words.split():
        _VERB_KIND[_word] = _kind

# Phrases that change what the first word would say.
_PHRASE_KIND = (
    (re.compile(r"\b(finds?|gets?|shows?) or creates?\b", re.I), "create"),
    (re.compile(r"\bcreates? or updates?\b", re.I), "update"),
    (re.compile(r"^retrieve recycled\b", re.I), "update"),
    (re.compile(r"\b(exports?|download)\b|\bpdf\b(?! template)", re.I), "read"),
    (re.compile(r"\blist\b.*\bmatching\b|\bsearch\b|^change history\b", re.I), "read"),
)
_SKIP_WORDS = {"bulk", "batch", "a", "an", "the"}
_WRITE_WHEN_SENT_AS_WRITE = {"retrieve", "retrieves", "review"}

# Explicit permission statements in a description: (pattern, level, tool named, note).
_STATEMENTS: tuple[tuple[re.Pattern[str], str, str | None], ...] = (
    (re.compile(r"requires? either company admin or project home admin", re.I), "admin", "home"),
    (re.compile(r"requires? directory admin permission", re.I), "admin", "directory"),
    (re.compile(r"users without admin permissions can", re.I), "standard", None),
    (re.compile(r"requires?\b[^.]{0,60}\badmin permissions?\b", re.I), "admin", None),
    (re.compile(r"requires? project admin permission", re.I), "admin", None),
)
_SUMMARY_ADMIN = re.compile(r"\(admin\)", re.I)
_CONFIG_WORDS = re.compile(r"\b(settings?|configurations?|config)\b", re.I)
_PLACEHOLDER = re.compile(r"\{[^}]*\}")


@dataclass(frozen=True)
class OperationFacts:
    """What Procore's reference says about one operation (the input of the rules)."""

    operation: str
    method: str
    path: str
    summary: str = ""
    tag: str = ""
    description: str = ""
    required: frozenset[str] = frozenset()


def facts_from_reference(row: Mapping[str, Any]) -> OperationFacts:
    """One line of the reference's ``operations.jsonl`` (or a ``catalog.json`` entry)."""
    required = {str(name) for name in row.get("requiredParams", []) or []}
    required |= _required_parameters(row.get("parameters"))
    return OperationFacts(
        operation=str(row.get("operationId", "")), method=str(row.get("method", "")).upper(),
        path=str(row.get("path", "")), summary=str(row.get("summary") or "").strip(),
        tag=str(row.get("tag") or ""), description=str(row.get("description") or ""),
        required=frozenset(required),
    )


def _required_parameters(parameters: Any) -> set[str]:
    if not isinstance(parameters, list):
        return set()
    return {
        str(item.get("name")) for item in parameters
        if isinstance(item, dict) and item.get("required") and item.get("name")
    }


def first_tag(tags: Any) -> str:
    """The operation's first tag; a tag given as a plain string is one tag, not characters."""
    if isinstance(tags, str):
        return tags.strip()
    if isinstance(tags, list):
        for tag in tags:
            if isinstance(tag, str) and tag.strip():
                return tag.strip()
    return ""


class Attribution:
    """The rules of ``attribution.toml`` plus the tools' levels, ready to decide operations."""

    def __init__(
        self, data: AttributionFile, tools: Mapping[str, ToolInfo],
        admin_segments: Iterable[str] = (), extra_areas: Iterable[AreaInfo] = (),
    ) -> None:
        self.reference = data.reference
        self.tools = dict(tools)
        self.areas: dict[str, AreaInfo] = {area.area: area for area in data.areas}
        for area in extra_areas:
            self.areas[area.area] = area
        self._by_module: dict[tuple[str, ...], AreaInfo] = {}
        for name, area in self.areas.items():
            parts = tuple(part.strip() for part in name.split("/"))
            if len(parts) >= 2:
                self._by_module.setdefault(parts[1:], area)
        self.corrections: dict[tuple[str, str], Correction] = {
            (item.method.upper(), item.path): item for item in data.corrections
        }
        self.admin_segments = set(admin_segments)

    def decide(self, facts: OperationFacts) -> OperationEntry:
        """The catalog row for one operation."""
        correction = self.corrections.get((facts.method, facts.path))
        if correction is not None:
            return self._corrected(facts, correction)
        area = self._area(facts.tag)
        if area is None:
            tag = facts.tag or "(untagged)"
            return self._row(facts, None, "unknown", known=False,
                             basis=f"API area {tag!r} is not in the attribution rules")
        if area.unknown:
            return self._row(facts, None, "unknown", basis=area.unknown, known=False)
        if area.tool is None:
            return self._row(facts, None, "no-tool", basis=area.source or "needs no tool "
                             "permission", confidence=area.confidence)
        return self._with_tool(facts, area.tool, area.scope, area.confidence, area.source)

    def _area(self, tag: str) -> AreaInfo | None:
        """The most specific area for a tag; a tag whose category Procore renamed still
        finds its module (``Platform Services/Authentication`` → ``…/Authentication``)."""
        parts = [part.strip() for part in tag.split("/") if part.strip()]
        for length in range(len(parts), 0, -1):
            area = self.areas.get("/".join(parts[:length]))
            if area is not None:
                return area
        for length in range(len(parts), 1, -1):
            area = self._by_module.get(tuple(parts[1:length]))
            if area is not None:
                return area
        return None

    def _corrected(self, facts: OperationFacts, fix: Correction) -> OperationEntry:
        basis = f"correction: {fix.source}"
        if fix.unknown:
            return self._row(facts, None, "unknown", basis=f"{fix.unknown} ({fix.source})",
                             known=False)
        if fix.no_tool or fix.level == "none":
            return self._row(facts, None, "correction", basis=basis,
                             confidence=fix.confidence or "high")
        area = self._area(facts.tag)
        tool = fix.tool or (area.tool if area else None)
        if tool is None:
            return self._row(facts, None, "unknown", basis=f"correction names no tool: "
                             f"{fix.source}", known=False)
        confidence = fix.confidence or (area.confidence if area and not fix.tool else "high")
        entry = self._with_tool(facts, tool, fix.scope, confidence, basis)
        if fix.level is not None:
            entry = entry.model_copy(update={"level": fix.level, "rule": "correction"})
        return entry

    def _with_tool(
        self, facts: OperationFacts, tool: str, scope: str, confidence: str, source: str
    ) -> OperationEntry:
        level, rule, why, named_tool = self._level(facts, tool)
        tool = named_tool or tool
        basis = "; ".join(part for part in (source, why) if part)
        return OperationEntry(
            operation=facts.operation, method=facts.method, path=facts.path,
            summary=facts.summary, tag=facts.tag, tool=tool,
            scope=self._scope(facts, tool, scope), level=level, rule=rule,
            confidence=confidence, basis=basis,
        )

    def _row(
        self, facts: OperationFacts, tool: str | None, rule: str, *, basis: str,
        known: bool = True, confidence: str = "low",
    ) -> OperationEntry:
        return OperationEntry(
            operation=facts.operation, method=facts.method, path=facts.path,
            summary=facts.summary, tag=facts.tag, tool=tool, scope="none", level=None,
            known=known, rule=rule, confidence=confidence, basis=basis,
        )

    def _level(self, facts: OperationFacts, tool: str) -> tuple[str, str, str, str | None]:
        """(level, rule, why, tool named by a statement) for an operation with a tool."""
        for pattern, level, named in _STATEMENTS:
            match = pattern.search(facts.description)
            if match:
                return level, "description", f"the description says {match.group(0)!r}", named
        if _SUMMARY_ADMIN.search(facts.summary):
            return "admin", "summary", "the summary says (Admin)", None
        kind = summary_kind(facts.summary, facts.method)
        rule = "summary"
        if kind is None:
            kind, rule = METHOD_KIND.get(facts.method, "read"), "method"
        article = "an" if kind == "update" else "a"
        why = (f"{facts.summary!r} is {article} {kind}" if rule == "summary"
               else f"summary verb not recognised; {facts.method} is {article} {kind}")
        level = self._kind_level(tool, kind)
        if kind != "read" and level != "admin" and self._is_configuration(facts):
            return "admin", rule, f"{why}; writes to settings or configuration need admin", None
        return level, rule, why, None

    def _kind_level(self, tool: str, kind: str) -> str:
        info = self.tools.get(tool)
        for levels in (info.levels if info else MethodLevels(), DEFAULT_LEVELS):
            level = getattr(levels, kind)
            if level is not None:
                return str(level)
        return "readonly"

    def _is_configuration(self, facts: OperationFacts) -> bool:
        words = {word for word in _PLACEHOLDER.sub("", facts.path).split("/") if word}
        return bool(words & self.admin_segments) or bool(_CONFIG_WORDS.search(facts.summary))

    def _scope(self, facts: OperationFacts, tool: str, hint: str) -> str:
        scope = hint if hint in ("company", "project") else _scope_from_path(facts)
        declared = self.tools[tool].scopes if tool in self.tools else []
        if declared and scope not in declared:
            return declared[0]
        return scope


def summary_kind(summary: str, method: str = "GET") -> str | None:
    """``read``/``create``/``update``/``delete`` from a summary, or ``None`` if unclear.

    "Retrieve" and "Review" sent as a write are not reads: Procore's "Retrieve Equipment"
    (PATCH) restores an item from the recycle bin, "Review Requested Changes" decides them.
    """
    text = summary.strip()
    for pattern, kind in _PHRASE_KIND:
        if pattern.search(text):
            return kind
    for word in re.findall(r"[A-Za-z-]+", text.lower()):
        if word in _SKIP_WORDS:
            continue
        verb_kind = _VERB_KIND.get(word)
        if verb_kind == "read" and word in _WRITE_WHEN_SENT_AS_WRITE and method not in (
            "GET", "HEAD"
        ):
            return "update"
        return verb_kind
    return None


def _scope_from_path(facts: OperationFacts) -> str:
    words = facts.path.split("/")
    for index, word in enumerate(words[:-1]):
        if word in ("projects", "project") and words[index + 1].startswith("{"):
            return "project"
    if "project_id" in facts.required and "company_id" not in facts.required:
        return "project"
    return "company"  # a company path, a company_id query, or "either company_id or project_id"


def decide_all(attribution: Attribution, operations: Iterable[OperationFacts]) -> Iterator[
    OperationEntry
]:
    """Catalog rows in a stable order (path, then method)."""
    for facts in sorted(operations, key=lambda item: (item.path, item.method, item.operation)):
        yield attribution.decide(facts)
