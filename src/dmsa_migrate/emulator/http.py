"""Transport-neutral request and response values, and body/query parsing helpers.

Why our own tiny types: the same handler serves the in-process httpx transports and the
loopback HTTP server, so it must not depend on either.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from functools import cached_property
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from dmsa_migrate.errors import InputError
from dmsa_migrate.fileio import parse_json


@dataclass(frozen=True)
class Request:
    """One HTTP request: method, absolute URL, lower-cased headers, raw body."""

    method: str
    url: str
    headers: Mapping[str, str]
    body: bytes = b""

    # Parsed once per request (a handler reads several parameters; each read used to parse
    # the URL again). The request is immutable, so the cached values cannot go stale.
    @cached_property
    def path(self) -> str:
        return urlsplit(self.url).path or "/"

    @cached_property
    def query(self) -> list[tuple[str, str]]:
        return parse_qsl(urlsplit(self.url).query, keep_blank_values=True)

    def param(self, name: str) -> str | None:
        for key, value in self.query:
            if key == name:
                return value
        return None

    def params(self, name: str) -> list[str]:
        """Every value of a repeated key, accepting both ``k[]`` and ``k``."""
        return [v for k, v in self.query if k in (name, f"{name}[]")]

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def url_with(self, **changes: str) -> str:
        """This URL with some query parameters replaced, the others kept in order."""
        parts = urlsplit(self.url)
        query = [(k, v) for k, v in self.query if k not in changes]
        query += list(changes.items())
        return urlunsplit(parts._replace(query=urlencode(query)))

    def form(self) -> dict[str, str]:
        """The body as fields: form-urlencoded, multipart or JSON (Procore takes all three)."""
        ctype = (self.header("content-type") or "").lower()
        if "application/json" in ctype:
            try:  # bounded: a body nested 100,000 deep is a bad request, not a crash
                data = parse_json((self.body or b"{}").decode("utf-8", "replace"), "body")
            except InputError:
                return {}
            return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}
        if "multipart/form-data" in ctype:
            return _multipart(self.header("content-type") or "", self.body)
        fields = dict(parse_qsl(self.body.decode("utf-8", "replace"), keep_blank_values=True))
        fields.update({k: v for k, v in self.query if k not in fields})
        return fields


def _multipart(content_type: str, body: bytes) -> dict[str, str]:
    raw = b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body
    message = BytesParser(policy=HTTP).parsebytes(raw)
    fields: dict[str, str] = {}
    if not message.is_multipart():
        return fields
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        if isinstance(name, str) and isinstance(payload, bytes):
            fields[name] = payload.decode("utf-8", "replace")
    return fields


@dataclass
class Response:
    """One answer. ``drop``: close the connection without answering."""

    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)
    drop: bool = False
    delay_s: float = 0.0

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None


def json_response(status: int, data: Any, headers: list[tuple[str, str]] | None = None) -> Response:
    body = json.dumps(data).encode("utf-8")
    return Response(
        status, body, [("Content-Type", "application/json; charset=utf-8")] + (headers or [])
    )


def error(status: int, message: str, headers: list[tuple[str, str]] | None = None) -> Response:
    """A REST error in the ``{"errors": "..."}`` shape Procore's v1 spec shows for 4xx."""
    return json_response(status, {"errors": message}, headers)


def oauth_error(status: int, code: str, description: str) -> Response:
    """An OAuth 2 error body (RFC 6749 5.2), as the login host answers."""
    return json_response(status, {"error": code, "error_description": description})


def paginate(
    request: Request,
    items: list[Any],
    max_per_page: int,
    render: Callable[[Any], Any] | None = None,
    default_per_page: int = 100,
) -> Response:
    """Slice ``items`` by ``page``/``per_page``; add ``Link``, ``Total`` and ``Per-Page``.

    ``render`` turns an item into its JSON shape; it runs on the requested page only, so a
    list of 500 rows read in pages of 100 builds 100 bodies per request, not 500.
    """
    per_page = _positive(request.param("per_page"), min(default_per_page, max_per_page))
    per_page = min(per_page, max_per_page)
    page = _positive(request.param("page"), 1)
    last = max(1, math.ceil(len(items) / per_page))
    chunk = items[(page - 1) * per_page : page * per_page]
    if render is not None:
        chunk = [render(item) for item in chunk]
    link = ", ".join(
        f'<{request.url_with(page=str(number), per_page=str(per_page))}>; rel="{rel}"'
        for number, rel in link_relations(page, last)
    )
    headers = [("Total", str(len(items))), ("Per-Page", str(per_page))]
    if link:
        headers.insert(0, ("Link", link))
    return json_response(200, chunk, headers)


def link_relations(page: int, last: int) -> list[tuple[int, str]]:
    """The ``Link`` relations of ``page`` as Procore's pagination guide lists them.

    The guide (developers.procore.com/documentation/pagination, "Notes on the page
    parameter"): page 1 carries ``next`` and ``last``; page 2 ``first``, ``next`` and
    ``last`` (its ``prev`` would be ``first``); later pages ``first``, ``prev``, ``next``,
    ``last``; the last page omits ``next``. A single page therefore carries only ``last``.
    """
    relations: list[tuple[int, str]] = []
    if page > 1:
        relations.append((1, "first"))
    if page > 2:
        relations.append((min(page - 1, last), "prev"))
    if page < last:
        relations.append((page + 1, "next"))
    relations.append((last, "last"))
    return relations


def _positive(raw: str | None, default: int) -> int:
    try:
        value = int(raw) if raw is not None else default
    except ValueError:
        return default
    return value if value >= 1 else default
