"""Bad accounts files stop the run before any request, naming file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from dmsa_migrate.cli import main

GOOD = '''[[accounts]]
label = "acme-erp-sync"
client_id = "tsa-acme-erp-sync-6c1f0e2d"
client_secret = "env:ACME_SECRET"
company_id = 101
'''


def run_with(tmp_path: Path, text: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    path = tmp_path / "accounts.toml"
    path.write_text(text, encoding="utf-8")
    code = main(["inventory", "--accounts", str(path), "--api-base", "http://127.0.0.1:9"])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.err


@pytest.mark.parametrize(
    ("text", "where", "words"),
    [
        (GOOD + "\n" + GOOD, ":8:", "accounts.1.label: duplicate label"),
        (GOOD.replace('"tsa-acme-erp-sync-6c1f0e2d"', '"bad id!"'), ":3:",
         "accounts.0.client_id: malformed client id"),
        (GOOD.replace("company_id = 101", "company_id = -4"), ":5:", "accounts.0.company_id"),
        (GOOD + 'colour = "blue"\n', ":6:", "accounts.0.colour: unknown key"),
        (GOOD + '[directory]\ntoken = "env:A"\nlogin = true\n', ":6:", "directory"),
    ],
)
def test_bad_accounts_file_exits_2_naming_file_line_and_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, where: str, words: str
) -> None:
    code, err = run_with(tmp_path, text, capsys)
    assert code == 2
    assert "accounts.toml" + where in err
    assert words in err


def test_literal_secret_is_refused_and_never_echoed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    canary = "LiteralCanarySecret9f8e7d6c5b4a"
    code, err = run_with(tmp_path, GOOD.replace("env:ACME_SECRET", canary), capsys)
    assert code == 2
    assert "accounts.toml:4:" in err and "accounts.0.client_secret" in err
    assert "never the secret itself" in err
    assert canary not in err


def test_duplicate_client_id_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    second = GOOD.replace("acme-erp-sync\"", "other\"")
    code, err = run_with(tmp_path, GOOD + "\n" + second, capsys)
    assert code == 2
    assert "accounts.1.client_id: duplicate client_id" in err
    assert "tsa-acme-erp-sync-6c1f0e2d" not in err


def test_unset_secret_reference_is_bad_input_before_any_request(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ACME_SECRET", raising=False)
    code, err = run_with(tmp_path, GOOD, capsys)
    assert code == 2
    assert "ACME_SECRET is not set" in err
