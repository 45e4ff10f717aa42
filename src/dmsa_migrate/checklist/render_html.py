"""The printable HTML export: one self-contained page a company admin can open or print.

Self-contained on purpose: customers open it from an email or a file share, often offline,
and an auditor must be sure it cannot phone home. So: no scripts, no external fonts,
images or style sheets (inline CSS, inline SVG only), and a Content-Security-Policy that
would block anything else. Colours carry meaning but every status is also written out,
so a black-and-white print reads the same. The layout fits the narrower of A4 and Letter.

Every value of the contract fields sits in an element with ``data-field="<name>"`` inside
a section with ``data-company-id``/``data-company``, so tests (and scrapers) read the same
fields as in the CSV and JSON.
"""

from __future__ import annotations

from html import escape

from dmsa_migrate.models.checklist import (
    STATUSES,
    Checklist,
    ChecklistRow,
    CompanySummary,
    ProjectRef,
)

STATUS_COLOURS: dict[str, str] = {
    "done": "#1a7f37",
    "pending": "#b07800",
    "blocked": "#cf222e",
    "waived": "#8250df",
    "not_applicable": "#8c959f",
}
PROJECT_COLOURS: dict[str, str] = {"matched": "#1a7f37", "missing": "#cf222e", "extra": "#0969da"}
STATUS_LABELS: dict[str, str] = {
    "done": "done",
    "pending": "pending",
    "blocked": "blocked",
    "waived": "waived",
    "not_applicable": "not applicable",
}

CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "base-uri 'none'; form-action 'none'"
)

