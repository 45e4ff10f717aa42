"""Where names live in a parsed tree, and where an expression is being read.

:class:`Index` holds every file's definitions, functions, classes and calls by name (what
the resolver looks names up in); :class:`Context` is the place one expression is read
from: its file, class and function, the parameters bound for one wrapper call, and how
deep the reading has gone.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, replace

from dmsa_migrate.inventory.scan.syntax import (
    Call,
    ClassInfo,
    Definition,
    FileFacts,
    Function,
    Scope,
)
from dmsa_migrate.inventory.scan.values import Alt

_FAMILY = {"typescript": "javascript", "tsx": "javascript"}
"""Languages that call each other's functions (a TS file imports a JS module)."""


@dataclass(frozen=True)
class Context:
    """Where an expression is evaluated.

    ``reading``: the function whose parameters become parameter holes (a wrapper being read);
    ``env``: the values bound to a function's parameters at one call (a wrapper being called);
    ``self_cls``: the class ``self`` stands for (a subclass calling an inherited wrapper).
    """

    facts: FileFacts
    scope: Scope
    reading: int | None = None
    env: tuple[tuple[str, tuple[Alt, ...]], ...] | None = None
    self_cls: str | None = None
    self_name: str | None = None
    depth: int = 0

    def bound(self, name: str) -> list[Alt] | None:
        if self.env is None:
            return None
        for key, value in self.env:
            if key == name:
                return list(value)
        return None

    def deeper(self) -> Context:
        return replace(self, depth=self.depth + 1)


class Index:
    """All files' definitions, functions and classes, by name."""

    def __init__(self, files: list[FileFacts]) -> None:
        self.files = files
        self.definitions: dict[str, list[Definition]] = defaultdict(list)
        self.functions: dict[str, list[Function]] = defaultdict(list)
        self.function_by_id: dict[tuple[int, int], Function] = {}
        self.classes: dict[str, list[ClassInfo]] = defaultdict(list)
        self.calls_by_node: dict[tuple[int, int], Call] = {}
        for facts in files:
            for definition in facts.definitions:
                self.definitions[definition.name].append(definition)
            for function in facts.functions:
                self.functions[function.name].append(function)
                self.function_by_id[(facts.index, function.own_id)] = function
            for info in facts.classes:
                self.classes[info.name].append(info)
            for call in facts.calls:
                self.calls_by_node[(facts.index, call.node.id)] = call
        self.subclasses: dict[str, set[str]] = defaultdict(set)
        for name, infos in self.classes.items():
            for info in infos:
                for base in re.findall(r"[A-Za-z_]\w*", info.bases):
                    if base != name:
                        self.subclasses[base].add(name)

    def bases_of(self, cls: str) -> list[str]:
        names: list[str] = []
        for info in self.classes.get(cls, []):
            names.extend(b for b in re.findall(r"[A-Za-z_]\w*", info.bases) if b != cls)
        return names

    def function(self, facts: FileFacts, func: int | None) -> Function | None:
        return None if func is None else self.function_by_id.get((facts.index, func))



def language_family(language: str) -> str:
    """TypeScript and JavaScript count as one language; others are themselves."""
    return _FAMILY.get(language, language)


def same_family(one: FileFacts, other: FileFacts) -> bool:
    """Names resolve within one language family."""
    return language_family(one.language) == language_family(other.language)
