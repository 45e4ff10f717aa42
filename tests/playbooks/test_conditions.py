"""The condition language: what a playbook author sees when a condition is right or wrong."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dmsa_migrate.conditions import FACT_TYPES, UNKNOWN, ConditionError, compile_condition


def _eval(text: str, **facts: object) -> bool | None:
    values = {name.replace("__", "."): value for name, value in facts.items()}
    return compile_condition(text, FACT_TYPES).evaluate(values)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("verification.missing_projects_count == 0", True),
        ("verification.missing_projects_count > 0", False),
        ("company.installed and not company.disconnected", True),
        ("not company.installed or company.disconnected", False),
        ("1007 in verification.missing_projects", False),
        ("1007 not in verification.missing_projects", True),
        ("company.install_status == 'installed'", True),
        ('company.install_status != "disconnected"', True),
        ("company.id in [101, 102]", True),
        ("verification.missing_projects == []", True),
        ("(company.id >= 100 and company.id <= 101) and true", True),
    ],
)
def test_conditions_evaluate_against_facts(text: str, expected: bool) -> None:
    assert (
        _eval(
            text,
            verification__missing_projects_count=0,
            verification__missing_projects=[],
            company__installed=True,
            company__disconnected=False,
            company__install_status="installed",
            company__id=101,
        )
        is expected
    )


def test_missing_evidence_is_unknown_not_false() -> None:
    condition = compile_condition(
        "company.installed and verification.missing_projects_count == 0", FACT_TYPES
    )
    assert condition.evaluate({"company.installed": True}) is None
    assert condition.missing({"company.installed": True}) == ["verification.missing_projects_count"]


def test_three_valued_logic_short_circuits_on_known_values() -> None:
    facts = {"company.installed": False, "verification.missing_projects_count": UNKNOWN}
    assert (
        _eval_with("company.installed and verification.missing_projects_count == 0", facts) is False
    )
    assert (
        _eval_with("not company.installed or verification.missing_projects_count == 0", facts)
        is True
    )
    assert _eval_with("not (verification.missing_projects_count == 0)", facts) is None


def _eval_with(text: str, facts: dict[str, object]) -> bool | None:
    return compile_condition(text, FACT_TYPES).evaluate(facts)


@pytest.mark.parametrize(
    ("text", "message", "column"),
    [
        ("verification.missing_project == 0", "did you mean 'verification.missing_projects'", 1),
        ("company.installed and company.instaled", "unknown fact 'company.instaled'", 23),
        ("verification.missing_projects_count", "must be true or false", 1),
        ("company.id == 'x'", "cannot compare int with str", 1),
        ("company.name > 3", "compares numbers", 1),
        ("company.installed and 3", "needs a true/false value", 23),
        ("1 < 2 < 3", "cannot be chained", 7),
        ("company.installed and", "expected a fact or a value", 22),
        ("(company.installed", "expected ')'", 19),
        ("company.installed AND true", "lower case", 19),
        ("installed", "is not a fact", 1),
        ("company.installed; rm -rf", "unexpected character ';'", 18),
        ("'x' in verification.missing_projects", "cannot look for str in list[int]", 1),
        ("__import__('os')", "is not a fact", 1),
        ("", "empty", 1),
    ],
)
def test_bad_conditions_are_explained_with_a_column(text: str, message: str, column: int) -> None:
    with pytest.raises(ConditionError) as caught:
        compile_condition(text, FACT_TYPES)
    assert message in caught.value.message
    assert caught.value.column == column


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [*"abc.()[]'\"=!<> 01,_", "a.b", "a.c", "a.d", " and ", " or ", "not ", " in ", "true"]
        ),
        max_size=25,
    )
)
def test_any_text_is_either_a_condition_or_a_condition_error(pieces: list[str]) -> None:
    text = "".join(pieces)
    try:
        condition = compile_condition(text, {"a.b": "bool", "a.c": "int", "a.d": "list[int]"})
    except ConditionError:
        return
    assert condition.evaluate({"a.b": True, "a.c": 1, "a.d": [1]}) in (True, False)
