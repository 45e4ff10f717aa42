"""The four exports: goldens, same rows and fields everywhere, determinism, privacy, safety.

Update the golden files after an intended change with::

    DMSA_UPDATE_GOLDEN=1 .venv/bin/pytest tests/checklist/test_exports.py
"""

from __future__ import annotations

import contextlib
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
from dmsa_migrate.checklist.render_md import LABELS
from dmsa_migrate.checklist.words import known_tool_keys, tool_name
from dmsa_migrate.cli import main
from dmsa_migrate.conditions import FACTS
from dmsa_migrate.errors import InputError
from dmsa_migrate.models.checklist import CODE_FIELDS, EXPORT_FIELDS, ITEM_FIELDS, Checklist
from dmsa_migrate.models.session import ItemState
from dmsa_migrate.secrets import REDACTED, REDACTOR
from dmsa_migrate.verify.findings import ALL_CODES

from .conftest import GOLDEN, demo_checklist, post_sunset_checklist

Rows = list[dict[str, str]]


# ---------------------------------------------------------------- readers, one per format


HUMAN_FIELDS = (
    "title", "status_text", "owner", "owner_contact", "due", "evidence", "action", "where",
    "waiver", "signed_off_by", "signed_off_at",
)
"""The fields the human formats (Markdown, HTML) show, by the same value as JSON and CSV."""


def rows_from_json(text: str) -> Rows:
    return [
        {k: _csv_value(v) for k, v in item.items()} for item in json.loads(text)["items"]
    ]


def _csv_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return str(value)


def rows_from_csv(text: str) -> Rows:
    return list(csv.DictReader(io.StringIO(text, newline="")))


MD_LABELS = {label: name for name, label in LABELS.items()}


def _md_unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def rows_from_markdown(text: str) -> Rows:
    rows: Rows = []
    company_id = company = ""
    for line in text.splitlines():
        heading = re.fullmatch(r"## (.*) \(company (\d+)\)", line)
        if heading:
            company, company_id = _md_unescape(heading[1]), heading[2]
            continue
        entry = re.fullmatch(r"### \d+\. (.*?)( \(overdue\))?", line)
        if company_id and entry and not line.startswith("### Sign-off"):
            rows.append({"company_id": company_id, "company": company,
                         "title": _md_unescape(entry[1]),
                         "overdue": "true" if entry[2] else "false"})
            continue
        field = re.fullmatch(r"- ([A-Za-z -]+): (.*)", line)
        if rows and field and field[1] in MD_LABELS:
            rows[-1][MD_LABELS[field[1]]] = _md_unescape(field[2])
    return rows


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
            self.rows.append({
                **self.company,
                "item_id": values["data-item-id"] or "",
                "status": values.get("data-status") or "",
                "overdue": values.get("data-overdue") or "",
            })
        elif "data-field" in values:
            self.field, self.text = values["data-field"], ""

    def handle_data(self, data: str) -> None:
        if self.field is not None:
            self.text += data

    def handle_endtag(self, tag: str) -> None:
        if self.field is not None and tag in ("span", "div"):
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


def test_json_and_csv_carry_the_same_rows_and_every_field(checklist: Checklist) -> None:
    from_json = rows_from_json(render(checklist, "json"))
    from_csv = rows_from_csv(render(checklist, "csv"))
    assert from_json == from_csv
    assert [list(row) for row in from_json] == [list(EXPORT_FIELDS)] * len(checklist.items)
    assert {r["status"] for r in from_json} == {"done", "pending", "blocked", "waived"}


@pytest.mark.parametrize("checklist", [demo_checklist(), post_sunset_checklist()],
                         ids=["before-sunset", "after-sunset"])
def test_human_formats_show_the_same_words_as_the_machine_formats(
    checklist: Checklist,
) -> None:
    expected = rows_from_json(render(checklist, "json"))
    for fmt in ("md", "html"):
        found = READERS[fmt](render(checklist, fmt))
        assert len(found) == len(expected), fmt
        for mine, theirs in zip(found, expected, strict=True):
            for name in (*HUMAN_FIELDS, "company_id", "company", "overdue"):
                assert mine.get(name, "") == theirs[name], (fmt, theirs["item_id"], name)
            if fmt == "html":
                assert (mine["item_id"], mine["status"]) == (theirs["item_id"], theirs["status"])


def test_csv_and_json_put_the_contract_fields_first_in_order(checklist: Checklist) -> None:
    header = render(checklist, "csv").splitlines()[0].split(",")
    assert header[: len(ITEM_FIELDS)] == list(ITEM_FIELDS)
    assert header == list(EXPORT_FIELDS)
    first = json.loads(render(checklist, "json"))["items"][0]
    assert list(first)[: len(ITEM_FIELDS)] == list(ITEM_FIELDS)


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
        expected = {"csv": 0, "json": 1, "md": 1, "html": 2}[fmt]  # html: summary + footer
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


def test_the_management_summary_comes_first_in_html_and_markdown(checklist: Checklist) -> None:
    html = render(checklist, "html")
    assert html.index('class="summary"') < html.index('class="company"')
    markdown = render(checklist, "md")
    assert markdown.index("## Management summary") < markdown.index("## Timeline")
    assert markdown.index("## Management summary") < markdown.index("## Acme Builders")
    summary = markdown.split("## Timeline")[0]
    for company in checklist.companies:
        assert f"**{company.company}**: {company.state_text}" in summary
        assert len(company.next_actions) == 3
        for action in company.next_actions:
            assert action.owner in summary and action.action in summary
    assert "1. Add Airport Parking Structure (1008) to the app's permitted projects. " \
        "(Dana Whitfield (dana.whitfield@acme.example), due 2025-03-04)" in summary