CSS = """
:root { --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --soft: #f6f8fa; }
* { box-sizing: border-box; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
html { background: #fff; }
body { margin: 0; color: var(--ink); font: 14px/1.45 system-ui, -apple-system, "Segoe UI",
  Roboto, "Helvetica Neue", Arial, sans-serif; }
.page { max-width: 1040px; margin: 0 auto; padding: 28px 32px 40px; }
h1 { font-size: 26px; margin: 2px 0 6px; }
h2 { font-size: 19px; margin: 28px 0 10px; padding-bottom: 4px;
  border-bottom: 2px solid var(--ink); }
h3 { font-size: 15px; margin: 18px 0 8px; }
code { font: 12px/1.3 ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; }
.eyebrow { text-transform: uppercase; letter-spacing: .08em; font-size: 11px; color: var(--muted); }
.meta { display: flex; flex-wrap: wrap; gap: 4px 22px; margin: 8px 0 0; color: var(--muted); }
.meta div { display: flex; gap: 6px; }
.meta dt { font-weight: 600; color: var(--ink); }
.meta dd { margin: 0; }
.customer { font-size: 18px; margin: 0; }
.timeline ol { list-style: none; margin: 0; padding: 0; display: grid;
  grid-template-columns: repeat(auto-fit, minmax(220px, 1fr)); gap: 8px; }
.timeline li { border-left: 4px solid var(--line); background: var(--soft); padding: 6px 10px; }
.timeline li.upcoming { border-left-color: #0969da; }
.timeline li.today { border-left-color: #cf222e; }
.timeline .date { font-weight: 700; display: block; }
.timeline .rel { color: var(--muted); font-size: 12px; }
.chips { display: flex; flex-wrap: wrap; gap: 6px; margin: 0 0 12px; }
.chip { border-radius: 999px; padding: 2px 10px; font-size: 12px; font-weight: 600; color: #fff; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); gap: 12px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px;
  break-inside: avoid; }
.card h3 { margin: 0 0 6px; display: flex; justify-content: space-between; gap: 8px; }
.bar-label { font-size: 12px; color: var(--muted); margin: 8px 0 2px; display: flex;
  justify-content: space-between; gap: 8px; }
.bar { display: block; width: 100%; height: 14px; border-radius: 3px; }
.verdict { margin: 10px 0 0; font-weight: 600; }
.verdict.ready { color: #1a7f37; }
.verdict.open { color: #cf222e; }
.badge { display: inline-block; border-radius: 4px; padding: 1px 7px; font-size: 12px;
  font-weight: 600; border: 1px solid currentColor; white-space: nowrap; }
.install-installed { color: #1a7f37; }
.install-disconnected, .install-not_installed { color: #cf222e; }
.install-unknown { color: var(--muted); }
.status { display: inline-block; min-width: 74px; text-align: center; border-radius: 4px;
  padding: 1px 6px; font-size: 12px; font-weight: 700; color: #fff; white-space: nowrap; }
.company { margin-top: 12px; }
.company h2 .id, .card .id { color: var(--muted); font-weight: 400; font-size: 13px; }
table { width: 100%; border-collapse: collapse; margin: 6px 0 4px; font-size: 13px; }
th { text-align: left; background: var(--soft); border-bottom: 2px solid var(--line);
  padding: 6px 8px; font-size: 12px; }
td { border-bottom: 1px solid var(--line); padding: 6px 8px; vertical-align: top; }
tr.row td:first-child { border-left: 4px solid var(--line); }
td.due { white-space: nowrap; }
td .desc { color: var(--muted); font-size: 12px; margin-top: 2px; }
td .item-id { color: var(--muted); }
.overdue { color: #cf222e; font-weight: 700; font-size: 11px; display: block; }
.empty { color: var(--muted); font-style: italic; }
.signoff { border: 1px solid var(--ink); border-radius: 6px; padding: 10px 14px; margin-top: 12px;
  break-inside: avoid; }
.signoff h3 { margin-top: 0; }
.sign-lines { display: grid; grid-template-columns: 1.4fr 1.4fr 1fr 1fr; gap: 18px;
  margin-top: 16px; }
.sign-lines div { border-top: 1px solid var(--ink); padding-top: 3px; font-size: 11px;
  color: var(--muted); }
.box { display: inline-block; width: 11px; height: 11px; border: 1px solid var(--ink);
  vertical-align: -1px; margin: 0 3px 0 10px; }
footer { margin-top: 32px; color: var(--muted); font-size: 12px; border-top: 1px solid var(--line);
  padding-top: 8px; }
@page { size: auto; margin: 14mm 12mm; }
@media print {
  body { font-size: 10pt; }
  .page { max-width: none; padding: 0; }
  .company { break-before: page; }
  h2, h3 { break-after: avoid; }
  tr, .card, .signoff, .timeline li { break-inside: avoid; }
  thead { display: table-header-group; }
  table { font-size: 9pt; }
}
"""
"""The page style: widths in relative units so the page fits A4 (210 mm) and Letter (8.5 in)."""


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _field(name: str, value: object) -> str:
    return f'<span data-field="{name}">{_e(value)}</span>'


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
        _header(checklist),
        _timeline(checklist),
        _glance(checklist),
        *[_company(checklist, summary) for summary in checklist.companies],
        _footer(checklist),
        "</main>",
        "</body>",
        "</html>",
    ]
    return "\n".join(parts) + "\n"


def _header(checklist: Checklist) -> str:
    playbook = checklist.playbook
    meta = [
        ("Playbook", f"{playbook.title} ({playbook.id} {playbook.version})"),
        ("Today", checklist.today),
        ("Companies", str(len(checklist.companies))),
        ("Generated at", checklist.generated_at),
    ]
    items = "".join(f"<div><dt>{_e(k)}</dt><dd>{_e(v)}</dd></div>" for k, v in meta)
    customer = checklist.customer or "customer not named"
    return (
        "<header>"
        '<div class="eyebrow">Procore traditional service account &rarr; DMSA migration</div>'
        "<h1>Sunset checklist</h1>"
        f'<p class="customer">Customer: <strong data-customer>{_e(customer)}</strong></p>'
        f'<dl class="meta">{items}</dl>'
        "</header>"
    )


def _timeline(checklist: Checklist) -> str:
    entries = []
    for entry in checklist.timeline:
        days = entry.days_from_today
        kind = "passed" if days < 0 else ("today" if days == 0 else "upcoming")
        relative = entry.text.rsplit(" — ", 1)[-1]
        entries.append(
            f'<li class="{kind}"><span class="date">{_e(entry.date)}</span>'
            f'{_e(entry.title)}<br><span class="rel">{_e(relative)}</span></li>'
        )
    return f'<section class="timeline"><h2>Timeline</h2><ol>{"".join(entries)}</ol></section>'


