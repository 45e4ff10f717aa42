"""The HTML export in a real headless Chromium: renders, no console errors, no requests,
prints compactly (pages counted in the printed PDF) and keeps every text readable
(contrast computed from the rendered colours).

Needs the Debian package ``chromium`` (``apt-get update && apt-get install -y chromium``);
skipped with that hint when it is absent. The screenshot kept in docs/images/checklist.png
is refreshed from docs/examples/checklist.html (written by scripts/docs_examples.py) with
``DMSA_UPDATE_SCREENSHOT=1`` or scripts/checklist_screenshot.py.
"""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path

import pytest

from dmsa_migrate.checklist import render
from dmsa_migrate.cli import main
from dmsa_migrate.models.checklist import Checklist
from dmsa_migrate.models.playbook import ChecklistItem

from .chromium import (
    INSTALL_HINT,
    PAPERS_IN,
    PageReport,
    find_chromium,
    ink_fraction,
    inspect_html,
    pdf_page_count,
    pdf_page_texts,
)
from .conftest import demo_checklist, demo_playbook, post_sunset_checklist

CHROMIUM = find_chromium()
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason=f"chromium is not installed; CI installs it with: {INSTALL_HINT}"
)
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "images" / "checklist.png"


EXTRA_ITEM = ChecklistItem(
    id="handover-meeting",
    title="Hand-over meeting held with the customer's IT",
    description="Walk the customer's IT through the new app, its permitted projects and this "
    "checklist, and agree who watches Integration Health from now on.",
    owner="consultant",
    phase="monitor",
    due="sunset+21d",
)
"""A twelfth item: the print layout must hold 12 items per company in two pages."""


def twelve_items() -> Checklist:
    playbook = demo_playbook()
    playbook = playbook.model_copy(update={"checklist": [*playbook.checklist, EXTRA_ITEM]})
    checklist = demo_checklist(playbook=playbook)
    assert all(len(checklist.rows_for(c.company_id)) == 12 for c in checklist.companies)
    return checklist


def _inspect(tmp_path_factory: pytest.TempPathFactory, checklist: Checklist) -> PageReport:
    page = tmp_path_factory.mktemp("html") / "checklist.html"
    page.write_text(render(checklist, "html"), encoding="utf-8")
    return inspect_html(page)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> PageReport:
    return _inspect(tmp_path_factory, demo_checklist())


def pipeline_checklist(tmp_path_factory: pytest.TempPathFactory) -> Checklist:
    """The real pipeline's checklist on the post-sunset world (long real evidence)."""
    out = tmp_path_factory.mktemp("pipeline") / "out"
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        assert main(["demo", "--headless", "--world", "post-sunset", "--out", str(out)]) == 0
    return Checklist.model_validate_json((out / "checklist.json").read_text(encoding="utf-8"))


@pytest.fixture(
    scope="module", params=["twelve-items-before-sunset", "after-sunset", "pipeline-after-sunset"]
)
def printed(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Checklist, PageReport]:
    if request.param.startswith("twelve"):
        checklist = twelve_items()
    elif request.param.startswith("pipeline"):
        checklist = pipeline_checklist(tmp_path_factory)
    else:
        checklist = post_sunset_checklist()
    return checklist, _inspect(tmp_path_factory, checklist)


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


def test_screenshot_is_kept_in_docs(tmp_path_factory: pytest.TempPathFactory) -> None:
    if os.environ.get("DMSA_UPDATE_SCREENSHOT"):
        report = inspect_html(SCREENSHOT.parents[1] / "examples" / "checklist.html")
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        SCREENSHOT.write_bytes(report.screenshot_png)
    assert SCREENSHOT.exists(), "run with DMSA_UPDATE_SCREENSHOT=1 to create it"
    assert SCREENSHOT.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("paper", list(PAPERS_IN))
def test_print_takes_one_summary_page_and_at_most_two_pages_per_company(
    printed: tuple[Checklist, PageReport], paper: str
) -> None:
    checklist, report = printed
    pdf = report.pdf[paper]
    total = pdf_page_count(pdf)
    assert total <= 1 + 2 * len(checklist.companies), f"{total} pages on {paper}"
    pages = pdf_page_texts(pdf)
    if pages is None:
        pytest.skip("pdftotext (poppler-utils) is not installed: pages counted only in total")
    assert len(pages) == total
    assert "Management summary" in pages[0]
    assert "Item: what is wrong, what to do, where in Procore" not in pages[0]
    previous_end = 0
    for summary in checklist.companies:
        marker = f"Sign-off: {summary.company} company {summary.company_id}"
        end = next(i for i, text in enumerate(pages) if marker in text)
        used = end - previous_end
        assert 1 <= used <= 2, f"{summary.company}: {used} pages on {paper}"
        last_title = checklist.rows_for(summary.company_id)[-1].title
        assert last_title in pages[end], f"{summary.company}: sign-off alone on its page"
        previous_end = end


def test_every_text_has_a_contrast_of_at_least_4_5(
    printed: tuple[Checklist, PageReport],
) -> None:
    _, report = printed
    assert report.low_contrast == []
    assert report.min_contrast >= 4.5


def test_no_table_column_is_empty(printed: tuple[Checklist, PageReport]) -> None:
    _, report = printed
    assert report.empty_columns == []


def test_the_checks_see_low_contrast_empty_columns_and_long_prints(tmp_path: Path) -> None:
    """A control page with the faults: pale text, an empty column, many pages."""
    page = tmp_path / "bad.html"
    rows = "".join(f"<tr><td>row {n}</td><td></td></tr>" for n in range(200))
    page.write_text(
        "<!DOCTYPE html><html><head><title>bad</title></head><body>"
        "<p style='color:#b0b0b0'>pale text</p>"
        '<span style="background:#b07800;color:#fff">pending</span>'
        f"<table><tbody>{rows}</tbody></table></body></html>",
        encoding="utf-8",
    )
    bad = inspect_html(page)
    assert {item["text"] for item in bad.low_contrast} >= {"pale text", "pending"}
    assert bad.empty_columns == ["table#0 column 1"]
    assert pdf_page_count(bad.pdf["Letter"]) > 2
