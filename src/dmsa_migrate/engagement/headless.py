"""``demo --headless``: the four steps of the demo session, run one after the other.

Nothing here composes a step: it opens the demo session and asks the engagement to run
inventory, manifest, verify and checklist in turn, exactly as the CLI and the TUI do, then
copies the seven outputs of ARCHITECTURE 3.1 into the folder the user named.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from dmsa_migrate.checklist import FORMATS
from dmsa_migrate.engagement.checklist_step import ChecklistOutcome
from dmsa_migrate.engagement.checklist_step import build as run_checklist
from dmsa_migrate.engagement.context import Engagement, load_pinned_playbook
from dmsa_migrate.engagement.demo import open_demo_session
from dmsa_migrate.engagement.history import runs_root
from dmsa_migrate.engagement.inventory_step import InventoryOutcome, run_inventory
from dmsa_migrate.engagement.manifest_step import ManifestOutcome, generate
from dmsa_migrate.engagement.verify_step import VerifyOutcome, run_verify
from dmsa_migrate.fileio import atomic_write_bytes, ensure_private_dir, refuse_special_targets
from dmsa_migrate.models.run import RunRecord
from dmsa_migrate.sessions import SessionStore

Progress = Callable[[str], None]


@dataclass
class PipelineResult:
    """The four step outcomes and the files written."""

    inventory: InventoryOutcome
    manifest: ManifestOutcome
    verification: VerifyOutcome
    checklist: ChecklistOutcome
    paths: dict[str, Path]


async def run_all(engagement: Engagement, say: Progress) -> tuple[
    InventoryOutcome, ManifestOutcome, VerifyOutcome, ChecklistOutcome
]:
    """Run the four built-in steps of the engagement in order (each recorded)."""
    say("inventory: probing the old accounts and reading the Company Directory")
    inventory = await run_inventory(engagement)
    _say_notes(say, inventory.run)
    say("manifest: generating the DMSA manifest")
    manifest = await asyncio.to_thread(generate, engagement)
    _say_notes(say, manifest.run)
    say("verify: checking the DMSA install in every company")
    verification = await run_verify(engagement)
    _say_notes(say, verification.run)
    say("checklist: building the sunset checklist")
    checklist = await asyncio.to_thread(run_checklist, engagement)
    _say_notes(say, checklist.run)
    return inventory, manifest, verification, checklist


def _say_notes(say: Progress, run: RunRecord) -> None:
    """A step's notices, as the CLI (stderr) and the TUI (notifications) show them."""
    for note in run.notes:
        say(f"note: {note}")


def _copy_outputs(engagement: Engagement, outcomes: tuple[object, ...], out_dir: Path) -> dict[
    str, Path
]:
    assert engagement.store is not None and engagement.session is not None
    root = runs_root(engagement.store, engagement.session)
    folder = ensure_private_dir(out_dir.expanduser())
    wanted = {"inventory.json": "inventory", "manifest.json": "manifest",
              "verification.json": "verification"}
    wanted.update({f"checklist.{fmt}": f"checklist.{fmt}" for fmt in FORMATS})
    copies = [
        (folder / name, root / outcome.run.id / name, wanted[name])  # type: ignore[attr-defined]
        for outcome in outcomes
        for name in outcome.run.outputs  # type: ignore[attr-defined]
        if name in wanted
    ]
    refuse_special_targets(*(target for target, _, _ in copies))  # all, before any is written
    paths: dict[str, Path] = {}
    for target, source, kind in copies:
        atomic_write_bytes(target, source.read_bytes())
        paths[kind] = target
    return paths


def run_headless_demo(
    world: str | Path,
    out_dir: Path,
    on_progress: Progress | None = None,
    *,
    sessions_dir: Path | str | None = None,
) -> PipelineResult:
    """Run the demo session's four steps and write the outputs into ``out_dir``.

    ``sessions_dir``: keep the demo session (and its run history) there; by default it
    lives in a temporary folder removed afterwards, so a headless run leaves only DIR.
    """
    say = on_progress or (lambda message: None)
    temporary = None if sessions_dir is not None else tempfile.mkdtemp(prefix="dmsa-demo-")
    try:
        store = SessionStore(sessions_dir or temporary)
        session, setup = open_demo_session(store, str(world))
        engagement = Engagement(
            store, session, load_pinned_playbook(store, session),
            ready_connection=setup.connection,
        )
        outcomes = asyncio.run(run_all(engagement, say))
        paths = _copy_outputs(engagement, outcomes, Path(out_dir))
    finally:
        if temporary is not None:
            shutil.rmtree(temporary, ignore_errors=True)
    return PipelineResult(*outcomes, paths=paths)