def _chips(counts: dict[str, int]) -> str:
    chips = "".join(
        f'<span class="chip" style="background:{STATUS_COLOURS[s]}">'
        f"{counts.get(s, 0)} {_e(STATUS_LABELS[s])}</span>"
        for s in STATUSES
    )
    return f'<div class="chips">{chips}</div>'


def _bar(segments: list[tuple[str, int, str]], empty_label: str) -> str:
    """A stacked horizontal bar (inline SVG): one segment per non-zero count."""
    total = sum(count for _, count, _ in segments)
    label = ", ".join(f"{count} {name}" for name, count, _ in segments) if total else empty_label
    shapes = []
    if total == 0:
        shapes.append('<rect x="0" y="0" width="300" height="14" fill="#d1d9e0"/>')
    else:
        x = 0.0
        for name, count, colour in segments:
            if count == 0:
                continue
            width = 300 * count / total
            shapes.append(
                f'<rect x="{x:.2f}" y="0" width="{width:.2f}" height="14" fill="{colour}">'
                f"<title>{count} {_e(name)}</title></rect>"
            )
            x += width
    return (
        '<svg class="bar" viewBox="0 0 300 14" preserveAspectRatio="none" role="img" '
        f'aria-label="{_e(label)}" xmlns="http://www.w3.org/2000/svg">{"".join(shapes)}</svg>'
    )


def _project_bar(summary: CompanySummary) -> str:
    if not summary.verified:
        return (
            '<div class="bar-label"><span>Projects</span><span>not verified yet</span></div>'
            + _bar([], "not verified yet")
        )
    counts = [
        ("matched", len(summary.matched_projects)),
        ("missing", len(summary.missing_projects)),
        ("extra", len(summary.extra_projects)),
    ]
    legend = " &middot; ".join(f"{count} {name}" for name, count in counts)
    segments = [(name, count, PROJECT_COLOURS[name]) for name, count in counts]
    return f'<div class="bar-label"><span>Projects</span><span>{legend}</span></div>' + _bar(
        segments, "no projects"
    )


def _item_bar(summary: CompanySummary) -> str:
    shown = [s for s in STATUSES if summary.counts.get(s, 0)]
    legend = " &middot; ".join(f"{summary.counts[s]} {_e(STATUS_LABELS[s])}" for s in shown)
    segments = [(STATUS_LABELS[s], summary.counts.get(s, 0), STATUS_COLOURS[s]) for s in STATUSES]
    return (
        f'<div class="bar-label"><span>Items</span><span>{legend or "no items"}</span></div>'
        + _bar(segments, "no items")
    )


def _verdict(summary: CompanySummary) -> str:
    if summary.open_items == 0:
        return '<p class="verdict ready">Ready: the old service account can be switched off.</p>'
    return (
        f'<p class="verdict open">Not ready: {summary.open_items} open '
        f"item{'s' if summary.open_items != 1 else ''}.</p>"
    )


def _install_badge(status: str) -> str:
    return f'<span class="badge install-{_e(status)}">{_e(status.replace("_", " "))}</span>'


def _glance(checklist: Checklist) -> str:
    cards = []
    for summary in checklist.companies:
        cards.append(
            '<article class="card">'
            f"<h3><span>{_e(summary.company or 'Company')} "
            f'<span class="id">{summary.company_id}</span></span>'
            f"{_install_badge(summary.install_status)}</h3>"
            f"{_project_bar(summary)}{_item_bar(summary)}{_verdict(summary)}"
            "</article>"
        )
    total = sum(checklist.totals.values())
    return (
        '<section class="glance"><h2>At a glance</h2>'
        f"<p>{total} checklist items over {len(checklist.companies)} "
        f"compan{'ies' if len(checklist.companies) != 1 else 'y'}.</p>"
        f"{_chips(checklist.totals)}"
        f'<div class="cards">{"".join(cards)}</div></section>'
    )


