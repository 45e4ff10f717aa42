"""Vocabulary shared by every step: permission levels, evidence sources, scopes."""

from __future__ import annotations

from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from dmsa_migrate.fileio import parse_toml, validation_failure

Level = Literal["none", "readonly", "standard", "admin"]
"""A Procore tool permission level, as the v4.1 manifest spells it (None is ``none``)."""

GrantedLevel = Literal["readonly", "standard", "admin"]
"""A level that grants something (manifests leave ``none`` tools out)."""

LEVEL_ORDER: dict[str, int] = {"none": 0, "readonly": 1, "standard": 2, "admin": 3}
"""Rank of each level, to compare and to take the larger of two."""

Source = Literal["live", "directory", "activity", "scan", "manual"]
"""Where a fact came from: the old credential itself, the Company Directory, the API Call
Activity Report, a scan of the integration's code, or the user's own entry."""

Scope = Literal["company", "project"]


def max_level(first: str, second: str) -> str:
    """The wider of two levels."""
    return first if LEVEL_ORDER[first] >= LEVEL_ORDER[second] else second


def level_at_least(granted: str, needed: str) -> bool:
    """True when ``granted`` covers ``needed``."""
    return LEVEL_ORDER[granted] >= LEVEL_ORDER[needed]


class StrictModel(BaseModel):
    """Base for models read from user files: unknown keys are an error."""

    model_config = ConfigDict(extra="forbid")


class OutputModel(BaseModel):
    """Base for machine outputs: tolerant on read (newer files may carry more keys)."""

    model_config = ConfigDict(extra="ignore")


ModelT = TypeVar("ModelT", bound=BaseModel)


def validate_toml(model: type[ModelT], text: str, source: str) -> ModelT:
    """Parse TOML text and validate it as ``model``; errors name ``source``, line and field.

    The one place user-written TOML (worlds, accounts files, permission-map overrides)
    becomes a model, so every such file reports its problems the same way.
    """
    data = parse_toml(text, source)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise validation_failure(source, text, exc.errors()) from exc
