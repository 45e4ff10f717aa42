"""Turn any way of writing a Procore endpoint into one comparable form.

An endpoint reaches us in many spellings: a full URL with ids and a query string from a
code scan (``https://api.procore.com/rest/v1.0/projects/1001/rfis?per_page=100``), the
Activity Report's normalized route (``/v1.0/projects/:project_id/rfis``), an OpenAPI
template (``/rest/v1.0/projects/{project_id}/rfis``), the retired ``/vapid/`` namespace, or
a Rest v2 path scoped under ``/companies/{company_id}/projects/{project_id}/``. The map is
written once, without the version prefix; :func:`parse_endpoint` reduces every spelling
to the segments the map is matched against, and remembers enough to print the template.
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass, field

from dmsa_migrate.errors import InputError

_VERSION = re.compile(r"^v\d+(\.\d+)?$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_DIGITS = re.compile(r"^\d+$")
_KNOWN_PARENTS = {
    "projects": "project_id",
    "project": "project_id",
    "companies": "company_id",
    "users": "user_id",
}


@dataclass(frozen=True)
class Segment:
    """One path segment: a literal word, or a placeholder (a concrete id or a named one)."""

    text: str
    is_param: bool
    name: str | None = None


@dataclass
class Endpoint:
    """A parsed endpoint: the segments the map sees and how to print its template."""

    original: str
    version: str | None
    segments: list[Segment]
    canonical_start: int
    query_keys: set[str] = field(default_factory=set)
    vapid: bool = False

    @property
    def canonical(self) -> list[Segment]:
        """Segments the map is matched against (Rest v2 company/project scoping removed)."""
        return self.segments[self.canonical_start :]

    def template(self, names: dict[int, str] | None = None) -> str:
        """The endpoint as a template, e.g. ``/rest/v1.0/projects/{project_id}/rfis``.

        ``names`` maps canonical segment positions to the placeholder names of the map
        entry that matched, so concrete ids get meaningful names where the map knows them.
        """
        names = names or {}
        words: list[str] = []
        for position, segment in enumerate(self.segments):
            if not segment.is_param:
                words.append(segment.text)
                continue
            canonical_position = position - self.canonical_start
            name = segment.name or names.get(canonical_position) or _guess_name(
                self.segments, position
            )
            words.append("{" + name + "}")
        body = "/".join(words)
        if self.vapid:
            return f"/vapid/{body}" if body else "/vapid"
        if self.version is None:
            return f"/{body}"
        return f"/rest/{self.version}/{body}" if body else f"/rest/{self.version}"

    def names_project(self) -> bool:
        """True when the path or query names a project (project-level permission)."""
        words = [segment.text for segment in self.segments]
        in_path = any(
            word in ("projects", "project") and index + 1 < len(self.segments)
            and self.segments[index + 1].is_param
            for index, word in enumerate(words)
        )
        return in_path or "project_id" in self.query_keys

    def names_company(self) -> bool:
        """True when the path or query names a company."""
        words = [segment.text for segment in self.segments]
        in_path = any(
            word == "companies" and index + 1 < len(self.segments)
            and self.segments[index + 1].is_param
            for index, word in enumerate(words)
        )
        return in_path or "company_id" in self.query_keys


def _guess_name(segments: list[Segment], position: int) -> str:
    if position > 0:
        parent = segments[position - 1].text
        if parent in _KNOWN_PARENTS:
            return _KNOWN_PARENTS[parent]
    return "id"


def _segment(word: str) -> Segment:
    if word.startswith("{") and word.endswith("}") and len(word) > 2:
        return Segment(word, True, word[1:-1])
    if word.startswith(":") and len(word) > 1:
        return Segment(word, True, word[1:])
    if _DIGITS.match(word) or _UUID.match(word):
        return Segment(word, True, None)
    return Segment(word, False)


def parse_endpoint(path: str) -> Endpoint:
    """Parse a URL, a template or an Activity Report route into an :class:`Endpoint`.

    Raises:
        InputError: the text is not a path (empty, or not starting with ``/`` or a URL).
    """
    text = path.strip()
    if not text:
        raise InputError("empty endpoint path")
    parts = urllib.parse.urlsplit(text)
    if parts.scheme and parts.netloc:
        raw_path, query = parts.path, parts.query
    else:
        raw_path, _, query = text.partition("?")
        raw_path = raw_path.split("#", 1)[0]
    if not raw_path.startswith("/"):
        raise InputError(f"endpoint path must start with '/': {path!r}")
    words = [urllib.parse.unquote(word) for word in raw_path.split("/") if word]
    version: str | None = None
    vapid = False
    if words and words[0] == "rest" and len(words) > 1 and _VERSION.match(words[1]):
        version, words = words[1], words[2:]
    elif words and _VERSION.match(words[0]):
        version, words = words[0], words[1:]
    elif words and words[0] == "vapid":
        vapid, words = True, words[1:]
    segments = [_segment(word) for word in words]
    start = _v2_scoping_length(segments) if version and version.startswith("v2") else 0
    query_keys = set(urllib.parse.parse_qs(query, keep_blank_values=True))
    return Endpoint(text, version, segments, start, query_keys, vapid)


def _v2_scoping_length(segments: list[Segment]) -> int:
    """Rest v2 puts every path under ``companies/{id}[/projects/{id}]``; v1 names the project
    directly. Dropping the company part of ``companies/{id}/projects/{id}/...`` lets one map
    entry serve both versions."""
    words = [segment.text for segment in segments]
    if (
        len(segments) >= 4
        and words[0] == "companies"
        and segments[1].is_param
        and words[2] == "projects"
        and segments[3].is_param
    ):
        return 2
    return 0


def split_template(path: str) -> list[Segment]:
    """Segments of a map entry's path (no version prefix)."""
    return [_segment(word) for word in path.split("/") if word]
