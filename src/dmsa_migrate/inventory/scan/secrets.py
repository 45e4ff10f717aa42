"""Find Procore credentials in source and config files.

Procore client ids and secrets are long strings with no vendor prefix, so a generic
high-entropy rule would drown the user in noise (product-anchors.md 2). A value counts
only when all of these hold:

* it is assigned to a credential-like name (``client_secret``, ``ClientId``,
  ``PROCORE_TOKEN`` …) by ``=``, ``:``, ``=>``, an XML ``key=/value=`` pair, a setter call,
  or it sits in a ``procore…://ID:SECRET@`` URL;
* Procore is in sight: in the name, the file path, or within :data:`CONTEXT_LINES` lines;
* it looks like a credential: long enough, credential characters only, not a reference to
  somewhere else (``${VAR}``, ``os.environ``, ``env:`` …) nor a placeholder, and, for
  secrets, not low-entropy;
* in code files the value is a quoted literal (an unquoted name is a variable).

A finding never holds the value: only its redacted form, length and fingerprint.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from dataclasses import dataclass

from dmsa_migrate.secrets import REDACTED, mask_client_id

CONTEXT_LINES = 8
IGNORE_MARKER = "dmsa-migrate:ignore"

_ASSIGNMENT = re.compile(
    r"""(?P<kq>["']?):?(?P<key>[A-Za-z_][\w.\-]*)(?P=kq)\s*(?:=>|:=|=|:)\s*"""
    r"""(?P<q>["'`]?)(?P<value>[^\s"'`,;#}<>)]+)(?P=q)"""
)
_XML_PAIR = re.compile(
    r"""key\s*=\s*"(?P<key>[^"]+)"\s+value\s*=\s*"(?P<value>[^"]+)\"""", re.IGNORECASE
)
_SETTER = re.compile(
    r"""(?P<key>\w*(?:client_?secret|client_?id|access_?token)\w*)\s*\(\s*(?P<q>["'])"""
    r"""(?P<value>[^"']+)(?P=q)""",
    re.IGNORECASE,
)
_URL_CREDS = re.compile(r"procore[\w+.\-]*://(?P<id>[^:/\s@\"']+):(?P<secret>[^@\s/\"']+)@", re.I)
_QUERY_PARAM = re.compile(
    r"(?:^|[?&\s\"'`]|\bd\s)(?P<key>client_secret|client_id|access_token|refresh_token)="
    r"(?P<value>[^&\s\"'`#]+)",
    re.IGNORECASE,
)
"""``?access_token=…`` in a URL, ``client_secret=…&refresh_token=…`` in a curl form body."""
_BEARER = re.compile(r"Authorization[\"']?\s*[:=,]\s*[\"']?\s*Bearer\s+(?P<value>[^\s\"'`,;)}]+)",
                     re.IGNORECASE)
_CREDENTIAL_CHARS = re.compile(r"^[!-~]+$")
"""Printable ASCII without spaces: Procore secrets may hold ``&``, ``%`` and other marks."""
_PLACEHOLDER_WORDS = (
    "your", "example", "changeme", "change_me", "change-me", "placeholder", "dummy", "xxxx",
    "redacted", "secret_here", "todo", "replace", "fake_", "fake-", "<", ">", "sample_",
    "insert", "notreal", "not_real", "not-a-",
)
_REFERENCE = re.compile(
    r"^(\$|%\w+%$|env:|file:|keyring:|process\.env|os\.environ|ENV\[|\{\{|\{[\w.]*\}$)", re.I
)


@dataclass(frozen=True)
class RawSecret:
    """A match before filtering; ``value`` lives only inside the scan."""

    kind: str
    key: str
    value: str
    line: int
    rule: str


def kind_of(key: str) -> str | None:
    """``client_secret``, ``client_id``, ``access_token``, ``refresh_token`` or None for a
    variable name (``client_id_real`` and ``procoreClientId`` are client ids too)."""
    flat = re.sub(r"[^a-z]", "", key.lower())
    if "clientsecret" in flat or (flat.endswith("secret") and "procore" in flat):
        return "client_secret"
    if "refreshtoken" in flat:
        return "refresh_token"
    if re.search(r"clientid(?!entif)|clientkey", flat):
        return "client_id"
    if "procore" in flat and ("token" in flat or "apikey" in flat):
        return "access_token"
    if flat in ("accesstoken", "bearertoken"):
        return "access_token"
    return None


def entropy(value: str) -> float:
    """Shannon entropy in bits per character."""
    counts = Counter(value)
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


def plausible(kind: str, value: str) -> bool:
    """Does ``value`` look like a real credential of ``kind``?"""
    minimum = 8 if kind == "client_id" else 12
    lowered = value.lower()
    if len(value) < minimum or not _CREDENTIAL_CHARS.match(value) or _REFERENCE.match(value):
        return False
    if re.search(r"\$\{|\{\{|#\{|\$\(", value) or re.fullmatch(r"(.)\1+", value):
        return False  # an interpolation, or one character repeated
    if any(word in lowered for word in _PLACEHOLDER_WORDS) or len(set(value)) < 5:
        return False
    if kind != "client_id" and entropy(value) < 3.0:
        return False
    return not (value.isalpha() and value.isupper())  # an ENV_VAR_NAME, not a secret


def fingerprint(relative_path: str, kind: str, value: str) -> str:
    """Stable across line moves: path, kind and value, hashed (never the line)."""
    digest = hashlib.sha256(f"{relative_path}\0{kind}\0{value}".encode()).hexdigest()
    return digest[:20]


def redacted_form(kind: str, value: str) -> str:
    """What a user sees instead of the value."""
    return mask_client_id(value) if kind == "client_id" else REDACTED


def _line_matches(number: int, line: str, code: bool) -> list[RawSecret]:
    found: list[RawSecret] = []
    for match in _URL_CREDS.finditer(line):
        found.append(RawSecret("client_id", "url", match["id"], number, "url"))
        found.append(RawSecret("client_secret", "url", match["secret"], number, "url"))
    for match in _XML_PAIR.finditer(line):
        kind = kind_of(match["key"])
        if kind:
            found.append(RawSecret(kind, match["key"], match["value"], number, "xml"))
    for match in _SETTER.finditer(line):
        kind = kind_of(match["key"])
        if kind:
            found.append(RawSecret(kind, match["key"], match["value"], number, "call"))
    lowered = line.lower()
    query = "=" in line and ("client_" in lowered or "token=" in lowered)
    for match in _QUERY_PARAM.finditer(line) if query else ():
        kind = kind_of(match["key"])
        if kind:
            found.append(RawSecret(kind, match["key"], match["value"], number, "url-query"))
    for match in _BEARER.finditer(line) if "bearer" in lowered else ():
        found.append(RawSecret("access_token", "Authorization", match["value"], number, "bearer"))
    if found:
        return found
    for match in _ASSIGNMENT.finditer(line):
        kind = kind_of(match["key"])
        if kind is None or (code and not match["q"]):
            continue
        found.append(RawSecret(kind, match["key"], match["value"], number, "assignment"))
    return found


def find_secrets(text: str, path_label: str, *, code: bool) -> tuple[list[RawSecret], int]:
    """Credential matches in one file and the number silenced by the ignore marker."""
    lines = text.splitlines()
    lowered = [line.lower() for line in lines]
    path_says_procore = "procore" in path_label.lower()
    found: list[RawSecret] = []
    ignored = 0
    for index, line in enumerate(lines):
        for raw in _line_matches(index + 1, line, code):
            if not plausible(raw.kind, raw.value):
                continue
            window = lowered[max(0, index - CONTEXT_LINES) : index + CONTEXT_LINES + 1]
            near = path_says_procore or "procore" in raw.key.lower() or raw.rule == "url"
            if not near and not any("procore" in text_line for text_line in window):
                continue
            previous = lowered[index - 1] if index > 0 else ""
            if IGNORE_MARKER in lowered[index] or IGNORE_MARKER in previous:
                ignored += 1
                continue
            found.append(raw)
    return found, ignored
