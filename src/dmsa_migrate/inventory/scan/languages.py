"""Which tree-sitter grammar parses which file, loaded once per process.

The grammars are separate wheels (one small compiled library each); a grammar that is
missing or fails to load leaves its files to the line-based finder instead of stopping
the scan, so a partial install still gives an answer.
"""

from __future__ import annotations

import importlib
from functools import cache
from typing import Any

_GRAMMARS: dict[str, tuple[str, str]] = {
    "python": ("tree_sitter_python", "language"),
    "javascript": ("tree_sitter_javascript", "language"),
    "typescript": ("tree_sitter_typescript", "language_typescript"),
    "tsx": ("tree_sitter_typescript", "language_tsx"),
    "ruby": ("tree_sitter_ruby", "language"),
    "go": ("tree_sitter_go", "language"),
    "csharp": ("tree_sitter_c_sharp", "language"),
    "java": ("tree_sitter_java", "language"),
    "php": ("tree_sitter_php", "language_php"),
}

_SUFFIXES: dict[str, str] = {
    ".py": "python",
    ".js": "javascript", ".jsx": "javascript", ".mjs": "javascript", ".cjs": "javascript",
    ".ts": "typescript", ".tsx": "tsx",
    ".rb": "ruby",
    ".go": "go",
    ".cs": "csharp",
    ".java": "java",
    ".php": "php",
}


def language_for(suffix: str) -> str | None:
    """The grammar name for a file suffix (``.py`` → ``python``), or None."""
    return _SUFFIXES.get(suffix.lower())


@cache
def parser_for(language: str) -> Any | None:
    """A tree-sitter parser for ``language``, or None when its grammar is not installed."""
    try:
        import tree_sitter

        module_name, function = _GRAMMARS[language]
        module = importlib.import_module(module_name)
        grammar = tree_sitter.Language(getattr(module, function)())
        return tree_sitter.Parser(grammar)
    except (ImportError, AttributeError, KeyError, ValueError, OSError):
        return None
