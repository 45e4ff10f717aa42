"""Procore's documented operations, as the emulator's package data holds them.

``data/oas_operations.json.gz`` is derived from Procore's OpenAPI document by
``scripts/build_emulator_catalog.py``: per operation the method, path template, OAS tag
(Category/Module/resource), summary, success status and response schema. The emulator uses
it twice: to give the endpoints it models every documented field (:func:`defaults_for`), and
to answer, in catalog mode, the operations a world does not model (:mod:`.catalog`).
"""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources
from typing import Any

from dmsa_migrate.emulator.shapes import Hints, documented_defaults

DATA_FILE = "oas_operations.json.gz"
READ_VERBS = ("list", "show", "get", "retrieve", "fetch", "search", "export", "download")


@dataclass(frozen=True)
class Operation:
    """One documented operation of Procore's REST API."""

    method: str
    path: str
    tag: str
    summary: str
    status: int
    schema: Any

    @property
    def module(self) -> str:
        """The OAS module (the Procore tool area), e.g. ``RFI`` or ``Directory``."""
        parts = self.tag.split("/")
        return parts[1] if len(parts) > 1 else parts[0]

    @property
    def is_read(self) -> bool:
        """A read: GET, or a POST whose summary says it reads (``List Budget Details``)."""
        if self.method == "GET":
            return True
        verb = self.summary.strip().split(" ", 1)[0].lower()
        return self.method == "POST" and verb in READ_VERBS

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(self.path))
        return re.compile(f"^{regex}/?$")

    @property
    def placeholders(self) -> int:
        return self.path.count("{")


class Catalog:
    """Lookups by (method, concrete path); literal segments win over placeholders."""

    def __init__(self, operations: list[Operation]) -> None:
        self.operations = operations
        self._by_shape: dict[tuple[str, int], list[Operation]] = {}
        for op in sorted(operations, key=lambda o: o.placeholders):
            key = (op.method, op.path.strip("/").count("/"))
            self._by_shape.setdefault(key, []).append(op)
        self._by_template = {(op.method, op.path): op for op in operations}

    def find(self, method: str, path: str) -> tuple[Operation, dict[str, str]] | None:
        """The operation serving ``method path`` and its path parameters, if documented."""
        key = (method.upper(), path.strip("/").count("/"))
        for op in self._by_shape.get(key, []):
            match = op.pattern.match(path)
            if match:
                return op, match.groupdict()
        return None

    def get(self, method: str, template: str) -> Operation | None:
        """The operation documented exactly as ``method template``."""
        return self._by_template.get((method.upper(), template))


@cache
def catalog() -> Catalog:
    """The packaged catalog, read once per process."""
    raw = resources.files("dmsa_migrate.emulator").joinpath("data", DATA_FILE).read_bytes()
    rows = json.loads(gzip.decompress(raw))
    return Catalog([Operation(*row) for row in rows])


def defaults_for(method: str, template: str, now: float) -> dict[str, Any]:
    """:func:`_defaults` with the clock rounded to its day (times in samples are that
    day's midnight, so the cache holds one entry per operation and day)."""
    return _defaults(method, template, now - now % 86_400)


@cache
def _defaults(method: str, template: str, day: float) -> dict[str, Any]:
    """Sample values of every field the OAS documents for one item of ``template``'s answer.

    A modelled endpoint renders ``{**defaults, **modelled}``: the world's values win, the
    rest of the documented fields are still there with the right types. Cached per
    operation; callers copy by merging, never mutate the result.
    """
    op = catalog().get(method, template)
    if op is None:
        return {}
    return documented_defaults(op.schema, Hints(now=day))
