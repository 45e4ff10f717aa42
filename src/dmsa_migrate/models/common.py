"""Vocabulary shared by every step: permission levels, evidence sources, scopes."""

from __future__ import annotations

import json
from typing import Annotated, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, Strict, ValidationError, field_validator

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


MAX_INT64 = 2**63 - 1
"""The largest id Procore (and every JSON reader that keeps 64-bit integers) can hold."""

Id = Annotated[int, Strict(), Field(gt=0, le=MAX_INT64)]
"""A Procore id (company, project, user, template) in an untrusted file: a whole number from
1 to 2^63-1. Strict: ``1e3`` (a float), ``true`` or ``"101"`` are refused rather than turned
into an id, so a typo never becomes an id sent to Procore."""

Count = Annotated[int, Strict(), Field(ge=0, le=MAX_INT64)]
"""A count, line number or revision: a whole number from 0 to 2^63-1 (strict, as :data:`Id`)."""

Whole = Annotated[int, Strict(), Field(ge=-MAX_INT64 - 1, le=MAX_INT64)]
"""Any whole number that fits in 64 bits (a seed, a signed day count), strict."""

Bounded = Annotated[int, Strict()]
"""A strict whole number for a field that states its own range (``Field(ge=1, le=…)``).
Why not :data:`Count` plus a ``Field``: pydantic keeps only the last ``ge``/``le`` given, so
the type's own ``ge=0`` would silently replace the field's ``ge=1``."""

ExitCode = Annotated[int, Strict(), Field(ge=0, le=255)]
"""A process exit status as a run or a step records it."""

HttpStatus = Annotated[int, Strict(), Field(ge=100, le=599)]
"""An HTTP status code."""


Finite = Annotated[float, Field(allow_inf_nan=False)]
"""A float in an untrusted file: never inf or NaN. Why: TOML and JSON both spell infinity
(``1e309``, ``inf``, ``nan``), and a world whose ``latency_ms`` was infinite made the demo
wait forever. Each field adds the range that makes sense for it (``Field(ge=…, le=…)``), as a
finite but absurd value (``1e300`` ms) would hang it just the same."""


def max_level(first: str, second: str) -> str:
    """The wider of two levels."""
    return first if LEVEL_ORDER[first] >= LEVEL_ORDER[second] else second


def level_at_least(granted: str, needed: str) -> bool:
    """True when ``granted`` covers ``needed``."""
    return LEVEL_ORDER[granted] >= LEVEL_ORDER[needed]


class _Versioned(BaseModel):
    """A file whose ``schema`` names its kind and version (``dmsa-migrate/inventory/1``).

    Why: a file from a newer dmsa-migrate (``dmsa-migrate/inventory/99``) may mean
    something else by the same keys, so reading it as this version's would silently
    misreport; every versioned model accepts exactly the schema it writes (its
    ``schema_`` default) and names the one found and the one supported otherwise.
    """

    @field_validator("schema_", check_fields=False)
    @classmethod
    def _known_schema(cls, value: str) -> str:
        supported = cls.model_fields["schema_"].default
        if value == supported:
            return value
        shown = json.dumps(value[:80], ensure_ascii=True)
        if value.rsplit("/", 1)[0] == supported.rsplit("/", 1)[0]:
            raise ValueError(
                f"unsupported version {shown}; this dmsa-migrate reads {supported!r} only "
                "(a newer dmsa-migrate wrote it?)"
            )
        raise ValueError(f"expected {supported!r}, found {shown} (another kind of file)")


class StrictModel(_Versioned):
    """Base for models read from user files: unknown keys are an error."""

    model_config = ConfigDict(extra="forbid")


class OutputModel(_Versioned):
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
