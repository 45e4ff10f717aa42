"""The demo's ready-made engagement: a session on the in-process emulator.

``dmsa-migrate demo`` (TUI or ``--headless``) must work with no setup and no network, so
:func:`demo_setup` builds everything a consultant would otherwise type: an in-process
emulator connection, an accounts file whose secrets are ``env:`` references to fixture
values held only in this process, the DMSA client, the companies and the playbook.
:func:`open_demo_session` turns it into a saved session (created once, reopened after) whose
connection names the world, so every door (the TUI picker included) can rebuild the
emulator and its fixture references when it reopens the session in a new process.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import tomli_w

from dmsa_migrate.emulator import World
from dmsa_migrate.fileio import atomic_write_text
from dmsa_migrate.inventory.activity import parse_activity_report
from dmsa_migrate.inventory.demo import DemoServiceAccount, demo_accounts
from dmsa_migrate.models.accounts import AccountsFile
from dmsa_migrate.models.inventory import UsageEntry
from dmsa_migrate.models.playbook import Playbook
from dmsa_migrate.models.session import Connection as SessionConnection
from dmsa_migrate.models.session import Credentials, Session
from dmsa_migrate.playbooks import find_playbook_source
from dmsa_migrate.runtime import Connection, emulator_connection, expose_demo_secret
from dmsa_migrate.sessions import SessionStore

DEMO_CODE = "demo-integration"
"""A small sample of the old integration's code (Ruby and TypeScript, with one planted
fixture credential), so the demo's inventory shows scan evidence too."""

DEMO_ACTIVITY = "demo-activity.csv"
"""The API Call Activity Report shipped with the demo worlds: what the old integration
called in its last 30 days, so the demo can show least-privilege with real evidence."""

ACCOUNTS_FILE = "accounts.toml"


@dataclass
class DemoSetup:
    """Everything one demo engagement needs before its first step runs."""

    connection: Connection
    accounts: AccountsFile
    dmsa_client_id: str
    dmsa_secret_ref: str
    company_ids: list[int]
    playbook: Playbook
    playbook_text: str
    world: str
    world_name: str
    customer: str
    today: dt.date
    usage: list[UsageEntry] = field(default_factory=list)
    code_paths: list[Path] = field(default_factory=list)


def world_today(world: World) -> dt.date:
    """The date the world's clock shows (its ``now``), else today: sunset logic uses it."""
    return world.world.now.date() if world.world.now is not None else dt.date.today()


def demo_usage() -> list[UsageEntry]:
    """The demo integration's API Call Activity Report, parsed."""
    text = resources.files("dmsa_migrate.emulator").joinpath("worlds", DEMO_ACTIVITY).read_text()
    return parse_activity_report(text, DEMO_ACTIVITY)


def demo_code_path() -> Path:
    """Where the demo integration's sample code lies (a real folder in the installed package)."""
    return Path(str(resources.files("dmsa_migrate.emulator").joinpath("worlds", DEMO_CODE)))


def demo_setup(world: str | Path = "demo") -> DemoSetup:
    """A ready engagement against the in-process emulator serving ``world``.

    The world's fixture secrets reach the steps as ``env:`` references (see
    :func:`runtime.expose_demo_secret`); nothing secret is written anywhere. Calling it
    again (another process reopening the session) exposes the same references.
    """
    connection = emulator_connection(world)
    assert connection.emulator is not None
    data = connection.emulator.world
    names = {user.id: user.name for user in data.users}
    service_accounts = [
        DemoServiceAccount(
            client_id=row.client_id,
            client_secret=row.client_secret,
            company_id=row.company_id,
            user_id=row.user_id,
            user_name=names.get(row.user_id, ""),
        )
        for row in data.service_accounts
    ]
    login_user = data.world.login_user
    admin_token = next((t.token for t in data.user_tokens if t.user_id == login_user), None)
    app = data.apps[0]
    today = world_today(data)
    playbook, text = find_playbook_source(
        "post-sunset-recovery" if today >= data.world.sunset else None
    )
    return DemoSetup(
        connection=connection,
        accounts=demo_accounts(service_accounts, admin_token, expose_demo_secret),
        dmsa_client_id=app.client_id,
        dmsa_secret_ref=expose_demo_secret("dmsa", app.client_secret),
        company_ids=sorted(company.id for company in data.companies),
        playbook=playbook,
        playbook_text=text,
        world=str(world),
        world_name=data.world.name,
        customer=app.name,
        today=today,
        usage=demo_usage(),
        code_paths=[demo_code_path()],
    )


def demo_session_name(world: str) -> str:
    """``demo`` for the built-in demo world, ``demo-<name>`` for any other."""
    stem = Path(world).stem if world.endswith(".toml") else world
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-.") or "world"
    return "demo" if slug == "demo" else f"demo-{slug}"[:64]


def accounts_toml(accounts: AccountsFile) -> str:
    """The accounts file text (ARCHITECTURE 3.2) of a validated ``AccountsFile``."""
    data = accounts.model_dump(mode="json", exclude_none=True, exclude_defaults=False)
    directory = data.get("directory")
    if isinstance(directory, dict) and not directory.get("login"):
        directory.pop("login", None)
    return tomli_w.dumps(data)


def open_demo_session(
    store: SessionStore, world: str, name: str | None = None
) -> tuple[Session, DemoSetup]:
    """Create (first time) or reopen the demo session for ``world``, with its inputs.

    The session's connection names the world (``connection.emulator``), its accounts file
    holds references only, and the demo's Activity Report and code scan are imported once,
    as a consultant would.
    """
    from dmsa_migrate.engagement.inputs import (
        OfflineEvidence,
        evidence_path,
        save_evidence,
        scan_into,
    )

    setup = demo_setup(world)
    name = name or demo_session_name(world)
    if store.file(name).exists():
        session = store.load(name)
    else:
        session = store.create(
            name,
            customer=f"{setup.customer or setup.world_name or 'Demo'} (emulator)",
            playbook=setup.playbook,
            playbook_text=setup.playbook_text,
            connection=SessionConnection(emulator=setup.world),
            company_ids=list(setup.company_ids),
            credentials=Credentials(
                accounts_file=ACCOUNTS_FILE,
                dmsa_client_id=setup.dmsa_client_id,
                secret_refs={"dmsa_secret": setup.dmsa_secret_ref},
            ),
            notes="Demo on the built-in emulator: no network, fixture credentials only.",
        )
    folder = store.folder(name)
    if not (folder / ACCOUNTS_FILE).exists():
        atomic_write_text(folder / ACCOUNTS_FILE, accounts_toml(setup.accounts))
    if not evidence_path(folder).exists():
        evidence = OfflineEvidence(activity={DEMO_ACTIVITY: list(setup.usage)})
        save_evidence(folder, evidence)
        for path in setup.code_paths:
            scan_into(folder, str(path))
    return session, setup
