"""The demo-world evidence (hand-built, tests/checklist/fixtures/) and a fixed clock.

Company 101 misses project 1008 and has a manual template edit on the DMSA user; 202 is
fine (with extra projects); 303 disconnected the app. The session waives, signs off and
re-assigns a few items.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from dmsa_migrate.checklist import (
    Evidence,
    build_checklist,
    load_inventory,
    load_manifest_permissions,
    load_verification,
)
from dmsa_migrate.models.checklist import Checklist
from dmsa_migrate.models.playbook import Playbook
from dmsa_migrate.models.session import Session
from dmsa_migrate.playbooks import find_playbook
from dmsa_migrate.sessions import parse_session

FIXTURES = Path(__file__).parent / "fixtures"
GOLDEN = Path(__file__).parent / "golden"
TODAY = dt.date(2025, 2, 15)
GENERATED_AT = dt.datetime(2025, 2, 15, 12, 0, tzinfo=dt.UTC)
AFTER_SUNSET = dt.date(2026, 12, 2)
"""Today's world: the old accounts stopped 624 days ago (a fixed date: no test reads the clock)."""
ENGAGEMENT_START = dt.date(2026, 11, 25)


def demo_evidence() -> Evidence:
    return Evidence(
        inventory=load_inventory(FIXTURES / "inventory.json"),
        manifest=load_manifest_permissions(FIXTURES / "manifest.json"),
        verification=load_verification(FIXTURES / "verification.json"),
    )


def demo_session() -> Session:
    path = FIXTURES / "session.toml"
    return parse_session(path.read_text(encoding="utf-8"), str(path))


def demo_playbook() -> Playbook:
    return find_playbook("standard-data-connector")


def demo_checklist(**changes: object) -> Checklist:
    session = demo_session()
    arguments: dict[str, object] = {
        "today": TODAY,
        "states": session.checklist,
        "owners": session.owners,
        "customer": session.customer,
        "generated_at": GENERATED_AT,
    }
    playbook = changes.pop("playbook", None) or demo_playbook()
    arguments.update(changes)
    return build_checklist(playbook, demo_evidence(), **arguments)  # type: ignore[arg-type]


def post_sunset_checklist(**changes: object) -> Checklist:
    """The same evidence in today's world: after the sunset, with the recovery playbook."""
    arguments: dict[str, object] = {
        "today": AFTER_SUNSET,
        "start": ENGAGEMENT_START,
        "playbook": find_playbook("post-sunset-recovery"),
        "states": [],
        "generated_at": dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC),
    }
    arguments.update(changes)
    return demo_checklist(**arguments)


@pytest.fixture
def checklist() -> Checklist:
    return demo_checklist()
