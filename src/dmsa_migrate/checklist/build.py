"""Build the sunset checklist from a playbook, the step outputs and the session's manual states.

For each company (ascending id) and each playbook item (playbook order):

1. the item's conditions decide an automatic status from the company's facts
   (:func:`dmsa_migrate.playbooks.decide_item`);
2. the item's work order (:mod:`.workorder`) writes why, what to do and where in Procore,
   in the customer's words, and says when the evidence forbids "done": an error in the
   evidence, a check that needs an earlier run that does not exist ("not yet possible"),
   or a step that has not run. Such an item stays open whatever its conditions say;
3. the session's manual state for that company and item (if any) is applied on top: an
   explicit status wins (a waiver carries its reason) unless it claims "done" against the
   evidence; a sign-off closes an item that no evidence contradicts. A signature never
   overrides contrary evidence, because the checklist is what a customer relies on;
4. on or after the sunset the words say what stopped and since when, then what restores it.

Nothing here reads files or the clock: ``today`` and ``generated_at`` are arguments, so
equal inputs give byte-identical exports.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from dmsa_migrate.checklist.words import place
from dmsa_migrate.checklist.workorder import RESTORES, WRITERS, Situation, Words, write
from dmsa_migrate.conditions import (
    UNKNOWN,
    Evidence,
    FactValues,
    facts_for_company,
    format_value,
    template_facts,
)
from dmsa_migrate.models.checklist import (
    OPEN_STATUSES,
    STATUSES,
    Checklist,
    ChecklistRow,
    ChecklistStatus,
    CompanySummary,
    ItemDefinition,
    NextAction,
    PlaybookInfo,
    ProjectRef,
    StatusDetail,
    TimelineEntry,
)
from dmsa_migrate.models.playbook import ChecklistItem, Playbook
from dmsa_migrate.models.session import ItemState, OwnerAssignment
from dmsa_migrate.playbooks import (
    SUNSET,
    ItemDecision,
    decide_item,
    item_conditions,
    timeline_lines,
)

STATUS_LABELS: dict[str, str] = {
    "done": "done",
    "pending": "to do",
    "blocked": "blocked",
    "waived": "waived",
    "not_applicable": "does not apply",
}
"""How each status reads in the customer's text."""

DOWN_SINCE = "Down since"

NEXT_ACTIONS = 3
"""How many next actions the management summary shows per company."""

BROKEN_LIMIT = 240
ACTION_LIMIT = 140
"""Characters of "what is broken" and of each next action in the one-page summary."""

OWNER_LABELS: dict[str, str] = {
    "consultant": "Consultant",
    "integration_developer": "Integration developer",
    "company_admin": "Company admin",
    "customer_it": "Customer IT",
    "customer_project_manager": "Customer project manager",
}
"""How a playbook owner role reads in the exports when the session names no person."""



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
    owners: Iterable[OwnerAssignment] = (),
    customer: str = "",
    company_ids: Sequence[int] | None = None,
    generated_at: dt.datetime | None = None,
    start: dt.date | None = None,
) -> Checklist:
    """The checklist of every company in ``evidence`` (or of ``company_ids``).

    Args:
        playbook: gives the items, their conditions, owners, due dates and the timeline.
        evidence: the inventory, manifest and verification (any may be None: items that
            need a missing step stay pending and say which step to run).
        today: what the timeline, the overdue marks and the before/after-sunset wording
            are relative to.
        states: manual item states from the session (waivers, sign-offs, owners, notes).
        owners: named owners with contact, per role or item, per company or for all.
        customer: printed in the header of the human formats.
        company_ids: only these companies (in ascending order); default: every company
            the inventory or the verification names.
        generated_at: the one timestamp of the exports (default: now).
        start: the engagement start, which ``due = "+5d"`` counts from (default: today).
    """
    context = _Context(
        playbook=playbook,
        evidence=evidence,
        today=today,
        start=start or today,
        sunset=sunset_date(playbook),
        manual={(state.company_id, state.item_id): state for state in states},
        owners=list(owners),
        names=_project_names(evidence),
    )
    ids = sorted(set(company_ids)) if company_ids else evidence.company_ids()
    rows: list[ChecklistRow] = []
    summaries: list[CompanySummary] = []
    for company_id in ids:
        facts = facts_for_company(evidence, company_id)
        situation = context.situation(facts)
        company_rows = [_row(context, item, facts, situation) for item in playbook.checklist]
        rows += company_rows
        summaries.append(_summary(context, situation, company_rows))
    return Checklist(
        generated_at=iso_time(generated_at or dt.datetime.now(dt.UTC)),
        today=today.isoformat(),
        engagement_start=context.start.isoformat(),
        sunset=context.sunset.isoformat(),
        after_sunset=today >= context.sunset,
        customer=customer,
        playbook=PlaybookInfo(
            id=playbook.id, version=playbook.version, title=playbook.playbook.title
        ),
        timeline=_timeline(playbook, today),
        totals=_counts(rows),
        companies=summaries,
        definitions=[_definition(context, item) for item in playbook.checklist],
        items=rows,
    )


