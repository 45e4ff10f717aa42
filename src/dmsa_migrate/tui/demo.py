"""The demo session: a ready engagement against the in-process emulator.

``dmsa-migrate demo`` must work with no setup and no network. The lead's
:func:`dmsa_migrate.pipeline.demo_setup` describes the demo (emulator connection, accounts,
DMSA client id and secret reference, companies, playbook); this module turns it into a
saved session (created once, reopened afterwards, so a consultant can rehearse over
several runs) and writes the session's accounts file (references only).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import tomli_w

from dmsa_migrate.fileio import atomic_write_text
from dmsa_migrate.models.session import Connection, Credentials
from dmsa_migrate.sessions import SessionStore
from dmsa_migrate.tui.state import Workspace, load_outputs

ACCOUNTS_FILE = "accounts.toml"


def demo_session_name(world: str) -> str:
    """``demo`` for the built-in demo world, ``demo-<name>`` for any other."""
    stem = Path(world).stem if world.endswith(".toml") else world
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-.") or "world"
    return "demo" if slug == "demo" else f"demo-{slug}"[:64]


def demo_setup(world: str) -> Any:
    """The lead's demo setup (an emulator connection and everything a session needs)."""
    from dmsa_migrate.pipeline import demo_setup as pipeline_demo_setup

    return pipeline_demo_setup(world)


def accounts_toml(accounts: Any) -> str:
    """The accounts file text (ARCHITECTURE 3.2) of a validated ``AccountsFile``."""
    data = accounts.model_dump(mode="json", exclude_none=True, exclude_defaults=False)
    directory = data.get("directory")
    if isinstance(directory, dict) and not directory.get("login"):
        directory.pop("login", None)
    return tomli_w.dumps(data)


def open_demo_workspace(store: SessionStore, world: str) -> Workspace:
    """Create (first time) or reopen the demo session for ``world`` (runs in a thread)."""
    setup = demo_setup(world)
    name = demo_session_name(world)
    if store.file(name).exists():
        session = store.load(name)
    else:
        session = store.create(
            name,
            customer=_customer(setup),
            playbook=setup.playbook,
            connection=Connection(api_base=_api_base(setup)),
            company_ids=list(setup.company_ids),
            credentials=Credentials(
                accounts_file=ACCOUNTS_FILE,
                dmsa_client_id=setup.dmsa_client_id,
                secret_refs={"dmsa_secret": setup.dmsa_secret_ref},
            ),
            notes="Demo on the built-in emulator: no network, fixture credentials only.",
        )
    workspace = Workspace(store, session, setup.playbook, demo=setup)
    accounts_path = store.folder(name) / ACCOUNTS_FILE
    if not accounts_path.exists():
        atomic_write_text(accounts_path, accounts_toml(setup.accounts))
    _seed_evidence(workspace, setup)
    return load_outputs(workspace)


def _seed_evidence(workspace: Workspace, setup: Any) -> None:
    """The demo's Activity Report and code scan, imported once like a consultant would."""
    from dmsa_migrate.tui import runners

    if (workspace.folder / runners.EVIDENCE_FILE).exists():
        return
    evidence = runners.OfflineEvidence(activity={"demo-activity.csv": list(setup.usage)})
    runners.save_evidence(workspace, evidence)
    for path in getattr(setup, "code_paths", []):
        runners.scan_folder(workspace, str(path))


def _customer(setup: Any) -> str:
    customer = getattr(setup, "customer", "") or getattr(setup, "world_name", "") or "Demo"
    return f"{customer} (emulator)"


def _api_base(setup: Any) -> str:
    connection = setup.connection
    return str(connection.environment.api_base)
