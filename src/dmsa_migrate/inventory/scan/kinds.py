"""Node kinds the resolver treats alike across the eight grammars."""

from __future__ import annotations

from dmsa_migrate.inventory.scan.values import Alt

STRING_TYPES = frozenset(
    {
        "string", "template_string", "interpreted_string_literal", "raw_string_literal",
        "string_literal", "interpolated_string_expression", "verbatim_string_literal",
        "encapsed_string", "text_block", "heredoc", "nowdoc", "character_literal",
        "interpolated_verbatim_string_expression", "string_value",
    }
)

NAMES = frozenset(
    {
        "identifier", "constant", "name", "variable_name", "instance_variable",
        "property_identifier", "shorthand_property_identifier", "field_identifier",
        "simple_identifier", "class_variable", "global_variable", "qualified_name",
    }
)

MEMBERS = frozenset(
    {
        "attribute", "member_expression", "selector_expression", "member_access_expression",
        "field_access", "scope_resolution", "class_constant_access_expression",
        "nullsafe_member_access_expression", "scoped_property_access_expression",
        "scoped_identifier",
    }
)


def only_holes(alts: list[Alt]) -> bool:
    """No alternative has any literal text."""
    return all(all(not isinstance(p, str) for p in alt.parts) for alt in alts)
