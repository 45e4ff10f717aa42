"""String values the resolver computes, and how a value becomes a Procore path template.

A value is one or more alternatives (a constant defined in two classes has two); each is a
sequence of literal text and *holes* (a part the code computes at run time: an id, a
parameter, an unresolved base URL). Holes keep their name, so a parameter hole can later be
filled with a wrapper's argument.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import product

MAX_ALTERNATIVES = 64
"""A value with more alternatives than this keeps the first ones (a guard against
combinatorial blow-up; a class-per-endpoint client has one per endpoint class)."""


@dataclass(frozen=True)
class Hole:
    """A computed part; ``param``: a parameter of the function being read."""

    name: str
    param: bool = False


Part = str | Hole


@dataclass(frozen=True)
class Anchor:
    """The definition a fanned-out alternative came from (a class's ``Resource``)."""

    file: int
    line: int
    cls: str | None


@dataclass(frozen=True)
class Alt:
    """One alternative of a value, with how it was found."""

    parts: tuple[Part, ...]
    how: frozenset[str] = field(default_factory=frozenset)
    anchor: Anchor | None = None
    via: tuple[tuple[int, int], ...] = ()

    def tagged(self, tag: str, via: tuple[int, int] | None = None) -> Alt:
        """The same value, remembering one more step of how it was found."""
        more = (*self.via, via) if via is not None and via not in self.via else self.via
        return Alt(self.parts, self.how | {tag}, self.anchor, more[:8])

    @property
    def has_param(self) -> bool:
        return any(isinstance(part, Hole) and part.param for part in self.parts)

    def literal(self) -> str | None:
        """The text when the value has no holes."""
        if all(isinstance(part, str) for part in self.parts):
            return "".join(part for part in self.parts if isinstance(part, str))
        return None


def lit(text: str) -> list[Alt]:
    return [Alt((text,))]


def hole(name: str, param: bool = False) -> list[Alt]:
    return [Alt((Hole(name, param),))]


def _merge(parts: tuple[Part, ...]) -> tuple[Part, ...]:
    merged: list[Part] = []
    for part in parts:
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] = merged[-1] + part
        elif part != "":
            merged.append(part)
    return tuple(merged)


def join(pieces: list[list[Alt]]) -> list[Alt]:
    """Concatenate values (every combination of their alternatives, capped)."""
    pieces = [piece for piece in pieces if piece]
    if not pieces:
        return []
    out: list[Alt] = []
    for combo in product(*pieces):
        anchor = next((alt.anchor for alt in combo if alt.anchor is not None), None)
        how = frozenset().union(*(alt.how for alt in combo))
        via = tuple(dict.fromkeys(step for alt in combo for step in alt.via))[:8]
        out.append(Alt(_merge(tuple(p for alt in combo for p in alt.parts)), how, anchor, via))
        if len(out) >= MAX_ALTERNATIVES:
            break
    return out


def join_path(pieces: list[list[Alt]]) -> list[Alt]:
    """``path.join``/``urljoin``/``File.join``: pieces glued with one ``/``."""
    with_slashes: list[list[Alt]] = []
    for index, piece in enumerate(pieces):
        if index:
            with_slashes.append(lit("/"))
        with_slashes.append(piece)
    return join(with_slashes)


_PRINTF = re.compile(r"%(?:\([\w]+\))?[-+ #0]*\d*(?:\.\d+)?[sdvifqxXuo]|\{\d*\}|\{[\w.]*\}")


def fill_format(template: list[Alt], values: list[list[Alt]],
                named: dict[str, list[Alt]] | None = None) -> list[Alt]:
    """``"%s/x/%d" % (a, b)``, ``fmt.Sprintf``, ``String.format``, ``"{}/{0}".format``:
    each specifier is replaced by the matching argument (a hole when there is none)."""
    named = named or {}
    results: list[Alt] = []
    for alt in template:
        pieces: list[list[Alt]] = []
        position = 0
        for part in alt.parts:
            if not isinstance(part, str):
                pieces.append([Alt((part,))])
                continue
            last = 0
            for match in _PRINTF.finditer(part):
                pieces.append(lit(part[last : match.start()]))
                spec = match.group(0)
                key = spec.strip("{}%()sdvifqxXuo")
                if spec.startswith("{") and key.isdigit() and int(key) < len(values):
                    pieces.append(values[int(key)])
                elif spec.startswith("{") and key and key in named:
                    pieces.append(named[key])
                elif position < len(values) and not (spec.startswith("{") and key):
                    pieces.append(values[position])
                    position += 1
                else:
                    pieces.append(hole(key or "value"))
                last = match.end()
            pieces.append(lit(part[last:]))
        joined = join(pieces) if pieces else [alt]
        results.extend(Alt(one.parts, one.how | alt.how, one.anchor or alt.anchor,
                           tuple(dict.fromkeys((*alt.via, *one.via)))[:8]) for one in joined)
    return [alt.tagged("format") for alt in results[:MAX_ALTERNATIVES]]


