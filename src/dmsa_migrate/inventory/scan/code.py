"""Endpoints of a whole parsed tree: every HTTP call site, resolved through the code.

:func:`parse_file` turns one file into :class:`~.syntax.FileFacts`; :func:`find_code_endpoints`
reads all of them together (constants and wrappers cross files), and returns, per call site,
the endpoints it reaches with how each was found and a confidence, plus the call sites that
look Procore-bound but could not be resolved (the blind spots).

Relative paths (``/projects/{id}/rfis`` under a base the code adds elsewhere) count only
when their first word is one of Procore's API roots and the tree defines a ``/rest/vX``
base (or the call names a version, like ``versionPath: "v1.1"``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from dmsa_migrate.inventory.scan.calls import (
    UNKNOWN,
    CallReader,
    Target,
    call_context,
    library_call,
    structural,
    url_like,
    wraps_request,
)
from dmsa_migrate.inventory.scan.index import Index
from dmsa_migrate.inventory.scan.languages import parser_for
from dmsa_migrate.inventory.scan.resolve import Resolver
from dmsa_migrate.inventory.scan.syntax import Call, FileFacts, collect, text_of
from dmsa_migrate.inventory.scan.values import PathShape, path_shape

_PREFIX = re.compile(r"^(?:https?://[\w.\-]*procore\.com)?/?rest/(v\d+(?:\.\d+)?)/?$", re.I)
_NOT_API = re.compile(r"^https?://(?:login[\w.\-]*\.procore\.com|[^/]*procore\.com/oauth)", re.I)
_OTHER_HOST = re.compile(r"^https?://(?P<host>[^/\s\x00]+)", re.I)
_ANY_HOST = re.compile(r"^https?://([\w.\-]+)", re.I)
_NOT_APIS = re.compile(
    r"(?:procore\.com|localhost|127\.0\.0\.1|example\.(?:com|org)|w3\.org|schemas\.|"
    r"json-schema\.org|github\.com|googleapis\.com/auth)$|\.procore\.com$", re.I
)


def _is_other_host(host: str) -> bool:
    """A host the integration may call besides Procore (an ERP, a data warehouse …)."""
    return "." in host and not _NOT_APIS.search(host)


@dataclass
class CodeEndpoint:
    """One endpoint a call site reaches."""

    method: str
    method_from: str
    path: str
    found_by: str
    confidence: str
    file: str
    line: int
    via: list[str]
    test: bool


@dataclass
class BlindSpotRaw:
    """An HTTP call site that looks Procore-bound but whose path could not be resolved."""

    file: str
    line: int
    call: str
    reason: str
    test: bool


@dataclass
class CodeScan:
    """What :func:`find_code_endpoints` found."""

    endpoints: list[CodeEndpoint] = field(default_factory=list)
    blind_spots: list[BlindSpotRaw] = field(default_factory=list)
    call_sites: int = 0
    resolved: int = 0


def parse_file(index: int, relative: str, language: str, text: str, test: bool
               ) -> FileFacts | None:
    """The facts of one file, or None when its grammar is missing."""
    parser = parser_for(language)
    if parser is None:
        return None
    tree = parser.parse(text.encode("utf-8", "replace"))
    facts = collect(index, relative, language, test, tree.root_node)
    lowered = text.lower()
    facts.procore = "procore" in lowered or "rest/v" in lowered
    return facts


def tree_version(files: list[FileFacts]) -> str | None:
    """The ``/rest/vX`` base the tree defines (the most used one), if any. A version given
    as one call's option (``versionPath: "/rest/v1.1"``) is that call's, not the default."""
    counts: Counter[str] = Counter()
    for facts in files:
        if facts.test:
            continue
        for literal in facts.literals:
            match = _PREFIX.match(literal.strip())
            if match:
                counts[match.group(1)] += 1
        for call in facts.calls:
            for key, node in call.keywords.items():
                match = _PREFIX.match(text_of(node).strip("\"'` "))
                if "version" in key.lower() and match and counts[match.group(1)] > 0:
                    counts[match.group(1)] -= 1
    counts = +counts
    return counts.most_common(1)[0][0] if counts else _sdk_default_version(files)


def _sdk_default_version(files: list[FileFacts]) -> str | None:
    """The version Procore's Ruby SDK puts before relative paths, when the tree uses it.

    ``Procore::Client.new(...)`` sends ``client.get("projects/1/rfis")`` to
    ``<host>/rest/<default_version>/projects/1/rfis``, ``v1.0`` unless the client is made
    with another ``default_version:`` (the gem's ``Requestable`` and its configuration).
    """
    for facts in files:
        if facts.test:
            continue
        for call in facts.calls:
            if call.name == "new" and call.receiver.replace(" ", "").endswith("Procore::Client"):
                given = call.keywords.get("default_version")
                version = text_of(given).strip("\"' ") if given is not None else "v1.0"
                return version if re.fullmatch(r"v\d+(?:\.\d+)?", version) else "v1.0"
    return None


class _Reader:
    def __init__(self, files: list[FileFacts], roots: set[str],
                 operations: Mapping[str, tuple[str, str]]) -> None:
        self.files = files
        self.roots = roots
        self.operations = operations
        self.resolver = Resolver(Index(files))
        self.calls = CallReader(self.resolver)
        self.version = tree_version(files)
        self.procore_tree = any(f.procore for f in files)
        self.other_hosts = sorted({
            match.group(1).lower() for f in files if not f.test for literal in f.literals
            if (match := _ANY_HOST.match(literal.strip())) and _is_other_host(match.group(1))
        })
        self.result = CodeScan()

    def run(self) -> CodeScan:
        for facts in self.files:
            for call in facts.calls:
                try:
                    self._call(facts, call)
                except RecursionError:  # scanned code is untrusted: a pathological nesting
                    self.result.blind_spots.append(BlindSpotRaw(
                        facts.path, call.line, " ".join(call.callee.split())[:80],
                        "too deeply nested to follow", facts.test))
        return self.result

    def _call(self, facts: FileFacts, call: Call) -> None:
        if self._generated_operation(facts, call):
            return
        ctx = call_context(facts, call, self.calls)
        if not library_call(call) and not self.calls.wrappers_for(call, ctx):
            return
        if wraps_request(call, facts, self.resolver.index):
            return
        self.calls.start_site()
        targets = self.calls.targets(call, ctx)
        if self._leaves_procore(targets):
            return
        found, reason = self._endpoints(facts, call, targets)
        if not found and any(structural(target) for target in targets):
            return  # a wrapper's own call whose path its callers give: they are the sites
        if not found and reason is None and not url_like(call):
            return
        if not found and reason is None and not (facts.procore or self.procore_tree):
            return
        if not found and not self._procore_bound(facts, targets):
            return
        if found:
            self.result.endpoints.extend(found)
        if facts.test:
            return  # tests are evidence apart: not the integration's call sites
        self.result.call_sites += 1
        if found:
            self.result.resolved += 1
            return
        self.result.blind_spots.append(BlindSpotRaw(
            facts.path, call.line, " ".join(call.callee.split())[:80],
            reason or _unresolved_reason(targets), facts.test,
        ))

    def _generated_operation(self, facts: FileFacts, call: Call) -> bool:
        """A call of a generated client's method (``api.rest_v10_projects_get(…)``): its
        name says the operation, whatever the arguments are."""
        if not call.receiver or not call.name.lower().startswith(("rest", "vapid")):
            return False
        key = operation_key(call.name)
        operation = self.operations.get(key)
        if operation is None:
            if not _GENERATED_NAME.fullmatch(key):
                return False
            if not facts.test:  # named like one, but the map has no such operation
                self.result.call_sites += 1
                self.result.blind_spots.append(BlindSpotRaw(
                    facts.path, call.line, " ".join(call.callee.split())[:80],
                    "a generated client's method that names no operation of Procore's "
                    "OpenAPI document the map holds", facts.test))
            return True
        method, path = operation
        self.result.endpoints.append(CodeEndpoint(
            method, "operation name", path, "operation-name", "high", facts.path, call.line,
            [], facts.test))
        if not facts.test:
            self.result.call_sites += 1
            self.result.resolved += 1
        return True

    def _procore_bound(self, facts: FileFacts, targets: list[Target]) -> bool:
        if facts.procore:
            return True
        return any(
            shape is not None and shape.path.split("/")[1] in self.roots
            for shape in (path_shape(t.alt, self.version or "v1.0") for t in targets)
        )

    @staticmethod
    def _leaves_procore(targets: list[Target]) -> bool:
        """Every alternative is another host or a login/OAuth URL: not an API call."""
        if not targets:
            return False
        for target in targets:
            text = "".join(p if isinstance(p, str) else "\x00" for p in target.alt.parts)
            host = _OTHER_HOST.match(text)
            if _NOT_API.match(text):
                continue
            if host is None or "procore" in host["host"].lower() or "\x00" in host["host"]:
                return False
        return True

    def _endpoints(self, facts: FileFacts, call: Call, targets: list[Target]
                   ) -> tuple[list[CodeEndpoint], str | None]:
        found: dict[tuple[str, str, str, int], CodeEndpoint] = {}
        reason: str | None = None
        shapes = [(t, path_shape(t.alt, t.version or self.version or "v1.0")) for t in targets]
        shapes.sort(key=lambda pair: pair[1] is not None and pair[1].relative)  # absolute first
        for target, shape in shapes:
            if shape is None:
                continue
            path = self._absolute(shape, target)
            if path is None:
                if shape.relative and shape.path.split("/")[1] in self.roots:
                    reason = (
                        f"relative path after {shape.base}, and the tree also calls "
                        f"{', '.join(self.other_hosts[:3])}: which host is not known"
                        if shape.base and (self.version or target.version)
                        else "relative path; no /rest/vX base found in the tree"
                    )
                continue
            endpoint = self._endpoint(facts, call, target, shape, path)
            key = (endpoint.method, endpoint.path, endpoint.file, endpoint.line)
            found.setdefault(key, endpoint)
        return list(found.values()), reason

    def _absolute(self, shape: PathShape, target: Target) -> str | None:
        if not shape.relative:
            return shape.path
        first = shape.path.split("/")[1]
        version = target.version or self.version
        if first not in self.roots or version is None:
            return None
        if shape.base is not None and "procore" not in shape.base.lower() and self.other_hosts:
            return None  # an unknown base in a tree that also calls other hosts: not ours
        return f"/rest/{version}{shape.path}"

    def _endpoint(self, facts: FileFacts, call: Call, target: Target, shape: PathShape,
                  path: str) -> CodeEndpoint:
        alt = target.alt
        method, method_from = target.method, target.method_from
        file, line = facts.path, call.line
        via = [f"{self.files[f].path}:{n}" for f, n in alt.via if (f, n) != (facts.index, line)]
        if alt.anchor is not None:
            if method == UNKNOWN:
                verb = self.calls.anchor_verb(alt.anchor)
                if verb is not None:
                    method, method_from = verb, f"class {alt.anchor.cls}"
            file, line = self.files[alt.anchor.file].path, alt.anchor.line
            via = [f"{facts.path}:{call.line}", *via]
        found_by = _found_by(alt.how, shape.relative, alt.anchor is not None)
        confidence = _confidence(found_by, method)
        if shape.base is not None and confidence == "medium":
            confidence = "low"  # the base before the relative path was not resolved
        return CodeEndpoint(method, method_from, path, found_by, confidence, file, line,
                            via[:6], facts.test)


def _unresolved_reason(targets: list[Target]) -> str:
    for target in targets:
        parts = target.alt.parts
        if parts and not isinstance(parts[0], str):
            return f"the URL starts with a value the code computes ({parts[0].name})"
    return "no Procore path could be resolved from the call's arguments"


def _found_by(how: frozenset[str], relative: bool, anchored: bool) -> str:
    if anchored:
        return "class-member"
    if relative:
        return "base+relative"
    if "wrapper" in how:
        return "wrapper"
    if "constant" in how or "builder" in how:
        return "constant"
    return "literal"


def _confidence(found_by: str, method: str) -> str:
    if method == UNKNOWN:
        return "low"
    if found_by in ("literal", "constant"):
        return "high"
    if found_by == "wrapper":
        return "high"
    return "medium"


def find_code_endpoints(
    files: list[FileFacts], roots: set[str],
    operations: Mapping[str, tuple[str, str]] | None = None,
) -> CodeScan:
    """Endpoints and blind spots of every parsed file, read together.

    ``operations``: :func:`operation_key` of each of Procore's operations → its
    ``(method, path)``, for clients generated from Procore's OpenAPI document.
    """
    return _Reader(files, roots, operations or {}).run()


_GENERATED_SUFFIXES = ("withhttpinfo", "withoutpreloadcontent", "async", "raw")
_GENERATED_NAME = re.compile(r"(?:restv\d+|vapid)[a-z0-9]*(?:get|post|put|patch|delete)")
"""The key of a method named like a generated operation (``rest_v10_…_get``)."""


def operation_key(name: str) -> str:
    """A generated method's name as a key: ``rest_v10_projects_id_get``,
    ``restV10ProjectsIdGet``, ``RestV10ProjectsIdGetAsync`` and the OpenAPI operation
    ``RestV10ProjectsIdGet`` all give ``restv10projectsidget``.

    Why: openapi-generator names each method after the operation id (Procore's are the
    path and method run together), in the casing of the target language, with suffixes of
    its own for the variants (``_with_http_info``, ``Async``).
    """
    key = re.sub(r"[^a-z0-9]", "", name.lower())
    for suffix in _GENERATED_SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix):
            return key[: -len(suffix)]
    return key


__all__ = ["CodeScan", "find_code_endpoints", "parse_file"]
