"""docs/verify.md explains every finding code the step can write (playbooks rely on them)."""

from __future__ import annotations

from pathlib import Path

from dmsa_migrate.verify import ALL_CODES

DOC = Path(__file__).resolve().parents[2] / "docs" / "verify.md"


def test_every_finding_code_is_documented_with_its_severity() -> None:
    text = DOC.read_text(encoding="utf-8")
    for code in ALL_CODES:
        assert f"| `{code.code}` | {code.severity} |" in text, code.code


def test_codes_the_shipped_playbooks_test_for_exist() -> None:
    names = {code.code for code in ALL_CODES}
    assert {"manual_directory_edit", "permitted_projects_reset"} <= names
