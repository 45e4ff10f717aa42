"""Shared fixtures: an isolated home folder for every test, anyio on asyncio."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from dmsa_migrate.secrets import REDACTOR


@pytest.fixture
def anyio_backend() -> str:
    """Async tests run on asyncio (the backend textual and the CLI use)."""
    return "asyncio"


@pytest.fixture(autouse=True)
def isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """Point every user folder at a fresh temporary folder; forget secrets between tests."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("DMSA_MIGRATE_HOME", str(home))
    REDACTOR.clear()
    yield home
    REDACTOR.clear()


@pytest.fixture(params=["inprocess", "loopback"])
def connect(request: pytest.FixtureRequest) -> Iterator[object]:
    """A function ``world -> Connection(base_url, transport, emulator)``, run in both modes.

    inprocess: base_url ``https://emulator.invalid`` with the emulator's async transport;
    loopback: a real HTTP server on 127.0.0.1 (transport None), stopped at teardown.
    """
    from dmsa_migrate.emulator.testing import Connector

    connector = Connector(request.param)
    yield connector
    connector.close()
