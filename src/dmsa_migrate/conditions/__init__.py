"""Checklist conditions: a safe expression language over a catalogue of per-company facts.

Public API::

    compile_condition(text, FACT_TYPES) -> Condition   # parse + type-check, no eval
    Condition.evaluate(facts) -> True | False | None   # None: evidence missing
    facts_for_company(Evidence(...), company_id) -> FactValues
    FactValues.render("{verification.missing_projects}") -> "1007, 1012"

See :mod:`.language` for the grammar and :mod:`.facts` for the catalogue.
"""

from __future__ import annotations

from dmsa_migrate.conditions.facts import (
    CATALOGUE,
    FACT_TYPES,
    FACTS,
    Evidence,
    Fact,
    FactValues,
    facts_for_company,
    format_value,
    manifest_levels,
    template_facts,
)
from dmsa_migrate.conditions.language import (
    UNKNOWN,
    Condition,
    ConditionError,
    Truth,
    compile_condition,
)

__all__ = [
    "CATALOGUE",
    "FACTS",
    "FACT_TYPES",
    "UNKNOWN",
    "Condition",
    "ConditionError",
    "Evidence",
    "Fact",
    "FactValues",
    "Truth",
    "compile_condition",
    "facts_for_company",
    "format_value",
    "manifest_levels",
    "template_facts",
]
