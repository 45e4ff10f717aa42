"""Hypothesis strategies that turn a valid input file into one that is certainly invalid.

Each mutation is chosen so that no correct validator could accept the result (an unknown
key in a strict table, a value of an impossible type, a syntax error, a byte that is not
UTF-8, a missing required key), and each knows what the error message must point at: the
field name, or a line number.
"""

from __future__ import annotations

import copy
import json
import string
import types
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Union, get_args, get_origin

import annotated_types
import tomli_w
from hypothesis import strategies as st
from pydantic import BaseModel, TypeAdapter, ValidationError

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class Mutant:
    """A broken file's bytes and what its error message must name (a field, or a line)."""

    data: bytes
    kind: str
    field: str | None  # None: the message must carry a line number instead
    doc: Any = None  # the broken document before serialisation (structural mutants)

    def __repr__(self) -> str:  # hypothesis prints this for a failing example
        return f"Mutant({self.kind}, field={self.field!r}, {self.data[:400]!r})"


def _walk(value: Any, path: Path_ = ()) -> list[tuple[Path_, Any]]:
    found: list[tuple[Path_, Any]] = [(path, value)]
    if isinstance(value, dict):
        for key, child in value.items():
            found += _walk(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _walk(child, (*path, index))
    return found


def leaves(doc: Any) -> list[Path_]:
    """Paths of scalar values under a named key (list items of scalars excluded).

    ``null`` values are left out: their declared type is unknown (an optional sub-record
    would accept a table), so no replacement is certainly invalid.
    """
    return [
        p for p, v in _walk(doc)
        if p and isinstance(p[-1], str) and v is not None and not isinstance(v, (dict, list))
    ]


def strict_tables(doc: Any) -> list[Path_]:
    """Tables that are model records: the root, a top-level table, an array-of-tables entry."""
    found: list[Path_] = [()]
    for key, value in doc.items():
        if isinstance(value, dict):
            found.append((key,))
        elif isinstance(value, list):
            found += [(key, i) for i, item in enumerate(value) if isinstance(item, dict)]
    return found


def _get(doc: Any, path: Path_) -> Any:
    for part in path:
        doc = doc[part]
    return doc


def impossible_values(
    model: type[BaseModel], doc: Any, path: Path_, original: Any
) -> list[Any]:
    """Values the model's field at ``path`` rejects, read from its type and constraints.

    Why from the model and not from the seed value's Python type: a seed ``10`` may sit in a
    float field (``1.5`` is then valid) or in a field with bounds (``0`` may be the invalid
    one). The candidates are the usual wrong types plus values just outside each declared
    bound, and only those the field's own validator refuses are kept.
    """
    annotation, metadata = field_type(model, doc, path)
    if annotation is None:
        return []
    pool: list[Any] = [
        {"zz_unexpected": [1.5]}, [original], 1.5, "twelve", "zz-not-a-choice", "",
        [1, 2], *_outside_bounds(metadata),
    ]
    adapter: TypeAdapter[Any] = TypeAdapter(Annotated[annotation, *metadata] if metadata
                                            else annotation)
    rejected: list[Any] = []
    for value in pool:
        try:
            adapter.validate_python(value)
        except ValidationError:
            rejected.append(value)
    return rejected


def _outside_bounds(metadata: list[Any]) -> list[Any]:
    """A value just past every numeric or length bound the field declares."""
    found: list[Any] = []
    for item in metadata:
        if isinstance(item, annotated_types.Ge):
            found.append(item.ge - 1)
        elif isinstance(item, annotated_types.Gt):
            found.append(item.gt)
        elif isinstance(item, annotated_types.Le):
            found.append(item.le + 1)
        elif isinstance(item, annotated_types.Lt):
            found.append(item.lt)
        elif isinstance(item, annotated_types.MaxLen):
            found.append("x" * (item.max_length + 1))
    return found


def _unwrap(annotation: Any) -> tuple[Any, list[Any]]:
    """``Annotated[X, m...]`` -> (X, [m...]); anything else -> (annotation, [])."""
    if get_origin(annotation) is Annotated:
        inner, *metadata = get_args(annotation)
        return inner, list(metadata)
    return annotation, []


def _members(annotation: Any) -> list[Any]:
    """The alternatives of a union (``X | None`` -> [X]); [annotation] otherwise."""
    if get_origin(annotation) in (Union, types.UnionType):
        return [a for a in get_args(annotation) if a is not type(None)]
    return [annotation]


def field_type(model: type[BaseModel], doc: Any, path: Path_) -> tuple[Any, list[Any]]:
    """The declared type and constraints of the value at ``path`` in a document of ``model``.

    Walks model fields, ``list[X]`` items and ``dict[str, X]`` values; (None, []) when the
    path leads through a type it cannot follow (``Any``, a union of containers).
    """
    annotation: Any = model
    metadata: list[Any] = []
    for part in path:
        members = _members(annotation)
        if len(members) != 1:
            return None, []
        current = members[0]
        origin = get_origin(current)
        if isinstance(part, str) and isinstance(current, type) and issubclass(current, BaseModel):
            info = current.model_fields.get(part)
            if info is None:
                return None, []
            annotation, metadata = info.annotation, list(info.metadata)
        elif isinstance(part, str) and origin is dict:
            annotation, metadata = get_args(current)[1], []
        elif isinstance(part, int) and origin is list:
            annotation, metadata = get_args(current)[0], []
        else:
            return None, []
        annotation, extra = _unwrap(annotation)
        metadata += extra
    if annotation is Any:
        return None, []
    return annotation, metadata


def model_rejects(model: type[BaseModel], doc: Any) -> bool:
    """True when ``model`` refuses the document: the guard every bad-input test runs first."""
    try:
        model.model_validate(doc)
    except ValidationError:
        return True
    return False


KEYS = st.text(string.ascii_lowercase, min_size=1, max_size=8).map(lambda s: f"zz_{s}")


def structural(
    model: type[BaseModel], seed: dict[str, Any], dump: Callable[[Any], str], *,
    unknown_keys: bool, required: tuple[Path_, ...] = (),
    skip: Callable[[Path_], bool] = lambda _p: False,
) -> st.SearchStrategy[Mutant]:
    """A value the model's field refuses, an unknown key (strict formats) or a missing
    required key. The refused values of each leaf are worked out once, here."""
    choices = {
        path: values
        for path in leaves(seed) if not skip(path)
        if (values := impossible_values(model, seed, path, _get(seed, path)))
    }
    kinds = ["wrong type"] + (["unknown key"] if unknown_keys else [])
    kinds += ["missing key"] if required else []

    @st.composite
    def mutate(draw: st.DrawFn) -> Mutant:
        doc = copy.deepcopy(seed)
        kind = draw(st.sampled_from(kinds))
        if kind == "wrong type":
            path = draw(st.sampled_from(sorted(choices, key=repr)))
            _get(doc, path[:-1])[path[-1]] = draw(st.sampled_from(choices[path]))
            field = str(path[-1])
        elif kind == "unknown key":
            table = _get(doc, draw(st.sampled_from(strict_tables(doc))))
            field = draw(KEYS.filter(lambda k: k not in table))
            table[field] = draw(st.one_of(st.integers(0, 9), st.just("x")))
        else:
            path = draw(st.sampled_from(required))
            del _get(doc, path[:-1])[path[-1]]
            field = str(path[-1])
        return Mutant(dump(doc).encode("utf-8"), kind, field, doc)

    return mutate()


TOML_BREAKERS = ("key_without_value =", '[[unclosed', 'broken = "no end', "= 1", "a = 1 = 2")


@st.composite
def textual(draw: st.DrawFn, text: str, breakers: tuple[str, ...]) -> Mutant:
    """A syntax error, or a byte that is not UTF-8, inserted at a line boundary."""
    lines = text.split("\n")
    at = draw(st.integers(0, len(lines) - 1))
    if draw(st.booleans()):
        lines.insert(at, draw(st.sampled_from(breakers)))
        return Mutant("\n".join(lines).encode("utf-8"), "syntax", None)
    head = "\n".join(lines[:at]).encode("utf-8") + (b"\n" if at else b"")
    rest = "\n".join(lines[at:]).encode("utf-8")
    return Mutant(head + b"\xff\xfe" + rest, "not utf-8", None)


@st.composite
def truncated_json(draw: st.DrawFn, text: str) -> Mutant:
    """A proper prefix of a JSON object: never valid JSON."""
    body = text.rstrip()
    cut = draw(st.integers(1, len(body) - 1))
    return Mutant(body[:cut].encode("utf-8"), "syntax", None)


def toml_dump(doc: Any) -> str:
    return tomli_w.dumps(doc)


def json_dump(doc: Any) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False)
