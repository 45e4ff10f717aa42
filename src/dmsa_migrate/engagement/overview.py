"""The overview across customers: per session, what is open, overdue and blocked, and how
its last verification went. ``session list`` and the TUI's session picker both show it.

Read from each session's latest outputs (``checklist.json``, ``verification.json``), never
by re-running a step: listing fifty engagements must stay instant and offline.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from dmsa_migrate.errors import InputError
from dmsa_migrate.fileio import parse_json, read_text
from dmsa_migrate.models.session import Session
from dmsa_migrate.sessions import SessionStore, SessionSummary

OPEN = ("pending", "blocked")
MAX_OUTPUT_BYTES = 50_000_000


@dataclass(frozen=True)
class SessionOverview:
    """One session's line of the overview; ``problem`` set when it cannot be read."""

    summary: SessionSummary
    open_items: int | None = None
    overdue_items: int | None = None
    blocked_items: int | None = None
    verification: str = "not run"
    verified_at: str = ""
    problem: str | None = None

    @property
    def name(self) -> str:
        return self.summary.name

    def as_json(self) -> dict[str, object]:
        """The JSON row of ``session list --json``."""
        s = self.summary
        return {
            "name": s.name, "customer": s.customer, "playbook": s.playbook_id,
            "playbook_version": s.playbook_version, "progress": s.progress,
            "needs_attention": s.needs_attention,
            "updated_at": s.updated_at.isoformat() if s.updated_at else None,
            "open_items": self.open_items, "overdue_items": self.overdue_items,
            "blocked_items": self.blocked_items, "last_verification": self.verification,
            "last_verified_at": self.verified_at or None,
            "problem": self.problem or s.problem,
        }


def overview(store: SessionStore, today: dt.date | None = None) -> list[SessionOverview]:
    """Every session's overview, most recently changed first (unreadable ones included)."""
    rows = []
    for summary in store.list():
        if summary.problem:
            rows.append(SessionOverview(summary, problem=summary.problem))
            continue
        try:
            rows.append(_one(store, store.load(summary.name), summary, today))
        except InputError as exc:
            rows.append(SessionOverview(summary, problem=exc.message))
    return rows


def _json(store: SessionStore, session: Session, step_kind: str) -> dict[str, Any] | None:
    """The latest output of a step kind (stored under its standard name by every run)."""
    from dmsa_migrate.sessions import STEP_ARTIFACTS

    path = store.folder(session.name) / STEP_ARTIFACTS[step_kind]
    if not path.exists() or path.stat().st_size > MAX_OUTPUT_BYTES:
        return None
    if not store.is_inside(session, path):
        raise InputError(f"{path}: must be a file inside the session folder (a link points out)")
    data = parse_json(read_text(path), str(path))  # a FileFormatError is an InputError
    return data if isinstance(data, dict) else None


def _one(
    store: SessionStore, session: Session, summary: SessionSummary, today: dt.date | None
) -> SessionOverview:
    checklist = _json(store, session, "checklist")
    verification = _json(store, session, "verify")
    open_items = overdue = blocked = None
    if checklist is not None:
        rows = [r for r in checklist.get("items", []) if isinstance(r, dict)]
        if today is None:  # a demo's checklist is dated by its emulator's clock
            stamped = str(checklist.get("today", ""))
            real = dt.datetime.now(dt.UTC).date()
            today = _date(stamped) if session.connection.emulator and _date(stamped) else real
        open_rows = [r for r in rows if r.get("status") in OPEN]
        open_items = len(open_rows)
        blocked = sum(1 for r in open_rows if r.get("status") == "blocked")
        overdue = sum(1 for r in open_rows if (due := _date(str(r.get("due", ""))))
                      and today is not None and due < today)
    status, when = "not run", ""
    if verification is not None:
        status = "ok" if verification.get("ok") else "gaps"
        when = _verified_at(session) or str(verification.get("generated_at", ""))
    return SessionOverview(summary, open_items, overdue, blocked, status, when)


def _verified_at(session: Session) -> str:
    """When the session recorded its verification (the step whose output it is)."""
    times = [
        state.last_run_at for state in session.steps.values()
        if state.artifact == "verification.json" and state.last_run_at is not None
    ]
    return max(times).isoformat() if times else ""


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None
