"""``dmsa-migrate emulator serve`` as users run it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from dmsa_migrate.cli import main
from dmsa_migrate.emulator import load_world


def test_serve_demo_answers_token_and_companies_then_stops_cleanly() -> None:
    world = load_world("demo")
    app = world.apps[0]
    company = next(i.company_id for i in world.installations if i.status == "installed")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "dmsa_migrate",
            "emulator",
            "serve",
            "--world",
            "demo",
            "--port",
            "0",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        assert line.startswith("listening on http://127.0.0.1:")
        base = line.removeprefix("listening on ")
        with httpx.Client(base_url=base, timeout=60) as client:
            token = client.post(
                "/oauth/token",
                data={
                    "grant_type": "client_credentials",
                    "client_id": app.client_id,
                    "client_secret": app.client_secret,
                },
            )
            assert token.status_code == 200
            headers = {
                "Authorization": f"Bearer {token.json()['access_token']}",
                "Procore-Company-Id": str(company),
            }
            companies = client.get("/rest/v1.0/companies", headers=headers)
            assert companies.status_code == 200
            assert company in [c["id"] for c in companies.json()]
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _err = proc.communicate(timeout=60)
    assert proc.returncode == 0
    assert out == ""  # exactly one line in all


def test_bad_world_file_exits_2_naming_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('[world]\nname = "x"\n\n[[companies]]\nid = 1\nname = "A"\nsize = 3\n')
    assert main(["emulator", "serve", "--world", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:7" in err and "companies.0.size: unknown key" in err


def test_non_loopback_host_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["emulator", "serve", "--host", "0.0.0.0"]) == 2
    assert "--allow-non-loopback" in capsys.readouterr().err


def test_bad_fault_override_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    """A rate outside 0..1 is refused by the option itself, naming it and the range."""
    with pytest.raises(SystemExit) as exited:
        main(["emulator", "serve", "--error-rate", "3"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "--error-rate" in err and "from 0 to 1" in err and "Traceback" not in err


def test_serve_stops_on_sigint_even_when_started_with_sigint_ignored() -> None:
    """A script's background job starts its children with SIGINT ignored; ``emulator
    serve`` and ``record`` must still stop on it (this once left ``record`` serving after
    the CI's SIGINT, with its test waiting for it)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "dmsa_migrate", "emulator", "serve", "--world", "demo",
         "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().startswith("listening on http://127.0.0.1:")
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0
