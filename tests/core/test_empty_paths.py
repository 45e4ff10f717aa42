"""An empty path (``--out "$UNSET"``) is bad usage, never "not given"."""

from __future__ import annotations

import pytest

from dmsa_migrate.cli import main

CASES = {
    "scan --out": ["scan", ".", "--out", ""],
    "scan PATH": ["scan", ""],
    "scan --sarif": ["scan", ".", "--sarif", " "],
    "manifest --out": ["manifest", "--inventory", "inventory.json", "--out", ""],
    "manifest --usage": ["manifest", "--inventory", "inventory.json", "--usage", ""],
    "verify --junit": ["verify", "--inventory", "inventory.json", "--junit", ""],
    "verify --summary": ["verify", "--inventory", "inventory.json", "--summary", ""],
    "checklist --out": ["checklist", "--inventory", "i.json", "--verification", "v.json",
                        "--out", ""],
    "inventory --accounts": ["inventory", "--accounts", ""],
    "demo --out": ["demo", "--headless", "--out", ""],
    "session export --out": ["session", "export", "acme", "--out", ""],
}


@pytest.mark.parametrize("argv", CASES.values(), ids=CASES.keys())
def test_an_empty_path_is_refused_before_anything_runs(
    argv: list[str], capsys: pytest.CaptureFixture[str], tmp_path: object,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(str(tmp_path))
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "the path is empty" in err and "Traceback" not in err
