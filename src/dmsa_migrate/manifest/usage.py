"""Load usage evidence for ``manifest --usage FILE``.

Accepted, told apart by content rather than by file name (exports get renamed):

* an API Call Activity Report CSV (``Date, Response Code, HTTP Method, Normalized Route,
  Count``);
* a JSON list of usage entries ``[{"method": "GET", "template": "/rest/v1.0/...", ...}]``;
* a JSON object with a ``usage`` list of such entries: an ``inventory.json`` or the result
  of ``dmsa-migrate scan``.

An entry without ``source`` is attributed to the file it came from.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from dmsa_migrate.errors import FileFormatError
from dmsa_migrate.fileio import parse_json, read_text
from dmsa_migrate.inventory.activity import looks_like_activity_report, parse_activity_report
from dmsa_migrate.models.inventory import UsageEntry
from dmsa_migrate.models.permissions import HTTP_METHODS
from dmsa_migrate.permissions.unknown_method import UNKNOWN_METHOD


def load_usage_file(path: Path | str) -> list[UsageEntry]:
    """Read one usage file (CSV report or JSON); errors name the file and the line or field."""
    source = str(path)
    text = read_text(path)
    stripped = text.lstrip("\ufeff").lstrip()
    if stripped.startswith(("[", "{")):
        return usage_from_json(parse_json(stripped, source), source)
    if looks_like_activity_report(text):
        return parse_activity_report(text, source)
    raise FileFormatError(
        source,
        "not usage evidence: expected an API Call Activity Report CSV, a JSON list of usage "
        "entries, or a JSON object with a 'usage' list",
        1,
    )


def usage_from_json(data: Any, source: str) -> list[UsageEntry]:
    """Usage entries from parsed JSON (a list, or an object holding a ``usage`` list)."""
    prefix = ""
    if isinstance(data, dict):
        if not isinstance(data.get("usage"), list):
            raise FileFormatError(source, "usage: expected a list of usage entries")
        data, prefix = data["usage"], "usage"
    if not isinstance(data, list):
        raise FileFormatError(source, "expected a list of usage entries")
    default_source = f"usage:{Path(source).name}"
    entries: list[UsageEntry] = []
    for index, raw in enumerate(data):
        where = f"{prefix}[{index}]"
        if not isinstance(raw, dict):
            raise FileFormatError(source, f"{where}: expected an object")
        try:
            entry = UsageEntry.model_validate({"source": default_source, **raw})
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(part) for part in first.get("loc", ()))
            raise FileFormatError(source, f"{where}.{field}: {first.get('msg')}") from exc
        if entry.method.upper() not in (*HTTP_METHODS, UNKNOWN_METHOD):
            raise FileFormatError(source, f"{where}.method: unknown HTTP method {entry.method!r}")
        entries.append(entry.model_copy(update={"method": entry.method.upper()}))
    return entries
