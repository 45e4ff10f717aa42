"""Statuses follow from the evidence: every item kind in every evidence state.

Company 202 of the demo fixture is clean (installed, every project permitted, no gap). Each
state below changes only the evidence of the verify step, then each verification-backed
kind must land on the status the evidence allows: "done" only when the evidence is there,
clean, and (for the re-verification) compared with an earlier run.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from dmsa_migrate.checklist import Evidence, build_checklist, render
from dmsa_migrate.models.checklist import Checklist, ChecklistRow
from dmsa_migrate.models.playbook import ChecklistItem
from dmsa_migrate.models.session import ItemState
from dmsa_migrate.models.verification import Verification
from dmsa_migrate.playbooks import find_playbook

from .conftest import TODAY, demo_evidence, demo_playbook

NOT_READ = {"code": "company_not_read", "severity": "error", "message": "partial read"}
GAPS = {"code": "permission_gaps", "severity": "error", "message": "rfi below standard"}


def _verification(
    *, previous: bool = False, findings: list[dict[str, Any]] | None = None,
    gaps: bool = False,
) -> Verification:
    base = demo_evidence().verification
    assert base is not None
    data = base.model_dump(by_alias=True)
    if previous:
        data["previous_generated_at"] = "2025-02-01T09:00:00Z"
    company = next(c for c in data["companies"] if c["id"] == 202)
    company["findings"] += findings or []
    if gaps:
        company["permission_gaps"] = [
            {"scope": "project", "tool": "rfi", "needed": "standard", "granted": "readonly",
             "projects": [2001]}
        ]
    return Verification.model_validate(data)


STATES: dict[str, Verification | None] = {
    "not_verified": None,
    "first_run_clean": _verification(),
    "rerun_clean": _verification(previous=True),
    "first_run_error": _verification(findings=[NOT_READ]),
    "rerun_error": _verification(previous=True, findings=[NOT_READ]),
    "rerun_gaps": _verification(previous=True, findings=[GAPS], gaps=True),
}

WAIT = ("pending", "waiting_for_evidence")
DONE = ("done", "")
HELD = ("pending", "contradicted")
NOT_YET = ("pending", "not_yet_possible")

EXPECTED: dict[str, dict[str, tuple[str, str]]] = {
    "app-installed": {
        "not_verified": WAIT, "first_run_clean": DONE, "rerun_clean": DONE,
        "first_run_error": HELD, "rerun_error": HELD, "rerun_gaps": DONE,
    },
    "permitted-projects": {
        "not_verified": WAIT, "first_run_clean": DONE, "rerun_clean": DONE,
        "first_run_error": HELD, "rerun_error": HELD, "rerun_gaps": DONE,
    },
    "permissions-granted": {
        "not_verified": WAIT, "first_run_clean": DONE, "rerun_clean": DONE,
        "first_run_error": HELD, "rerun_error": HELD, "rerun_gaps": HELD,
    },
    "no-manual-directory-edits": {
        "not_verified": WAIT, "first_run_clean": DONE, "rerun_clean": DONE,
        "first_run_error": HELD, "rerun_error": HELD, "rerun_gaps": HELD,
    },
    "reverify-after-update": {
        "not_verified": WAIT, "first_run_clean": NOT_YET, "rerun_clean": DONE,
        "first_run_error": NOT_YET, "rerun_error": HELD, "rerun_gaps": HELD,
    },
}


def _build(verification: Verification | None, **changes: Any) -> Checklist:
    evidence = demo_evidence()
    return build_checklist(
        demo_playbook(),
        Evidence(evidence.inventory, evidence.manifest, verification),
        today=TODAY,
        **changes,
    )


def _row(checklist: Checklist, item_id: str, company_id: int = 202) -> ChecklistRow:
    return next(
        r for r in checklist.items if r.item_id == item_id and r.company_id == company_id
    )


@pytest.mark.parametrize(
    ("kind", "state"),
    [(kind, state) for kind, states in EXPECTED.items() for state in states],
)
def test_status_follows_the_evidence(kind: str, state: str) -> None:
    row = _row(_build(STATES[state]), kind)
    assert (row.status, row.status_detail) == EXPECTED[kind][state], row.evidence
    if row.status == "done":
        assert row.action == "" and row.where == ""
    else:
        assert row.evidence, "an open item says why"


@pytest.mark.parametrize("state", ["first_run_error", "rerun_error", "rerun_gaps"])
def test_no_item_whose_evidence_holds_an_error_is_done(state: str) -> None:
    checklist = _build(STATES[state])
    for row in checklist.rows_for(202):
        if "company_not_read" in row.finding_codes or "permission_gaps" in row.finding_codes:
            assert row.status != "done", row.item_id


def test_a_first_run_never_reads_as_re_verified() -> None:
    row = _row(_build(STATES["first_run_clean"]), "reverify-after-update")
    assert row.status_text == "not yet possible"
    assert row.evidence.startswith("Not yet possible: this is the first verification")


@pytest.mark.parametrize("state", ["first_run_error", "rerun_gaps"])
def test_a_sign_off_does_not_close_an_item_the_evidence_contradicts(state: str) -> None:
    signed = ItemState(
        item_id="no-manual-directory-edits", company_id=202, signed_off_by="Priya Natarajan",
        signed_off_at=dt.datetime(2025, 2, 14, 16, 0, tzinfo=dt.UTC),
    )
    checklist = _build(STATES[state], states=[signed])
    row = _row(checklist, "no-manual-directory-edits")
    assert (row.status, row.status_detail) == ("pending", "signed_but_open")
    markdown = render(checklist, "md")
    summary = markdown.split("## Timeline")[0]
    assert "Signed off: No manual edits" not in summary
    assert "Signed but still open (not counted): No manual edits" in summary


def test_marking_done_by_hand_against_an_error_keeps_the_item_open() -> None:
    forced = ItemState(item_id="permissions-granted", company_id=202, status="done")
    row = _row(_build(STATES["rerun_gaps"], states=[forced]), "permissions-granted")
    assert row.status == "pending"
    assert "Marked done by hand, but the evidence above says it is still open." in row.evidence


@pytest.mark.parametrize(
    "kind",
    ["credentials-switched", "webhooks-moved", "old-user-deactivated", "old-secrets-deleted",
     "health-checked", "new-projects-decided"],
)
@pytest.mark.parametrize("signed", [False, True])
def test_manual_kinds_close_only_with_a_sign_off(kind: str, signed: bool) -> None:
    states = []
    if signed:
        states.append(ItemState(
            item_id=kind, company_id=202, signed_off_by="Priya Natarajan",
            signed_off_at=dt.datetime(2025, 2, 14, 16, 0, tzinfo=dt.UTC),
        ))
    row = _row(_build(STATES["rerun_clean"], states=states), kind)
    assert row.status == ("done" if signed else "pending")
    assert bool(row.action) is not signed


def test_recovery_kind_in_each_inventory_state() -> None:
    recovery = find_playbook("post-sunset-recovery")
    evidence = demo_evidence()
    recovered = build_checklist(recovery, evidence, today=dt.date(2026, 12, 2))
    row = _row(recovered, "old-access-recovered")
    assert row.status == "done"
    without = build_checklist(
        recovery, Evidence(None, evidence.manifest, evidence.verification),
        today=dt.date(2026, 12, 2),
    )
    assert _row(without, "old-access-recovered").status_detail == "waiting_for_evidence"


def test_a_custom_item_reading_the_verification_is_held_by_an_error() -> None:
    custom = ChecklistItem(
        id="custom-check", title="Our own check", description="We look at the install.",
        owner="consultant", done_when="verification.company_checked",
        action="Look at the install with the customer.",
    )
    playbook = demo_playbook()
    playbook = playbook.model_copy(update={"checklist": [*playbook.checklist, custom]})
    evidence = demo_evidence()
    clean = build_checklist(playbook, Evidence(evidence.inventory, evidence.manifest,
                                               STATES["rerun_clean"]), today=TODAY)
    assert _row(clean, "custom-check").status == "done"
    broken = build_checklist(playbook, Evidence(evidence.inventory, evidence.manifest,
                                                STATES["rerun_error"]), today=TODAY)
    row = _row(broken, "custom-check")
    assert (row.status, row.status_detail, row.kind) == ("pending", "contradicted", "custom")
    assert row.action == "Look at the install with the customer."
