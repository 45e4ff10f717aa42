"""Which files of a source tree to read.

Large trees are mostly dependencies and build output, and secrets committed there are not
the integration's own, so the walk skips vendored and generated folders, whatever the
root ``.gitignore`` ignores (plain patterns; negations are not supported), files larger
than :data:`MAX_BYTES`, and binary files (a NUL byte in the first 8 KiB).
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Iterator
from pathlib import Path

from dmsa_migrate.errors import FileFormatError
from dmsa_migrate.fileio import MIB, read_capped_bytes

MAX_BYTES = 2_000_000
"""A scanned source file: larger ones are generated or vendored (skipped, counted)."""
GITIGNORE_CAP = MIB
"""The root ``.gitignore``: a real one is a few KiB; past this it is not read."""

SKIPPED_DIRS = frozenset(
    {
        ".git", ".hg", ".svn", "node_modules", "bower_components", "vendor", "third_party",
        "venv", ".venv", "env", "__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache",
        ".tox", "dist", "build", "target", "bin", "obj", "site-packages", ".idea", ".vscode",
        "coverage", ".next", ".gradle",
    }
)

CODE_SUFFIXES = frozenset(
    {
        ".py", ".js", ".jsx", ".mjs", ".cjs", ".ts", ".tsx", ".cs", ".java", ".kt", ".rb",
        ".go", ".php", ".sh", ".ps1", ".vb", ".scala", ".swift",
        ".groovy",  # Boomi and Jenkins scripts
    }
)
CONFIG_SUFFIXES = frozenset(
    {
        ".env", ".yaml", ".yml", ".json", ".toml", ".ini", ".cfg", ".conf", ".properties",
        ".config", ".xml", ".tf", ".tfvars",
    }
)


_TEST_DIRS = frozenset(
    {"test", "tests", "spec", "specs", "__tests__", "__mocks__", "mocks", "mock", "fixtures",
     "testdata", "e2e", "cypress", "testing", "test_data", "stubs"}
)
_TEST_NAMES = re.compile(
    r"^(?:test_.*\.py|.*_test\.(?:py|go|rb|exs?)|conftest\.py|.*\.(?:test|spec)\.[cm]?[jt]sx?"
    r"|.*_spec\.rb|.*(?:Test|Tests|Spec|IT)\.(?:java|kt|cs|php|scala)|.*[-_.]mocks?\.\w+"
    r"|mock_.*)$"
)


def is_test_path(relative: str) -> bool:
    """A test, spec or mock file: what it calls is test evidence, not the integration's use."""
    parts = relative.split("/")
    if any(part.lower() in _TEST_DIRS for part in parts[:-1]):
        return True
    if any(re.search(r"[.\-_](?:Unit|Integration)?Tests?$|[.\-_]Specs?$", part, re.I)
           for part in parts[:-1]):
        return True  # .NET test projects: Procore.Client.Tests/, MyApp.IntegrationTests/
    return bool(_TEST_NAMES.match(parts[-1]))


def is_config(path: Path) -> bool:
    """Config files: unquoted values count as literals there (not in code)."""
    name = path.name.lower()
    return name.startswith(".env") or path.suffix.lower() in CONFIG_SUFFIXES


def wanted(path: Path) -> bool:
    """A file type the scan reads."""
    return is_config(path) or path.suffix.lower() in CODE_SUFFIXES


def _gitignore(root: Path) -> list[str]:
    try:  # a FIFO or a link to /dev/zero named .gitignore must not stop the scan
        data = read_capped_bytes(root / ".gitignore", GITIGNORE_CAP, "a .gitignore")
    except FileFormatError:
        return []
    # errors="replace": a stray Latin-1 byte in .gitignore must not stop the scan
    lines = data.decode("utf-8", errors="replace").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith(("#", "!"))]


def _ignored(relative: str, is_dir: bool, patterns: list[str]) -> bool:
    name = relative.rsplit("/", 1)[-1]
    for pattern in patterns:
        dir_only = pattern.endswith("/")
        body = pattern.strip("/")
        if dir_only and not is_dir:
            continue
        target = relative if "/" in pattern.rstrip("/") else name
        if fnmatch.fnmatch(target, body):
            return True
    return False


def list_files(root: Path) -> tuple[list[Path], int]:
    """Files to scan under ``root`` (sorted) and how many others were skipped.

    A file given as the root is scanned whatever its name (``scan notes.txt``,
    ``scan Dockerfile``): the user picked it, so the suffix filter meant for trees does not
    apply. A root that is neither a folder nor a regular file (a device, a FIFO) is refused.
    """
    if root.is_file():
        return [root], 0
    if not root.is_dir():
        raise FileFormatError(str(root), "scan takes a folder or a regular file")
    patterns = _gitignore(root)
    chosen: list[Path] = []
    skipped = 0
    for folder, dirs, files in os.walk(root):
        base = Path(folder)
        keep = []
        for name in sorted(dirs):
            relative = (base / name).relative_to(root).as_posix()
            if name in SKIPPED_DIRS or _ignored(relative, True, patterns):
                skipped += 1
                continue
            keep.append(name)
        dirs[:] = keep
        for name in sorted(files):
            path = base / name
            relative = path.relative_to(root).as_posix()
            if not wanted(path) or _ignored(relative, False, patterns) or _leaves(path, root):
                skipped += 1
                continue
            chosen.append(path)
    return sorted(chosen), skipped


def _leaves(path: Path, root: Path) -> bool:
    """A symlink in the tree pointing outside it (``a.py -> /etc/passwd``): not the
    integration's code, so not read (os.walk already stays out of linked folders)."""
    if not path.is_symlink():
        return False
    try:
        return not path.resolve().is_relative_to(root.resolve())
    except OSError:
        return True


def read_source(path: Path) -> str | None:
    """The file's text, or ``None`` for binary, oversized, unreadable or special files.

    Only regular files are read, and at most :data:`MAX_BYTES` of them: a FIFO named
    ``b.py`` would block the scan forever and a link to ``/dev/zero`` fill memory.
    """
    try:
        data = read_capped_bytes(path, MAX_BYTES, "a scanned file")
    except FileFormatError:
        return None
    if b"\0" in data[:8192]:
        return None
    return data.decode("utf-8", errors="replace")


def iter_lines(text: str) -> Iterator[tuple[int, str]]:
    """``(line number, line)`` from 1."""
    yield from enumerate(text.splitlines(), start=1)
