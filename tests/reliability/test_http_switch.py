"""``DMSA_MIGRATE_HTTP`` picks the client's HTTP path (docs/client.md, *Connections*).

The lean path is the tool's own HTTP/1.1 code; a user on a network it does not suit turns
it off with ``DMSA_MIGRATE_HTTP=httpx``. These runs go over real loopback HTTP, and which
path carried them shows in the debug log: the lean path logs under
``dmsa_migrate.procore.wire``, httpx under ``httpx``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reliability.conftest import CliRecorder
from tests.reliability.setups import Inputs

pytestmark = pytest.mark.usefixtures("restore_environ")


def _inventory(cli: CliRecorder, inputs: Inputs, procore: str, workdir: Path) -> int:
    return cli("inventory", "--accounts", inputs.accounts, "--out", workdir / "inv.json",
               "--api-base", procore).code


def _paths_in(log: Path) -> set[str]:
    names = {line.split(" ", 1)[0] for line in log.read_text(encoding="utf-8").splitlines()}
    return {path for path, logger in (("lean", "dmsa_migrate.procore.wire"),
                                      ("httpx", "httpx")) if logger in names}


def test_the_lean_path_is_the_default(
    cli: CliRecorder, inputs: Inputs, procore: str, workdir: Path, debug_log: Path
) -> None:
    assert _inventory(cli, inputs, procore, workdir) == 0
    assert _paths_in(debug_log) == {"lean"}


def test_httpx_carries_every_request_when_asked(
    cli: CliRecorder, inputs: Inputs, procore: str, workdir: Path, debug_log: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DMSA_MIGRATE_HTTP", "httpx")
    assert _inventory(cli, inputs, procore, workdir) == 0
    assert _paths_in(debug_log) == {"httpx"}
    assert (workdir / "inv.json").stat().st_size > 0


def test_a_mistyped_switch_is_refused_without_echo(
    cli: CliRecorder, inputs: Inputs, procore: str, workdir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DMSA_MIGRATE_HTTP", "htpx-zq81")
    run = cli("inventory", "--accounts", inputs.accounts, "--out", workdir / "inv.json",
              "--api-base", procore)
    assert run.code == 2
    assert "DMSA_MIGRATE_HTTP must be 'httpx'" in run.err
    assert "htpx-zq81" not in run.out + run.err
    assert "Traceback" not in run.err
    assert not (workdir / "inv.json").exists()
