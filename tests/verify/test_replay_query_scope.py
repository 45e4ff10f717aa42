"""``verify --replay``: a project-level read whose path names no project gets its project.

``GET /rest/v1.0/purchase_order_contracts`` is a project's commitments list; Procore takes
the project as the ``project_id`` query. Sent without it, the read is judged company-wide
and refused, which the report would show as a gap "proven by Procore" that the app does not
have (the demo app holds commitments and prime contracts read-only on its projects).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from dmsa_migrate.cli import main
from dmsa_migrate.emulator import Emulator, load_world, serve_in_thread

from .conftest import DMSA_ID, DMSA_SECRET, demo_inventory_data, write_demo_manifest

READS = ["/rest/v1.0/purchase_order_contracts", "/rest/v1.0/prime_contracts"]


@pytest.fixture
def served() -> Iterator[str]:
    with serve_in_thread(Emulator(load_world("demo"))) as base_url:
        yield base_url


def test_a_read_scoped_by_query_is_sent_in_the_project_and_allowed(
    tmp_path: Path, served: str, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DMSA_TEST_SECRET", DMSA_SECRET)
    inventory = tmp_path / "inventory.json"
    inventory.write_text(json.dumps(demo_inventory_data()), encoding="utf-8")
    usage = tmp_path / "usage.json"
    usage.write_text(json.dumps([{"method": "GET", "template": t} for t in READS]),
                     encoding="utf-8")
    manifest = write_demo_manifest(tmp_path / "manifest.json")
    out = tmp_path / "verification.json"
    code = main([
        "verify", "--inventory", str(inventory), "--dmsa", DMSA_ID,
        "--dmsa-secret", "env:DMSA_TEST_SECRET", "--api-base", served, "--out", str(out),
        "--company-id", "202", "--manifest", str(manifest), "--replay", str(usage),
    ])
    printed = capsys.readouterr().out
    data = json.loads(out.read_text(encoding="utf-8"))
    (bayview,) = data["companies"]
    reads = {read["template"]: read for read in bayview["replay"]}
    project = reads[READS[0]]["project_id"]
    assert {t: reads[t]["outcome"] for t in READS} == {t: "allowed" for t in READS}
    assert reads[READS[0]]["path"] == f"{READS[0]}?project_id={project}"
    assert "[replay_forbidden]" not in printed
    assert code == 0
