"""Line patterns for Procore endpoints in files no parser reads (shell, Kotlin, Swift…).

Languages with a tree-sitter grammar go through :mod:`.code` instead; this is the
fallback, and the scan's behaviour before the parser came in.

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
``method_inferred: false`` and the method ``UNKNOWN``. Comment lines are skipped; a
``curl`` command line gives its method from ``-X``/``--request``, a body option (POST) or
neither (GET).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dmsa_migrate.permissions.unknown_method import UNKNOWN_METHOD

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
    re.compile(r"\$\w+"),  # Kotlin, Groovy, PHP, shell, Perl: "…/projects/$projectId/…"
    re.compile(r"\\\([^()]*\)"),  # Swift: "…/projects/\(projectId)/…"
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


_COMMENT_LINE = re.compile(r"^\s*(?:#|//|/\*|\*|--|'|REM\b|<!--)", re.IGNORECASE)
_CURL = re.compile(r"\bcurl\b")
_CURL_METHOD = re.compile(r"(?:-X\s*|--request[\s=]+)['\"]?(?P<verb>[A-Za-z]+)")
_CURL_BODY = re.compile(r"\s(?:-d|--data[\w-]*|-F|--form|-T|--upload-file)\b")


def _curl_method(lines: list[str], index: int) -> tuple[str, bool] | None:
    """``curl -X POST …`` (continuation lines included); a body alone means POST and a plain
    ``curl URL`` is a GET."""
    start = index
    while start > 0 and lines[start - 1].rstrip().endswith("\\"):
        start -= 1
    end = index
    while end + 1 < len(lines) and lines[end].rstrip().endswith("\\"):
        end += 1
    command = " ".join(lines[start : end + 1])
    if not _CURL.search(command):
        return None
    explicit = _CURL_METHOD.search(command)
    if explicit is not None and explicit["verb"].upper() in _METHODS:
        return explicit["verb"].upper(), True
    return ("POST" if _CURL_BODY.search(command) else "GET"), True


def _method(lines: list[str], index: int, column: int) -> tuple[str, bool]:
    curl = _curl_method(lines, index)
    if curl is not None:
        return curl
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
    return UNKNOWN_METHOD, False


def find_endpoints(text: str) -> list[RawEndpoint]:
    """Procore paths called in one file, in line order."""
    lines = text.splitlines()
    found: list[RawEndpoint] = []
    for index, line in enumerate(lines):
        if ("/rest/" not in line and "/vapid" not in line) or _COMMENT_LINE.match(line):
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
