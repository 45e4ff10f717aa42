"""The four exports: goldens, same rows and fields everywhere, determinism, privacy, safety.

Update the golden files after an intended change with::

    DMSA_UPDATE_GOLDEN=1 .venv/bin/pytest tests/checklist/test_exports.py
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import stat
from html.parser import HTMLParser
from pathlib import Path

import pytest

from dmsa_migrate.checklist import FORMATS, parse_formats, render, write_exports
from dmsa_migrate.errors import InputError
from dmsa_migrate.models.checklist import ITEM_FIELDS, Checklist
from dmsa_migrate.models.session import ItemState
from dmsa_migrate.secrets import REDACTED, REDACTOR

from .conftest import GOLDEN, demo_checklist

Rows = list[dict[str, str]]


# ---------------------------------------------------------------- readers, one per format


def rows_from_json(text: str) -> Rows:
    return [{k: str(v) for k, v in item.items()} for item in json.loads(text)["items"]]


def rows_from_csv(text: str) -> Rows:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def rows_from_markdown(text: str) -> Rows:
    rows: Rows = []
    company_id = company = ""
    header: list[str] = []
    for line in text.splitlines():
        heading = re.fullmatch(r"## (.*) \(company (\d+)\)", line)
        if heading:
            company, company_id = heading[1], heading[2]
            header = []
            continue
        if not company_id or not line.startswith("|"):
            header = [] if not line.startswith("|") else header
            continue
        cells = [_md_unescape(c.strip()) for c in re.split(r"(?<!\\)\|", line)[1:-1]]
        if not header:
            header = cells
        elif not set("".join(cells)) <= {"-"} and header[0] == "item_id":
            values = dict(zip(header, cells, strict=True))
            rows.append({"company_id": company_id, "company": company, **values})
    return rows


def _md_unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


class _HtmlRows(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.rows: Rows = []
        self.company: dict[str, str] = {}
        self.field: str | None = None
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "section" and "data-company-id" in values:
            self.company = {
                "company_id": values["data-company-id"] or "",
                "company": values.get("data-company") or "",
            }
        elif tag == "tr" and "data-item-id" in values:
            self.rows.append(dict(self.company))
        elif "data-field" in values:
            self.field, self.text = values["data-field"], ""

    def handle_data(self, data: str) -> None:
        if self.field is not None:
            self.text += data

    def handle_endtag(self, tag: str) -> None:
        if self.field is not None and tag == "span":
            self.rows[-1][self.field] = self.text
            self.field = None


def rows_from_html(text: str) -> Rows:
    parser = _HtmlRows()
    parser.feed(text)
    return parser.rows


READERS = {
    "json": rows_from_json,
    "csv": rows_from_csv,
    "md": rows_from_markdown,
    "html": rows_from_html,
}


# ---------------------------------------------------------------- tests


@pytest.mark.parametrize("fmt", FORMATS)
def test_golden(fmt: str, checklist: Checklist) -> None:
    text = render(checklist, fmt)
    golden = GOLDEN / f"checklist.{fmt}"
    if os.environ.get("DMSA_UPDATE_GOLDEN"):
        golden.write_bytes(text.encode("utf-8"))
    assert golden.exists(), f"{golden} missing: run with DMSA_UPDATE_GOLDEN=1"
    assert text == golden.read_bytes().decode("utf-8")


def test_four_formats_carry_the_same_rows_statuses_and_fields(checklist: Checklist) -> None:
    expected = [
        {name: str(value) for name, value in row.model_dump(mode="json").items()}
        for row in checklist.items
    ]
    for fmt, reader in READERS.items():
        rows = reader(render(checklist, fmt))
        for found in rows:
            if fmt in ("json", "csv"):
                assert list(found) == list(ITEM_FIELDS), fmt
            else:
                assert set(found) == set(ITEM_FIELDS), fmt
        assert [{k: r[k] for k in ITEM_FIELDS} for r in rows] == expected, fmt
    assert {r["status"] for r in expected} == {"done", "pending", "blocked", "waived"}


def test_csv_and_json_use_the_contract_field_names_in_order(checklist: Checklist) -> None:
    header = render(checklist, "csv").splitlines()[0]
    assert header.split(",") == list(ITEM_FIELDS)
    first = json.loads(render(checklist, "json"))["items"][0]
    assert list(first) == list(ITEM_FIELDS)


def test_two_runs_differ_only_in_the_generated_at_field() -> None:
    first = demo_checklist(generated_at=dt.datetime(2025, 2, 15, 12, 0, tzinfo=dt.UTC))
    second = demo_checklist(generated_at=dt.datetime(2025, 3, 1, 8, 30, tzinfo=dt.UTC))
    for fmt in FORMATS:
        a = render(first, fmt).splitlines()
        b = render(second, fmt).splitlines()
        assert len(a) == len(b), fmt
        changed = [(x, y) for x, y in zip(a, b, strict=True) if x != y]
        for x, y in changed:
            assert "2025-02-15T12:00:00Z" in x and "2025-03-01T08:30:00Z" in y, (fmt, x)
            assert x.replace("2025-02-15T12:00:00Z", "") == y.replace("2025-03-01T08:30:00Z", "")
        expected = {"csv": 0, "json": 1, "md": 1, "html": 2}[fmt]  # html: header + footer
        assert len(changed) == expected, fmt


def test_exports_are_private_files_in_a_private_folder(tmp_path: Path) -> None:
    out = tmp_path / "exports" / "acme"
    paths = write_exports(demo_checklist(), FORMATS, out)
    assert list(paths) == ["md", "html", "json", "csv"]
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    for fmt, path in paths.items():
        assert path == out / f"checklist.{fmt}"
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not [p for p in out.iterdir() if p.name.startswith(".")], "temp files left behind"


def test_only_the_requested_formats_are_written(tmp_path: Path) -> None:
    paths = write_exports(demo_checklist(), parse_formats("csv, MD"), tmp_path)
    assert list(paths) == ["md", "csv"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["checklist.csv", "checklist.md"]


@pytest.mark.parametrize("text", ["pdf", "md,xlsx", " , "])
def test_unknown_or_empty_format_list_is_refused(text: str) -> None:
    with pytest.raises(InputError, match="--format"):
        parse_formats(text)


def test_csv_cells_that_look_like_formulas_are_defused() -> None:
    state = ItemState(
        item_id="health-checked",
        company_id=101,
        status="waived",
        waiver_reason='=HYPERLINK("http://evil.invalid")',
    )
    text = render(demo_checklist(states=[state]), "csv")
    row = next(
        r
        for r in rows_from_csv(text)
        if r["item_id"] == "health-checked" and r["company_id"] == "101"
    )
    assert row["waiver"] == '\'=HYPERLINK("http://evil.invalid")'


def test_a_secret_seen_by_the_process_never_reaches_an_export() -> None:
    secret = "tsa-secret-acme-erp-5b9e1f7a3c2d"
    REDACTOR.add(secret)
    state = ItemState(item_id="old-secrets-deleted", company_id=101, evidence_note=f"was {secret}")
    checklist = demo_checklist(states=[state])
    for fmt in FORMATS:
        text = render(checklist, fmt)
        assert secret not in text, fmt
        assert f"was {REDACTED}" in text, fmt


def test_html_escapes_what_people_typed() -> None:
    state = ItemState(item_id="health-checked", company_id=101, owner="<script>alert(1)</script>")
    text = render(demo_checklist(states=[state], customer="A & B <Builders>"), "html")
    assert "<script" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "A &amp; B &lt;Builders&gt;" in text


def test_html_is_self_contained_and_printable(checklist: Checklist) -> None:
    text = render(checklist, "html")
    assert "<script" not in text.lower()
    assert "<link" not in text.lower()
    assert "@import" not in text
    for match in re.finditer(r"""(?:src|href)\s*=\s*["']?([^"'\s>]+)""", text, re.I):
        assert match[1].startswith(("data:", "#")), match[0]
    for match in re.finditer(r"url\(\s*['\"]?([^)'\"]+)", text):
        assert match[1].startswith("data:"), match[0]
    assert "Content-Security-Policy" in text and "default-src 'none'" in text
    assert "@media print" in text and "@page" in text
    assert text.count("<svg") == 2 * len(checklist.companies)  # projects and items bars


def test_html_shows_the_glance_summary_before_the_company_tables(checklist: Checklist) -> None:
    text = render(checklist, "html")
    assert text.index('class="timeline"') < text.index('class="glance"')
    assert text.index('class="glance"') < text.index('class="company"')
    assert "7 matched &middot; 1 missing &middot; 0 extra" in text
    assert 'aria-label="7 matched, 1 missing, 0 extra"' in text
    assert "Not ready: 9 open items." in text


def test_html_marks_open_items_past_their_due_date() -> None:
    text = render(demo_checklist(today=dt.date(2025, 3, 10)), "html")
    # app-installed of 303 (blocked, due 2025-03-04) is overdue; done items never are.
    assert text.count('class="overdue"') == sum(
        1
        for r in demo_checklist().items
        if r.due and r.due < "2025-03-10" and r.status in ("pending", "blocked")
    )
    assert text.count('class="overdue"') > 0