# --- from a value to a path template -----------------------------------------------------

_HOLE = "\x00"
_HOST = re.compile(r"^https?://(?P<host>[^/\s?#]*)", re.IGNORECASE)
_ABSOLUTE = re.compile(r"/?(?:rest/(?:v\d+(?:\.\d+)?|\x00)(?=/|$|\x00)|vapid(?=/))")
_VERSION = re.compile(r"^v\d+(?:\.\d+)?$")
_TEMPLATE_SEGMENT = re.compile(r"\{[^{}/]*\}|:[A-Za-z_]\w*|%[sdv]|\$\{[^}/]*\}")
_TEMPLATE_PART = re.compile(r"\{[^{}/]*\}")
PLACEHOLDER = "0"
"""What a computed segment becomes before the permission map names it
(``projects/0/rfis`` → ``projects/{project_id}/rfis``)."""


@dataclass(frozen=True)
class PathShape:
    """A value read as a Procore path: absolute (``/rest/v1.0/…``) or relative (``/projects/…``
    after a base the code adds elsewhere)."""

    path: str
    relative: bool
    base: str | None = None
    """The name of the computed value a relative path follows (``self.base_url``), if any."""


def _flatten(alt: Alt) -> str:
    return "".join(part if isinstance(part, str) else _HOLE for part in alt.parts)


def _segments(rest: str) -> list[str] | None:
    """Segments of a path; a computed segment becomes the placeholder, a computed part glued
    to a word is dropped (``statuses{query}`` → ``statuses``)."""
    rest = re.split(r"[?#]", rest, maxsplit=1)[0]
    out: list[str] = []
    for segment in rest.split("/"):
        if not segment:
            continue
        if segment.strip(_HOLE) == "" or _TEMPLATE_SEGMENT.fullmatch(segment):
            out.append(PLACEHOLDER)  # computed, or a URI template's {id} / :id
            continue
        segment = _TEMPLATE_PART.sub(_HOLE, segment)
        cleaned = segment.replace(_HOLE, "")
        if not re.fullmatch(r"[\w.\-~:@!$&'()*+,;=%]+", cleaned):
            return None
        out.append(cleaned)
    return out


def _last_root(text: str) -> re.Match[str] | None:
    """The API root (``/rest/v1.0``, ``/vapid``) the path starts from, or None.

    The first root must begin the text or follow a ``/`` or a computed part. When a later
    root follows, it wins: code that joins a base which already ends in ``/rest/v1.0``
    with a path which starts with its own root (``urljoin(BASE, "/rest/v1.1/…")``, which
    replaces the base's path; or a ``base.replace(…)`` the reader does not evaluate) calls
    the later one, and Procore has no path with a root inside it.
    """
    found: re.Match[str] | None = None
    for match in _ABSOLUTE.finditer(text):
        start = match.start()
        if found is None:
            if start == 0 or text[:start].strip(_HOLE + "/") == "" or text[start - 1] in (
                    "/" + _HOLE):
                found = match
        elif match.group(0).startswith("/") or text[start - 1] in "/" + _HOLE:
            found = match
    return found


def path_shape(alt: Alt, default_version: str) -> PathShape | None:
    """The Procore path ``alt`` names, or None (another host, an OAuth URL, not a path)."""
    text = _flatten(alt)
    host = _HOST.match(text)
    if host is not None:
        if "procore" not in host["host"].lower() and _HOLE not in host["host"]:
            return None
        text = text[host.end() :]
    absolute = _last_root(text)
    if absolute is not None:
        head = absolute.group(0).strip("/")
        if head.endswith(_HOLE):
            head = f"rest/{default_version}"
        segments = _segments(text[absolute.end() :])
        if not segments or segments[0] == PLACEHOLDER:
            return None
        return PathShape("/" + "/".join([head, *segments]), relative=False)
    if host is not None and text.strip("/") == "":
        return None
    stripped = text.lstrip(_HOLE)
    if stripped.startswith("/") or (stripped and stripped == text):
        segments = _segments(stripped)
        if not segments or segments[0] == PLACEHOLDER or _VERSION.match(segments[0]):
            return None
        base = None
        if stripped != text and alt.parts and isinstance(alt.parts[0], Hole):
            base = alt.parts[0].name
        return PathShape("/" + "/".join(segments), relative=True, base=base)
    return None


def version_in(text: str) -> str | None:
    """``v1.1`` from ``"v1.1"``, ``"/rest/v1.1"`` or ``"rest/v1.1/"``."""
    match = re.fullmatch(r"/?(?:rest/)?(v\d+(?:\.\d+)?)/?", text.strip())
    return match.group(1) if match else None