def test_overdue_is_in_every_format() -> None:
    checklist = demo_checklist(today=dt.date(2025, 3, 10))
    late = {(r.company_id, r.item_id) for r in checklist.items if r.overdue}
    assert late, "the fixture must have overdue items on 2025-03-10"
    assert all(r.is_open and r.due < "2025-03-10" for r in checklist.items if r.overdue)
    for fmt, reader in READERS.items():
        rows = reader(render(checklist, fmt))
        found = {(int(r["company_id"]), r.get("item_id") or _item_of(checklist, r)) for r in rows
                 if r["overdue"] == "true"}
        assert found == late, fmt


def _item_of(checklist: Checklist, row: dict[str, str]) -> str:
    return next(
        r.item_id for r in checklist.items
        if str(r.company_id) == row["company_id"] and r.title == row["title"]
    )


def test_named_owners_and_contacts_are_in_every_format(checklist: Checklist) -> None:
    for fmt, reader in READERS.items():
        rows = reader(render(checklist, fmt))
        admin = next(r for r in rows if r["company_id"] == "101" and
                     r["title"].startswith("Permitted projects"))
        assert admin["owner"] == "Dana Whitfield", fmt
        assert admin["owner_contact"] == "dana.whitfield@acme.example", fmt
        developer = next(r for r in rows if r["company_id"] == "303" and
                         r["title"].startswith("Tool permissions"))
        assert (developer["owner"], developer["owner_contact"]) == (
            "Lee Chen", "lee.chen@syncpartner.example"), fmt


def test_after_the_sunset_the_words_say_what_stopped_then_what_restores_it() -> None:
    checklist = post_sunset_checklist()
    markdown = render(checklist, "md")
    assert "The old service accounts stopped working on 2025-03-18." in markdown
    assert "stops working" not in markdown.split("## Timeline")[0]
    assert "can be switched off" not in markdown
    row = next(r for r in checklist.items if r.company_id == 303 and r.item_id == "app-installed")
    assert row.evidence.startswith("Down since 2025-03-18 (624 days), when the old service "
                                   "account stopped working.")
    assert row.action.startswith("Reconnect the app")
    html = render(checklist, "html")
    assert "To restore:</span>" in html
    assert all(r.due >= checklist.engagement_start for r in checklist.items), \
        "after the sunset, due dates count from the engagement start"


def test_customer_text_holds_no_internal_identifier() -> None:
    for checklist in (demo_checklist(), post_sunset_checklist(),
                      demo_checklist(today=dt.date(2025, 3, 10))):
        for fmt in FORMATS:
            texts = customer_texts(render(checklist, fmt), fmt)
            assert texts, fmt
            for text in texts:
                found = internal_identifiers(text)
                assert not found, (fmt, found, text[:200])


@pytest.mark.parametrize("world", ["demo", "post-sunset"])
def test_the_real_pipelines_exports_hold_no_internal_identifier(
    world: str, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        assert main(["demo", "--headless", "--world", world, "--out", str(out)]) == 0
    for fmt in FORMATS:
        for text in customer_texts((out / f"checklist.{fmt}").read_text(encoding="utf-8"), fmt):
            assert not internal_identifiers(text), (world, fmt, internal_identifiers(text))


def test_the_identifier_scan_catches_each_kind() -> None:
    assert internal_identifiers("blocked: company.disconnected = yes") == [
        "company.disconnected"]
    assert internal_identifiers("findings: manual_directory_edit") == ["manual_directory_edit"]
    assert set(internal_identifiers("gaps: rfi and daily_log")) == {"rfi", "daily_log"}
    assert internal_identifiers("RFIs needs Standard, has Read-only") == []


def customer_texts(text: str, fmt: str) -> list[str]:
    """The parts of an export meant for people (machine fields of JSON and CSV left out)."""
    if fmt == "csv":
        return [v for row in rows_from_csv(text) for k, v in row.items()
                if k not in CODE_FIELDS and v]
    if fmt == "json":
        data = json.loads(text)
        found = [str(v) for item in data["items"] for k, v in item.items()
                 if k not in CODE_FIELDS and v]
        for company in data["companies"]:
            found += [company["state_text"], company["broken"]]
            found += [a["action"] for a in company["next_actions"]]
        found += [d["description"] for d in data["definitions"]]
        return [t for t in found if t]
    if fmt == "html":
        collector = _VisibleText()
        collector.feed(text)
        return [" ".join(collector.parts)]
    return [text]


class _VisibleText(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._skip += tag in ("style", "title")

    def handle_endtag(self, tag: str) -> None:
        self._skip -= tag in ("style", "title")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def internal_identifiers(text: str) -> list[str]:
    """Fact names, finding codes, tool keys and any other snake_case token in ``text``."""
    found = [name for name in FACTS if re.search(rf"(?<![\w.]){re.escape(name)}(?![\w.])", text)]
    found += re.findall(r"(?<![\w.@-])[a-z]+(?:_[a-z]+)+(?![\w@-])", text)
    found += [code.code for code in ALL_CODES if code.code not in found and code.code in text]
    for key in sorted(known_tool_keys()):
        if "_" not in key and key not in tool_name(key).lower().split():
            found += re.findall(rf"(?<![\w'-]){key}(?![\w'-])", text)
    return list(dict.fromkeys(found))
