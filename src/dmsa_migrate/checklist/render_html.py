"""The printable HTML export: one self-contained page a company admin can open or print.

Self-contained on purpose: customers open it from an email or a file share, often offline,
and an auditor must be sure it cannot phone home. So: no scripts, no external fonts,
images or style sheets (inline CSS only), and a Content-Security-Policy that would block
anything else. Colours carry meaning but every status is also written out, so a
black-and-white print reads the same, and every text keeps a contrast of at least 4.5:1.

Layout: the first printed page is the management summary; then each company starts a new
page with one row per item (what is wrong and why, what to do, where in Procore, status,
owner and due date) and ends with its sign-off block. Waivers and sign-offs sit in the
status cell, so no column is ever empty; closed items take one line. Up to 12 items fit
in two pages per company (checked in tests/checklist/test_browser.py).

Every value of a row's customer fields sits in an element with ``data-field="<name>"``
inside a row with ``data-item-id``/``data-status``, inside a section with
``data-company-id``/``data-company``, so tests (and scrapers) read the same values as in
the CSV and JSON. Empty fields are left out.
"""

from __future__ import annotations

from html import escape

from dmsa_migrate.checklist.render_md import sign_off_sentence, sunset_sentence
from dmsa_migrate.checklist.workorder import RESTORES
from dmsa_migrate.models.checklist import (
    Checklist,
    ChecklistRow,
    CompanySummary,
    NextAction,
)

STATUS_COLOURS: dict[str, str] = {
    "done": "#1a7f37",
    "pending": "#8a5a00",
    "blocked": "#cf222e",
    "waived": "#8250df",
    "not_applicable": "#59636e",
}
"""Pill backgrounds; white text on each is at least 5:1."""

STATE_COLOURS: dict[str, str] = {
    "broken": "#cf222e",
    "open": "#8a5a00",
    "restored": "#1a7f37",
    "ready": "#1a7f37",
}

CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "base-uri 'none'; form-action 'none'"
)

