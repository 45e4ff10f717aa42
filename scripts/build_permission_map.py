"""Regenerate the packaged operation catalog from Procore's reference data.

Usage (from the repository root)::

    .venv/bin/python scripts/build_permission_map.py [--reference DIR] [--check]

Reads every operation of ``DIR/operations.jsonl`` (default: ``../shared/reference/procore-oas``
beside the repository), applies the hand-written rules of
``src/dmsa_migrate/permissions/data/attribution.toml`` and writes
``src/dmsa_migrate/permissions/data/operations.json`` and its readable twin
``docs/permission-map-operations.md``. ``--check`` writes nothing and exits 1 when either
differs from what the data produces (tests/permissions run the same comparison).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from dmsa_migrate.fileio import atomic_write_text  # noqa: E402
from dmsa_migrate.permissions.build import (  # noqa: E402
    build_from_reference,
    operations_markdown,
)
from dmsa_migrate.permissions.catalog import catalog_json  # noqa: E402

DEFAULT_REFERENCE = ROOT.parent / "shared" / "reference" / "procore-oas"
PACKAGED = ROOT / "src" / "dmsa_migrate" / "permissions" / "data" / "operations.json"
DOC = ROOT / "docs" / "permission-map-operations.md"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reference", type=Path, default=DEFAULT_REFERENCE)
    parser.add_argument("--check", action="store_true", help="compare only; exit 1 if stale")
    args = parser.parse_args(argv)
    catalog = build_from_reference(args.reference)
    text = catalog_json(catalog)
    rules = Counter(entry.rule for entry in catalog.operations)
    known = sum(entry.known for entry in catalog.operations)
    total = len(catalog.operations)
    print(f"{total} operations, {known} attributed ({known / total:.1%}); rules: "
          + ", ".join(f"{rule} {count}" for rule, count in sorted(rules.items())))
    outputs = {PACKAGED: text, DOC: operations_markdown(catalog)}
    if args.check:
        stale = [path for path, want in outputs.items()
                 if not path.is_file() or path.read_text("utf-8") != want]
        for path in stale:
            print(f"{path} is stale: run scripts/build_permission_map.py", file=sys.stderr)
        return 1 if stale else 0
    for path, want in outputs.items():
        atomic_write_text(path, want, private=False)
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
