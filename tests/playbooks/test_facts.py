"""The fact catalogue: values computed per company, and the docs table kept in step."""

from __future__ import annotations

import re
from pathlib import Path

from dmsa_migrate.conditions import CATALOGUE, UNKNOWN, Evidence, facts_for_company
from dmsa_migrate.models.inventory import Inventory

DOCS = Path(__file__).resolve().parents[2] / "docs" / "playbooks.md"


def test_company_with_planted_problems_has_the_facts_a_checklist_needs(full: Evidence) -> None:
    facts = facts_for_company(full, 101)
    assert facts["company.name"] == "Acme Builders"
    assert facts["company.installed"] is True
    assert facts["verification.missing_projects"] == [1007, 1012]
    assert facts["verification.missing_projects_count"] == 2
    assert facts["inventory.projects_count"] == 3
    assert facts["inventory.active_projects_count"] == 2
    assert facts["inventory.found_by_scan"] is True
    assert facts["inventory.uses_webhooks"] is True
    assert facts["inventory.add_to_new_projects"] is True
    assert facts["inventory.company_tools"] == ["documents"]  # directory = none left out
    assert facts["verification.gap_tools"] == ["rfi"]
    assert facts["verification.finding_codes"] == ["manual_directory_edit"]
    assert facts["manifest.covers_old_access"] is True
    assert facts["manifest.read_only"] is False


def test_disconnected_company(full: Evidence) -> None:
    facts = facts_for_company(full, 202)
    assert facts["company.disconnected"] is True
    assert facts["company.installed"] is False
    assert facts["verification.missing_projects_count"] == 0


def test_facts_of_steps_not_run_are_unknown(inventory: Inventory) -> None:
    facts = facts_for_company(Evidence(inventory=inventory), 101)
    assert facts["verification.present"] is False
    assert facts["manifest.present"] is False
    assert facts["company.installed"] is UNKNOWN
    assert facts["verification.missing_projects_count"] is UNKNOWN
    assert facts["manifest.read_only"] is UNKNOWN
    assert facts["inventory.projects_count"] == 3


def test_manifest_that_misses_old_access_is_flagged(inventory: Inventory) -> None:
    narrow = {"permissions": {"company": {}, "project": {"rfi": "readonly"}}}
    facts = facts_for_company(Evidence(inventory=inventory, manifest=narrow), 101)
    assert facts["manifest.covers_old_access"] is False
    assert facts["manifest.has_post_installation_instruction"] is False


def test_evidence_lists_every_company_once_in_order(full: Evidence) -> None:
    assert full.company_ids() == [101, 202]


def test_render_fills_an_evidence_sentence(full: Evidence) -> None:
    facts = facts_for_company(full, 101)
    sentence = facts.render(
        "{verification.missing_projects_count} of {inventory.projects_count} projects not "
        "permitted: {verification.missing_projects}; scan: {inventory.found_by_scan}"
    )
    assert sentence == "2 of 3 projects not permitted: 1007, 1012; scan: yes"
    assert facts_for_company(Evidence(), 5).render("{company.installed}") == "unknown"


def test_every_fact_has_a_value_of_its_declared_type(full: Evidence) -> None:
    facts = facts_for_company(full, 101)
    python = {"bool": bool, "int": int, "str": str}
    for fact in CATALOGUE:
        value = facts[fact.name]
        if fact.type.startswith("list["):
            inner = python[fact.type[5:-1]]
            assert isinstance(value, list) and all(isinstance(v, inner) for v in value), fact.name
        else:
            assert type(value) is python[fact.type], fact.name


def test_docs_table_lists_exactly_the_catalogue() -> None:
    text = DOCS.read_text(encoding="utf-8")
    documented = dict(re.findall(r"^\| `([a-z_]+\.[a-z_]+)` \| `([a-z\[\]]+)` \|", text, re.M))
    assert documented == {fact.name: fact.type for fact in CATALOGUE}


def test_manifest_may_be_a_model_with_attributes() -> None:
    class Permissions:
        def __init__(self) -> None:
            self.company = {"documents": "readonly"}
            self.project: dict[str, str] = {}

    class Model:
        permissions = Permissions()
        post_installation_instruction = "x"

    facts = facts_for_company(Evidence(manifest=Model()), 101)
    assert facts["manifest.company_tools"] == ["documents"]
    assert facts["manifest.has_post_installation_instruction"] is True