CSS = """
:root { --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --soft: #f6f8fa; }
* { box-sizing: border-box; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
html { background: #fff; }
body { margin: 0; color: var(--ink); background: #fff; font: 14px/1.4 system-ui,
  -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
.page { max-width: 1040px; margin: 0 auto; padding: 24px 28px 36px; }
h1 { font-size: 24px; margin: 2px 0 4px; }
h2 { font-size: 18px; margin: 20px 0 6px; padding-bottom: 3px;
  border-bottom: 2px solid var(--ink); }
h3 { font-size: 14px; margin: 10px 0 4px; }
p { margin: 4px 0; }
.eyebrow { text-transform: uppercase; letter-spacing: .08em; font-size: 11px; color: var(--muted); }
.meta { color: var(--muted); font-size: 12px; }
.lead { font-weight: 600; }
.timeline { list-style: none; margin: 8px 0 0; padding: 0; display: flex; flex-wrap: wrap;
  gap: 4px 14px; font-size: 12px; color: var(--muted); }
.timeline strong { color: var(--ink); }
.cards { display: grid; grid-template-columns: 1fr; gap: 8px; margin-top: 8px; }
.card { border: 1px solid var(--line); border-left: 5px solid var(--state); border-radius: 6px;
  padding: 6px 12px; break-inside: avoid; }
.card h3 { margin: 0 0 2px; }
.card ol { margin: 2px 0 2px 18px; padding: 0; }
.card li { margin: 1px 0; }
.who { color: var(--muted); }
.state { font-weight: 700; color: var(--state); }
.id { color: var(--muted); font-weight: 400; font-size: 12px; }
table { width: 100%; border-collapse: collapse; margin: 6px 0 4px; font-size: 13px;
  table-layout: fixed; }
th { text-align: left; background: var(--soft); border-bottom: 2px solid var(--line);
  padding: 4px 6px; font-size: 12px; }
td { border-bottom: 1px solid var(--line); padding: 4px 6px; vertical-align: top;
  overflow-wrap: anywhere; }
col.n { width: 4%; } col.status { width: 12%; } col.owner { width: 20%; }
td.n { color: var(--muted); border-left: 4px solid var(--status); white-space: nowrap; }
.why { margin-top: 2px; }
.do { margin-top: 2px; }
.label { font-weight: 700; }
.where { color: var(--muted); font-size: 12px; margin-top: 1px; }
.pill { display: inline-block; border-radius: 4px; padding: 0 6px; font-size: 12px;
  font-weight: 700; color: #fff; background: var(--status); }
.overdue { color: #cf222e; font-weight: 700; font-size: 12px; display: block; }
.small { font-size: 12px; color: var(--muted); display: block; }
tr.closed td { padding-top: 2px; padding-bottom: 2px; }
tr.closed .why { display: inline; color: var(--muted); font-size: 12px; }
.signoff { border: 1px solid var(--ink); border-radius: 6px; padding: 6px 12px; margin-top: 8px;
  break-inside: avoid; }
.keep { break-inside: avoid; }
table.tail { margin-top: 0; }
.signoff h3 { margin-top: 0; }
.sign-lines { display: grid; grid-template-columns: 1.4fr 1.4fr 1fr 1fr; gap: 16px;
  margin-top: 16px; }
.sign-lines div { border-top: 1px solid var(--ink); padding-top: 2px; font-size: 11px;
  color: var(--muted); }
.box { display: inline-block; width: 11px; height: 11px; border: 1px solid var(--ink);
  vertical-align: -1px; margin: 0 3px 0 10px; }
footer { margin-top: 24px; color: var(--muted); font-size: 12px; border-top: 1px solid var(--line);
  padding-top: 6px; }
@page { size: auto; margin: 12mm 11mm; }
@media print {
  body { font-size: 8.5pt; line-height: 1.3; }
  h1 { font-size: 16pt; } h2 { font-size: 12pt; margin-top: 8px; } h3 { font-size: 9.5pt; }
  .page { max-width: none; padding: 0; }
  .summary { break-after: page; }
  .company { break-before: page; }
  h2, h3 { break-after: avoid; }
  tr, .card, .signoff { break-inside: avoid; }
  thead { display: table-header-group; }
  table { font-size: 8pt; }
  td { padding: 2px 4px; }
  th, .where, .small, .overdue, .pill, .meta, .timeline, .id, footer { font-size: 7pt; }
  .card { padding: 4px 10px; }
  tr.closed .why { font-size: 7.5pt; }
}
"""
"""The page style: relative widths, so the page fits A4 (210 mm) and Letter (8.5 in)."""


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _field(name: str, value: object, tag: str = "span", css: str = "") -> str:
    """A customer field's value, marked for readers; empty values are left out."""
    if value in ("", None):
        return ""
    css_class = f' class="{css}"' if css else ""
    return f'<{tag}{css_class} data-field="{name}">{_e(value)}</{tag}>'


def render_html(checklist: Checklist) -> str:
    """The whole checklist as one self-contained HTML page."""
    title = f"Sunset checklist: {checklist.customer or 'customer not named'}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="generator" content="dmsa-migrate">',
        f"<title>{_e(title)}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        '<main class="page">',
        _summary_page(checklist),
        *[_company(checklist, summary) for summary in checklist.companies],
        _footer(checklist),
        "</main>",
        "</body>",
        "</html>",
    ]
    return "\n".join(parts) + "\n"


# ---------------------------------------------------------------- the summary page


