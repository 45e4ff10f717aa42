"""Step 4 for an engagement: the pinned playbook, the session's outputs and item states.

A checklist built from files made outside the session (``--verification FILE`` …) is still
recorded, but its run names those files as flag inputs, so the history never passes an
outside verification off as the session's own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from dmsa_migrate.checklist import FORMATS, render
from dmsa_migrate.engagement._common import input_file, recorder
from dmsa_migrate.engagement.context import Engagement
from dmsa_migrate.engagement.history import RunRecorder
from dmsa_migrate.engagement.status import checklist_status
from dmsa_migrate.errors import InputError
from dmsa_migrate.models.checklist import Checklist
from dmsa_migrate.models.playbook import Playbook
from dmsa_migrate.models.run import RunRecord


@dataclass
class ChecklistRequest:
    """Flags of one checklist run; None / empty: the session's value."""

    inventory: str | None = None
    verification: str | None = None
    manifest: str | None = None
    playbook: str | None = None
    customer: str | None = None
    company_ids: list[int] = field(default_factory=list)
    today: dt.date | None = None


@dataclass
class ChecklistOutcome:
    """The checklist, the status it gave the step, the run record, the playbook used."""

    checklist: Checklist
    status: str
    summary: str
    run: RunRecord
    playbook: Playbook
    texts: dict[str, str]


def _playbook(
    engagement: Engagement, request: ChecklistRequest, run: RunRecorder, today: dt.date
) -> Playbook:
    from dmsa_migrate.playbooks import default_playbook_id, find_playbook

    session = engagement.session
    if request.playbook:
        run.override("playbook", request.playbook)
        playbook = find_playbook(request.playbook)
        if session is not None and (session.playbook.id, session.playbook.version) != (
            playbook.id, playbook.version,
        ):
            run.note(
                f"session {session.name} follows playbook {session.playbook.id} "
                f"{session.playbook.version}; this run used playbook {playbook.id} "
                f"version {playbook.version} (--playbook)"
            )
        return playbook
    if engagement.playbook is not None:
        return engagement.playbook
    playbook = find_playbook(default_playbook_id(today))
    run.note(
        f"used playbook {playbook.id} version {playbook.version}, the default on "
        f"{today.isoformat()} (--playbook to choose another)"
    )
    return playbook


def _evidence(engagement: Engagement, request: ChecklistRequest, run: RunRecorder) -> Any:
    from dmsa_migrate.checklist import (
        Evidence,
        load_inventory,
        load_manifest_permissions,
        load_verification,
    )

    inventory = input_file(engagement, run, "inventory", request.inventory, "inventory")
    verification = input_file(engagement, run, "verification", request.verification, "verify")
    manifest = input_file(engagement, run, "manifest", request.manifest, "manifest")
    if inventory is None and verification is None:
        raise InputError(
            "checklist: no inventory or verification yet: run those steps first, or give "
            "--inventory FILE --verification FILE"
        )
    return Evidence(
        inventory=load_inventory(inventory) if inventory else None,
        manifest=load_manifest_permissions(manifest) if manifest else None,
        verification=load_verification(verification) if verification else None,
    )


def _start(engagement: Engagement, today: dt.date) -> dt.date:
    """The engagement start relative dues (``+5d``) count from: the session's creation day;
    for a demo on an emulator whose clock is earlier than that, the emulator's day."""
    session = engagement.session
    if session is None:
        return today
    return min(session.created_at.date(), today)


def build(
    engagement: Engagement, request: ChecklistRequest | None = None,
    *, formats: Sequence[str] = FORMATS,
) -> ChecklistOutcome:
    """Build the checklist for the engagement and record the run (every format kept)."""
    from dmsa_migrate.checklist import build_checklist

    request = request or ChecklistRequest()
    run = recorder(engagement, "checklist")
    today = request.today or engagement.today()
    playbook = _playbook(engagement, request, run, today)
    evidence = _evidence(engagement, request, run)
    session = engagement.session
    if request.customer:
        run.override("customer", request.customer)
    if request.company_ids:
        run.override("company_ids", list(request.company_ids))
    if request.today:
        run.override("today", request.today.isoformat())
    checklist = build_checklist(
        playbook, evidence, today=today, start=_start(engagement, today),
        states=session.checklist if session else (),
        owners=session.owners if session else (),
        customer=request.customer or (session.customer if session else ""),
        company_ids=request.company_ids or (session.company_ids if session else None) or None,
    )
    status, summary = checklist_status(checklist)
    texts = {f"checklist.{fmt}": render(checklist, fmt) for fmt in FORMATS if fmt in formats}
    texts.setdefault("checklist.json", render(checklist, "json"))
    record = run.finish(status, summary, texts, main="checklist.json")
    return ChecklistOutcome(checklist, status, summary, record, playbook, texts)
