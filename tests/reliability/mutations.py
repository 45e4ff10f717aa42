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
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import tomli_w
from hypothesis import strategies as st

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class Mutant:
    """A broken file's bytes and what its error message must name (a field, or a line)."""

    data: bytes
    kind: str
    field: str | None  # None: the message must carry a line number instead

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


def impossible_value(original: Any) -> st.SearchStrategy[Any]:
    """A value no field typed like ``original`` can accept (no lax coercion saves it)."""
    table = st.just({"zz_unexpected": [1.5]})
    if isinstance(original, bool):
        return st.one_of(table, st.just([True]), st.just("perhaps-not"))
    if isinstance(original, int):
        return st.one_of(table, st.just([original]), st.just(1.5), st.just("twelve"))
    if isinstance(original, float):
        return st.one_of(table, st.just([original]), st.just("fast-ish"))
    return st.one_of(table, st.just([1, 2]))


KEYS = st.text(string.ascii_lowercase, min_size=1, max_size=8).map(lambda s: f"zz_{s}")


@st.composite
def structural(
    draw: st.DrawFn, seed: dict[str, Any], dump: Callable[[Any], str], *,
    unknown_keys: bool, required: tuple[Path_, ...] = (),
    skip: Callable[[Path_], bool] = lambda _p: False,
) -> Mutant:
    """A wrong-typed value, an unknown key (strict formats) or a missing required key."""
    doc = copy.deepcopy(seed)
    kinds = ["wrong type"] + (["unknown key"] if unknown_keys else [])
    kinds += ["missing key"] if required else []
    kind = draw(st.sampled_from(kinds))
    if kind == "wrong type":
        path = draw(st.sampled_from([p for p in leaves(doc) if not skip(p)]))
        parent = _get(doc, path[:-1])
        parent[path[-1]] = draw(impossible_value(parent[path[-1]]))
        field = str(path[-1])
    elif kind == "unknown key":
        table = _get(doc, draw(st.sampled_from(strict_tables(doc))))
        field = draw(KEYS.filter(lambda k: k not in table))
        table[field] = draw(st.one_of(st.integers(0, 9), st.just("x")))
    else:
        path = draw(st.sampled_from(required))
        del _get(doc, path[:-1])[path[-1]]
        field = str(path[-1])
    return Mutant(dump(doc).encode("utf-8"), kind, field)


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