def _summary_page(checklist: Checklist) -> str:
    playbook = checklist.playbook
    customer = checklist.customer or "customer not named"
    timeline = "".join(
        f"<li><strong>{_e(entry.date)}</strong> {_e(entry.title)} "
        f"({_e(entry.text.rsplit(' — ', 1)[-1])})</li>"
        for entry in checklist.timeline
    )
    cards = "".join(_card(checklist, summary) for summary in checklist.companies)
    return (
        '<section class="summary">'
        '<div class="eyebrow">Procore traditional service account &rarr; DMSA migration</div>'
        f"<h1>Sunset checklist: <span data-customer>{_e(customer)}</span></h1>"
        f'<p class="meta">Playbook {_e(playbook.title)} ({_e(playbook.id)} '
        f"{_e(playbook.version)}) &middot; today {_e(checklist.today)} &middot; engagement "
        f"start {_e(checklist.engagement_start)} &middot; generated at "
        f"{_e(checklist.generated_at)}</p>"
        "<h2>Management summary</h2>"
        f'<p class="lead">{_e(sunset_sentence(checklist))}</p>'
        f'<div class="cards">{cards}</div>'
        f'<ol class="timeline">{timeline}</ol>'
        "</section>"
    )


def _card(checklist: Checklist, summary: CompanySummary) -> str:
    colour = STATE_COLOURS.get(summary.state, "#59636e")
    broken = ""
    if summary.broken:
        label = "What is broken" if checklist.after_sunset else "At risk"
        broken = f'<p><span class="label">{label}:</span> {_e(summary.broken)}</p>'
    actions = "".join(f"<li>{_next_action(action)}</li>" for action in summary.next_actions)
    listed = f'<span class="label">Next actions:</span><ol>{actions}</ol>' if actions else ""
    return (
        f'<article class="card" data-summary-company-id="{summary.company_id}" '
        f'style="--state:{colour}">'
        f"<h3>{_e(summary.company or 'Company')} "
        f'<span class="id">company {summary.company_id}</span></h3>'
        f'<p class="state">{_e(summary.state_text)}</p>{broken}{listed}'
        f'<p><span class="label">Sign-off:</span> {_e(sign_off_sentence(checklist, summary))}</p>'
        "</article>"
    )


def _next_action(action: NextAction) -> str:
    who = _e(action.owner) + (f", {_e(action.owner_contact)}" if action.owner_contact else "")
    due = f", due {_e(action.due)}" if action.due else ""
    late = ' <span class="overdue" style="display:inline">overdue</span>' if action.overdue else ""
    return f'{_e(action.action)} <span class="who">({who}{due})</span>{late}'


# ---------------------------------------------------------------- one company


KEEP_WITH_SIGN_OFF = 2
"""The last rows printed on the sign-off's page, so the sign-off never stands alone."""

COLUMNS = (
    '<colgroup><col class="n"><col class="item"><col class="status"><col class="owner">'
    "</colgroup>"
)


def _company(checklist: Checklist, summary: CompanySummary) -> str:
    rows = [
        _item_row(number, row, checklist.after_sunset)
        for number, row in enumerate(checklist.rows_for(summary.company_id), 1)
    ]
    head, tail = rows[:-KEEP_WITH_SIGN_OFF], rows[-KEEP_WITH_SIGN_OFF:]
    colour = STATE_COLOURS.get(summary.state, "#59636e")
    header = (
        "<thead><tr><th>#</th><th>Item: what is wrong, what to do, where in Procore</th>"
        "<th>Status</th><th>Owner and due date</th></tr></thead>"
    )
    first = f'<table class="items">{COLUMNS}{header}<tbody>{"".join(head)}</tbody></table>'
    last = f'<table class="items tail">{COLUMNS}<tbody>{"".join(tail)}</tbody></table>'
    return (
        f'<section class="company" id="company-{summary.company_id}" '
        f'data-company-id="{summary.company_id}" data-company="{_e(summary.company)}">'
        f"<h2>{_e(summary.company or 'Company')} "
        f'<span class="id">company {summary.company_id}</span></h2>'
        f'<p class="state" style="--state:{colour}">{_e(summary.state_text)}</p>'
        f'<p class="meta">Install status: {_e(summary.install_status.replace("_", " "))} '
        f"&middot; {_e(summary.projects_sentence)}</p>"
        f"{first if head else ''}"
        f'<div class="keep">{last}{_sign_off(checklist, summary)}</div>'
        "</section>"
    )


