"""Read the step outputs a checklist is built from; every error names the file and field.

Inventory and verification files are read by :mod:`dmsa_migrate.artifacts` (shared with
the other commands); the manifest by :mod:`dmsa_migrate.manifest.load`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dmsa_migrate.artifacts import load_inventory, load_verification

__all__ = ["load_inventory", "load_manifest_permissions", "load_verification"]


def load_manifest_permissions(path: Path | str) -> dict[str, Any]:
    """The parts of a manifest the checklist facts read (v4.x or legacy v3.x).

    Returns a plain dict with ``permissions`` and ``post_installation_instruction``.
    """
    from dmsa_migrate.manifest.load import load_manifest

    loaded = load_manifest(path)
    return {
        "permissions": loaded.permissions,
        "post_installation_instruction": loaded.raw.get("post_installation_instruction"),
    }
