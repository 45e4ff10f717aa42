"""Validated changes to a session: checklist items, manifest overrides, custom steps.

Why validate against the session: a mistyped item id or company (``site-acess``, 1010 for
101) used to be stored and then matched nothing, so a sign-off silently disappeared from
every export. Each change is checked against what the session knows (its pinned playbook's
items and steps, its companies, the permission map's tools) and refused with the valid
choices listed (exit 2).
"""

from __future__ import annotations

from typing import Any

from dmsa_migrate.engagement.context import Engagement
from dmsa_migrate.errors import InputError
from dmsa_migrate.fileio import parse_json, read_text
from dmsa_migrate.models.session import Session, StepStatus

MAX_LISTED = 40


def _choices(values: list[str]) -> str:
    shown = ", ".join(values[:MAX_LISTED])
    more = len(values) - MAX_LISTED
    return shown + (f" … and {more} more" if more > 0 else "") if values else "none"


def known_companies(engagement: Engagement) -> list[int]:
    """The companies the session names, its accounts file's accounts belong to (known
    before any inventory ran), or its inventory and verification found."""
    session = engagement.session
    assert session is not None
    ids = set(session.company_ids) | _account_companies(engagement)
    for kind, path in (("inventory", ("accounts", "companies")), ("verify", ("companies",))):
        output = engagement.latest_output(kind)
        if output is None:
            continue
        try:  # bounded parse: a session folder is untrusted (depth, NaN, huge numbers)
            data = parse_json(read_text(output), str(output))
        except InputError:
            continue
        ids.update(_ids_in(data, path))
    return sorted(ids)


def _account_companies(engagement: Engagement) -> set[int]:
    """The ``company_id`` of each account in the session's accounts file (none when it has
    no file or the file cannot be read: the inventory reports that file's problem)."""
    from dmsa_migrate.engagement.inputs import accounts_path
    from dmsa_migrate.inventory.accounts import load_accounts

    folder, session = engagement.folder, engagement.session
    path = accounts_path(folder, session) if folder and session else None
    if path is None or not path.is_file():
        return set()
    try:
        return {account.company_id for account in load_accounts(path).accounts}
    except InputError:
        return set()


def _ids_in(data: Any, path: tuple[str, ...]) -> set[int]:
    if not isinstance(data, dict):
        return set()
    value = data.get(path[0])
    if not isinstance(value, list):
        return set()
    if len(path) > 1:
        return {i for entry in value for i in _ids_in(entry, path[1:])}
    return {entry["id"] for entry in value if isinstance(entry, dict)
            and isinstance(entry.get("id"), int)}


def check_item(engagement: Engagement, item_id: str, company_id: int) -> None:
    """Refuse an item id the playbook does not have, or a company the session does not know.

    Raises:
        InputError: naming the valid item ids or companies.
    """
    playbook = engagement.playbook
    assert playbook is not None
    items = [item.id for item in playbook.checklist]
    if item_id not in items:
        raise InputError(
            f"no checklist item '{item_id[:60]}' in playbook {playbook.id} "
            f"{playbook.version}; valid items: {_choices(items)}"
        )
    companies = known_companies(engagement)
    if company_id not in companies:
        known = _choices([str(c) for c in companies])
        raise InputError(
            f"company {company_id} is not part of session {engagement.session.name}"  # type: ignore[union-attr]
            f"; valid companies: {known}"
            + ("" if companies else " (give the session an accounts file or --company-id "
               "at creation, or run the inventory)")
        )


def check_tool(scope: str, tool: str) -> None:
    """Refuse a tool key the permission map does not know at that scope.

    Raises:
        InputError: naming the valid tool keys of the scope.
    """
    from dmsa_migrate.permissions.map import build_map

    tools = build_map().tools
    valid = sorted(key for key, info in tools.items() if not info.scopes or scope in info.scopes)
    if tool not in valid:
        raise InputError(
            f"--tool: '{tool[:60]}' is not a {scope}-level tool of the permission map; "
            f"valid tools: {_choices(valid)}"
        )


def mark_custom_step(
    engagement: Engagement, step_id: str, status: StepStatus, note: str = ""
) -> Session:
    """Mark one of the playbook's custom steps (a meeting, a hand-over) done or pending.

    Raises:
        InputError: not a custom step of the pinned playbook (the four built-in steps get
            their status from their runs); the message lists the custom steps.
    """
    playbook, store, session = engagement.playbook, engagement.store, engagement.session
    assert playbook is not None and store is not None and session is not None
    custom = [step.id for step in playbook.steps if step.kind == "custom"]
    if step_id not in custom:
        builtin = any(step.id == step_id for step in playbook.steps)
        why = ("is a built-in step: its status comes from its runs"
               if builtin else f"is not a step of playbook {playbook.id}")
        raise InputError(f"'{step_id[:60]}' {why}; custom steps: {_choices(custom)}")
    return store.mark_step(session, step_id, status, note)
