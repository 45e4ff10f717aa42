"""Reading Procore's paginated lists (v1.x ``page``/``per_page``; v2 ``data`` wrappers).

The client asks for large pages (fewer requests against the rate limit), accepts whatever
page size the server caps it to (``Per-Page``), follows ``Link: <…>; rel="next"`` until it
is gone, and cross-checks the item count with ``Total``.

A ``Total`` mismatch is a warning by default, not an error: Procore's data can change while
a long list is read (a project added between two pages), and one odd count should not
abort an inventory. It is counted in the client stats, logged, and sent to the progress
listener; ``strict_totals=True`` turns it into :class:`~dmsa_migrate.errors.PaginationError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from dmsa_migrate.errors import PaginationError
from dmsa_migrate.procore._errors import describe_request
from dmsa_migrate.procore.answers import Answer, answer_json

DEFAULT_PER_PAGE = 1000
"""Page size asked for when an endpoint has no known maximum (Procore suggests ≤ 2000)."""

KNOWN_MAX_PER_PAGE: dict[str, int] = {
    "/rest/v1.1/projects": 300,
}
"""Endpoints whose documented maximum page size is below :data:`DEFAULT_PER_PAGE`."""

V2_MAX_PER_PAGE = 100
"""REST v2 collections cap ``per_page`` at 100."""


def per_page_for(path: str, wanted: int) -> int:
    """The page size to ask for on ``path``: ``wanted``, capped by what is known of it."""
    if path.startswith("/rest/v2."):
        return min(wanted, V2_MAX_PER_PAGE)
    return min(wanted, KNOWN_MAX_PER_PAGE.get(path.rstrip("/"), wanted))


@dataclass(frozen=True)
class Page:
    """One page of a list: its items and what its headers said."""

    items: list[Any]
    total: int | None
    per_page: int | None
    next_url: str | None


def read_page(response: Answer) -> Page:
    """Split a list response into items, ``Total``, ``Per-Page`` and the next page's URL."""
    return Page(
        items=page_items(response),
        total=_int_header(response, "Total"),
        per_page=_int_header(response, "Per-Page"),
        next_url=next_url(response),
    )


def page_items(response: Answer) -> list[Any]:
    """The items of a list answer: a JSON array, or the ``data`` array of a v2 answer."""
    body = answer_json(response)
    if isinstance(body, list):
        return body
    if isinstance(body, dict) and isinstance(body.get("data"), list):
        return list(body["data"])
    raise PaginationError(describe_request(response.request), "the answer is not a list")


def next_url(response: Answer) -> str | None:
    """Absolute URL of ``rel="next"`` in the ``Link`` header, or ``None`` on the last page.

    Raises:
        PaginationError: the next page is on another host; following it would send our
            bearer token to a server that is not the one we are talking to.
    """
    link = response.links.get("next")
    if not link or not link.get("url"):
        return None
    here = str(response.request.url)
    target = urljoin(here, link["url"])
    there = _origin(target)
    if there != _origin(here):
        raise PaginationError(
            describe_request(response.request), f"next page points to another host ({there[1]})"
        )
    return target


_DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin(url: str) -> tuple[str, str, int | None]:
    """``(scheme, host, port)`` with the scheme's default port filled in."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = -1  # unparseable: never equal to a real origin's
    return scheme, parts.hostname or "", port or _DEFAULT_PORTS.get(scheme)


MAX_PAGES = 50_000
"""The most pages one list may take (5 million items at 100 a page): a server whose
``next`` links never end, each one new, would otherwise be followed for ever."""


def endless_reason(items_on_page: int, pages: int) -> str:
    """Why a list that still has a ``next`` link is not followed further."""
    if items_on_page == 0:
        return "an empty page links to a next page (the list would never end)"
    return f"the list is still going after {pages:,} pages (the most one list may take)"


def total_mismatch(counted: int, total: int | None) -> str | None:
    """A description of the mismatch between items read and ``Total``; ``None`` if they agree."""
    if total is None or total == counted:
        return None
    return f"read {counted} items but the server's Total said {total}"


def _int_header(response: Answer, name: str) -> int | None:
    value = response.headers.get(name)
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None
