"""Fixtures for the inventory suite: worlds, accounts files and connections to the emulator."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dmsa_migrate.emulator import World, load_world
from dmsa_migrate.procore import Environment
from dmsa_migrate.runtime import Connection, expose_demo_secret

FIXTURES = Path(__file__).parent / "fixtures"
CORPUS = Path(__file__).parent / "corpus"
collect_ignore_glob = ["corpus/*"]  # the scan corpus: integrations' code, not our tests
ADMIN_TOKEN = "demo-admin-token-dana-3f9a1c7e5b"


def connection_for(conn: Any) -> Connection:
    """A runtime Connection from the emulator test fixture's ``(base_url, transport)``."""
    return Connection(Environment("emulator", conn.base_url, conn.base_url), conn.transport)


def accounts_toml(
    world: World,
    *,
    with_user_ids: bool = True,
    directory: bool = True,
    only: set[int] | None = None,
) -> str:
    """An accounts file for a world's service accounts, secrets exposed as env: references."""
    users = {user.id: user for user in world.users}
    parts = []
    for account in world.service_accounts:
        if only is not None and account.user_id not in only:
            continue
        label = users[account.user_id].name.lower().replace(" ", "-")
        ref = expose_demo_secret(label, account.client_secret)
        parts.append(
            f'[[accounts]]\nlabel = "{label}"\nclient_id = "{account.client_id}"\n'
            f'client_secret = "{ref}"\ncompany_id = {account.company_id}\n'
            + (f"user_id = {account.user_id}\n" if with_user_ids else "")
        )
    if directory and world.user_tokens:
        ref = expose_demo_secret("directory-admin", world.user_tokens[0].token)
        parts.append(f'[directory]\ntoken = "{ref}"\n')
    return "\n".join(parts)


@pytest.fixture
def demo_world() -> World:
    return load_world("demo")


@pytest.fixture
def post_sunset_world() -> World:
    return load_world("post-sunset")


@pytest.fixture
def write_accounts(tmp_path: Path) -> Callable[..., Path]:
    def write(world: World, **kwargs: Any) -> Path:
        path = tmp_path / "accounts.toml"
        path.write_text(accounts_toml(world, **kwargs), encoding="utf-8")
        return path

    return write


@pytest.fixture
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retries do not wait (a failure after retries is reached in milliseconds)."""
    real_sleep = asyncio.sleep

    async def instant(_seconds: float, *args: Any, **kwargs: Any) -> None:
        await real_sleep(0)

    monkeypatch.setattr(asyncio, "sleep", instant)
