"""The engagement layer: the one place that runs a step *for a session*.

Between ``runtime`` and the doors (``cli``, ``tui``, ``demo --headless``). A step run:

1. reads the session: its connection (API base, or the demo's emulator world), accounts,
   credential references, pinned playbook, manifest overrides, evidence and earlier runs;
2. lets the door's flags replace single values for this run (each one recorded);
3. runs the step (inventory, manifest, verify, checklist);
4. records the run in the session's history (``runs/<id>/``: inputs with their sha256,
   API base, tool, permission-map and playbook versions, times, outputs, exit status) and
   sets the step's status.

So one session gives the same outputs through every door. Nothing else composes steps
(tests/test_layers.py checks that the doors do not import the step packages).

Public API::

    engagement = open_engagement(store, "acme", hooks=Hooks(on_progress=...))
    outcome = await run_inventory(engagement, InventoryRequest(accounts="a.toml"))
    manifest = generate(engagement)            # sync: CPU only
    verification = await run_verify(engagement)
    checklist = run_checklist(engagement)
"""

from __future__ import annotations

from dmsa_migrate.engagement.checklist_step import ChecklistOutcome, ChecklistRequest
from dmsa_migrate.engagement.checklist_step import build as run_checklist
from dmsa_migrate.engagement.context import (
    ConnectionFlags,
    Engagement,
    Hooks,
    load_pinned_playbook,
    open_engagement,
    plain_engagement,
)
from dmsa_migrate.engagement.inventory_step import (
    InventoryOutcome,
    InventoryRequest,
    run_inventory,
)
from dmsa_migrate.engagement.manifest_step import ManifestOutcome, ManifestRequest, generate
from dmsa_migrate.engagement.verify_step import VerifyOutcome, VerifyRequest, run_verify

__all__ = [
    "ChecklistOutcome",
    "ChecklistRequest",
    "ConnectionFlags",
    "Engagement",
    "Hooks",
    "InventoryOutcome",
    "InventoryRequest",
    "ManifestOutcome",
    "ManifestRequest",
    "VerifyOutcome",
    "VerifyRequest",
    "generate",
    "load_pinned_playbook",
    "open_engagement",
    "plain_engagement",
    "run_checklist",
    "run_inventory",
    "run_verify",
]
