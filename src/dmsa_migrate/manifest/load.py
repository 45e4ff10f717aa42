"""Read and validate manifests written by anyone: this tool, the Developer Portal, old copies.

Why tolerant of extra keys but strict on permissions: a manifest exported from the portal
carries components, ``app_manifest`` and more that do not concern us, but a level we cannot
read would silently change what ``manifest diff`` reports, so it is an error naming the file,
the field and the line.

* v4.x: ``permissions.company`` / ``permissions.project`` at the top level.
* v3.x (legacy): the Permissions Builder wrote into the OAuth component, so permissions are
  read from ``components.oauth.instances[*].permissions`` as well as from the top level.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dmsa_migrate.errors import FileFormatError
from dmsa_migrate.fileio import parse_json, read_text
from dmsa_migrate.models.common import max_level

SCOPES = ("company", "project")
LEVELS = ("none", "readonly", "standard", "admin")


@dataclass
class LoadedManifest:
    """The parts of a manifest a comparison needs."""

    path: str
    schema_version: str
    permissions: dict[str, dict[str, str]] = field(
        default_factory=lambda: {scope: {} for scope in SCOPES}
    )
    raw: dict[str, Any] = field(default_factory=dict)


SUPPORTED_VERSIONS = re.compile(r"4(\.[01])?|3(\.\d)?")
"""Manifest schemas whose permissions this version reads: v4.0/v4.1 (and ``"4"``), v3.x.
Why exact: a ``"4.9"`` or ``"42"`` manifest may place permissions elsewhere, and reading it
as v4.1 would report a wrong comparison instead of an error."""
SUPPORTED_TEXT = "4.1, 4.0 and 3.x"


def load_manifest(path: Path | str) -> LoadedManifest:
    """Read a v4.x or v3.x manifest file; errors name the file, the field and the line."""
    source = str(path)
    text = read_text(path)
    return parse_manifest(text, source)


def parse_manifest(text: str, source: str) -> LoadedManifest:
    """Parse manifest JSON text (see :func:`load_manifest`)."""
    data = parse_json(text, source)
    if not isinstance(data, dict):
        raise FileFormatError(source, "expected a JSON object (an app manifest)")
    version = data.get("schema_version")
    if version is None:
        raise FileFormatError(source, "schema_version: missing (expected \"4.1\" or \"3.x\")")
    version = str(version)
    if not SUPPORTED_VERSIONS.fullmatch(version):
        raise FileFormatError(
            source,
            f"schema_version: unsupported {json.dumps(version[:40])} (this dmsa-migrate "
            f"reads {SUPPORTED_TEXT})",
            _line_of(text, r'"schema_version"'),
        )
    loaded = LoadedManifest(source, version, raw=data)
    _read_permissions(loaded, data.get("permissions"), "permissions", text)
    if version.startswith("3"):
        for where, block in _v3_component_permissions(data):
            _read_permissions(loaded, block, where, text)
    return loaded


def _v3_component_permissions(data: dict[str, Any]) -> list[tuple[str, Any]]:
    components = data.get("components")
    if not isinstance(components, dict):
        return []
    oauth = components.get("oauth")
    instances = oauth.get("instances") if isinstance(oauth, dict) else None
    if not isinstance(instances, list):
        return []
    return [
        (f"components.oauth.instances[{index}].permissions", instance["permissions"])
        for index, instance in enumerate(instances)
        if isinstance(instance, dict) and "permissions" in instance
    ]


def _read_permissions(loaded: LoadedManifest, block: Any, where: str, text: str) -> None:
    if block is None:
        return
    if not isinstance(block, dict):
        raise FileFormatError(
            loaded.path, f"{where}: expected an object", _line_of(text, r'"permissions"')
        )
    for scope, tools in block.items():
        if scope not in SCOPES:
            raise FileFormatError(
                loaded.path, f"{where}.{scope}: unknown scope (expected company or project)",
                _line_of(text, rf'"{re.escape(scope)}"\s*:'),
            )
        if not isinstance(tools, dict):
            raise FileFormatError(
                loaded.path, f"{where}.{scope}: expected an object of tool → level"
            )
        for tool, level in tools.items():
            _add_level(loaded, scope, str(tool), level, f"{where}.{scope}.{tool}", text)


def _add_level(
    loaded: LoadedManifest, scope: str, tool: str, level: Any, field_name: str, text: str
) -> None:
    normal = level.strip().lower() if isinstance(level, str) else level
    if normal not in LEVELS:
        raise FileFormatError(
            loaded.path,
            f"{field_name}: unknown level {level!r} (expected readonly, standard or admin)",
            _line_of(text, rf'"{re.escape(tool)}"\s*:'),
        )
    if normal == "none":
        return
    current = loaded.permissions[scope].get(tool, "none")
    loaded.permissions[scope][tool] = max_level(current, normal)


def _line_of(text: str, pattern: str) -> int | None:
    match = re.search(pattern, text)
    return text.count("\n", 0, match.start()) + 1 if match else None
