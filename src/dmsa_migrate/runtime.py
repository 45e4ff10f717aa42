"""The one composition root: builds Procore clients, real or on the built-in emulator.

The CLI and the TUI never construct a :class:`ProcoreClient` or an emulator themselves;
they describe where Procore is (connection options, or a demo world) and ask this module.
That keeps the choice between the real API and the emulator in one place, and lets every
step receive a client without knowing which one it got.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

from dmsa_migrate.procore import (
    ClientCredentials,
    ClientEvent,
    Credentials,
    Environment,
    ProcoreClient,
    UserToken,
    environment_from_options,
)
from dmsa_migrate.procore.pool import DEFAULT_POOL, PoolSettings
from dmsa_migrate.secrets import REDACTOR

if TYPE_CHECKING:  # imported where used: a run against Procore never loads the emulator
    from dmsa_migrate.emulator import Emulator, World

EMULATOR_BASE = "https://emulator.invalid"
"""Base URL of the in-process emulator: ``.invalid`` can never resolve, so a request that
escaped the in-process transport would fail instead of reaching a real host."""

DEMO_SECRET_PREFIX = "DMSA_DEMO_"


@dataclass
class Connection:
    """Where Procore is for this run: an environment and, for the emulator, its transport."""

    environment: Environment
    transport: httpx.AsyncBaseTransport | None = None
    emulator: Emulator | None = field(default=None, repr=False)
    pool: PoolSettings = DEFAULT_POOL
    """Connections per client (benchmarks pass ``procore.pool.LEGACY_POOL`` to compare)."""

    def client(
        self,
        credentials: Credentials,
        *,
        company_id: int | None = None,
        on_event: Callable[[ClientEvent], None] | None = None,
    ) -> ProcoreClient:
        """A new client for one credential; use it as ``async with``."""
        return ProcoreClient(
            self.environment,
            credentials,
            company_id=company_id,
            transport=self.transport,
            on_event=on_event,
            pool=self.pool,
        )


def connection_from_options(
    env: str | None = "production", api_base: str | None = None, login_base: str | None = None
) -> Connection:
    """The connection the ``--env``/``--api-base``/``--login-base`` options describe."""
    return Connection(environment_from_options(env, api_base, login_base))


def emulator_connection(world: World | str | Path) -> Connection:
    """An in-process emulator serving ``world`` (a World, a built-in name or a file)."""
    from dmsa_migrate.emulator import Emulator, World, load_world

    loaded = world if isinstance(world, World) else load_world(world)
    emulator = Emulator(loaded)
    environment = Environment("emulator", EMULATOR_BASE, EMULATOR_BASE)
    return Connection(environment, emulator.async_transport(), emulator)


def client_credentials(client_id: str, secret: str) -> ClientCredentials:
    """Client credentials with the secret registered for redaction first."""
    REDACTOR.add(secret)
    return ClientCredentials(client_id, secret)


def user_token(token: str) -> UserToken:
    """A bearer user token, registered for redaction first."""
    REDACTOR.add(token)
    return UserToken(token)


def demo_secret_env(label: str) -> str:
    """The environment variable the demo puts a world secret in: ``DMSA_DEMO_<LABEL>``."""
    return DEMO_SECRET_PREFIX + re.sub(r"[^A-Z0-9]+", "_", label.upper()).strip("_")


def expose_demo_secret(label: str, secret: str) -> str:
    """Put a demo world's fixture secret in this process's environment; return its reference.

    The demo must run with no setup, yet every step takes secrets as references only. The
    world's fixture secrets therefore go into environment variables of this process (never
    to disk) and the steps get ``env:`` references, exactly as a real user's would be.
    """
    name = demo_secret_env(label)
    REDACTOR.add(secret)
    os.environ[name] = secret
    return f"env:{name}"
