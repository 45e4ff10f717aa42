"""``dmsa-migrate record``: a recording proxy in front of the emulator, over real loopback."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from dmsa_migrate.cli import main
from dmsa_migrate.emulator import load_world

pytestmark = pytest.mark.loopback


@contextmanager
def _serving(*args: str) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "dmsa_migrate", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        assert line.startswith("listening on http://127.0.0.1:"), proc.stderr.read() if \
            proc.stderr else line
        yield line.removeprefix("listening on "), proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        _stopped(proc)


def _stopped(proc: subprocess.Popen[str]) -> str:
    """The process's stderr once it has stopped; a process still serving 60 s after it was
    told to stop is killed (no server left behind) and the test fails."""
    try:
        return proc.communicate(timeout=60)[1] or ""
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate(timeout=60)
        name = proc.args[3]
        raise AssertionError(f"{name} was still serving 60 s after it was stopped") from None


def test_records_what_goes_through_and_feeds_the_manifest(tmp_path: Path) -> None:
    world = load_world("demo")
    app = world.apps[0]
    company = next(i.company_id for i in world.installations if i.status == "installed")
    usage = tmp_path / "usage.json"
    with _serving("emulator", "serve", "--world", "demo", "--port", "0") as (upstream, _), \
            _serving("record", "--listen", "127.0.0.1:0", "--upstream", upstream,
                     "--out", str(usage)) as (proxy_url, recorder):
        with httpx.Client(base_url=proxy_url, timeout=60) as client:
            token = client.post("/oauth/token", data={
                "grant_type": "client_credentials", "client_id": app.client_id,
                "client_secret": app.client_secret,
            })
            assert token.status_code == 200  # the answer is the upstream's, passed through
            access = token.json()["access_token"]
            headers = {"Authorization": f"Bearer {access}", "Procore-Company-Id": str(company)}
            companies = client.get("/rest/v1.0/companies", headers=headers)
            assert companies.status_code == 200
            projects = client.get(
                f"/rest/v1.0/projects?company_id={company}&access_token={access}",
                headers=headers)
            assert projects.status_code == 200
            for project in projects.json()[:2]:
                client.get(f"/rest/v1.0/projects/{project['id']}/users", headers=headers)
            missing = client.get("/rest/v1.0/projects?company_id=999999", headers=headers)
            chunked = client.post(  # a streamed (chunked) body goes through too
                "/rest/v1.0/projects/1/rfis", headers=headers,
                content=(part for part in (b'{"rfi": ', b'{"subject": "x"}}')))
        recorder.send_signal(signal.SIGINT)
        err = _stopped(recorder)
    assert recorder.returncode == 0
    assert "Procore endpoint(s)" in err
    text = usage.read_text()
    assert access not in text and app.client_secret not in text and "access_token" not in text
    data = json.loads(text)
    entries = {(u["method"], u["template"]): u for u in data["usage"]}
    assert set(entries) == {
        ("GET", "/rest/v1.0/companies"),
        ("GET", "/rest/v1.0/projects"),
        ("GET", "/rest/v1.0/projects/{project_id}/users"),
        ("POST", "/rest/v1.0/projects/{project_id}/rfis"),
    }
    assert chunked.status_code != 413  # the body was read, not refused
    posted = entries[("POST", "/rest/v1.0/projects/{project_id}/rfis")]
    assert posted["statuses"] == {str(chunked.status_code): 1}
    assert all(u["source"] == "recorded" for u in data["usage"])
    listed = entries[("GET", "/rest/v1.0/projects")]
    assert listed["count"] == 2
    assert listed["statuses"] == {"200": 1, str(missing.status_code): 1}
    assert listed["first_seen"] <= listed["last_seen"]
    assert data["calls_forwarded"] >= 5  # the token call went through, but is not usage

    inventory = tmp_path / "inventory.json"
    inventory.write_text(json.dumps({"schema": "dmsa-migrate/inventory/1", "accounts": [
        {"label": "erp", "client_id": "x", "companies": [{"id": company, "projects": [
            {"id": 1, "permissions": {"directory": "admin"}}]}]}]}))
    out = tmp_path / "manifest.json"
    assert main(["manifest", "--inventory", str(inventory), "--usage", str(usage),
                 "--out", str(out), "--explain"]) == 0
    assert json.loads(out.read_text())["permissions"]["project"]["directory"] == "readonly"
    sidecar = json.loads((tmp_path / "manifest.explain.json").read_text())
    directory = next(p for p in sidecar["permissions"]
                     if (p["scope"], p["tool"]) == ("project", "directory"))
    assert "recorded" in directory["evidence"][0]["sources"]


def test_bad_options_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = str(tmp_path / "u.json")
    assert main(["record", "--upstream", "ftp://x", "--out", out]) == 2
    assert "--upstream ftp://x" in capsys.readouterr().err
    assert main(["record", "--listen", "0.0.0.0:8080", "--upstream", "http://x",
                 "--out", out]) == 2
    assert "--allow-non-loopback" in capsys.readouterr().err
    assert main(["record", "--listen", "nonsense", "--upstream", "http://x", "--out", out]) == 2
    assert "HOST:PORT" in capsys.readouterr().err
