"""Building the checklist: automatic statuses with evidence, session states, order, timeline."""

from __future__ import annotations

import datetime as dt

from dmsa_migrate.checklist import Evidence, build_checklist
from dmsa_migrate.models.checklist import Checklist, ChecklistRow
from dmsa_migrate.models.inventory import Inventory
from dmsa_migrate.models.session import ItemState
from dmsa_migrate.models.verification import Verification

from .conftest import TODAY, demo_checklist, demo_evidence, demo_playbook


def row(checklist: Checklist, company_id: int, item_id: str) -> ChecklistRow:
    return next(r for r in checklist.items if r.company_id == company_id and r.item_id == item_id)


def test_missing_project_is_pending_with_the_project_named(checklist: Checklist) -> None:
    item = row(checklist, 101, "permitted-projects")
    assert item.status == "pending"
    assert item.evidence.startswith(
        "1 of 8 projects the old account reached is not permitted: "
        "Airport Parking Structure (1008)."
    )
    assert item.action == "Add Airport Parking Structure (1008) to the app's permitted projects."
    assert item.where.endswith("App Management > the app > Permissions > Permitted Projects")
    summary = checklist.companies[0]
    assert [p.id for p in summary.missing_projects] == [1008]
    assert summary.missing_projects[0].name == "Airport Parking Structure"


def test_manual_directory_edit_keeps_its_item_pending(checklist: Checklist) -> None:
    item = row(checklist, 101, "no-manual-directory-edits")
    assert item.status == "pending"
    assert "'Read only (manual)' template was set by hand" in item.evidence
    assert "Riverside Medical Center (1002)" in item.action
    assert item.finding_codes == ["manual_directory_edit", "projects_missing"]


def test_disconnected_company_is_blocked_with_the_reason(checklist: Checklist) -> None:
    item = row(checklist, 303, "app-installed")
    assert item.status == "blocked"
    assert "A company admin disconnected the app" in item.evidence
    assert item.action.startswith("Reconnect the app")
    assert "company.disconnected=yes" in item.facts


def test_fine_company_closes_its_evidence_items(checklist: Checklist) -> None:
    for item_id in ("app-installed", "permitted-projects", "permissions-granted"):
        assert row(checklist, 202, item_id).status == "done", item_id
    assert row(checklist, 202, "permitted-projects").evidence.startswith(
        "All 5 projects the old account reached are permitted."
    )


def test_session_waiver_sets_waived_and_carries_the_reason(checklist: Checklist) -> None:
    item = row(checklist, 202, "old-secrets-deleted")
    assert item.status == "waived"
    assert item.waiver.startswith("the old secret lived only on the retired reporting server")
    assert item.action == ""


def test_sign_off_closes_a_manual_item_with_name_and_time(checklist: Checklist) -> None:
    item = row(checklist, 202, "credentials-switched")
    assert item.status == "done"
    assert (item.signed_off_by, item.signed_off_at) == ("Priya Natarajan", "2025-02-14T16:00:00Z")


def test_sign_off_does_not_override_contrary_evidence(checklist: Checklist) -> None:
    item = row(checklist, 101, "permitted-projects")
    assert item.status == "pending"
    assert item.signed_off_by == "Dana Whitfield"
    assert "but the evidence still says open" in item.evidence
    assert item.status_detail == "signed_but_open"


def test_session_owner_replaces_the_role_and_notes_reach_the_evidence(
    checklist: Checklist,
) -> None:
    assert row(checklist, 101, "health-checked").owner == "Sam Ortega"
    assert row(checklist, 303, "health-checked").owner == "Consultant"
    assert (
        "Note: keep 'Add to all new projects' ticked"
        in row(checklist, 202, "new-projects-decided").evidence
    )


def test_explicit_status_from_the_session_wins_and_says_so() -> None:
    state = ItemState(item_id="app-installed", company_id=303, status="not_applicable")
    checklist = demo_checklist(states=[state])
    item = row(checklist, 303, "app-installed")
    assert item.status == "not_applicable"
    assert "Set by hand to 'does not apply'; the evidence says 'blocked'." in item.evidence