def sunset_date(playbook: Playbook) -> dt.date:
    """The playbook's sunset event, else Procore's date (2025-03-18)."""
    event = playbook.event("sunset")
    return event.date if event is not None else SUNSET


@dataclass(frozen=True)
class _Context:
    playbook: Playbook
    evidence: Evidence
    today: dt.date
    start: dt.date
    sunset: dt.date
    manual: dict[tuple[int, str], ItemState]
    owners: list[OwnerAssignment]
    names: dict[int, tuple[str, bool]]

    @property
    def after_sunset(self) -> bool:
        return self.today >= self.sunset

    def situation(self, facts: FactValues) -> Situation:
        verification = self.evidence.verification
        checked = None
        if verification is not None:
            checked = next((c for c in verification.companies if c.id == facts.company_id), None)
        return Situation(
            facts=facts,
            checked=checked,
            previous_run=verification.previous_generated_at if verification else None,
            names=self.names,
            old_users=_old_users(self.evidence, facts.company_id),
            company=str(facts["company.name"] or ""),
            sunset=self.sunset,
            today=self.today,
        )


# ---------------------------------------------------------------- one row


def _row(
    context: _Context, item: ChecklistItem, facts: FactValues, situation: Situation
) -> ChecklistRow:
    decision = decide_item(item, facts)
    kind = item.kind or item.id
    words = write(kind, situation, decision.status) or _custom_words(
        item, decision, facts, situation
    )
    status, detail = _evidence_status(decision, words)
    state = context.manual.get((facts.company_id, item.id))
    why = _post_sunset(context, kind, status, words.why)
    notes: list[str] = []
    if state is not None:
        status, detail, notes = _apply_state(item, decision, detail, state, status)
        if item.is_manual and status == "done" and state.signed_off_at is not None:
            why = f"Signed off by {state.signed_off_by} on {state.signed_off_at.date()}."
    due = context.playbook.due_date(item, context.start)
    owner, contact = _owner(context, item, facts.company_id, state)
    return ChecklistRow(
        company_id=facts.company_id,
        company=situation.company,
        item_id=item.id,
        title=item.title,
        status=status,
        owner=owner,
        due=due.isoformat() if due else "",
        evidence=" ".join(part for part in (why, *notes) if part),
        waiver=state.waiver_reason.strip() if state else "",
        signed_off_by=state.signed_off_by if state else "",
        signed_off_at=iso_time(state.signed_off_at) if state and state.signed_off_at else "",
        status_text=_status_text(status, detail),
        overdue=due is not None and status in OPEN_STATUSES and due < context.today,
        action=words.action if status in OPEN_STATUSES else "",
        where=_where(words) if words.action and status in OPEN_STATUSES else "",
        owner_contact=contact,
        status_detail=detail,
        kind=kind if kind in WRITERS else "custom",
        owner_role=item.owner,
        finding_codes=sorted(set(words.codes)),
        facts=_facts_read(item, facts),
        where_source=place(words.place).source if words.place else "",
    )


def _where(words: Words) -> str:
    return place(words.place, user=words.user).text if words.place else ""


