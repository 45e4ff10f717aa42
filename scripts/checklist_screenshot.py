"""Regenerate docs/images/checklist.png from docs/examples/checklist.html.

Usage (from the repository root; needs /usr/bin/chromium)::

    .venv/bin/python scripts/docs_examples.py        # the exports, from a real run
    .venv/bin/python scripts/checklist_screenshot.py

docs/examples/ is written by scripts/docs_examples.py (the documented ``checklist`` command
run on the demo world); this script only photographs its HTML page, after checking that the
page loads nothing from the network and raises no script error, so the picture in
docs/checklist.md is the page a reader can open.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.checklist.chromium import INSTALL_HINT, find_chromium, inspect_html  # noqa: E402


def main() -> int:
    page = ROOT / "docs" / "examples" / "checklist.html"
    if find_chromium() is None:
        print(f"chromium is not installed ({INSTALL_HINT}); screenshot not updated",
              file=sys.stderr)
        return 1
    report = inspect_html(page)
    if report.errors or report.external_requests:
        print(f"browser problems: {report.errors} {report.external_requests}", file=sys.stderr)
        return 1
    target = ROOT / "docs" / "images" / "checklist.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(report.screenshot_png)
    print(target)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
