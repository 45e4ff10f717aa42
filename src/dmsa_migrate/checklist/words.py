"""Procore's own words: tool names, level names and click paths, read from shipped data.

Why data and not code: Procore renames tools and moves menus; the names live in
``checklist/data/procore_ui.toml`` with the source of each, so a consultant (or a test)
can see where a word comes from and which ones are inferred. A tool the file does not
name falls back to the permission map's label and is marked inferred, and a key with no
label at all becomes words ("daily_log" → "Daily Log"), never the raw key.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

DATA_FILE = "data/procore_ui.toml"


@dataclass(frozen=True)
class Place:
    """Where in Procore an action is done: the click path, with its source."""

    id: str
    text: str
    source: str
    inferred: bool


@dataclass(frozen=True)
class ToolName:
    """How Procore names a tool in its UI, with the source of the name."""

    key: str
    name: str
    source: str
    inferred: bool


@cache
def _data() -> dict[str, Any]:
    text = resources.files("dmsa_migrate.checklist").joinpath(DATA_FILE).read_text("utf-8")
    return tomllib.loads(text)


@cache
def _map_labels() -> dict[str, str]:
    """Labels of the permission map's tools (the fallback for tools the data leaves out)."""
    from dmsa_migrate.permissions.map import shipped_layer

    return {tool.key: tool.label for tool in shipped_layer().data.tools if tool.label}


def _words_of(key: str) -> str:
    return " ".join(part.capitalize() for part in key.replace("-", "_").split("_") if part)


def tool(key: str) -> ToolName:
    """Procore's name of a tool key (``submittal_logs`` → Submittals)."""
    entry = _data()["tools"].get(key)
    if entry is not None:
        return ToolName(key, entry["name"], entry["source"], bool(entry.get("inferred")))
    label = _map_labels().get(key)
    if label:
        return ToolName(key, label, "permission map label", True)
    return ToolName(key, _words_of(key), "words of the tool key", True)


def tool_name(key: str) -> str:
    """Just the name (see :func:`tool`)."""
    return tool(key).name


def level_name(level: str) -> str:
    """``readonly`` → Read-only, as the Permissions Builder spells the levels."""
    return str(_data()["levels"].get(level, _words_of(level)))


def known_tool_keys() -> set[str]:
    """Every tool key the data or the permission map knows (what exports must not show)."""
    return set(_data()["tools"]) | set(_map_labels())


def place(place_id: str, *, app: str = "", user: str = "") -> Place:
    """The click path of a place, with the app's and the user's names filled in."""
    entry = _data()["places"][place_id]
    steps = [
        step.replace("{app}", app or "the app").replace("{user}", user or "the app's user")
        for step in entry["path"]
    ]
    return Place(place_id, " > ".join(steps), entry["source"], bool(entry.get("inferred")))


def place_ids() -> list[str]:
    """Every place the data defines."""
    return sorted(_data()["places"])