def _custom_words(
    item: ChecklistItem, decision: ItemDecision, facts: FactValues, situation: Situation
) -> Words:
    """Words of an item with no built-in writer: the playbook's own sentences.

    An item whose conditions read the verification is held open while the company's
    verification holds an error, like the built-in kinds.
    """
    known = all(facts.get(name, UNKNOWN) is not UNKNOWN for name in template_facts(item.evidence))
    why = facts.render(item.evidence) if item.evidence and known else item.description
    if decision.status == "not_applicable":
        return Words("Does not apply to this company.")
    hold: StatusDetail = "waiting_for_evidence" if decision.missing_facts else ""
    reads = {name for c in item_conditions(item).values() for name in c.facts}
    errors = situation.errors() if any(n.startswith("verification.") for n in reads) else []
    if errors and not hold:
        hold = "contradicted"
        why += " The verification of this company reports errors, so this cannot be done yet."
    return Words(why, item.action or item.description, "", hold, [f.code for f in errors])


def _evidence_status(decision: ItemDecision, words: Words) -> tuple[ChecklistStatus, StatusDetail]:
    """The automatic status, kept open when the evidence forbids "done"."""
    status: ChecklistStatus = decision.status
    if status == "not_applicable":
        return status, ""
    if status == "done" and words.hold:
        return "pending", words.hold
    if status == "pending" and decision.missing_facts and not words.hold:
        return status, "waiting_for_evidence"
    return status, words.hold if status != "done" else ""


def _apply_state(
    item: ChecklistItem,
    decision: ItemDecision,
    detail: StatusDetail,
    state: ItemState,
    status: ChecklistStatus,
) -> tuple[ChecklistStatus, StatusDetail, list[str]]:
    """The session's manual state over the automatic status (see the module docstring)."""
    notes: list[str] = []
    against_evidence = bool(detail) or decision.status == "blocked" or (
        decision.status == "pending" and decision.decided_by == "done_when"
    )
    if state.status is not None and not (state.status == "done" and against_evidence):
        if state.status != decision.status and not item.is_manual:
            notes.append(
                f"Set by hand to '{STATUS_LABELS[state.status]}'; the evidence says "
                f"'{STATUS_LABELS[decision.status]}'."
            )
        status, detail = state.status, ("" if state.status != "pending" else detail)
    elif state.status == "done":
        notes.append("Marked done by hand, but the evidence above says it is still open.")
    elif state.signed_off_by and status == "pending":
        if against_evidence:
            detail = "signed_but_open"
            notes.append(
                f"Signed off by {state.signed_off_by}, but the evidence still says open: fix "
                "it and verify again, or waive it with a written reason."
            )
        else:
            status, detail = "done", ""
    if state.evidence_note.strip():
        notes.append(f"Note: {state.evidence_note.strip()}")
    return status, detail, notes


def _post_sunset(context: _Context, kind: str, status: str, why: str) -> str:
    """After the sunset, an open restoring item first says what is down and since when."""
    if not context.after_sunset or status not in OPEN_STATUSES or kind not in RESTORES:
        return why
    if kind == "credentials-switched":
        return why
    days = (context.today - context.sunset).days
    return (
        f"{DOWN_SINCE} {context.sunset.isoformat()} ({days} days), when the old service account "
        f"stopped working. {why}"
    )


def _status_text(status: ChecklistStatus, detail: StatusDetail) -> str:
    if status == "pending":
        return {
            "not_yet_possible": "not yet possible",
            "waiting_for_evidence": "waiting for evidence",
            "signed_but_open": "signed, still open",
        }.get(detail, "to do")
    return STATUS_LABELS[status]


def _facts_read(item: ChecklistItem, facts: FactValues) -> str:
    names: set[str] = set(template_facts(item.evidence))
    for condition in item_conditions(item).values():
        names |= set(condition.facts)
    return "; ".join(
        f"{name}={format_value(facts.get(name, UNKNOWN))}" for name in sorted(names)
    )


def _owner(
    context: _Context, item: ChecklistItem, company_id: int, state: ItemState | None
) -> tuple[str, str]:
    """(name, contact): the session's item owner, else the best assignment, else the role."""
    if state is not None and state.owner.strip():
        return state.owner.strip(), ""
    assigned = best_owner(context.owners, item.id, item.owner, company_id)
    if assigned is not None:
        return assigned.name, assigned.contact
    return OWNER_LABELS.get(item.owner, item.owner), ""


