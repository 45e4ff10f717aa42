"""The machine formats: JSON (the whole record) and CSV (one row per company and item).

Both carry the rows with the same field names in the same order (:data:`EXPORT_FIELDS`:
the contract fields, then the work-order words, then the machine fields), so a
spreadsheet column and a JSON key always mean the same thing.
"""

from __future__ import annotations

import csv
import io
import json

from dmsa_migrate.models.checklist import EXPORT_FIELDS, Checklist

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
"""Cells a spreadsheet would run as a formula (CSV injection); such cells get a leading '."""


def render_json(checklist: Checklist) -> str:
    """The whole checklist as indented JSON (keys in model order, stable)."""
    data = checklist.model_dump(mode="json", by_alias=True)
    data["items"] = [{name: item[name] for name in EXPORT_FIELDS} for item in data["items"]]
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def render_csv(checklist: Checklist) -> str:
    """One row per company and item, every export field as a column (RFC 4180, CRLF).

    Booleans read ``true``/``false`` and lists are space-separated, as tracking tools
    import them.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(EXPORT_FIELDS)
    for row in checklist.items:
        values = row.model_dump(mode="json")
        writer.writerow([_cell(values[name]) for name in EXPORT_FIELDS])
    return buffer.getvalue()


def _cell(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    text = " ".join(str(v) for v in value) if isinstance(value, list) else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text
