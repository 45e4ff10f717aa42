"""The HTML export in a real headless Chromium: renders, no console errors, no requests.

Needs the Debian package ``chromium`` (``apt-get update && apt-get install -y chromium``);
skipped with that hint when it is absent. The screenshot kept in docs/images/checklist.png
is refreshed with ``DMSA_UPDATE_SCREENSHOT=1`` (or scripts/checklist_screenshot.py).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dmsa_migrate.checklist import render

from .chromium import INSTALL_HINT, PageReport, find_chromium, ink_fraction, inspect_html
from .conftest import demo_checklist

CHROMIUM = find_chromium()
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason=f"chromium is not installed; CI installs it with: {INSTALL_HINT}"
)
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "images" / "checklist.png"


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> PageReport:
    page = tmp_path_factory.mktemp("html") / "checklist.html"
    page.write_text(render(demo_checklist(), "html"), encoding="utf-8")
    return inspect_html(page)


def test_renders_something_visible(report: PageReport) -> None:
    inked, colours = ink_fraction(report.thumbnail_png)
    assert inked > 0.05, f"only {inked:.1%} of the page is not white"
    assert colours > 20
    assert report.title == "Sunset checklist: Acme Sync rollout (demo)"


def test_no_console_errors(report: PageReport) -> None:
    assert report.errors == []


def test_no_requests_beyond_the_page_itself(report: PageReport) -> None:
    assert report.requests == [report.url]
    assert report.external_requests == []


def test_fits_the_printable_width_of_a4_and_letter(report: PageReport) -> None:
    assert report.overflow_px == {"A4": 0, "Letter": 0}


def test_the_check_catches_scripts_errors_and_external_requests(tmp_path: Path) -> None:
    """A control page with the faults the export must not have: the check must see them."""
    page = tmp_path / "bad.html"
    page.write_text(
        "<!DOCTYPE html><html><head><title>bad</title></head><body>"
        '<img src="http://127.0.0.1:9/tracker.png">'
        "<div style='width:3000px'>wide</div>"
        "<script>console.error('planted error')</script></body></html>",
        encoding="utf-8",
    )
    bad = inspect_html(page)
    assert any("planted error" in error for error in bad.errors)
    assert "http://127.0.0.1:9/tracker.png" in bad.external_requests
    assert bad.overflow_px["A4"] > 0


def test_screenshot_is_kept_in_docs(report: PageReport) -> None:
    if os.environ.get("DMSA_UPDATE_SCREENSHOT"):
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        SCREENSHOT.write_bytes(report.screenshot_png)
    assert SCREENSHOT.exists(), "run with DMSA_UPDATE_SCREENSHOT=1 to create it"
    assert SCREENSHOT.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
