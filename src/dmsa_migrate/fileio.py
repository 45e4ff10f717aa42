"""Atomic, private file writes and file reads whose errors name the file and line.

Why: a crash or a full disk in the middle of a write must never leave a half-written
session or export behind, so every write goes to a temporary file in the same folder
and is moved over the target with :func:`os.replace`. Files holding customer data are
created 0600 and their folders 0700.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from dmsa_migrate.errors import FileFormatError, StorageError

PRIVATE_FILE_MODE = 0o600
PRIVATE_DIR_MODE = 0o700


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) if missing; every folder we create is 0700.

    ``mkdir(parents=True)`` would create the missing parents with the umask's mode (often
    0755), e.g. the ``DMSA_MIGRATE_HOME`` folder or an ``--out`` folder's parent, so each
    missing folder is made here, outermost first.
    """
    if not path.exists():
        missing = [folder for folder in (path, *path.parents) if not folder.exists()]
        try:
            for folder in reversed(missing):
                folder.mkdir(mode=PRIVATE_DIR_MODE, exist_ok=True)
                folder.chmod(PRIVATE_DIR_MODE)
        except OSError as exc:
            raise StorageError(f"cannot create folder {path}: {exc.strerror}") from exc
    return path


def atomic_write_bytes(path: Path | str, data: bytes, *, private: bool = True) -> Path:
    """Write ``data`` to ``path`` atomically: readers see the old file or the new one.

    Args:
        path: the target file.
        data: the whole new content.
        private: create the file 0600 (customer data); otherwise 0644.
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.exists():
        ensure_private_dir(folder)
    mode = PRIVATE_FILE_MODE if private else 0o644
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise StorageError(f"cannot write {target}: {exc.strerror}") from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, mode)
        os.replace(tmp_name, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise StorageError(f"cannot write {target}: {exc.strerror}") from exc
    return target


def atomic_write_text(path: Path | str, text: str, *, private: bool = True) -> Path:
    """Write ``text`` as UTF-8, atomically (see :func:`atomic_write_bytes`)."""
    return atomic_write_bytes(path, text.encode("utf-8"), private=private)


def atomic_write_json(path: Path | str, data: Any, *, private: bool = True) -> Path:
    """Write ``data`` as indented, key-stable JSON with a trailing newline."""
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return atomic_write_text(path, text, private=private)


def read_text(path: Path | str) -> str:
    """Read a UTF-8 file; a missing or unreadable file is an :class:`InputError`."""
    target = Path(path)
    try:
        data = target.read_bytes()
    except FileNotFoundError as exc:
        raise FileFormatError(str(target), "no such file") from exc
    except OSError as exc:
        raise FileFormatError(str(target), f"cannot read: {exc.strerror}") from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        # Name the line of the first bad byte: the user has to find it in a big file.
        line = data.count(b"\n", 0, exc.start) + 1
        raise FileFormatError(str(target), "not UTF-8 text", line) from exc
    return text.replace("\r\n", "\n").replace("\r", "\n")  # as text mode reads it


def _line_of_offset(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def parse_toml(text: str, source: str) -> dict[str, Any]:
    """Parse TOML text; a syntax error names ``source`` and the line."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # Python 3.11's TOMLDecodeError carries the position only in its text.
        found = re.search(r"\(at line (\d+)", str(exc))
        line = int(found.group(1)) if found else None
        detail = str(exc).split(" (at line")[0]
        raise FileFormatError(source, f"invalid TOML: {detail}", line) from exc


def read_toml(path: Path | str) -> dict[str, Any]:
    """Read and parse a TOML file; errors name the file and line."""
    return parse_toml(read_text(path), str(path))


def parse_json(text: str, source: str) -> Any:
    """Parse JSON text; a syntax error names ``source`` and the line."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise FileFormatError(source, f"invalid JSON: {exc.msg}", exc.lineno) from exc


def read_json(path: Path | str) -> Any:
    """Read and parse a JSON file; errors name the file and line."""
    return parse_json(read_text(path), str(path))


def toml_key_line(text: str, dotted: tuple[str | int, ...]) -> int | None:
    """Best-effort line number of the key a validation error points at.

    pydantic reports locations as paths like ``("projects", 3, "company_id")``; TOML
    has no location info after parsing, so we look for the n-th ``[[projects]]`` header
    and then the first ``company_id =`` after it. Good enough for a precise message;
    ``None`` when the key cannot be found.
    """
    lines = text.splitlines()
    start = 0
    index = 0
    parts = list(dotted)
    section: list[str] = []
    while index < len(parts):
        part = parts[index]
        nxt = parts[index + 1] if index + 1 < len(parts) else None
        if isinstance(part, str) and isinstance(nxt, int):
            section.append(part)
            header = "[[" + ".".join(section) + "]]"
            count = -1
            for number in range(start, len(lines)):
                if lines[number].strip().startswith(header):
                    count += 1
                    if count == nxt:
                        start = number + 1
                        break
            else:
                return None
            index += 2
            continue
        if isinstance(part, str):
            header = "[" + ".".join([*section, part]) + "]"
            for number in range(start, len(lines)):
                stripped = lines[number].strip()
                if stripped.startswith(header):
                    start = number + 1
                    section.append(part)
                    break
                if stripped.split("=", 1)[0].strip().strip('"') == part and "=" in stripped:
                    return number + 1
            else:
                return None
        index += 1
    return start if start else None


def validation_failure(
    source: str, text: str, errors: Sequence[Mapping[str, Any]]
) -> FileFormatError:
    """Turn pydantic's ``ValidationError.errors()`` into one error naming file, line and field.

    Takes the plain error list (not the exception) so this layer needs no pydantic import.
    The first error is reported precisely; the count of the others is added.
    """
    first = errors[0]
    location = tuple(first.get("loc", ()))
    field = ".".join(str(part) for part in location) or "(top level)"
    message = str(first.get("msg", "invalid value"))
    if first.get("type") == "extra_forbidden":
        message = "unknown key"
    detail = f"{field}: {message}"
    if len(errors) > 1:
        detail += f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
    line = toml_key_line(text, location) if location else None
    return FileFormatError(source, detail, line)
