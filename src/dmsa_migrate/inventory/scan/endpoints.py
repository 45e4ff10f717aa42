"""Find the Procore endpoints a code base calls, as path templates with their method.

A call site shows a path in one of these shapes, all reduced to one template:

* a plain literal: ``"/rest/v1.0/projects/1001/rfis"`` or a full ``https://api.procore.com``
  URL (query strings dropped);
* an interpolated one: Python f-strings and ``str.format`` (``{project_id}``, ``{}``,
  ``{0}``), JS/TS template literals (``${projectId}``), C# ``$"..{id}.."``, Ruby
  ``#{id}``, printf-style ``%s``/``%d``;
* a simple concatenation on one line: ``"/rest/v1.0/projects/" + id + "/rfis"``.

Each interpolation becomes a placeholder the permission map names (``{project_id}`` …),
so the same endpoint gets the same template whatever the language. The method is taken
from the call site when it shows one (``requests.post(``, ``axios.patch(``, ``PostAsync(``,
``Net::HTTP::Put``, ``method: "DELETE"`` within a few lines); otherwise the finding says
``method_inferred: false`` and ``GET`` is assumed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_LITERAL = re.compile(
    r"""(?P<prefix>[fFrRbBuU$@]{0,2})(?P<q>["'`])(?P<body>(?:\\.|(?!(?P=q)).)*)(?P=q)"""
)
_JOINER = re.compile(r"^\s*\+\s*(?:(?P<expr>[\w.\[\]()]+)\s*\+\s*)?$")
_TRAILING_EXPR = re.compile(r"^\s*\+\s*[\w.\[\]()]+")
_PATH = re.compile(
    r"(?:https?://[\w.\-]*procore\.com)?(?P<path>/(?:rest/v\d[\w.]*|vapid)(?:/[^\s\"'`?#]*)?)"
)
_INTERPOLATIONS = (
    re.compile(r"\$\{[^}]*\}"),
    re.compile(r"#\{[^}]*\}"),
    re.compile(r"\{[^{}/]*\}"),
    re.compile(r"%\(\w+\)[sd]|%[sd]"),
)
PLACEHOLDER = "0"
"""What an interpolation becomes before parsing: a concrete-looking id, so the permission
map gives the parameter its name (``projects/0`` → ``projects/{project_id}``)."""

_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
_CALL = re.compile(
    r"(?:\b|_|\.)(?P<verb>get|post|put|patch|delete)(?:\w*async|_json|forobject|forentity)?\s*[(<]"
    r"|Net::HTTP::(?P<ruby>Get|Post|Put|Patch|Delete)"
    r"|HttpMethod\.(?P<dotnet>Get|Post|Put|Patch|Delete)"
    r"|Method\.(?P<restsharp>GET|POST|PUT|PATCH|DELETE)\b",
    re.IGNORECASE,
)
_METHOD_OPTION = re.compile(
    r"""(?:method|verb|http_method)\s*[:=]\s*["'`]?(?P<verb>get|post|put|patch|delete)\b""",
    re.IGNORECASE,
)
METHOD_LOOKAHEAD = 3


@dataclass(frozen=True)
class RawEndpoint:
    """A path found at a call site, before the permission map names its parameters."""

    path: str
    method: str
    method_inferred: bool
    line: int


def _normalise(body: str) -> str:
    for pattern in _INTERPOLATIONS:
        body = pattern.sub(PLACEHOLDER, body)
    return body


def _joined_strings(line: str) -> list[tuple[int, str]]:
    """String values on a line, simple ``+`` concatenations joined: ``(column, text)``."""
    literals = list(_LITERAL.finditer(line))
    joined: list[tuple[int, str]] = []
    index = 0
    while index < len(literals):
        start = literals[index].start()
        text = _normalise(literals[index]["body"])
        while index + 1 < len(literals):
            between = line[literals[index].end() : literals[index + 1].start()]
            link = _JOINER.match(between)
            if link is None:
                break
            text += (PLACEHOLDER if link["expr"] else "") + _normalise(literals[index + 1]["body"])
            index += 1
        if text.endswith("/") and _TRAILING_EXPR.match(line[literals[index].end() :]):
            text += PLACEHOLDER
        joined.append((start, text))
        index += 1
    return joined


def _method(lines: list[str], index: int, column: int) -> tuple[str, bool]:
    before = lines[index][:column]
    calls = list(_CALL.finditer(before))
    if calls:
        found = calls[-1]
        verb = next(group for group in found.groups() if group)
        return verb.upper(), True
    window = lines[index : index + METHOD_LOOKAHEAD + 1]
    for text in window:
        option = _METHOD_OPTION.search(text)
        if option:
            return option["verb"].upper(), True
    later = _CALL.search(lines[index][column:])
    if later is not None:
        verb = next(group for group in later.groups() if group)
        return verb.upper(), True
    return "GET", False


def find_endpoints(text: str) -> list[RawEndpoint]:
    """Procore paths called in one file, in line order."""
    lines = text.splitlines()
    found: list[RawEndpoint] = []
    for index, line in enumerate(lines):
        if "/rest/" not in line and "/vapid" not in line:
            continue
        for column, value in _joined_strings(line):
            match = _PATH.search(value)
            if match is None:
                continue
            path = match["path"].rstrip("/")
            if path.count("/") < 3 and not path.startswith("/vapid/"):
                continue  # a bare base such as /rest/v1.0
            method, inferred = _method(lines, index, column)
            found.append(RawEndpoint(path, method, inferred, index + 1))
    return found
