"""Build an operation catalog: from Procore's reference data (the packaged catalog) or from
Procore's combined OpenAPI document (``routes import-openapi``), with the same rules.

The reference folder holds ``operations.jsonl`` (one operation a line: method, path,
summary, tag ``Category/Module/resource``, description, parameters). An OpenAPI document
holds the same facts under ``paths``; :func:`facts_from_openapi` reads the real combined
document and small hand-made ones alike.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from importlib import resources
from pathlib import Path
from typing import Any

from dmsa_migrate.errors import FileFormatError
from dmsa_migrate.fileio import read_text
from dmsa_migrate.models.common import validate_toml
from dmsa_migrate.models.permissions import (
    AreaInfo,
    AttributionFile,
    OperationCatalog,
    ReferenceInfo,
)
from dmsa_migrate.permissions.derive import (
    Attribution,
    OperationFacts,
    decide_all,
    facts_from_reference,
    first_tag,
)
from dmsa_migrate.permissions.map import shipped_layer

ATTRIBUTION_RESOURCE = "data/attribution.toml"
BUILD_SCRIPT = "scripts/build_permission_map.py"
_OPERATION_METHODS = ("get", "post", "put", "patch", "delete", "head", "options")
_MAX_LINE = 1024 * 1024


def shipped_attribution_file() -> AttributionFile:
    """The packaged ``attribution.toml``, validated."""
    text = resources.files("dmsa_migrate.permissions").joinpath(ATTRIBUTION_RESOURCE)
    return validate_toml(AttributionFile, text.read_text("utf-8"), "attribution.toml")


def shipped_attribution(extra_areas: Iterable[AreaInfo] = ()) -> Attribution:
    """The packaged rules with the shipped map's tools and admin words."""
    layer = shipped_layer()
    tools = {tool.key: tool for tool in layer.data.tools}
    data = shipped_attribution_file()
    _check_tools(data, tools)
    return Attribution(data, tools, layer.data.map.admin_segments, extra_areas)


def _check_tools(data: AttributionFile, tools: dict[str, Any]) -> None:
    """A rule naming an undeclared tool key is a typo, not a new tool."""
    named = [(f"areas[{i}]", area.tool) for i, area in enumerate(data.areas)]
    named += [(f"corrections[{i}]", fix.tool) for i, fix in enumerate(data.corrections)]
    for where, tool in named:
        if tool is not None and tool not in tools:
            raise FileFormatError("attribution.toml", f"{where}.tool: unknown tool key {tool!r}")


def read_reference(folder: Path) -> list[OperationFacts]:
    """Every operation of the reference folder's ``operations.jsonl``."""
    path = folder / "operations.jsonl"
    facts: list[OperationFacts] = []
    for number, line in enumerate(read_text(path).splitlines(), start=1):
        if not line.strip():
            continue
        if len(line) > _MAX_LINE:
            raise FileFormatError(f"{path}:{number}", "line too long")
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise FileFormatError(f"{path}:{number}", f"not JSON ({exc.msg})") from exc
        if not isinstance(row, dict):
            raise FileFormatError(f"{path}:{number}", "expected an object")
        facts.append(facts_from_reference(row))
    return facts


def facts_from_openapi(document: Any, source: str) -> Iterator[OperationFacts]:
    """The operations of an OpenAPI document (Procore's combined one or a small one).

    Raises:
        FileFormatError: the document has no ``paths`` object, or a path item is not one.
    """
    if not isinstance(document, dict) or not isinstance(document.get("paths"), dict):
        raise FileFormatError(source, "paths: missing (not an OpenAPI document)")
    for raw_path, item in document["paths"].items():
        if not isinstance(item, dict):
            raise FileFormatError(source, f"paths.{raw_path}: expected an object")
        for method in _OPERATION_METHODS:
            operation = item.get(method)
            if not isinstance(operation, dict):
                continue
            parameters = [
                _resolve(document, parameter)
                for parameter in (*_list(item.get("parameters")),
                                  *_list(operation.get("parameters")))
            ]
            yield facts_from_reference({
                "operationId": operation.get("operationId") or f"{method.upper()} {raw_path}",
                "method": method.upper(),
                "path": str(raw_path),
                "summary": operation.get("summary") or "",
                "tag": first_tag(operation.get("tags")),
                "description": operation.get("description") or "",
                "parameters": parameters,
            })


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _resolve(document: dict[str, Any], parameter: Any) -> Any:
    """A ``{"$ref": "#/components/parameters/X"}`` parameter, looked up in the document."""
    if not isinstance(parameter, dict) or not isinstance(parameter.get("$ref"), str):
        return parameter
    node: Any = document
    for part in parameter["$ref"].removeprefix("#/").split("/"):
        node = node.get(part) if isinstance(node, dict) else None
    return node if isinstance(node, dict) else parameter


