"""The Markdown export: for a ticket, a wiki page or an email to the company admin.

It reads as a work order: first a one-page summary for the customer's management (per
company: the state, what is broken, the next three actions with owner and date, the
sign-off), then per company one entry per item with its status, owner, due date, why
(the evidence in words), what to do and where in Procore. Every value that came from
outside (names, notes, waivers, Procore data) is escaped, so it reads as text.

Each item entry is ``### N. Title`` followed by ``- Label: value`` lines with the labels
of :data:`LABELS`, so a script can read the entries back (tests do).
"""

from __future__ import annotations

from dmsa_migrate.checklist.build import OWNER_LABELS
from dmsa_migrate.models.checklist import (
    Checklist,
    ChecklistRow,
    CompanySummary,
    ItemDefinition,
    NextAction,
    ProjectRef,
)
from dmsa_migrate.textsafe import markdown_escape as esc

LABELS: dict[str, str] = {
    "status_text": "Status",
    "owner": "Owner",
    "owner_contact": "Contact",
    "due": "Due",
    "evidence": "Why",
    "action": "What to do",
    "where": "Where in Procore",
    "waiver": "Waiver",
    "signed_off_by": "Signed off by",
    "signed_off_at": "Signed off at",
}
"""Row field → the label of its line in an item entry (empty values are left out)."""


def company_heading(summary: CompanySummary) -> str:
    """``Acme Builders (company 101)``: the heading of a company's section."""
    return f"{esc(summary.company or 'Company')} (company {summary.company_id})"


def render_markdown(checklist: Checklist) -> str:
    """The whole checklist as Markdown (deterministic: no time but ``generated_at``)."""
    lines = [
        f"# Sunset checklist: {esc(checklist.customer or 'customer not named')}",
        "",
        f"Playbook: {esc(checklist.playbook.title)} ({esc(checklist.playbook.id)} "
        f"{esc(checklist.playbook.version)})  ",
        f"Today: {checklist.today} · engagement start: {checklist.engagement_start}  ",
        f"Generated at: {checklist.generated_at}",
        "",
        *management_summary(checklist),
        "",
        "## Timeline",
        "",
        *[f"- {esc(entry.text)}" for entry in checklist.timeline],
    ]
    for summary in checklist.companies:
        lines += ["", *_company_section(checklist, summary)]
    lines += ["", "## What each item means", ""]
    for definition in checklist.definitions:
        lines += [*_definition(definition), ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def sunset_sentence(checklist: Checklist) -> str:
    """The story of the day: before the sunset, the deadline; after it, what stopped."""
    if checklist.after_sunset:
        return (
            f"The old service accounts stopped working on {checklist.sunset}. An integration "
            "not yet moved to the app has been down since then; the actions below restore it."
        )
    return (
        f"The old service accounts stop working on {checklist.sunset}. Every open item must "
        "be done or waived before then."
    )


def management_summary(checklist: Checklist) -> list[str]:
    """The one-page summary for the customer's management."""
    lines = ["## Management summary", "", sunset_sentence(checklist)]
    for summary in checklist.companies:
        lines += ["", f"**{esc(summary.company or 'Company')}**: {esc(summary.state_text)}"]
        if summary.broken:
            label = "What is broken" if checklist.after_sunset else "At risk"
            lines += ["", f"{label}: {esc(summary.broken)}"]
        if summary.next_actions:
            lines += ["", "Next actions:", ""]
            lines += [
                f"{n}. {_next_action(action)}" for n, action in enumerate(summary.next_actions, 1)
            ]
        lines += ["", f"Sign-off: {esc(sign_off_sentence(checklist, summary))}"]
    return lines


def _next_action(action: NextAction) -> str:
    owner = esc(action.owner) + (f" ({esc(action.owner_contact)})" if action.owner_contact else "")
    due = f", due {action.due}" + (" (overdue)" if action.overdue else "") if action.due else ""
    return f"{esc(action.action)} ({owner}{due})"


def sign_off_sentence(checklist: Checklist, summary: CompanySummary) -> str:
    """Who signed what, and whether the company can be signed off at all yet."""
    rows = checklist.rows_for(summary.company_id)
    closed = [row for row in rows if row.signed_off_by and not row.is_open]
    open_signed = [row for row in rows if row.signed_off_by and row.is_open]
    parts = []
    if closed:
        parts.append(
            "signed off: "
            + "; ".join(f"{row.title} by {row.signed_off_by}" for row in closed)
        )
    if open_signed:
        parts.append(
            "signed but still open (not counted): "
            + "; ".join(f"{row.title} by {row.signed_off_by}" for row in open_signed)
        )
    if summary.open_items:
        parts.append(f"not ready for the company's sign-off ({summary.open_items} open)")
    else:
        parts.append("ready for the company's sign-off")
    return " ".join(part[0].upper() + part[1:] + "." for part in parts)


def _company_section(checklist: Checklist, summary: CompanySummary) -> list[str]:
    rows = checklist.rows_for(summary.company_id)
    lines = [
        f"## {company_heading(summary)}",
        "",
        f"{esc(summary.state_text)} Install status: "
        f"{esc(summary.install_status.replace('_', ' '))}. {esc(summary.projects_sentence)}",
    ]
    for number, row in enumerate(rows, 1):
        lines += ["", *item_entry(number, row)]
    if summary.verified and summary.missing_projects:
        lines += ["", "### Missing projects", "", *_projects_table(summary.missing_projects)]
    lines += ["", "### Sign-off", "", *_sign_off(checklist, summary)]
    return lines


def item_entry(number: int, row: ChecklistRow) -> list[str]:
    """``### 3. Title`` and one ``- Label: value`` line per non-empty field."""
    flag = " (overdue)" if row.overdue else ""
    lines = [f"### {number}. {esc(row.title)}{flag}", ""]
    for name, label in LABELS.items():
        value = getattr(row, name)
        if value:
            lines.append(f"- {label}: {esc(value)}")
    return lines


def _projects_table(projects: list[ProjectRef]) -> list[str]:
    lines = ["| Project | Name | Active |", "|---|---|---|"]
    lines += [
        f"| {p.id} | {esc(p.name)} | {'' if p.active is None else ('yes' if p.active else 'no')} |"
        for p in projects
    ]
    return lines


def _sign_off(checklist: Checklist, summary: CompanySummary) -> list[str]:
    return [
        esc(sign_off_sentence(checklist, summary)),
        "",
        "Company admin: ______________________  Date: ____________  "
        "Decision: [ ] go  [ ] no-go  [ ] go with waivers",
        "",
        "Consultant: _________________________  Date: ____________",
    ]


def _definition(definition: ItemDefinition) -> list[str]:
    how = "closes from evidence" if definition.automatic else "closes with a sign-off"
    due = f", due {definition.due}" if definition.due else ""
    return [
        f"**{esc(definition.title)}** "
        f"({OWNER_LABELS.get(definition.owner_role, definition.owner_role)}, "
        f"{definition.phase} phase{due}; {how})  ",
        esc(definition.description),
    ]
