"""Plausible JSON values built from an OpenAPI response schema.

Why: Procore documents far more fields than a world models (a project has an address, a
stage, a creation time, …). A client written against the documentation reads those fields,
so the emulator must send them. The modelled fields come from the world; every other
documented field gets a value built here from its schema: the right JSON type, and a value
a reader would accept (an ISO time for ``date-time``, an email address for ``email``
fields, the first value of an enum, a positive id), deterministic so answers are stable.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

MAX_DEPTH = 6
"""Nested objects deeper than this become ``{}``: bodies stay small, recursion bounded."""


@dataclass(frozen=True)
class Hints:
    """What a sample may take from the request: the clock and the ids in the path."""

    now: float = 0.0
    ids: Mapping[str, int | str] = field(default_factory=dict)


def _stable_int(name: str, low: int = 1, span: int = 900_000) -> int:
    return low + zlib.crc32(name.encode("utf-8")) % span


def _iso(now: float) -> str:
    return dt.datetime.fromtimestamp(now, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _string(name: str, schema: Mapping[str, Any], hints: Hints) -> str:
    fmt = schema.get("format")
    lowered = name.lower()
    if fmt == "date-time" or lowered.endswith("_at"):
        return _iso(hints.now)
    if fmt == "date" or lowered.endswith("_date"):
        return _iso(hints.now)[:10]
    if fmt in ("float", "decimal", "double"):
        return "0.0"
    if "email" in lowered or lowered == "login":
        return "user@example.com"
    if lowered.endswith("url") or fmt == "uri":
        return f"https://app.procore.com/{lowered or 'item'}"
    if lowered.endswith("_code") and "country" in lowered:
        return "US"
    if lowered.endswith("_code") and "state" in lowered:
        return "CA"
    if lowered in ("zip", "zip_code", "postal_code"):
        return "94105"
    if "phone" in lowered or lowered == "fax" or "fax_number" in lowered:
        return "+1 555 0100"
    if lowered in ("time_zone", "tz_name"):
        return "US/Pacific"
    if lowered.endswith("_id") or lowered == "id":
        return str(_stable_int(lowered))
    words = lowered.replace("_", " ").strip() or "value"
    return f"Sample {words}"


def _integer(name: str, hints: Hints) -> int:
    known = hints.ids.get(name)
    if isinstance(known, int):
        return known
    return _stable_int(name or "id")


def sample(schema: Any, name: str = "", hints: Hints | None = None, depth: int = 0) -> Any:
    """A value shaped by ``schema``; ``name`` is the field it fills (it picks the flavour)."""
    hints = hints or Hints()
    if not isinstance(schema, Mapping):
        return None
    enum = [value for value in schema.get("enum") or [] if value is not None]
    if enum:
        return enum[0]
    kind = schema.get("type")
    if kind == "array":
        if depth >= MAX_DEPTH:
            return []
        item = sample(schema.get("items") or {}, name, hints, depth + 1)
        return [] if item is None else [item]
    if kind == "object" or "properties" in schema:
        return sample_object(schema, hints, depth)
    if kind == "integer":
        return _integer(name, hints)
    if kind == "number":
        return 1.0
    if kind == "boolean":
        return False
    if kind == "string":
        return _string(name, schema, hints)
    return None


def sample_object(schema: Mapping[str, Any], hints: Hints, depth: int = 0) -> dict[str, Any]:
    """Every documented property of an object schema (placeholder names like
    ``custom_field_%{id}`` are templates, not fields, and are left out)."""
    if depth >= MAX_DEPTH:
        return {}
    properties = schema.get("properties") or {}
    return {
        key: sample(sub, key, hints, depth + 1)
        for key, sub in properties.items()
        if "%{" not in key
    }


def item_schema(schema: Any) -> Mapping[str, Any] | None:
    """The schema of one element of a list answer (or the object itself)."""
    if not isinstance(schema, Mapping):
        return None
    if schema.get("type") == "array":
        items = schema.get("items")
        return items if isinstance(items, Mapping) else None
    return schema


def documented_defaults(schema: Any, hints: Hints | None = None) -> dict[str, Any]:
    """Sample values of every documented field of one answer item (``{}`` if none are)."""
    item = item_schema(schema)
    if item is None or not item.get("properties"):
        return {}
    return sample_object(item, hints or Hints())
