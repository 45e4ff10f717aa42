"""Escaping of untrusted text for Markdown output (names, notes, waivers, Procore data).

Why one function: every Markdown export (the checklist, reports) shows values that came
from Procore, a world file, a session or a person's typing. Such a value must read as
text, never as a link, an image, HTML, a heading or a table cell break, whatever it holds.
"""

from __future__ import annotations

import re

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<|~&])")
"""Characters that start emphasis, code, links, HTML, entities or table cells anywhere in a
line. (Line-start markers such as ``#`` or ``1.`` need no escape: values never start a line.)"""


def markdown_escape(value: object) -> str:
    """``value`` as literal Markdown text on one line: specials backslash-escaped."""
    text = " ".join(str(value).split())
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)