def build_catalog(
    operations: Iterable[OperationFacts], reference: ReferenceInfo, *,
    generated_by: str, attribution: Attribution | None = None,
) -> OperationCatalog:
    """The catalog of these operations under the packaged (or given) rules."""
    rules = attribution or shipped_attribution()
    facts = list(operations)
    _check_corrections_apply(rules, facts, strict=attribution is None and bool(facts))
    return OperationCatalog(
        reference=reference, generated_by=generated_by,
        operations=list(decide_all(rules, _unique(facts))),
    )


def _unique(facts: list[OperationFacts]) -> list[OperationFacts]:
    seen: dict[tuple[str, str], OperationFacts] = {}
    for item in facts:
        seen.setdefault((item.method, item.path), item)
    return list(seen.values())


def _check_corrections_apply(
    rules: Attribution, facts: list[OperationFacts], *, strict: bool
) -> None:
    """A correction for an operation the reference no longer has is stale: say so."""
    if not strict:
        return
    known = {(item.method, item.path) for item in facts}
    stale = sorted(key for key in rules.corrections if key not in known)
    if stale and len(known) > 1000:
        method, path = stale[0]
        raise FileFormatError(
            "attribution.toml", f"correction for {method} {path}: no such operation in the "
            "reference (remove it or fix the path)",
        )


def build_from_reference(folder: Path) -> OperationCatalog:
    """The packaged catalog, as the build script makes it from the reference folder."""
    data = shipped_attribution_file()
    return build_catalog(read_reference(folder), data.reference, generated_by=BUILD_SCRIPT)


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell (reference summaries are untrusted text)."""
    cleaned = " ".join(text.split())
    for char in ("\\", "|", "`", "*", "_", "<", ">", "[", "]"):
        cleaned = cleaned.replace(char, "\\" + char)
    return cleaned


def operations_markdown(catalog: OperationCatalog) -> str:
    """docs/permission-map-operations.md: every operation's summary beside its tool and level."""
    by_module: dict[str, list[Any]] = {}
    for entry in catalog.operations:
        parts = [part for part in entry.tag.split("/") if part]
        by_module.setdefault("/".join(parts[:2]) or "(untagged)", []).append(entry)
    lines = [
        "# Every operation of Procore's API and what it needs",
        "",
        "Generated by `scripts/build_permission_map.py` from Procore's API reference of "
        f"{catalog.reference.date} ({_cell(catalog.reference.source)}); do not edit by hand.",
        "How the answers are made: [permission-map.md](permission-map.md). `rule` says what "
        "decided the level; *unknown* rows say why no tool is named.",
        "",
    ]
    for module in sorted(by_module):
        lines += [f"## {_cell(module)}", "",
                  "| summary | method | path | tool | scope | level | rule |",
                  "| --- | --- | --- | --- | --- | --- | --- |"]
        for entry in sorted(by_module[module], key=lambda e: (e.path, e.method)):
            tool = entry.tool or ("no tool permission" if entry.known else "unknown")
            lines.append(
                f"| {_cell(entry.summary)} | {entry.method} | `{entry.path}` | {tool} | "
                f"{entry.scope} | {entry.level or '-'} | {entry.rule} |"
            )
        lines.append("")
    return "\n".join(lines)