def best_owner(
    owners: Iterable[OwnerAssignment], item_id: str, role: str, company_id: int
) -> OwnerAssignment | None:
    """Item in this company > item anywhere > role in this company > role anywhere."""
    ranked = []
    for owner in owners:
        if owner.company_id not in (None, company_id):
            continue
        if owner.item_id and owner.item_id != item_id:
            continue
        if not owner.item_id and owner.role != role:
            continue
        ranked.append((bool(owner.item_id), owner.company_id is not None, owner))
    if not ranked:
        return None
    ranked.sort(key=lambda entry: (entry[0], entry[1]))
    return ranked[-1][2]


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


def _old_users(evidence: Evidence, company_id: int) -> list[str]:
    """Names of the old accounts' Directory users in this company."""
    if evidence.inventory is None:
        return []
    return sorted(
        {
            account.user.name or f"user {account.user.id}"
            for account in evidence.inventory.accounts
            if account.user is not None and any(c.id == company_id for c in account.companies)
        }
    )


def _summary(context: _Context, situation: Situation, rows: list[ChecklistRow]) -> CompanySummary:
    checked = situation.checked
    status = situation.facts["company.install_status"]
    names = context.names
    state, text, broken = _company_state(context, rows)
    return CompanySummary(
        company_id=situation.facts.company_id,
        company=situation.company,
        install_status="unknown" if status is UNKNOWN else str(status),
        verified=checked is not None,
        matched_projects=_refs(checked.matched_projects if checked else [], names),
        missing_projects=_refs(checked.missing_projects if checked else [], names),
        extra_projects=_refs(checked.extra_projects if checked else [], names),
        counts=_counts(rows),
        state=state,
        state_text=text,
        broken=broken,
        next_actions=_next_actions(rows),
    )


def _company_state(context: _Context, rows: list[ChecklistRow]) -> tuple[str, str, str]:
    """(state, sentence, what is broken) of one company, before or after the sunset."""
    open_rows = [row for row in rows if row.is_open]
    restoring = [row for row in open_rows if row.kind in RESTORES]
    sunset = context.sunset.isoformat()
    broken = clip(
        " ".join(f"{row.title}: {_first_sentence(row.evidence)}" for row in restoring[:2]),
        BROKEN_LIMIT,
    )
    if context.after_sunset:
        days = (context.today - context.sunset).days
        if restoring:
            return (
                "broken",
                f"Integration down since {sunset} ({days} days): "
                f"{_count(len(restoring), 'step')} to restore it still open.",
                broken,
            )
        if open_rows:
            return (
                "restored",
                f"Integration restored; {_count(len(open_rows), 'clean-up item')} open.",
                "",
            )
        return "restored", "Integration restored; nothing left open.", ""
    if open_rows:
        days = (context.sunset - context.today).days
        return (
            "open",
            f"Not ready: {_count(len(open_rows), 'open item')}; the old service account stops "
            f"working on {sunset} (in {_count(days, 'day')}).",
            broken,
        )
    return "ready", "Ready: the old service account can be switched off.", ""


def clip(text: str, limit: int) -> str:
    """At most ``limit`` characters, cut at a word (the company pages carry the full text)."""
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def _first_sentence(text: str) -> str:
    """The evidence's first sentence, after the "Down since …" preamble the state already says."""
    if text.startswith(DOWN_SINCE):
        text = text.split(". ", 1)[-1]
    return text.split(". ", 1)[0].rstrip(".") + "."


def _count(count: int, one: str) -> str:
    return f"{count} {one}{'' if count == 1 else 's'}"


def _next_actions(rows: list[ChecklistRow]) -> list[NextAction]:
    """The open rows that come first: overdue, then restoring, then by due date."""
    order = {id(row): index for index, row in enumerate(rows)}
    candidates = [row for row in rows if row.is_open and row.action]
    candidates.sort(
        key=lambda r: (not r.overdue, r.kind not in RESTORES, r.due or "9999", order[id(r)])
    )
    return [
        NextAction(
            title=row.title,
            action=clip(row.action, ACTION_LIMIT),
            owner=row.owner,
            owner_contact=row.owner_contact,
            due=row.due,
            overdue=row.overdue,
        )
        for row in candidates[:NEXT_ACTIONS]
    ]


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


def _definition(context: _Context, item: ChecklistItem) -> ItemDefinition:
    due = context.playbook.due_date(item, context.start)
    return ItemDefinition(
        item_id=item.id,
        title=item.title,
        description=item.description,
        owner_role=item.owner,
        phase=item.phase,
        due=due.isoformat() if due else "",
        automatic=not item.is_manual,
    )
