"""Shared fixtures: an isolated home folder for every test, anyio on asyncio; the
hypothesis profiles.

Hypothesis profiles (``HYPOTHESIS_PROFILE`` picks one; ``CI=true`` picks ``ci``):

* ``ci``: derandomized, so every run of a commit draws the same examples, and no example
  database, so nothing is written into the checkout and no stored failure from an earlier
  run is replayed as if it were new;
* ``dev`` (the default elsewhere): random examples, failures kept in ``.hypothesis/``
  (ignored by git) and replayed first on the next run, the usual way to fix one.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis.configuration import set_hypothesis_home_dir

from dmsa_migrate.secrets import REDACTOR

settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
settings.register_profile("dev", print_blob=True)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE")
    or ("ci" if os.environ.get("CI", "").lower() in ("1", "true", "yes") else "dev")
)
if settings.get_current_profile_name() == "ci":
    # Hypothesis also caches literal constants under its home folder (.hypothesis/ in the
    # working directory by default): keep the checkout untouched in CI.
    set_hypothesis_home_dir(tempfile.mkdtemp(prefix="dmsa-migrate-hypothesis-"))


def pytest_report_header() -> str:
    """Say in the log which profile ran, so a CI failure can be replayed the same way."""
    return f"hypothesis profile: {settings.get_current_profile_name()}"


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
