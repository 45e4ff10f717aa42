"""The list of command-group registrars, in the order ``--help`` shows them.

Each command group lives in its own module with a ``register(subparsers)`` function; add a
new group by importing its registrar here. Registrars import nothing heavy at module level.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dmsa_migrate.cli import (
    checklist_cmd,
    demo_cmd,
    emulator_cmd,
    inventory_cmd,
    login_cmd,
    manifest_cmd,
    playbook_cmd,
    record_cmd,
    routes_cmd,
    scan_cmd,
    session_cmd,
    tui_cmd,
    verify_cmd,
)

Registrar = Callable[[Any], None]

REGISTRARS: list[Registrar] = [
    tui_cmd.register,
    demo_cmd.register,
    emulator_cmd.register,
    login_cmd.register,
    inventory_cmd.register,
    scan_cmd.register,
    record_cmd.register,
    routes_cmd.register,
    manifest_cmd.register,
    verify_cmd.register,
    playbook_cmd.register,
    checklist_cmd.register,
    session_cmd.register,
]
