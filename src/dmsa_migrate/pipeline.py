"""The four steps run end to end, and the demo's ready-made engagement.

``dmsa-migrate demo --headless --out DIR`` and the TUI's demo session both start here: the
demo needs no setup, so :func:`demo_setup` builds everything a consultant would otherwise
type (an in-process emulator connection, an accounts file whose secrets are ``env:``
references to fixture values held only in this process, the DMSA client, the companies and
the playbook). :func:`run_pipeline` then runs inventory → manifest → verify → checklist on
any such setup and writes the seven outputs of ARCHITECTURE 3.1.

This module sits beside ``runtime`` (layer 4): it composes the steps, it does not
implement any of them.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from dmsa_migrate.checklist import Evidence as ChecklistEvidence
from dmsa_migrate.checklist import build_checklist, write_exports
from dmsa_migrate.emulator import World
from dmsa_migrate.fileio import atomic_write_json
from dmsa_migrate.inventory.activity import parse_activity_report
from dmsa_migrate.inventory.build import Evidence as InventoryEvidence
from dmsa_migrate.inventory.build import build_inventory
from dmsa_migrate.inventory.demo import DemoServiceAccount, demo_accounts
from dmsa_migrate.inventory.output import write_inventory
from dmsa_migrate.inventory.scan import scan_tree
from dmsa_migrate.manifest.generate import GeneratedManifest, generate_manifest
from dmsa_migrate.models.accounts import AccountsFile
from dmsa_migrate.models.checklist import Checklist
from dmsa_migrate.models.inventory import Inventory, UsageEntry
from dmsa_migrate.models.playbook import Playbook
from dmsa_migrate.models.verification import Verification
from dmsa_migrate.playbooks import find_playbook
from dmsa_migrate.runtime import (
    Connection,
    client_credentials,
    emulator_connection,
    expose_demo_secret,
)
from dmsa_migrate.secrets import resolve
from dmsa_migrate.verify import verify_install

DEMO_CODE = "demo-integration"
"""A small sample of the old integration's code (Ruby and TypeScript, with one planted
fixture credential), so the demo's inventory shows scan evidence too."""

DEMO_ACTIVITY = "demo-activity.csv"
"""The API Call Activity Report shipped with the demo worlds: what the old integration
called in its last 30 days, so the demo can show least-privilege with real evidence."""

EXPORT_FORMATS = ("md", "html", "json", "csv")

Progress = Callable[[str], None]


@dataclass
class DemoSetup:
    """Everything one engagement needs before its first step runs."""

    connection: Connection
    accounts: AccountsFile
    dmsa_client_id: str
    dmsa_secret_ref: str
    company_ids: list[int]
    playbook: Playbook
    world_name: str
    customer: str
    today: dt.date
    usage: list[UsageEntry] = field(default_factory=list)
    code_paths: list[Path] = field(default_factory=list)


@dataclass
class PipelineResult:
    """The four step results and the files written."""

    inventory: Inventory
    manifest: GeneratedManifest
    verification: Verification
    checklist: Checklist
    paths: dict[str, Path]


def _world_today(world: World) -> dt.date:
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
    :func:`runtime.expose_demo_secret`); nothing secret is written anywhere.
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
    today = _world_today(data)
    after_sunset = today >= data.world.sunset
    return DemoSetup(
        connection=connection,
        accounts=demo_accounts(service_accounts, admin_token, expose_demo_secret),
        dmsa_client_id=app.client_id,
        dmsa_secret_ref=expose_demo_secret("dmsa", app.client_secret),
        company_ids=sorted(company.id for company in data.companies),
        playbook=find_playbook("post-sunset-recovery" if after_sunset else None),
        world_name=data.world.name,
        customer=app.name,
        today=today,
        usage=demo_usage(),
        code_paths=[demo_code_path()],
    )


async def run_inventory(setup: DemoSetup) -> Inventory:
    """Step 1 on the setup's accounts, with its activity and code-scan evidence."""
    evidence = InventoryEvidence(usage=list(setup.usage))
    for root in setup.code_paths:
        evidence.add_scan(scan_tree(root))
    return await build_inventory(
        setup.accounts, setup.connection, evidence=evidence, today=setup.today
    )


def run_manifest(setup: DemoSetup, inventory: Inventory) -> GeneratedManifest:
    """Step 2 under the playbook's manifest settings."""
    settings = setup.playbook.manifest
    required = settings.require.model_dump(exclude_defaults=True) if settings.require else None
    return generate_manifest(
        inventory,
        mode=settings.mode,
        override_entries=[entry.model_dump() for entry in setup.playbook.permission_map],
        instruction=settings.post_installation_instruction or None,
        required_levels=required or None,
        max_level_cap=settings.max_level,
    )


async def run_verify(
    setup: DemoSetup, inventory: Inventory, manifest: GeneratedManifest
) -> Verification:
    """Step 3 with the DMSA credential, against the generated manifest's levels."""
    secret = resolve(setup.dmsa_secret_ref, field="dmsa secret")
    permissions = manifest.manifest.permissions
    return await verify_install(
        inventory,
        setup.connection,
        client_credentials(setup.dmsa_client_id, secret),
        company_ids=setup.company_ids,
        expected={"company": dict(permissions.company), "project": dict(permissions.project)},
    )


def run_checklist(
    setup: DemoSetup,
    inventory: Inventory,
    manifest: GeneratedManifest,
    verification: Verification,
) -> Checklist:
    """Step 4 from the playbook and the three results."""
    return build_checklist(
        setup.playbook,
        ChecklistEvidence(inventory, manifest.manifest, verification),
        today=setup.today,
        start=setup.today,
        customer=setup.customer,
    )


async def run_pipeline(
    setup: DemoSetup,
    out_dir: Path | str,
    *,
    formats: Sequence[str] = EXPORT_FORMATS,
    on_progress: Progress | None = None,
) -> PipelineResult:
    """Run the four steps and write every output into ``out_dir``."""
    say = on_progress or (lambda message: None)
    out_dir = Path(out_dir)
    say("inventory: probing the old accounts and reading the Company Directory")
    inventory = await run_inventory(setup)
    paths = {"inventory": write_inventory(inventory, out_dir / "inventory.json")}
    say("manifest: generating the DMSA manifest")
    manifest = run_manifest(setup, inventory)
    paths["manifest"] = atomic_write_json(
        out_dir / "manifest.json", manifest.manifest.model_dump(mode="json", exclude_none=True)
    )
    say("verify: checking the DMSA install in every company")
    verification = await run_verify(setup, inventory, manifest)
    paths["verification"] = atomic_write_json(
        out_dir / "verification.json", verification.model_dump(mode="json", by_alias=True)
    )
    say("checklist: building the sunset checklist")
    checklist = run_checklist(setup, inventory, manifest, verification)
    for fmt, path in write_exports(checklist, list(formats), out_dir).items():
        paths[f"checklist.{fmt}"] = path
    return PipelineResult(inventory, manifest, verification, checklist, paths)


def run_headless_demo(
    world: str | Path, out_dir: Path, on_progress: Progress | None = None
) -> PipelineResult:
    """``dmsa-migrate demo --headless``: the whole pipeline on a demo world."""
    return asyncio.run(run_pipeline(demo_setup(world), out_dir, on_progress=on_progress))