def test_company_without_verification_waits_for_verify() -> None:
    evidence = demo_evidence()
    assert evidence.verification is not None
    partial = Verification(companies=[c for c in evidence.verification.companies if c.id != 202])
    checklist = build_checklist(
        demo_playbook(),
        Evidence(evidence.inventory, evidence.manifest, partial),
        today=TODAY,
    )
    item = row(checklist, 202, "app-installed")
    assert item.status == "pending"
    assert item.evidence.startswith("Not checked yet: the app's install in")
    assert item.status_detail == "waiting_for_evidence"
    summary = next(s for s in checklist.companies if s.company_id == 202)
    assert (summary.verified, summary.install_status) == (False, "unknown")


def test_item_that_does_not_apply_says_why() -> None:
    evidence = demo_evidence()
    assert evidence.inventory is not None
    no_webhooks = evidence.inventory.model_copy(
        update={"usage": [u for u in evidence.inventory.usage if "webhooks" not in u.template]}
    )
    checklist = build_checklist(
        demo_playbook(),
        Evidence(no_webhooks, evidence.manifest, evidence.verification),
        today=TODAY,
    )
    item = row(checklist, 101, "webhooks-moved")
    assert item.status == "not_applicable"
    assert item.evidence == "The integration uses no webhooks (none found in its code or activity)."


def test_permitted_projects_reset_reopens_the_reverify_item() -> None:
    evidence = demo_evidence()
    assert evidence.verification is not None
    data = evidence.verification.model_dump(by_alias=True)
    data["companies"][1]["findings"].append(
        {"code": "permitted_projects_reset", "severity": "error", "message": "reset by update"}
    )
    checklist = build_checklist(
        demo_playbook(),
        Evidence(evidence.inventory, evidence.manifest, Verification.model_validate(data)),
        today=TODAY,
    )
    reset = row(checklist, 202, "reverify-after-update")
    assert (reset.status, reset.status_detail) == ("pending", "contradicted")
    assert "no longer permitted" in reset.evidence


def test_order_is_stable_companies_ascending_items_in_playbook_order() -> None:
    evidence = demo_evidence()
    assert evidence.verification is not None and evidence.inventory is not None
    shuffled = Evidence(
        Inventory.model_validate(
            {
                **evidence.inventory.model_dump(by_alias=True),
                "accounts": list(reversed(evidence.inventory.model_dump()["accounts"])),
            }
        ),
        evidence.manifest,
        evidence.verification.model_copy(
            update={"companies": list(reversed(evidence.verification.companies))}
        ),
    )
    first = build_checklist(demo_playbook(), evidence, today=TODAY)
    second = build_checklist(demo_playbook(), shuffled, today=TODAY)
    keys = [(r.company_id, r.item_id) for r in first.items]
    assert keys == [(r.company_id, r.item_id) for r in second.items]
    assert [c.company_id for c in first.companies] == [101, 202, 303]
    assert [r.item_id for r in first.rows_for(101)] == [i.id for i in demo_playbook().checklist]


def test_company_filter_keeps_only_the_named_companies() -> None:
    checklist = demo_checklist(company_ids=[303, 101])
    assert [c.company_id for c in checklist.companies] == [101, 303]
    assert {r.company_id for r in checklist.items} == {101, 303}


def test_timeline_is_relative_to_today() -> None:
    checklist = demo_checklist(today=dt.date(2026, 11, 28))
    sunset = next(e for e in checklist.timeline if e.id == "sunset")
    assert (
        sunset.text == "Sunset: traditional service accounts stop working: 2025-03-18 — "
        "passed 620 days ago"
    )
    assert sunset.days_from_today == -620
    assert [e.date for e in checklist.timeline] == sorted(e.date for e in checklist.timeline)


def test_totals_add_up_per_status(checklist: Checklist) -> None:
    assert sum(checklist.totals.values()) == len(checklist.items) == 3 * 11
    for summary in checklist.companies:
        rows = checklist.rows_for(summary.company_id)
        for status, count in summary.counts.items():
            assert count == sum(1 for r in rows if r.status == status)
    assert checklist.totals["blocked"] == 1
    assert checklist.totals["waived"] == 1
