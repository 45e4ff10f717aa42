"""``verify --replay USAGE``: the integration's reads, sent once with the app's token.

Against the demo world on loopback: the demo app's manifest grants ``daily_log`` and
``rfi`` on projects but no ``drawings``; the emulator's catalog mode answers the reads it
does not model and enforces its own module → tool table, so Procore's (the emulator's)
403 is what the report must show, with no write ever sent.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from dmsa_migrate.cli import main
from dmsa_migrate.emulator import Emulator, load_world, serve_in_thread

from .conftest import DMSA_ID, DMSA_SECRET, demo_inventory_data, write_demo_manifest

USAGE = [
    {"method": "GET", "template": "/rest/v1.0/projects/{project_id}/delivery_logs"},
    {"method": "GET", "template": "/rest/v1.0/projects/{project_id}/delivery_logs/{id}"},
    {"method": "GET", "template": "/rest/v1.0/projects/{project_id}/drawing_areas"},
    {"method": "GET", "template": "/rest/v1.0/companies/{company_id}/users"},
    {"method": "POST", "template": "/rest/v1.0/projects/{project_id}/rfis"},
    {"method": "DELETE", "template": "/rest/v1.0/projects/{project_id}/drawing_areas/{id}"},
]


@pytest.fixture
def served() -> Iterator[tuple[str, Emulator]]:
    emulator = Emulator(load_world("demo"))
    with serve_in_thread(emulator) as base_url:
        yield base_url, emulator


def _run(tmp: Path, url: str, *extra: str) -> tuple[int, dict | None]:
    inventory = tmp / "inventory.json"
    inventory.write_text(json.dumps(demo_inventory_data()), encoding="utf-8")
    out = tmp / "verification.json"
    code = main([
        "verify", "--inventory", str(inventory), "--dmsa", DMSA_ID,
        "--dmsa-secret", "env:DMSA_TEST_SECRET", "--api-base", url, "--out", str(out), *extra,
    ])
    return code, json.loads(out.read_text(encoding="utf-8")) if out.exists() else None


def test_replay_reports_each_403_as_a_gap_proven_by_procore(
    tmp_path: Path, served: tuple[str, Emulator], monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DMSA_TEST_SECRET", DMSA_SECRET)
    url, emulator = served
    usage = tmp_path / "usage.json"
    usage.write_text(json.dumps(USAGE), encoding="utf-8")
    manifest = write_demo_manifest(tmp_path / "manifest.json")
    # Bayview verifies clean against the manifest (test_cli.py): only replay can fail it.
    clean, _ = _run(tmp_path, url, "--company-id", "202", "--manifest", str(manifest))
    assert clean == 0
    code, data = _run(tmp_path, url, "--company-id", "202", "--manifest", str(manifest),
                      "--replay", str(usage))
    out = capsys.readouterr().out
    assert data is not None

    assert code == 1
    bayview = next(c for c in data["companies"] if c["id"] == 202)
    outcomes = {read["template"]: read for read in bayview["replay"]}
    project = outcomes["/rest/v1.0/projects/{project_id}/delivery_logs"]["project_id"]
    assert project in bayview["permitted_projects"]
    assert outcomes["/rest/v1.0/projects/{project_id}/delivery_logs"]["outcome"] == "allowed"
    assert outcomes["/rest/v1.0/projects/{project_id}/delivery_logs/{id}"]["outcome"] == "allowed"
    refused = outcomes["/rest/v1.0/projects/{project_id}/drawing_areas"]
    assert refused["outcome"] == "forbidden" and refused["status"] == 403
    assert outcomes["/rest/v1.0/companies/{company_id}/users"]["outcome"] == "allowed"
    # Reads only: the POST and DELETE of the usage were never sent.
    assert set(outcomes) == {e["template"] for e in USAGE if e["method"] == "GET"}
    assert set(emulator.stats.rest_methods) == {"GET"}, emulator.stats.rest_methods
    codes = [f["code"] for f in bayview["findings"]]
    assert "replay_forbidden" in codes
    assert "[replay_forbidden]" in out and "drawing_areas" in out


def test_each_read_is_sent_once_per_company(
    tmp_path: Path, served: tuple[str, Emulator], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DMSA_TEST_SECRET", DMSA_SECRET)
    url, emulator = served
    usage = tmp_path / "usage.json"
    usage.write_text(json.dumps(USAGE[2:3] * 5), encoding="utf-8")  # the same read, 5 times
    _, data = _run(tmp_path, url, "--replay", str(usage))
    assert data is not None
    replayed = [c for c in data["companies"] if c.get("replay") is not None]
    assert {c["id"] for c in replayed} == {101, 202}  # 303 is disconnected: not replayed
    for company in replayed:
        (read,) = company["replay"]
        assert emulator.stats.paths[read["path"]] == 1


def test_without_replay_nothing_extra_is_sent(
    tmp_path: Path, served: tuple[str, Emulator], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DMSA_TEST_SECRET", DMSA_SECRET)
    url, emulator = served
    _, data = _run(tmp_path, url)
    assert data is not None
    assert all(c.get("replay") is None for c in data["companies"])
    assert emulator.stats.catalog == 0


def test_bad_replay_file_exits_2_before_any_request(
    tmp_path: Path, served: tuple[str, Emulator], monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DMSA_TEST_SECRET", DMSA_SECRET)
    url, emulator = served
    bad = tmp_path / "usage.json"
    bad.write_text('[{"method": "GET"}]', encoding="utf-8")
    code, written = _run(tmp_path, url, "--replay", str(bad))
    assert code == 2 and written is None and "usage.json" in capsys.readouterr().err
    assert emulator.stats.requests == 0
