"""Every example in docs/playbooks.md is real: TOML blocks validate, conditions compile."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dmsa_migrate.conditions import FACT_TYPES, compile_condition
from dmsa_migrate.playbooks import parse_playbook

DOCS = Path(__file__).resolve().parents[2] / "docs" / "playbooks.md"


def _blocks(language: str) -> list[str]:
    text = DOCS.read_text(encoding="utf-8")
    return re.findall(rf"^```{language}\n(.*?)^```", text, re.M | re.S)


def test_docs_have_examples() -> None:
    assert _blocks("toml") and _blocks("conditions")


@pytest.mark.parametrize("block", _blocks("toml"))
def test_toml_example_is_a_valid_playbook(block: str) -> None:
    playbook = parse_playbook(block, "docs/playbooks.md")
    assert playbook.checklist and playbook.steps


@pytest.mark.parametrize(
    "line", [line for block in _blocks("conditions") for line in block.splitlines() if line]
)
def test_condition_example_compiles(line: str) -> None:
    compile_condition(line, FACT_TYPES)


def test_check_output_shown_in_the_docs_matches_the_real_command(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from dmsa_migrate.cli import main

    monkeypatch.chdir(DOCS.parents[1])

    assert main(["playbook", "check", "playbooks/erp-integration.toml"]) == 0
    assert capsys.readouterr().out.strip() in DOCS.read_text(encoding="utf-8")
