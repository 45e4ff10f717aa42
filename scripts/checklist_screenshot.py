"""Regenerate docs/images/checklist.png and docs/examples/checklist.* from the test fixture.

Usage (from the repository root; needs /usr/bin/chromium)::

    .venv/bin/python scripts/checklist_screenshot.py

The exports use the fixed fixture of tests/checklist in today's world (after the sunset,
the post-sunset-recovery playbook, a fixed date), so the result only changes when the
renderers, the playbook or the fixture change.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.checklist.chromium import INSTALL_HINT, find_chromium, inspect_html  # noqa: E402
from tests.checklist.conftest import post_sunset_checklist  # noqa: E402

from dmsa_migrate.checklist import FORMATS, render  # noqa: E402


def main() -> int:
    checklist = post_sunset_checklist()
    examples = ROOT / "docs" / "examples"
    examples.mkdir(parents=True, exist_ok=True)
    for fmt in FORMATS:
        (examples / f"checklist.{fmt}").write_text(render(checklist, fmt), encoding="utf-8")
        print(examples / f"checklist.{fmt}")
    if find_chromium() is None:
        print(f"chromium is not installed ({INSTALL_HINT}); screenshot not updated",
              file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as folder:
        page = Path(folder) / "checklist.html"
        page.write_text(render(checklist, "html"), encoding="utf-8")
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
