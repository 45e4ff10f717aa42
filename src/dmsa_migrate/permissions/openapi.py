"""Rebuild the operation catalog from Procore's own OpenAPI document (a newer download).

Procore publishes one combined OpenAPI document; each operation's first tag names its API
area as ``Category/Module/resource`` (e.g. ``Project Management/RFI/rfis``). The import
applies exactly the rules the packaged catalog was built with (``attribution.toml``, the
tools' levels, the summary verbs and description statements of
:mod:`dmsa_migrate.permissions.derive`), plus any ``[[areas]]`` of the user's override files,
and writes a catalog that replaces the packaged one operation by operation. Areas the rules
do not know become *unknown* operations with that reason, and are counted for the user.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dmsa_migrate.errors import FileFormatError
from dmsa_migrate.fileio import parse_json, read_text
from dmsa_migrate.models.permissions import AreaInfo, OperationCatalog, ReferenceInfo
from dmsa_migrate.permissions.build import build_catalog, facts_from_openapi, shipped_attribution

MAX_DOCUMENT_BYTES = 256 * 1024 * 1024
"""Procore's combined document is tens of megabytes; anything far larger is not one."""


@dataclass
class OpenApiImport:
    """The catalog to write, and the areas no rule covers."""

    catalog: OperationCatalog
    unknown_areas: Counter[str] = field(default_factory=Counter)

    @property
    def operations(self) -> int:
        return len(self.catalog.operations)

    @property
    def attributed(self) -> int:
        return sum(entry.known for entry in self.catalog.operations)


def import_openapi(
    document: Any, source: str, extra_areas: Iterable[AreaInfo] = ()
) -> OpenApiImport:
    """The catalog of every operation of an OpenAPI document.

    Raises:
        FileFormatError: the document has no ``paths`` object.
    """
    rules = shipped_attribution(extra_areas)
    info = document.get("info") if isinstance(document, dict) else None
    version = str(info.get("version", "")) if isinstance(info, dict) else ""
    reference = ReferenceInfo(
        source=f"{Path(source).name}" + (f" (info.version {version})" if version else ""),
        date=datetime.now(UTC).date().isoformat(),
    )
    catalog = build_catalog(
        facts_from_openapi(document, source), reference,
        generated_by="dmsa-migrate routes import-openapi", attribution=rules,
    )
    unknown: Counter[str] = Counter()
    for entry in catalog.operations:
        if not entry.known and "not in the attribution rules" in entry.basis:
            unknown[entry.tag or "(untagged)"] += 1
    return OpenApiImport(catalog, unknown)


def read_openapi(path: Path | str) -> Any:
    """Read an OpenAPI JSON document (Procore publishes JSON); errors name file and line."""
    target = Path(path)
    if target.is_file() and target.stat().st_size > MAX_DOCUMENT_BYTES:
        raise FileFormatError(str(path), f"larger than {MAX_DOCUMENT_BYTES} bytes")
    return parse_json(read_text(path, what="an OpenAPI document"), str(path))
