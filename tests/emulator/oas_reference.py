"""Procore's OpenAPI extract read straight from the shared reference, for the shape tests.

Deliberately independent of the emulator's packaged copy: the tests compare the emulator's
answers with the reference file itself. ``shared/`` sits beside the repository (``../shared``
from the repository root, in a worktree and in CI alike); tests skip with that reason when
it is absent.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
OPERATIONS = REPO_ROOT.parent / "shared" / "reference" / "procore-oas" / "operations.jsonl"
TYPES: dict[str, tuple[type, ...]] = {
    "integer": (int,),
    "number": (int, float),
    "string": (str,),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
}


def require_reference() -> Path:
    if not OPERATIONS.is_file():
        pytest.skip(f"Procore's OAS extract is not at {OPERATIONS} (shared/ beside the repo)")
    return OPERATIONS


@cache
def operations() -> list[dict[str, Any]]:
    lines = require_reference().read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def find(method: str, path: str) -> dict[str, Any]:
    """The documented operation for a concrete path (literal segments beat placeholders)."""
    candidates = []
    for op in operations():
        if op["method"].upper() != method.upper():
            continue
        regex = re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(op["path"]))
        if re.fullmatch(regex, path):
            candidates.append(op)
    assert candidates, f"{method} {path} is not in Procore's OAS"
    return min(candidates, key=lambda op: op["path"].count("{"))


def success_status(op: dict[str, Any]) -> int:
    return min((int(s) for s in op["responses"] if s.startswith("2")), default=200)


def success_schema(op: dict[str, Any]) -> Any:
    for status in sorted(s for s in op["responses"] if s.startswith("2")):
        return op["responses"][status].get("schema")
    return None


NESTED_MARKER = "(nested object)"
"""The extract flattens schemas nested too deep into ``{"type": "object", "description":
"(nested object)"}``: the real type is unknown there (``user_access_level.id`` is an
integer in Procore's published example), so such a node only asks for the field."""


def _wrong_type(value: Any, schema: dict[str, Any]) -> bool:
    if schema.get("description") == NESTED_MARKER:
        return False
    kind = schema.get("type")
    if kind not in TYPES or value is None:
        return False
    if isinstance(value, bool) and kind in ("integer", "number"):
        return True
    return not isinstance(value, TYPES[kind])


def _implausible(value: Any, name: str, schema: dict[str, Any]) -> str | None:
    if schema.get("format") == "date-time" and isinstance(value, str):
        try:
            dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return f"{value!r} is not an ISO 8601 time"
    if name == "id" and isinstance(value, int) and value <= 0:
        return f"id {value} is not positive"
    enum = [v for v in schema.get("enum") or [] if v is not None]
    if enum and value is not None and value not in enum:
        return f"{value!r} is not one of {enum}"
    return None


def problems(value: Any, schema: Any, where: str = "$") -> list[str]:
    """Every documented field missing, of the wrong type or implausible, as ``path: what``."""
    if not isinstance(schema, dict) or value is None:
        return []
    if _wrong_type(value, schema):
        return [f"{where}: {type(value).__name__} where the OAS documents {schema['type']}"]
    found: list[str] = []
    if isinstance(value, list):
        for index, item in enumerate(value[:3]):
            found += problems(item, schema.get("items") or {}, f"{where}[{index}]")
        return found
    properties = schema.get("properties") or {}
    if not isinstance(value, dict):
        return found
    for name, sub in properties.items():
        if "%{" in name:
            continue  # a template of field names (custom fields), not a field
        if name not in value:
            found.append(f"{where}.{name}: documented, missing")
            continue
        bad = _implausible(value[name], name, sub if isinstance(sub, dict) else {})
        if bad:
            found.append(f"{where}.{name}: {bad}")
        found += problems(value[name], sub, f"{where}.{name}")
    return found
