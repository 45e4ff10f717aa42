"""The Markdown export: for a ticket, a wiki page or an email to the company admin.

Tables use the contract field names as column headers, so the Markdown, the CSV and the
JSON read alike; the company of each table is in its heading.
"""

from __future__ import annotations

from dmsa_migrate.checklist.build import OWNER_LABELS
from dmsa_migrate.models.checklist import (
    ITEM_FIELDS,
    STATUSES,
    Checklist,
    CompanySummary,
    ItemDefinition,
    ProjectRef,
)

ROW_COLUMNS = tuple(name for name in ITEM_FIELDS if name not in ("company_id", "company"))
"""Columns of a company's item table (the company is in the section heading)."""


def company_heading(summary: CompanySummary) -> str:
    """``Acme Builders (company 101)``: the heading of a company's section."""
    return f"{summary.company or 'Company'} (company {summary.company_id})"


def cell(value: object) -> str:
    """A table cell: one line, pipes escaped."""
    text = str(value).replace("\r", " ").replace("\n", " ")
    return text.replace("\\", "\\\\").replace("|", "\\|")


def _table(headers: tuple[str, ...] | list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cell(value) for value in row) + " |" for row in rows]
    return lines


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{counts.get(status, 0)} {status}" for status in STATUSES)


def render_markdown(checklist: Checklist) -> str:
    """The whole checklist as Markdown (deterministic: no time but ``generated_at``)."""
    lines = [
        f"# Sunset checklist: {checklist.customer or 'customer not named'}",
        "",
        f"Playbook: {checklist.playbook.title} ({checklist.playbook.id} "
        f"{checklist.playbook.version})  ",
        f"Today: {checklist.today}  ",
        f"Generated at: {checklist.generated_at}",
        "",
        "## Timeline",
        "",
        *[f"- {entry.text}" for entry in checklist.timeline],
        "",
        "## Summary",
        "",
        f"{sum(checklist.totals.values())} items: {_counts(checklist.totals)}.",
        "",
        *_summary_table(checklist),
    ]
    for summary in checklist.companies:
        lines += ["", *_company_section(checklist, summary)]
    lines += ["", "## What each item means", ""]
    for definition in checklist.definitions:
        lines += [*_definition(definition), ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def _summary_table(checklist: Checklist) -> list[str]:
    headers = ["company_id", "company", "install", "matched", "missing", "extra", *STATUSES]
    rows = [
        [
            str(s.company_id),
            s.company,
            s.install_status,
            *(
                [str(len(p)) for p in (s.matched_projects, s.missing_projects, s.extra_projects)]
                if s.verified
                else ["?", "?", "?"]
            ),
            *[str(s.counts.get(status, 0)) for status in STATUSES],
        ]
        for s in checklist.companies
    ]
    return _table(headers, rows)


def _company_section(checklist: Checklist, summary: CompanySummary) -> list[str]:
    rows = checklist.rows_for(summary.company_id)
    lines = [
        f"## {company_heading(summary)}",
        "",
        f"Install status: {summary.install_status}. " + summary.projects_sentence,
        f"Items: {_counts(summary.counts)}.",
        "",
        *_table(
            ROW_COLUMNS,
            [[str(getattr(row, name)) for name in ROW_COLUMNS] for row in rows],
        ),
        "",
        "### Missing projects",
        "",
        *_projects_table(summary.missing_projects, "No missing projects."),
    ]
    if summary.extra_projects:
        listed = ", ".join(
            f"{p.id}" + (f" {p.name}" if p.name else "") for p in summary.extra_projects
        )
        lines += [
            "",
            "### Extra projects",
            "",
            "Permitted, but the old account never reached them (keep only if the integration "
            f"needs them): {listed}.",
        ]
    lines += ["", "### Sign-off", "", *_sign_off(summary, checklist)]
    return lines


def _projects_table(projects: list[ProjectRef], empty: str) -> list[str]:
    if not projects:
        return [empty]
    return _table(
        ["id", "name", "active"],
        [[str(p.id), p.name, _active(p.active)] for p in projects],
    )


def _active(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


def _sign_off(summary: CompanySummary, checklist: Checklist) -> list[str]:
    signed = [row for row in checklist.rows_for(summary.company_id) if row.signed_off_by]
    lines = [
        f"- {row.item_id}: signed off by {row.signed_off_by} at {row.signed_off_at}"
        for row in signed
    ]
    if not signed:
        lines = ["No item signed off yet."]
    ready = "ready" if summary.open_items == 0 else f"not ready: {summary.open_items} open items"
    return [
        *lines,
        "",
        f"Old service account switch-off: {ready}.",
        "",
        "Company admin: ______________________  Date: ____________  Decision: [ ] go  [ ] no-go",
        "",
        "Consultant: _________________________  Date: ____________",
    ]


def _definition(definition: ItemDefinition) -> list[str]:
    how = "closes from evidence" if definition.automatic else "closes with a sign-off"
    due = f", due {definition.due}" if definition.due else ""
    return [
        f"**{definition.item_id}: {definition.title}** "
        f"({OWNER_LABELS.get(definition.owner_role, definition.owner_role)}, "
        f"{definition.phase} phase{due}; {how})  ",
        definition.description,
    ]
