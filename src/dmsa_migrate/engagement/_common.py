"""Small helpers the step modules share: JSON text of a result, the run recorder."""

from __future__ import annotations

import functools
import json
from typing import TYPE_CHECKING, Any

from dmsa_migrate.engagement.context import Engagement
from dmsa_migrate.engagement.history import RunRecorder
from dmsa_migrate.secrets import redact

if TYPE_CHECKING:
    from dmsa_migrate.models.inventory import Inventory


def json_text(data: Any) -> str:
    """The one JSON form every door writes (indented, key order kept, newline at the end)."""
    return redact(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def model_text(model: Any) -> str:
    """A result model as :func:`json_text` (contract key spellings: by alias)."""
    return json_text(model.model_dump(mode="json", by_alias=True))


def recorder(engagement: Engagement, kind: str) -> RunRecorder:
    """A recorder for one run of the step ``kind`` of this engagement."""
    versions: dict[str, str] = {}
    if engagement.playbook is not None:
        versions["playbook"] = f"{engagement.playbook.id} {engagement.playbook.version}"
    if engagement.session is not None:
        versions["playbook_sha256"] = engagement.session.playbook.sha256
    versions["permission_map_version"] = permission_map_version()
    run = RunRecorder(
        engagement.store, engagement.session, engagement.step_id(kind), kind,
        engagement.where() if kind in ("inventory", "verify") else ("", ""), versions,
    )
    for name, value in engagement.flags.given().items():
        run.override(name, value)
    return run


@functools.cache
def permission_map_version() -> str:
    """The shipped permission map's version (cited by every run record)."""
    from dmsa_migrate.permissions.map import shipped_layer

    return str(shipped_layer().data.map.version)


def input_file(
    engagement: Engagement, run: RunRecorder, role: str, flag: str | None, kind: str
) -> str | None:
    """A flag's file (recorded as an override), else the session's latest output of ``kind``
    (recorded as a session input); None when there is neither."""
    if flag:
        run.override(role, flag)
        run.input(role, flag, origin="flag")
        return flag
    path = engagement.latest_output(kind)
    if path is None:
        return None
    run.input(role, path)
    return str(path)


def step_inventory_path(
    engagement: Engagement, run: RunRecorder, flag: str | None, step: str
) -> str:
    """The inventory file a later step reads: ``--inventory`` or the session's latest one.

    Raises:
        InputError: neither is there (the message names ``step`` and both ways out).
    """
    from dmsa_migrate.errors import InputError

    path = input_file(engagement, run, "inventory", flag, "inventory")
    if path is None:
        raise InputError(
            f"{step}: no inventory: run the inventory first (step 1) or give --inventory FILE"
        )
    return path


def step_inventory(
    engagement: Engagement, run: RunRecorder, flag: str | None, step: str
) -> Inventory:
    """The inventory a later step reads (:func:`step_inventory_path`), loaded whole."""
    from dmsa_migrate.artifacts import load_inventory

    return load_inventory(step_inventory_path(engagement, run, flag, step))
