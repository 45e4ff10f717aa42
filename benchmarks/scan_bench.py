"""How long the code scan takes on a large tree (measured, never asserted in tests).

The tree is built from the test corpus (tests/inventory/corpus): each integration copied
into many folders, plus filler modules of the kind real repositories are mostly made of
(helpers, models, UI components with no HTTP call), until it has ``--files`` files. The
scan parses every file and resolves every call site across the whole tree, so this is the
worst case of the cross-file work, not only of parsing.

    .venv/bin/python -m benchmarks.scan_bench                 # 700 files
    .venv/bin/python -m benchmarks.scan_bench --files 3000 --repeat 3
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

from dmsa_migrate.inventory.scan import scan_tree

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "inventory" / "corpus"

_FILLER = {
    ".py": (
        '"""Helpers."""\n\nfrom dataclasses import dataclass\n\n\n@dataclass\nclass Row{n}:\n'
        '    name: str\n    count: int = 0\n\n    def label(self) -> str:\n'
        '        return f"{{self.name}} ({{self.count}})"\n\n\n'
        'def total_{n}(rows: list[Row{n}]) -> int:\n    return sum(r.count for r in rows)\n'
    ),
    ".ts": (
        "export interface Item{n} {{ id: number; title: string }}\n\n"
        "export function sortItems{n}(items: Item{n}[]): Item{n}[] {{\n"
        "  return [...items].sort((a, b) => a.title.localeCompare(b.title));\n}}\n"
        "export const label{n} = (item: Item{n}) => `${{item.id}}: ${{item.title}}`;\n"
    ),
    ".go": (
        "package util\n\nimport \"strings\"\n\n// Join{n} joins names.\n"
        "func Join{n}(names []string) string {{\n\treturn strings.Join(names, \", \")\n}}\n"
    ),
}


def build_tree(root: Path, files: int) -> int:
    """Fill ``root`` with about ``files`` files; returns how many were written."""
    written = 0
    copy = 0
    integrations = sorted(p for p in CORPUS.iterdir() if p.is_dir())
    while written < files * 0.4:
        for source in integrations:
            target = root / f"service{copy}" / source.name
            shutil.copytree(source, target)
            written += sum(1 for p in target.rglob("*") if p.is_file())
        copy += 1
    number = 0
    while written < files:
        suffix = list(_FILLER)[number % len(_FILLER)]
        folder = root / "lib" / f"pkg{number // 50}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"mod{number}{suffix}").write_text(_FILLER[suffix].format(n=number))
        number += 1
        written += 1
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=700)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        count = build_tree(root, args.files)
        timings = []
        for _ in range(max(1, args.repeat)):
            start = time.perf_counter()
            report = scan_tree(root).report
            timings.append(time.perf_counter() - start)
        best = min(timings)
        print(f"| scan | files | {report.files_scanned} (of {count} written) |")
        print(f"| scan | endpoints found | {len(report.endpoints)} |")
        print(f"| scan | {report.coverage.summary} | |")
        print(f"| scan | wall time (best of {len(timings)}) | {best:.2f} s |")
        print(f"| scan | per file | {1000 * best / max(1, report.files_scanned):.1f} ms |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