def _item_row(number: int, row: ChecklistRow, after_sunset: bool) -> str:
    colour = STATUS_COLOURS[row.status]
    closed = not row.is_open
    verb = "To restore" if after_sunset and row.kind in RESTORES else "Do"
    if closed:
        details = _field("evidence", row.evidence, "span", "why")
        item = f'<strong>{_field("title", row.title)}</strong> {details}'
    else:
        details = _field("evidence", row.evidence, "div", "why")
        action = (
            f'<div class="do"><span class="label">{verb}:</span> {_field("action", row.action)}'
            "</div>"
            if row.action
            else ""
        )
        where = (
            f' <span class="where">In {_field("where", row.where)}</span>' if row.where else ""
        )
        if action:
            action = action.removesuffix("</div>") + where + "</div>"
        item = f'<strong>{_field("title", row.title)}</strong>{details}{action}'
    return (
        f'<tr class="row status-{row.status}{" closed" if closed else ""}" '
        f'data-item-id="{_e(row.item_id)}" data-status="{row.status}" '
        f'data-overdue="{"true" if row.overdue else "false"}" style="--status:{colour}">'
        f'<td class="n">{number}</td>'
        f"<td>{item}</td>"
        f"<td>{_status_cell(row)}</td>"
        f"<td>{_owner_cell(row)}</td>"
        "</tr>"
    )


def _status_cell(row: ChecklistRow) -> str:
    parts = [f'<span class="pill">{_field("status_text", row.status_text)}</span>']
    if row.overdue:
        parts.append('<span class="overdue">overdue</span>')
    if row.waiver:
        parts.append(f'<span class="small">Waiver: {_field("waiver", row.waiver)}</span>')
    if row.signed_off_by:
        parts.append(
            f'<span class="small">Signed off by {_field("signed_off_by", row.signed_off_by)} '
            f'at {_field("signed_off_at", row.signed_off_at)}</span>'
        )
    return "".join(parts)


def _owner_cell(row: ChecklistRow) -> str:
    contact = (
        f'<span class="small">{_field("owner_contact", row.owner_contact)}</span>'
        if row.owner_contact
        else ""
    )
    due = f'<span class="small">Due {_field("due", row.due)}</span>' if row.due else ""
    return f'{_field("owner", row.owner)}{contact}{due}'


def _sign_off(checklist: Checklist, summary: CompanySummary) -> str:
    return (
        f'<div class="signoff" data-signoff-company-id="{summary.company_id}">'
        f'<h3>Sign-off: {_e(summary.company or "Company")} '
        f'<span class="id">company {summary.company_id}</span></h3>'
        f"<p>{_e(sign_off_sentence(checklist, summary))}</p>"
        "<p>Decision on the old service account:"
        '<span class="box"></span>Go<span class="box"></span>No-go'
        '<span class="box"></span>Go with waivers</p>'
        '<div class="sign-lines"><div>Company admin (name)</div><div>Signature</div>'
        "<div>Date</div><div>Role</div></div>"
        '<div class="sign-lines"><div>Consultant (name)</div><div>Signature</div>'
        "<div>Date</div><div>Company</div></div>"
        "</div>"
    )


def _footer(checklist: Checklist) -> str:
    return (
        f"<footer>Generated at {_e(checklist.generated_at)} by dmsa-migrate from playbook "
        f"{_e(checklist.playbook.id)} {_e(checklist.playbook.version)}. "
        "Statuses follow from the inventory and verification evidence; waivers and sign-offs "
        "come from the consultant's session. Tool names and places in Procore follow Procore's "
        "documentation (the JSON and CSV name the source of each path). This page holds no "
        "secrets and loads nothing from the network.</footer>"
    )
