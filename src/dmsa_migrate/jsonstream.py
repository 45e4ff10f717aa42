"""Read a JSON object whose one big array is taken a value at a time (bounded memory).

Why: a fleet's ``inventory.json`` is tens of megabytes (1,000 companies of 100 projects:
about 40 MB), and parsing it whole costs several times that in Python objects. The files
the tool writes are one object whose bulk is one array (``accounts``, ``companies``), so
:func:`members` hands over that array's elements one by one and every other member whole.

This reader only walks well-formed input. Anything it does not like (bad syntax, bad
UTF-8, a duplicated member, a file over the cap) raises :class:`Malformed` with no
details: the caller then reads the file the whole-file way (:func:`fileio.read_json`),
whose message names the file and line exactly as before. So a bad file is described in
one place, and the two readers cannot disagree about what is wrong.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from dmsa_migrate.fileio import DATA_FILE_CAP, MIB, open_capped

CHUNK = MIB
"""Bytes read at a time; a value longer than this is read in growing steps."""
WHITESPACE = " \t\n\r"


class Malformed(Exception):
    """The stream cannot go on: read the file the whole-file way for the exact message."""


@dataclass(frozen=True)
class Piece:
    """One member of the top-level object (``index`` None), or one element of the
    streamed array (its position in it). The streamed array itself ends with its member
    given as ``[]``."""

    key: str
    index: int | None
    value: Any


class _Scanner:
    """A window on the file's text: it grows on demand and forgets what was consumed."""

    def __init__(self, handle: IO[bytes], cap: int) -> None:
        self.handle = handle
        self.cap = cap
        self.read_bytes = 0
        self.decoder = codecs.getincrementaldecoder("utf-8")("strict")
        self.buf = ""
        self.pos = 0
        self.eof = False
        self.held_cr = ""
        self.json = json.JSONDecoder()

    def more(self, size: int = 0) -> bool:
        """Append the next ``size`` (default :data:`CHUNK`) bytes' text; False at the end."""
        if self.eof:
            return False
        try:
            data = self.handle.read(size or CHUNK)
        except OSError as exc:
            raise Malformed from exc
        self.read_bytes += len(data)
        if self.read_bytes > self.cap:
            raise Malformed
        try:
            text = self.held_cr + self.decoder.decode(data, final=not data)
        except UnicodeDecodeError as exc:
            raise Malformed from exc
        self.held_cr = ""
        if data and text.endswith("\r"):  # maybe half of a CRLF
            text, self.held_cr = text[:-1], "\r"
        self.eof = not data
        self._compact()
        self.buf += text.replace("\r\n", "\n").replace("\r", "\n")  # as text mode reads it
        return True

    def _compact(self) -> None:
        if self.pos > CHUNK:
            self.buf = self.buf[self.pos:]
            self.pos = 0

    def peek(self) -> str:
        """The next character that is not whitespace ('' at the end), not consumed."""
        while True:
            while self.pos < len(self.buf) and self.buf[self.pos] in WHITESPACE:
                self.pos += 1
            if self.pos < len(self.buf) or not self.more():
                return self.buf[self.pos:self.pos + 1]

    def expect(self, allowed: str) -> str:
        char = self.peek()
        if not char or char not in allowed:
            raise Malformed
        self.pos += 1
        return char

    def value(self) -> Any:
        """The next JSON value; read further until it is whole."""
        self.peek()
        size = CHUNK
        while True:
            try:
                value, end = self.json.raw_decode(self.buf, self.pos)
            except (ValueError, RecursionError) as exc:
                if self.more(size):
                    size *= 2
                    continue
                raise Malformed from exc
            if end >= len(self.buf) and self.more(size):  # a number may go on
                size *= 2
                continue
            self.pos = end
            return value


def members(path: Path | str, streamed: str, *, cap: int = DATA_FILE_CAP) -> Iterator[Piece]:
    """The top-level object's members in file order; ``streamed``'s array element-wise.

    Raises:
        FileFormatError: the file cannot be opened or is not a regular file (as
            :func:`fileio.read_text` says it).
        Malformed: anything else wrong; read the file whole for the message.
    """
    with open_capped(path, cap, "the file") as handle:
        scanner = _Scanner(handle, cap)
        if scanner.peek() == "\ufeff":
            raise Malformed
        yield from _object(scanner, streamed)
        if scanner.peek():
            raise Malformed  # extra data after the object


def _object(scanner: _Scanner, streamed: str) -> Iterator[Piece]:
    scanner.expect("{")
    seen: set[str] = set()
    if scanner.peek() == "}":
        scanner.pos += 1
        return
    while True:
        if scanner.peek() != '"':
            raise Malformed
        key = scanner.value()
        if key in seen:
            raise Malformed  # json keeps the last one; the whole-file reader does that
        seen.add(key)
        scanner.expect(":")
        if key == streamed and scanner.peek() == "[":
            yield from _array(scanner, key)
            yield Piece(key, None, [])  # the array's end: its elements were handed over
        else:
            yield Piece(key, None, scanner.value())
        if scanner.expect(",}") == "}":
            return


def _array(scanner: _Scanner, key: str) -> Iterator[Piece]:
    scanner.expect("[")
    if scanner.peek() == "]":
        scanner.pos += 1
        return
    index = 0
    while True:
        yield Piece(key, index, scanner.value())
        index += 1
        if scanner.expect(",]") == "]":
            return
