""""Old access recovered from the directory" names only sources that tell the old access.

The code scan finds where a client id is written and the Activity Report what the
integration called; neither says which projects the old account reached, so the
customer's checklist must not say projects were "recovered from the integration's code".
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dmsa_migrate.cli import main

from .conftest import FIXTURES


def test_recovered_projects_name_the_directory_never_the_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inventory = json.loads((FIXTURES / "inventory.json").read_text(encoding="utf-8"))
    assert "scan" in inventory["accounts"][0]["sources"]  # the scan found acme's client id
    code = main([
        "checklist", "--inventory", str(FIXTURES / "inventory.json"),
        "--verification", str(FIXTURES / "verification.json"),
        "--today", "2026-12-02", "--format", "json", "--out", str(tmp_path),
    ])
    capsys.readouterr()
    assert code == 0
    document = json.loads((tmp_path / "checklist.json").read_text(encoding="utf-8"))
    recovered = {item["company_id"]: item for item in document["items"]
                 if item["item_id"] == "old-access-recovered"}
    acme = recovered[101]
    assert acme["status"] == "done"
    assert acme["evidence"] == (
        "8 projects recovered from the Company Directory and the old account itself."
    )
    assert acme["facts"].endswith("inventory.sources=directory, live")
