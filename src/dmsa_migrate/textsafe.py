"""Neutralising untrusted text for terminals, exports and Markdown (Procore data, names, notes).

Why here, in one place: every output shows values that came from Procore, a world file,
a session, a playbook or a person's typing. Such a value must read as text: never as a
terminal escape (set the window title, clear the screen), never as a NUL that cuts a
file short, and in Markdown never as a link, an image, HTML, a heading or a table cell
break, whatever it holds.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
"""C0 and C1 controls (ESC, NUL, BEL, CSI …) but tab and newline, plus the Unicode line
separators and bidirectional overrides that reorder what a reader sees."""


def control_free(value: object) -> str:
    """``value`` with every control character shown as a visible ``\\xNN`` (``\\uNNNN``).

    Tab and newline stay (multi-line notes keep their lines); nothing else that a terminal
    or a viewer would act on survives. Visible rather than dropped, so the reader sees
    that the value held something odd.
    """
    text = str(value)
    if not _CONTROL.search(text):
        return text
    return _CONTROL.sub(_visible, text)


_NOT_ONE_TOKEN = re.compile(r"[\s\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def first_break(text: str) -> str | None:
    """The first whitespace or control character in ``text`` shown visibly, else None.

    Why: a route, a method or an id is one token; a NUL or a newline inside one (a CSV
    cell in quotes may hold both) would end up in a template, a manifest explanation and
    every export, and splits the line a reader sees.
    """
    found = _NOT_ONE_TOKEN.search(text)
    if found is None:
        return None
    code = ord(found.group())
    return repr(found.group()) if code == 0x20 else _visible(found)


def one_line(value: object) -> str:
    """``value`` on one line for a terminal: controls visible, tabs and newlines spaced."""
    return " ".join(control_free(value).split())


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def is_safe_page_url(url: str) -> bool:
    """True for an ``https://`` URL with a host, or ``http://`` on loopback (tests, demos)."""
    if _CONTROL.search(url) or any(char.isspace() for char in url):
        return False
    import urllib.parse  # deferred: ``import dmsa_migrate.cli`` loads this module

    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return False
    if not parts.hostname:
        return False
    if parts.scheme == "https":
        return True
    return parts.scheme == "http" and _is_loopback(parts.hostname)


def _is_loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<|~&])")
"""Characters that start emphasis, code, links, HTML, entities or table cells anywhere in a
line. (Line-start markers such as ``#`` or ``1.`` need no escape: values never start a line.)"""


def markdown_escape(value: object) -> str:
    """``value`` as literal Markdown text on one line: specials backslash-escaped."""
    text = one_line(value)
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)
