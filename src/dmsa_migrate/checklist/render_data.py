"""The machine formats: JSON (the whole record) and CSV (one row per company and item).

Both carry the rows with the same field names in the same order (:data:`ITEM_FIELDS`), so
a spreadsheet column and a JSON key always mean the same thing.
"""

from __future__ import annotations

import csv
import io
import json

from dmsa_migrate.models.checklist import ITEM_FIELDS, Checklist

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
"""Cells a spreadsheet would run as a formula (CSV injection); such cells get a leading '."""


def render_json(checklist: Checklist) -> str:
    """The whole checklist as indented JSON (keys in model order, stable)."""
    data = checklist.model_dump(mode="json", by_alias=True)
    data["items"] = [{name: item[name] for name in ITEM_FIELDS} for item in data["items"]]
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def render_csv(checklist: Checklist) -> str:
    """One row per company and item, the contract fields as columns (RFC 4180, CRLF)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(ITEM_FIELDS)
    for row in checklist.items:
        values = row.model_dump(mode="json")
        writer.writerow([_cell(values[name]) for name in ITEM_FIELDS])
    return buffer.getvalue()


def _cell(value: object) -> str:
    text = str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text
