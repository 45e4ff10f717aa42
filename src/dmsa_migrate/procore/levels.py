"""Read Procore's ways of writing a tool permission level into ``none|readonly|standard|admin``.

One reader for every step: the inventory reads the old account's levels and verify the
DMSA's from the same answers, so both must understand them the same way.

Procore writes levels three ways and documents none of the value tables
(procore-api-surface.md 1.7, 1.8): ``settings/permissions`` gives ``user_access_level
{id, name}`` with names like ``Read Only``; a template's ``user_access_levels`` holds
numbers (the one published example is ``{id: 4, name: "Admin"}``). INFERRED: ids 1-4 are
None, Read Only, Standard, Admin, the order of the levels; names win over ids when both
are present.
"""

from __future__ import annotations

from typing import Any

from dmsa_migrate.errors import AnswerError
from dmsa_migrate.models.common import Level

_BY_NAME: dict[str, Level] = {
    "none": "none",
    "readonly": "readonly",
    "read only": "readonly",
    "read_only": "readonly",
    "read-only": "readonly",
    "standard": "standard",
    "admin": "admin",
    "administrator": "admin",
}
_BY_ID: dict[int, Level] = {0: "none", 1: "none", 2: "readonly", 3: "standard", 4: "admin"}


def parse_level(value: Any) -> Level | None:
    """A level from a name, an id or a ``{id, name}`` object; ``None`` when unreadable."""
    if isinstance(value, dict):
        by_name = parse_level(value.get("name"))
        return by_name if by_name is not None else parse_level(value.get("id"))
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return _BY_ID.get(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text.isdigit():
            return _BY_ID.get(int(text))
        return _BY_NAME.get(text)
    return None


def granted(levels: dict[str, Level]) -> dict[str, Level]:
    """Only the tools above ``none``, sorted by key (what outputs and comparisons use)."""
    return {tool: levels[tool] for tool in sorted(levels) if levels[tool] != "none"}


def levels_from_tools(body: Any) -> dict[str, Level]:
    """Tool levels from a ``settings/permissions`` answer (``{"tools": [...]}``)."""
    tools = body.get("tools", []) if isinstance(body, dict) else []
    if not isinstance(tools, list):
        raise AnswerError("GET /rest/v1.0/settings/permissions",
                          "tools is not a list: the levels cannot be read")
    found: dict[str, Level] = {}
    for tool in tools:
        if not isinstance(tool, dict) or not isinstance(tool.get("name"), str):
            continue
        level = parse_level(tool.get("user_access_level"))
        if level is not None:
            found[tool["name"]] = level
    return granted(found)


def levels_from_template(body: Any) -> dict[str, Level]:
    """Tool levels from a permission template's ``user_access_levels``."""
    raw = body.get("user_access_levels") if isinstance(body, dict) else None
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise AnswerError("a permission template",
                          "user_access_levels is not an object: the levels cannot be read")
    found: dict[str, Level] = {}
    for tool, value in raw.items():
        level = parse_level(value)
        if level is not None:
            found[str(tool)] = level
    return granted(found)