def _company(checklist: Checklist, summary: CompanySummary) -> str:
    rows = checklist.rows_for(summary.company_id)
    descriptions = {d.item_id: d.description for d in checklist.definitions}
    body = "".join(
        _item_row(row, descriptions.get(row.item_id, ""), checklist.today) for row in rows
    )
    return (
        f'<section class="company" id="company-{summary.company_id}" '
        f'data-company-id="{summary.company_id}" data-company="{_e(summary.company)}">'
        f"<h2>{_e(summary.company or 'Company')} "
        f'<span class="id">company {summary.company_id}</span></h2>'
        f"<p>Install status: {_install_badge(summary.install_status)} &nbsp; "
        f"{summary.projects_sentence}</p>"
        f"{_chips(summary.counts)}"
        '<table class="items"><thead><tr>'
        "<th>Item</th><th>Status</th><th>Owner</th><th>Due</th><th>Evidence</th>"
        "<th>Waiver</th><th>Signed off</th></tr></thead>"
        f"<tbody>{body}</tbody></table>"
        "<h3>Missing projects</h3>"
        f"{_projects_table(summary.missing_projects, summary.verified, 'No missing projects.')}"
        f"{_extra_projects(summary)}"
        f"{_sign_off(summary, rows)}"
        "</section>"
    )


def _item_row(row: ChecklistRow, description: str, today: str) -> str:
    colour = STATUS_COLOURS[row.status]
    overdue = (
        '<span class="overdue">overdue</span>'
        if row.due and row.due < today and row.status in ("pending", "blocked")
        else ""
    )
    signed = ""
    if row.signed_off_by:
        signed = f"{_field('signed_off_by', row.signed_off_by)}<br>"
    signed += _field("signed_off_at", row.signed_off_at)
    if not row.signed_off_by:
        signed = _field("signed_off_by", "") + signed
    return (
        f'<tr class="row status-{row.status}" data-item-id="{_e(row.item_id)}" '
        f'style="--status:{colour}">'
        f'<td style="border-left-color:{colour}"><strong>{_field("title", row.title)}</strong>'
        f'<div class="item-id"><code>{_field("item_id", row.item_id)}</code></div>'
        f'<div class="desc">{_e(description)}</div></td>'
        f'<td><span class="status" style="background:{colour}">'
        f"{_field('status', row.status)}</span></td>"
        f"<td>{_field('owner', row.owner)}</td>"
        f'<td class="due">{_field("due", row.due)}{overdue}</td>'
        f"<td>{_field('evidence', row.evidence)}</td>"
        f"<td>{_field('waiver', row.waiver)}</td>"
        f"<td>{signed}</td>"
        "</tr>"
    )


def _projects_table(projects: list[ProjectRef], verified: bool, empty: str) -> str:
    if not verified:
        return '<p class="empty">Not verified yet: run verify to compare the projects.</p>'
    if not projects:
        return f'<p class="empty">{_e(empty)}</p>'
    rows = "".join(
        f"<tr><td>{p.id}</td><td>{_e(p.name)}</td>"
        f"<td>{'' if p.active is None else ('yes' if p.active else 'no')}</td></tr>"
        for p in projects
    )
    return (
        '<table class="projects"><thead><tr><th>Project id</th><th>Name</th><th>Active</th>'
        f"</tr></thead><tbody>{rows}</tbody></table>"
    )


def _extra_projects(summary: CompanySummary) -> str:
    if not summary.extra_projects:
        return ""
    listed = ", ".join(
        f"{p.id}" + (f" {_e(p.name)}" if p.name else "") for p in summary.extra_projects
    )
    return (
        "<h3>Extra projects</h3>"
        "<p>Permitted, but the old account never reached them (keep only if the integration "
        f"needs them): {listed}.</p>"
    )


def _sign_off(summary: CompanySummary, rows: list[ChecklistRow]) -> str:
    signed = [row for row in rows if row.signed_off_by]
    listed = (
        "<ul>"
        + "".join(
            f"<li><code>{_e(r.item_id)}</code> signed off by {_e(r.signed_off_by)} "
            f"at {_e(r.signed_off_at)}</li>"
            for r in signed
        )
        + "</ul>"
        if signed
        else '<p class="empty">No item signed off yet.</p>'
    )
    verdict = _verdict(summary)
    return (
        f'<div class="signoff"><h3>Sign-off: {_e(summary.company or "Company")} '
        f'<span class="id">company {summary.company_id}</span></h3>{listed}{verdict}'
        "<p>Decision on switching off the old service account:"
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
        "Statuses are set from the inventory and verification evidence; waivers and sign-offs "
        "come from the consultant's session. This page holds no secrets and loads nothing "
        "from the network.</footer>"
    )
