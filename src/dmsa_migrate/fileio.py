"""Atomic, private file writes and file reads whose errors name the file and line.

Why: a crash or a full disk in the middle of a write must never leave a half-written
session or export behind, so every write goes to a temporary file in the same folder
and is moved over the target with :func:`os.replace`. Files holding customer data are
created 0600 and their folders 0700.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import stat
import tempfile
import time
import tomllib
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from dmsa_migrate.errors import FileFormatError, StorageError

PRIVATE_FILE_MODE = 0o600
PRIVATE_DIR_MODE = 0o700

KIB = 1024
MIB = 1024 * KIB
SECRET_FILE_CAP = 4 * KIB
"""A ``file:`` secret: a client secret or token is well under 1 KiB."""
CONFIG_FILE_CAP = 16 * MIB
"""TOML a person writes or the tool keeps: accounts files, playbooks, session.toml,
permission-map overrides, a saved login."""
DATA_FILE_CAP = 1024 * MIB
"""Step outputs and other machine-made input: inventory, manifest and verification JSON,
activity CSV, OpenAPI documents, worlds. Large enough for a fleet of companies; what stops
``/dev/zero`` is that only regular files are read at all."""


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


def refuse_special_target(target: Path) -> None:
    """Refuse to write over anything but a regular file (or nothing).

    Why: the write replaces the target by renaming a new file over it, so ``--out
    /dev/full`` would turn a device into a regular file, a FIFO would stop being one and a
    symlink would be replaced by a file. A symlink is refused rather than followed: the
    tool writes where the path says, and a link planted in an output folder cannot
    redirect customer data elsewhere.

    Raises:
        StorageError: the target exists and is a symlink, a folder, a device, a FIFO or
            a socket (exit 2).
    """
    try:
        mode = target.lstat().st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise StorageError(f"cannot write {target}: {exc.strerror}") from exc
    if stat.S_ISLNK(mode):
        raise StorageError(
            f"cannot write {target}: it is a symbolic link; give the path of its target "
            "or another file name"
        )
    if not stat.S_ISREG(mode):
        raise StorageError(
            f"cannot write {target}: it is {_file_kind(mode)}, not a regular file"
        )


def refuse_special_targets(*targets: Path) -> None:
    """:func:`refuse_special_target` for every file one command writes, before any is.

    Why: a manifest and its ``.explain.json``, or the four checklist formats, are one
    result; refusing the second after writing the first would leave half of it behind.
    """
    for target in targets:
        refuse_special_target(target)


def atomic_write_bytes(path: Path | str, data: bytes, *, private: bool = True) -> Path:
    """Write ``data`` to ``path`` atomically: readers see the old file or the new one.

    Args:
        path: the target file.
        data: the whole new content.
        private: create the file 0600 (customer data); otherwise 0644.
    """
    return _atomic_write(Path(path), private, lambda handle: handle.write(data))


def atomic_copy_file(
    source: Path | str, path: Path | str, *, cap: int = DATA_FILE_CAP,
    what: str = "the file", private: bool = True,
) -> Path:
    """Copy a regular file of at most ``cap`` bytes to ``path`` atomically, a chunk at a
    time (a fleet's step output is tens of megabytes: it is never held whole).

    Raises:
        FileFormatError: ``source`` is missing, not a regular file, or over ``cap``.
        StorageError: ``path`` cannot be written.
    """
    with open_capped(source, cap, what) as handle:

        def copy(out: BinaryIO) -> None:
            copied = 0
            while chunk := handle.read(MIB):
                copied += len(chunk)
                if copied > cap:  # it grew since it was opened
                    raise _too_large(Path(source), cap, what)
                out.write(chunk)

        return _atomic_write(Path(path), private, copy)


def _atomic_write(target: Path, private: bool, fill: Callable[[BinaryIO], object]) -> Path:
    """``fill`` writes the content into a temporary file beside ``target`` (0600 or 0644),
    which is fsynced and renamed over ``target``; on any failure it is removed."""
    refuse_special_target(target)
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
            fill(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, mode)
        os.replace(tmp_name, target)
    except BaseException as exc:  # never a half file left under the temporary name
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        if isinstance(exc, OSError):
            raise StorageError(f"cannot write {target}: {exc.strerror}") from exc
        raise
    return target


STALE_TEMP_AGE = 15 * 60
"""Seconds after which a temporary file of ours is an orphan: no save takes that long."""


def remove_stale_temp_files(folder: Path, *, older_than: float = STALE_TEMP_AGE) -> int:
    """Delete the temporary files :func:`atomic_write_bytes` left behind in ``folder``.

    Why: a process killed in the middle of a save (kill -9, power loss) leaves its
    ``.NAME.XXXXXXXX.tmp`` file forever. Only files of exactly that naming and older than
    ``older_than`` seconds go, so a save running in another process right now is spared.
    Returns how many were removed.
    """
    removed = 0
    cutoff = time.time() - older_than
    with contextlib.suppress(OSError):
        for entry in folder.iterdir():
            if not _TEMP_NAME.fullmatch(entry.name):
                continue
            with contextlib.suppress(OSError):
                info = entry.lstat()
                if stat.S_ISREG(info.st_mode) and info.st_mtime < cutoff:
                    entry.unlink()
                    removed += 1
    return removed


_TEMP_NAME = re.compile(r"\..+\.[A-Za-z0-9_]{8}\.tmp")
"""``mkstemp(prefix=".NAME.", suffix=".tmp")``: eight random characters in between."""


def atomic_write_text(path: Path | str, text: str, *, private: bool = True) -> Path:
    """Write ``text`` as UTF-8, atomically (see :func:`atomic_write_bytes`)."""
    return atomic_write_bytes(path, text.encode("utf-8"), private=private)


def atomic_write_json(path: Path | str, data: Any, *, private: bool = True) -> Path:
    """Write ``data`` as indented, key-stable JSON with a trailing newline."""
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return atomic_write_text(path, text, private=private)


def open_capped(path: Path | str, cap: int, what: str = "the file") -> BinaryIO:
    """Open a regular file of at most ``cap`` bytes for reading (binary).

    Why: a path given by a user or found in a session may name a device, a FIFO or a huge
    file (``/dev/zero``, ``/dev/urandom``, a pipe with no writer). Those would hang the
    tool or fill its memory, so they are refused before a byte is read; the file is opened
    without blocking and checked again after opening, so a swap in between is caught. The
    size is checked here as the file is now; a reader that streams it counts what it reads.

    Raises:
        FileFormatError: missing, unreadable, not a regular file, or larger than ``cap``.
    """
    target = Path(path)
    try:
        _require_regular(target, os.stat(target).st_mode, what)
        fd = os.open(target, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError as exc:
        raise FileFormatError(str(target), "no such file") from exc
    except OSError as exc:
        raise FileFormatError(str(target), f"cannot read: {exc.strerror}") from exc
    handle = os.fdopen(fd, "rb")
    info = os.fstat(handle.fileno())
    try:
        _require_regular(target, info.st_mode, what)
        if info.st_size > cap:
            raise _too_large(target, cap, what)
    except FileFormatError:
        handle.close()
        raise
    return handle


def _too_large(target: Path, cap: int, what: str) -> FileFormatError:
    return FileFormatError(str(target), f"{what} may be at most {_size(cap)}; this one is larger")


def read_capped_bytes(path: Path | str, cap: int, what: str = "the file") -> bytes:
    """The bytes of a regular file of at most ``cap`` bytes (see :func:`open_capped`).

    Raises:
        FileFormatError: missing, unreadable, not a regular file, or larger than ``cap``.
    """
    target = Path(path)
    with open_capped(target, cap, what) as handle:
        try:  # read(cap + 1) would allocate the whole cap up front
            data = handle.read(min(cap, os.fstat(handle.fileno()).st_size) + 1)
            while len(data) <= cap and (more := handle.read(MIB)):
                data += more
        except OSError as exc:
            raise FileFormatError(str(target), f"cannot read: {exc.strerror}") from exc
    if len(data) > cap:
        raise _too_large(target, cap, what)
    return data


def require_regular_file(path: Path | str, what: str = "the file") -> None:
    """Refuse a path that is not a regular file before anything opens it (opening a FIFO
    to read blocks until a writer comes, so the check must come first).

    Raises:
        FileFormatError: missing, or a device, FIFO, socket or folder.
    """
    target = Path(path)
    try:
        _require_regular(target, os.stat(target).st_mode, what)
    except FileNotFoundError as exc:
        raise FileFormatError(str(target), "no such file") from exc
    except OSError as exc:
        raise FileFormatError(str(target), f"cannot read: {exc.strerror}") from exc


def _require_regular(target: Path, mode: int, what: str) -> None:
    if not stat.S_ISREG(mode):
        raise FileFormatError(
            str(target), f"{what} must be a regular file, not {_file_kind(mode)}"
        )


def _file_kind(mode: int) -> str:
    kinds = (
        (stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a pipe (FIFO)"),
        (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    )
    return next((name for test, name in kinds if test(mode)), "a special file")


def _size(cap: int) -> str:
    return f"{cap // MIB} MiB" if cap >= MIB else f"{cap // KIB} KiB"


def read_text(path: Path | str, *, cap: int = DATA_FILE_CAP, what: str = "the file") -> str:
    """Read a UTF-8 regular file of at most ``cap`` bytes; problems are :class:`FileFormatError`."""
    target = Path(path)
    data = read_capped_bytes(target, cap, what)
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
    """Parse TOML text; a syntax error names ``source`` and the line.

    A leading UTF-8 byte-order mark (Windows editors write one) is accepted, as the CSV
    reader accepts it. Nesting too deep for the parser is a bad input, not a crash.
    """
    try:
        return tomllib.loads(text.removeprefix("\ufeff"))
    except tomllib.TOMLDecodeError as exc:
        # Python 3.11's TOMLDecodeError carries the position only in its text.
        found = re.search(r"\(at line (\d+)", str(exc))
        line = int(found.group(1)) if found else None
        detail = str(exc).split(" (at line")[0]
        raise FileFormatError(source, f"invalid TOML: {detail}", line) from exc
    except RecursionError as exc:
        raise FileFormatError(source, f"invalid TOML: {TOO_DEEP}") from exc


TOO_DEEP = "nested too deeply (tables or arrays inside each other hundreds of levels deep)"


def read_toml(
    path: Path | str, *, cap: int = CONFIG_FILE_CAP, what: str = "the file"
) -> dict[str, Any]:
    """Read and parse a TOML file; errors name the file and line."""
    return parse_toml(read_text(path, cap=cap, what=what), str(path))


def parse_json(text: str, source: str) -> Any:
    """Parse JSON text; a syntax error names ``source`` and the line.

    Also bad input rather than a crash: nesting deeper than the parser allows, and integers
    longer than Python converts (4,300 digits).
    """
    try:
        return json.loads(text, parse_float=_finite_float, parse_constant=_not_finite)
    except json.JSONDecodeError as exc:
        raise FileFormatError(source, f"invalid JSON: {exc.msg}", exc.lineno) from exc
    except _NotFinite as exc:
        found = text.find(exc.literal)
        line = _line_of_offset(text, found) if found >= 0 else None
        raise FileFormatError(
            source, f"invalid JSON: {exc.literal} is not a finite number", line
        ) from exc
    except RecursionError as exc:
        raise FileFormatError(source, f"invalid JSON: {TOO_DEEP}") from exc
    except ValueError as exc:  # int() of a number with too many digits
        raise FileFormatError(source, f"invalid JSON: a number is too long ({exc})") from exc


class _NotFinite(ValueError):
    """A JSON number that is infinite or not a number (``1e309``, ``Infinity``, ``NaN``)."""

    def __init__(self, literal: str) -> None:
        super().__init__(literal)
        self.literal = literal


def _finite_float(literal: str) -> float:
    """Why: Python's reader turns ``1e309`` into infinity, and an infinite latency, count
    or duration never ends a wait; JSON itself has no infinity, so it is bad input."""
    value = float(literal)
    if not math.isfinite(value):
        raise _NotFinite(literal)
    return value


def _not_finite(literal: str) -> Any:
    """``NaN``, ``Infinity`` and ``-Infinity``: Python's extension of JSON, refused."""
    raise _NotFinite(literal)


def read_json(path: Path | str, *, cap: int = DATA_FILE_CAP, what: str = "the file") -> Any:
    """Read and parse a JSON file; errors name the file and line."""
    return parse_json(read_text(path, cap=cap, what=what), str(path))


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
    detail = f"{field}: {problem_text(first)}"
    if len(errors) > 1:
        detail += f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
    line = toml_key_line(text, location) if location else None
    return FileFormatError(source, detail, line)


def split_members(
    data: Mapping[str, Any], listing: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The members of a document before ``listing`` and after it, in their order (the
    head and tail a :class:`JsonListWriter` writes around the list)."""
    keys = list(data)
    at = keys.index(listing)
    return {k: data[k] for k in keys[:at]}, {k: data[k] for k in keys[at + 1:]}


class JsonListWriter:
    """Writes ``{head..., listing: [elements...], tail...}`` an element at a time.

    Why: a fleet's step output (inventory.json, verification.json) is tens of megabytes;
    holding every element until one ``json.dumps`` at the end is what made memory grow with
    the fleet. The bytes are exactly :func:`atomic_write_json`'s for the same document (two
    spaces of indent, key order kept, newline at the end), and the guarantees are the same:
    the text goes to ``.NAME.XXXXXXXX.tmp`` beside the target (created 0600), is fsynced and
    renamed over the target by :meth:`commit`; until then the target is untouched, and a
    crash leaves only the temporary file, which :func:`remove_stale_temp_files` clears.

    ``transform`` is applied to every piece of text before it is written (the engagement
    scrubs resolved secrets with it); each piece is a whole JSON value or line.
    """

    def __init__(
        self,
        path: Path | str,
        head: Mapping[str, Any],
        listing: str,
        *,
        private: bool = True,
        transform: Callable[[str], str] | None = None,
    ) -> None:
        self.target = Path(path)
        self.listing = listing
        self.count = 0
        self._transform = transform or (lambda text: text)
        refuse_special_target(self.target)
        folder = self.target.parent if str(self.target.parent) else Path(".")
        if not folder.exists():
            ensure_private_dir(folder)
        self._mode = PRIVATE_FILE_MODE if private else 0o644
        try:
            fd, self.temp = tempfile.mkstemp(
                prefix=f".{self.target.name}.", suffix=".tmp", dir=folder
            )
            os.chmod(self.temp, self._mode)
        except OSError as exc:
            raise StorageError(f"cannot write {self.target}: {exc.strerror}") from exc
        self._file = os.fdopen(fd, "w", encoding="utf-8", newline="\n")
        members = [_member(key, value) for key, value in head.items()]
        self._write("{\n" + "".join(f"{text},\n" for text in members) + f"  {_key(listing)}: [")

    def add(self, element: Any) -> None:
        """Append one element of the list (already plain JSON data)."""
        self._write(("\n" if self.count == 0 else ",\n") + _indented(element, "    "))
        self.count += 1

    def commit(self, tail: Mapping[str, Any]) -> Path:
        """Close the list, write the remaining members, and move the file into place."""
        end = "\n  ]" if self.count else "]"
        rest = "".join(f",\n{_member(key, value)}" for key, value in tail.items())
        self._write(end + rest + "\n}\n")
        try:
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()
            os.replace(self.temp, self.target)
        except OSError as exc:
            self.abort()
            raise StorageError(f"cannot write {self.target}: {exc.strerror}") from exc
        return self.target

    def abort(self) -> None:
        """Give up: the temporary file goes, the target stays as it was."""
        with contextlib.suppress(OSError):
            self._file.close()
        with contextlib.suppress(OSError):
            os.unlink(self.temp)

    def _write(self, text: str) -> None:
        try:
            self._file.write(self._transform(text))
        except OSError as exc:
            self.abort()
            raise StorageError(f"cannot write {self.target}: {exc.strerror}") from exc

    def __enter__(self) -> JsonListWriter:
        return self

    def __exit__(self, kind: object, *_rest: object) -> None:
        if kind is not None or not self._file.closed:
            self.abort()  # an error, or left without commit: never a half file


def _key(key: str) -> str:
    return json.dumps(key, ensure_ascii=False)


def _indented(value: Any, indent: str) -> str:
    """``value`` as :func:`json.dumps` with ``indent=2`` writes it nested at ``indent``.

    Split on ``\\n`` only: JSON text has no raw newline inside a string, while
    ``str.splitlines`` would also split at U+2028 and others that ``ensure_ascii=False``
    leaves in strings.
    """
    text = json.dumps(value, indent=2, ensure_ascii=False)
    return indent + text.replace("\n", "\n" + indent)


def _member(key: str, value: Any) -> str:
    return "  " + _key(key) + ": " + _indented(value, "  ")[2:]


def problem_text(error: Mapping[str, Any]) -> str:
    """The words for one pydantic error, shared by every file kind.

    A float where a whole number belongs (``company_id = 1e3``) says so and shows the
    number (a float is never a secret); other inputs are not repeated, since a string in
    the wrong place may be one.
    """
    kind = error.get("type")
    if kind == "extra_forbidden":
        return "unknown key"
    found = error.get("input")
    if kind == "int_type" and isinstance(found, float):
        return f"must be a whole number, not {found!r}"
    if kind == "int_type" and isinstance(found, bool):
        return f"must be a whole number, not {str(found).lower()}"
    return str(error.get("msg", "invalid value")).removeprefix("Value error, ")
