"""Build the sunset checklist from a playbook, the step outputs and the session's manual states.

For each company (ascending id) and each playbook item (playbook order):

1. the item's conditions decide an automatic status from the company's facts
   (:func:`dmsa_migrate.playbooks.decide_item`);
2. the evidence sentence says why, in the customer's words where the playbook gives a
   template ("1 of 8 projects not permitted: 1008"), else from the facts the deciding
   condition read ("company.disconnected = yes");
3. the session's manual state for that company and item (if any) is applied on top: an
   explicit status wins (a waiver carries its reason); a sign-off closes an item that no
   evidence contradicts. A signature never overrides contrary evidence: an item whose
   conditions say "not yet" stays open until the evidence changes or someone waives it
   in writing, because the checklist is what a customer relies on to switch the old
   account off.

Nothing here reads files or the clock: ``today`` and ``generated_at`` are arguments, so
equal inputs give byte-identical exports.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from dmsa_migrate.conditions import (
    UNKNOWN,
    Condition,
    Evidence,
    FactValues,
    facts_for_company,
    format_value,
    template_facts,
)
from dmsa_migrate.models.checklist import (
    STATUSES,
    Checklist,
    ChecklistRow,
    ChecklistStatus,
    CompanySummary,
    ItemDefinition,
    PlaybookInfo,
    ProjectRef,
    TimelineEntry,
)
from dmsa_migrate.models.playbook import ChecklistItem, Playbook
from dmsa_migrate.models.session import ItemState
from dmsa_migrate.playbooks import ItemDecision, decide_item, item_conditions, timeline_lines

OWNER_LABELS: dict[str, str] = {
    "consultant": "Consultant",
    "integration_developer": "Integration developer",
    "company_admin": "Company admin",
    "customer_it": "Customer IT",
    "customer_project_manager": "Customer project manager",
}
"""How a playbook owner role reads in the exports when the session names no person."""

_MANUAL_HINT = "manual item:"

_STEP_OF_FACT = {"inventory": "inventory", "manifest": "manifest"}
"""Which step produces a fact (by its prefix); everything else comes from verify."""


def iso_time(value: dt.datetime) -> str:
    """A time as ISO text in UTC with a ``Z`` (naive times are taken as UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def build_checklist(
    playbook: Playbook,
    evidence: Evidence,
    *,
    today: dt.date,
    states: Iterable[ItemState] = (),
    customer: str = "",
    company_ids: Sequence[int] | None = None,
    generated_at: dt.datetime | None = None,
) -> Checklist:
    """The checklist of every company in ``evidence`` (or of ``company_ids``).

    Args:
        playbook: gives the items, their conditions, owners, due dates and the timeline.
        evidence: the inventory, manifest and verification (any may be None: items that
            need a missing step stay pending and say which step to run).
        today: what the timeline and overdue marks are relative to.
        states: manual item states from the session (waivers, sign-offs, owners, notes).
        customer: printed in the header of the human formats.
        company_ids: only these companies (in ascending order); default: every company
            the inventory or the verification names.
        generated_at: the one timestamp of the exports (default: now).
    """
    manual = {(state.company_id, state.item_id): state for state in states}
    ids = sorted(set(company_ids)) if company_ids else evidence.company_ids()
    names = _project_names(evidence)
    rows: list[ChecklistRow] = []
    summaries: list[CompanySummary] = []
    for company_id in ids:
        facts = facts_for_company(evidence, company_id)
        company = str(facts["company.name"] or "")
        company_rows = [
            _row(playbook, item, facts, company, manual.get((company_id, item.id)))
            for item in playbook.checklist
        ]
        rows += company_rows
        summaries.append(_summary(evidence, facts, company, company_rows, names))
    return Checklist(
        generated_at=iso_time(generated_at or dt.datetime.now(dt.UTC)),
        today=today.isoformat(),
        customer=customer,
        playbook=PlaybookInfo(
            id=playbook.id, version=playbook.version, title=playbook.playbook.title
        ),
        timeline=_timeline(playbook, today),
        totals=_counts(rows),
        companies=summaries,
        definitions=[_definition(playbook, item) for item in playbook.checklist],
        items=rows,
    )


# ---------------------------------------------------------------- one row


def _row(
    playbook: Playbook,
    item: ChecklistItem,
    facts: FactValues,
    company: str,
    state: ItemState | None,
) -> ChecklistRow:
    decision = decide_item(item, facts)
    status: ChecklistStatus = decision.status
    parts = _automatic_evidence(item, decision, facts)
    if state is not None:
        status, parts = _apply_state(item, decision, state, parts)
    due = playbook.due_date(item)
    return ChecklistRow(
        company_id=facts.company_id,
        company=company,
        item_id=item.id,
        title=item.title,
        status=status,
        owner=(state.owner.strip() if state and state.owner.strip() else "")
        or OWNER_LABELS.get(item.owner, item.owner),
        due=due.isoformat() if due else "",
        evidence="; ".join(part for part in parts if part),
        waiver=state.waiver_reason.strip() if state else "",
        signed_off_by=state.signed_off_by if state else "",
        signed_off_at=iso_time(state.signed_off_at) if state and state.signed_off_at else "",
    )


def _automatic_evidence(
    item: ChecklistItem, decision: ItemDecision, facts: FactValues
) -> list[str]:
    """Why the conditions gave this status: the playbook's sentence, then the deciding facts."""
    conditions = item_conditions(item)
    if decision.status == "not_applicable":
        return [f"does not apply: {_explain(conditions['applies_when'], facts)}"]
    parts: list[str] = []
    known = all(facts.get(name, UNKNOWN) is not UNKNOWN for name in template_facts(item.evidence))
    if item.evidence and known:
        parts.append(facts.render(item.evidence))
    if decision.status == "blocked":
        parts.append(f"blocked: {_explain(conditions['blocked_when'], facts)}")
    elif decision.status == "done" and not item.evidence:
        parts.append(f"done: {_explain(conditions['done_when'], facts)}")
    elif decision.status == "pending":
        if decision.missing_facts:
            steps = sorted({_step_of(name) for name in decision.missing_facts})
            parts.append(
                f"waiting for evidence: run {' and '.join(steps)} "
                f"({', '.join(decision.missing_facts)} unknown)"
            )
        elif decision.decided_by == "done_when" and not item.evidence:
            parts.append(f"not yet: {_explain(conditions['done_when'], facts)}")
        if item.is_manual:
            parts.append(f"{_MANUAL_HINT} closes with the owner's sign-off or a written waiver")
    return parts


def _apply_state(
    item: ChecklistItem,
    decision: ItemDecision,
    state: ItemState,
    parts: list[str],
) -> tuple[ChecklistStatus, list[str]]:
    """The session's manual state over the automatic status (see the module docstring)."""
    automatic: ChecklistStatus = decision.status
    status = automatic
    if state.signed_off_by or state.status not in (None, "pending"):
        parts = [p for p in parts if not p.startswith(_MANUAL_HINT)]
    if state.status is not None:
        status = state.status
        if status != automatic and not item.is_manual:
            parts.append(f"set by hand to {status} (the conditions say {automatic})")
    elif state.signed_off_by:
        contradicted = automatic == "blocked" or (
            automatic == "pending" and decision.decided_by == "done_when"
        )
        if automatic == "pending" and not contradicted:
            status = "done"
        elif contradicted:
            parts.append(
                f"signed off, but the evidence still says {automatic}: fix it and re-run "
                "verify, or waive the item with a written reason"
            )
    if state.signed_off_by and state.signed_off_at is not None:
        parts.append(f"signed off by {state.signed_off_by} on {iso_time(state.signed_off_at)[:10]}")
    if state.evidence_note.strip():
        parts.append(f"note: {state.evidence_note.strip()}")
    return status, parts


def _explain(condition: Condition, facts: FactValues) -> str:
    """The facts a condition read, with their values: ``company.disconnected = yes``."""
    return ", ".join(
        f"{name} = {format_value(facts.get(name, UNKNOWN))}" for name in sorted(condition.facts)
    )


def _step_of(fact: str) -> str:
    return _STEP_OF_FACT.get(fact.split(".", 1)[0], "verify")


# ---------------------------------------------------------------- context


def _counts(rows: Iterable[ChecklistRow]) -> dict[str, int]:
    counts: dict[str, int] = dict.fromkeys(STATUSES, 0)
    for row in rows:
        counts[row.status] += 1
    return counts


def _project_names(evidence: Evidence) -> dict[int, tuple[str, bool]]:
    """Project id → (name, active) from the inventory (verification lists only ids)."""
    names: dict[int, tuple[str, bool]] = {}
    if evidence.inventory is not None:
        for account in evidence.inventory.accounts:
            for company in account.companies:
                for project in company.projects:
                    if project.name or project.id not in names:
                        names[project.id] = (project.name, project.active)
    return names


def _refs(ids: Iterable[int], names: dict[int, tuple[str, bool]]) -> list[ProjectRef]:
    refs = []
    for project_id in sorted(set(ids)):
        name, active = names.get(project_id, ("", None))
        refs.append(ProjectRef(id=project_id, name=name, active=active))
    return refs


def _summary(
    evidence: Evidence,
    facts: FactValues,
    company: str,
    rows: list[ChecklistRow],
    names: dict[int, tuple[str, bool]],
) -> CompanySummary:
    checked = None
    if evidence.verification is not None:
        checked = next(
            (c for c in evidence.verification.companies if c.id == facts.company_id), None
        )
    status = facts["company.install_status"]
    return CompanySummary(
        company_id=facts.company_id,
        company=company,
        install_status="unknown" if status is UNKNOWN else str(status),
        verified=checked is not None,
        matched_projects=_refs(checked.matched_projects if checked else [], names),
        missing_projects=_refs(checked.missing_projects if checked else [], names),
        extra_projects=_refs(checked.extra_projects if checked else [], names),
        counts=_counts(rows),
    )


def _timeline(playbook: Playbook, today: dt.date) -> list[TimelineEntry]:
    events = sorted(playbook.timeline, key=lambda event: event.date)
    return [
        TimelineEntry(
            id=event.id,
            title=event.title,
            date=event.date.isoformat(),
            days_from_today=event.days_from(today),
            text=text,
        )
        for event, text in zip(events, timeline_lines(playbook, today), strict=True)
    ]


def _definition(playbook: Playbook, item: ChecklistItem) -> ItemDefinition:
    due = playbook.due_date(item)
    return ItemDefinition(
        item_id=item.id,
        title=item.title,
        description=item.description,
        owner_role=item.owner,
        phase=item.phase,
        due=due.isoformat() if due else "",
        automatic=not item.is_manual,
    )
