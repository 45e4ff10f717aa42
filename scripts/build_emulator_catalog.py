"""Derive the emulator's operation catalog from Procore's OpenAPI extract.

Reads ``shared/reference/procore-oas/operations.jsonl`` (one operation a line) and writes
``src/dmsa_migrate/emulator/data/oas_operations.json.gz``: per operation its method, path,
OAS tag (Category/Module/resource), summary, success status and the response schema with
descriptions stripped (the emulator needs field names and types, not prose). The emulator
reads that file to answer, in its catalog mode, every documented operation a world does not
model; ``tests/emulator/test_catalog_data.py`` checks the packaged file is this script's
output for the reference it was built from.

Usage: python scripts/build_emulator_catalog.py [OPERATIONS_JSONL] [OUT]
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = ROOT.parent / "shared" / "reference" / "procore-oas" / "operations.jsonl"
DEFAULT_OUT = ROOT / "src" / "dmsa_migrate" / "emulator" / "data" / "oas_operations.json.gz"
SCHEMA_KEYS = {"type", "properties", "items", "format", "enum"}


def _schema(node: Any) -> Any:
    """The schema keeping only what shapes an answer: types, fields, formats, enums."""
    if not isinstance(node, dict):
        return node
    kept: dict[str, Any] = {}
    for key, value in node.items():
        if key not in SCHEMA_KEYS:
            continue
        if key == "properties" and isinstance(value, dict):
            kept[key] = {name: _schema(sub) for name, sub in value.items()}
        elif key == "items":
            kept[key] = _schema(value)
        else:
            kept[key] = value
    return kept


def _success(responses: dict[str, Any]) -> tuple[int, Any]:
    for status in sorted(code for code in responses if code.startswith("2")):
        return int(status), _schema(responses[status].get("schema"))
    return 200, None


def build_rows(lines: list[str]) -> list[list[Any]]:
    """One compact row per operation: method, path, tag, summary, status, schema."""
    rows: list[list[Any]] = []
    for line in lines:
        if not line.strip():
            continue
        op = json.loads(line)
        status, schema = _success(op.get("responses") or {})
        rows.append([op["method"].upper(), op["path"], op["tag"], op["summary"], status, schema])
    rows.sort(key=lambda row: (row[1], row[0]))
    return rows


def encode(rows: list[list[Any]]) -> bytes:
    """Deterministic bytes (no gzip timestamp), so a rebuild changes nothing by itself."""
    text = json.dumps(rows, separators=(",", ":"), sort_keys=True).encode("utf-8")
    return gzip.compress(text, compresslevel=9, mtime=0)


def main(argv: list[str]) -> int:
    source = Path(argv[0]) if argv else DEFAULT_SOURCE
    out = Path(argv[1]) if len(argv) > 1 else DEFAULT_OUT
    rows = build_rows(source.read_text(encoding="utf-8").splitlines())
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(encode(rows))
    print(f"{len(rows)} operations -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
