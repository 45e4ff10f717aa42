"""``dmsa-migrate verify`` end to end: the real CLI against the emulator on loopback."""

from __future__ import annotations

import asyncio
import json
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dmsa_migrate.cli import main
from dmsa_migrate.emulator import Emulator, World, load_world, serve_in_thread

from .conftest import (
    DMSA_ID,
    DMSA_SECRET,
    demo_inventory_data,
    demo_world_data,
    installation,
    world,
    write_demo_manifest,
)
from .test_failures import failing_connection


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    monkeypatch.setenv("DMSA_TEST_SECRET", DMSA_SECRET)
    inventory = tmp_path / "inventory.json"
    inventory.write_text(json.dumps(demo_inventory_data()), encoding="utf-8")
    manifest = write_demo_manifest(tmp_path / "manifest.json")
    return {"inventory": inventory, "manifest": manifest, "dir": tmp_path}


def _serve(w: World) -> Iterator[str]:
    with serve_in_thread(Emulator(w)) as base_url:
        yield base_url


@pytest.fixture
def demo_url() -> Iterator[str]:
    yield from _serve(load_world("demo"))


def _args(files: dict[str, Path], url: str, *extra: str) -> list[str]:
    return [
        "verify", "--inventory", str(files["inventory"]), "--dmsa", DMSA_ID,
        "--dmsa-secret", "env:DMSA_TEST_SECRET", "--api-base", url, *extra,
    ]


def test_demo_exits_1_prints_a_summary_and_writes_a_private_file(
    files: dict[str, Path], demo_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out = files["dir"] / "verification.json"
    code = main(_args(files, demo_url, "--manifest", str(files["manifest"]), "--out", str(out)))
    captured = capsys.readouterr()

    assert code == 1
    assert "Acme Builders (101)" in captured.out
    assert "[projects_missing]" in captured.out and "[app_disconnected]" in captured.out
    assert "what to do:" in captured.out and "NOT OK" in captured.out
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["schema"] == "dmsa-migrate/verification/1" and data["ok"] is False
    acme = next(c for c in data["companies"] if c["id"] == 101)
    assert acme["missing_projects"] == [1008]
    for key in ("id", "name", "installed", "status", "matched_projects", "missing_projects",
                "extra_projects", "permission_gaps", "findings"):
        assert key in acme
    everything = captured.out + captured.err + out.read_text(encoding="utf-8")
    assert DMSA_SECRET not in everything


def test_clean_company_exits_0(
    files: dict[str, Path], demo_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(_args(files, demo_url, "--company-id", "202", "--manifest", str(files["manifest"])))
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "OK: nothing blocks the sunset" in captured.out
    assert "Acme Builders" not in captured.out  # --company-id restricts the check


def test_json_output_is_the_verification(
    files: dict[str, Path], demo_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(_args(files, demo_url, "--json", "--manifest", str(files["manifest"])))
    data = json.loads(capsys.readouterr().out)
    assert code == 1
    assert [c["status"] for c in data["companies"]] == ["installed", "installed", "disconnected"]


def test_previous_run_then_an_app_update_reports_the_reset(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    first = files["dir"] / "first.json"
    for url in _serve(load_world("demo")):
        assert main(_args(files, url, "--manifest", str(files["manifest"]),
                          "--out", str(first))) == 1
    data = demo_world_data()
    installation(data, 202)["permitted_projects"] = [2001, 2002]
    capsys.readouterr()
    for url in _serve(world(data)):
        code = main(_args(files, url, "--company-id", "202", "--previous", str(first),
                          "--manifest", str(files["manifest"])))
    out = capsys.readouterr().out
    assert code == 1
    assert "[permitted_projects_reset]" in out and "lost since prev." in out


def test_bad_inventory_exits_2_naming_the_file(
    files: dict[str, Path], demo_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    files["inventory"].write_text('{"accounts": [{"label": 3}]}', encoding="utf-8")
    assert main(_args(files, demo_url)) == 2
    err = capsys.readouterr().err
    assert "inventory.json" in err and "Traceback" not in err


def test_bad_previous_file_exits_2(
    files: dict[str, Path], demo_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    previous = files["dir"] / "previous.json"
    previous.write_text('{"schema": "x"}', encoding="utf-8")
    assert main(_args(files, demo_url, "--previous", str(previous))) == 2
    assert "previous.json" in capsys.readouterr().err


def test_literal_secret_is_refused_and_not_echoed(
    files: dict[str, Path], demo_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = _args(files, demo_url)
    args[args.index("env:DMSA_TEST_SECRET")] = DMSA_SECRET
    assert main(args) == 2
    captured = capsys.readouterr()
    assert DMSA_SECRET not in captured.out + captured.err
    assert "--dmsa-secret" in captured.err


def test_network_failure_exits_3_naming_the_request(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    real_sleep = asyncio.sleep

    async def no_wait(_seconds: float, *args: Any) -> None:
        await real_sleep(0)

    monkeypatch.setattr(asyncio, "sleep", no_wait)  # retries without real backoff
    data = demo_world_data()
    data["faults"] = {"error_rate": 1.0, "seed": 1}
    for url in _serve(world(data)):
        code = main(_args(files, url))
    err = capsys.readouterr().err
    assert code == 3
    assert "GET " in err and "/rest/v1.0/companies" in err and "company 101" in err


def test_failure_in_one_company_saves_the_partial_result(
    files: dict[str, Path],
    inprocess: Any,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    conn = inprocess(load_world("demo"))
    monkeypatch.setattr(
        "dmsa_migrate.runtime.connection_from_options",
        lambda *_args: failing_connection(conn, 202),
    )
    out = files["dir"] / "partial.json"
    code = main(_args(files, "https://unused.invalid", "--out", str(out)))
    err = capsys.readouterr().err
    assert code == 3
    assert "company 202" in err and f"partial results saved to {out}" in err
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["complete"] is False and data["ok"] is False
    assert {c["id"] for c in data["companies"]} == {101, 202, 303}
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
