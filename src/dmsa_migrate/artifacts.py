"""Read the step outputs back (inventory.json, verification.json); errors name file and field.

Every command that takes a step's output as input (manifest, verify, checklist, the TUI)
reads it here, so one file is judged the same way everywhere. Why a schema check on top of
pydantic: both files are tolerant JSON objects (newer versions may add keys), so handing
one in place of the other, or a file that lost its top-level list, would otherwise validate
as an empty result and silently produce a checklist of "waiting for evidence" rows.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from dmsa_migrate.errors import FileFormatError
from dmsa_migrate.fileio import parse_json, problem_text, read_text
from dmsa_migrate.jsonstream import Malformed, members
from dmsa_migrate.models.inventory import INVENTORY_SCHEMA, Inventory, InventoryAccount
from dmsa_migrate.models.verification import (
    VERIFICATION_SCHEMA,
    CompanyVerification,
    Verification,
)

Model = TypeVar("Model", bound=BaseModel)
Item = TypeVar("Item", bound=BaseModel)


def load_inventory(path: Path | str) -> Inventory:
    """``inventory.json`` (ARCHITECTURE 3.4): ``schema`` and ``accounts`` are required."""
    return _load(path, Inventory, INVENTORY_SCHEMA, "accounts")


def load_verification(path: Path | str) -> Verification:
    """``verification.json`` (ARCHITECTURE 3.4): ``schema`` and ``companies`` are required."""
    return _load(path, Verification, VERIFICATION_SCHEMA, "companies")


def _load(path: Path | str, model: type[Model], schema: str, listing: str) -> Model:
    source = str(path)
    text = read_text(path)
    data = parse_json(text, source)
    if not isinstance(data, dict):
        raise FileFormatError(source, f"expected a JSON object ({schema})")
    found = data.get("schema")
    family = schema.rsplit("/", 1)[0] + "/"
    if found is None:
        raise FileFormatError(source, f"schema: missing (expected '{schema}')")
    if not (isinstance(found, str) and found.startswith(family)):
        raise FileFormatError(
            source,
            f"schema: expected '{schema}', found {json.dumps(found)}",
            _json_key_line(text, ("schema",)),
        )
    if listing not in data:
        raise FileFormatError(source, f"{listing}: missing (every {schema} file has it)")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise _failure(source, text, exc.errors()) from None


def _failure(source: str, text: str, errors: list[Any]) -> FileFormatError:
    first = errors[0]
    location = tuple(first.get("loc", ()))
    field = ".".join(str(part) for part in location) or "(top level)"
    message = problem_text(first)
    more = len(errors) - 1
    if more:
        message += f" (and {more} more problem{'s' if more > 1 else ''})"
    return FileFormatError(source, f"{field}: {message}", _json_key_line(text, location))


def _json_key_line(text: str, location: tuple[Any, ...]) -> int | None:
    """Best-effort line of the last named key of ``location`` in indented JSON text.

    Walks the path: for ``("accounts", 1, "status")`` it finds ``"accounts"``, then the
    second object after it, then ``"status"``. Good enough for a precise message on the
    indented files the tool writes; None when it cannot tell.
    """
    position = 0
    for part in location:
        if isinstance(part, int):
            position = _nth_element(text, position, part)
            if position < 0:
                return None
            continue
        match = re.compile(rf'"{re.escape(str(part))}"\s*:').search(text, position)
        if match is None:
            return None
        position = match.start()
    return text.count("\n", 0, position) + 1 if location else None


def _nth_element(text: str, position: int, index: int) -> int:
    """Offset of the ``index``-th element of the first JSON array at or after ``position``."""
    start = text.find("[", position)
    if start < 0:
        return -1
    depth = 0
    count = -1
    in_string = False
    previous = "["  # the last significant character seen at depth 0
    for offset in range(start + 1, len(text)):
        char = text[offset]
        if in_string:
            in_string = not (char == '"' and text[offset - 1] != "\\")
            continue
        if char.isspace():
            continue
        if depth == 0 and previous in "[," and char not in ",]":
            count += 1
            if count == index:
                return offset
        if char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
        elif char in "]}":
            if depth == 0:
                return -1
            depth -= 1
        if depth == 0:
            previous = char
    return -1


class StreamedFile(Generic[Model, Item]):
    """A step output read one element of its big list at a time (fleet-size files).

    Iterate :meth:`items` for the list's elements, validated one by one; afterwards
    :attr:`header` holds every other member (the list itself left empty). Whatever the
    stream does not accept (bad JSON, a wrong schema, an element the model refuses, a
    duplicated member) is handed to the whole-file reader, so a bad file gets exactly the
    message :func:`load_inventory` / :func:`load_verification` give, and a file the
    stream misjudges is still read correctly.
    """

    def __init__(
        self, path: Path | str, model: type[Model], item: type[Item], schema: str, listing: str
    ) -> None:
        self.path = path
        self.model = model
        self.item = item
        self.schema = schema
        self.listing = listing
        self.header: Model | None = None

    def items(self) -> Iterator[Item]:
        """The list's elements in file order (each validated as it is read)."""
        given = 0
        try:
            for item in self._streamed():
                given += 1
                yield item
            return
        except (Malformed, ValidationError):
            pass
        whole = _load(self.path, self.model, self.schema, self.listing)  # raises the message
        elements = getattr(whole, self.listing)
        yield from elements[given:]
        setattr(whole, self.listing, [])
        self.header = whole

    def _streamed(self) -> Iterator[Item]:
        rest: dict[str, Any] = {}
        family = self.schema.rsplit("/", 1)[0] + "/"
        for piece in members(self.path, self.listing):
            if piece.index is not None:
                yield self.item.model_validate(piece.value)
                continue
            if piece.key == "schema" and not (
                isinstance(piece.value, str) and piece.value.startswith(family)
            ):
                raise Malformed
            rest[piece.key] = piece.value
        if "schema" not in rest or rest.get(self.listing) != []:
            raise Malformed  # no schema, no list, or the list is not a list
        self.header = self.model.model_validate(rest)


def stream_inventory(path: Path | str) -> StreamedFile[Inventory, InventoryAccount]:
    """``inventory.json`` an account at a time (the same checks as :func:`load_inventory`)."""
    return StreamedFile(path, Inventory, InventoryAccount, INVENTORY_SCHEMA, "accounts")


def stream_verification(path: Path | str) -> StreamedFile[Verification, CompanyVerification]:
    """``verification.json`` a company at a time (the same checks as
    :func:`load_verification`)."""
    return StreamedFile(
        path, Verification, CompanyVerification, VERIFICATION_SCHEMA, "companies"
    )
