"""Reading Procore's paginated lists (v1.x ``page``/``per_page``; v2 ``data`` wrappers).

The client asks for large pages (fewer requests against the rate limit), accepts whatever
page size the server caps it to (``Per-Page``), follows ``Link: <…>; rel="next"`` until it
is gone, and cross-checks the item count with ``Total``.

Pages ahead (issue 18): when page 1's headers agree on how many pages there are (the page
number of ``rel="last"`` equals ``⌈Total / Per-Page⌉``, page 1 is full, and ``next`` and
``last`` are one URL with only ``page`` differing), pages 2 to last are requested at once
(:data:`PAGE_CONCURRENCY` in flight) instead of each waiting for the previous one's
``Link``: a list of 5 pages then costs 2 round trips instead of 5, with the same requests.
Each page is still taken only when the previous page's ``next`` names it; where the list
changed under the read (a ``next`` that is not the planned page, or none before the last),
the pages still in flight are cancelled and ``next`` is followed as before. Missing or
inconsistent headers mean no plan: ``next`` is followed one page at a time.

A ``Total`` mismatch is a warning by default, not an error: Procore's data can change while
a long list is read (a project added between two pages), and one odd count should not
abort an inventory. It is counted in the client stats, logged, and sent to the progress
listener; ``strict_totals=True`` turns it into :class:`~dmsa_migrate.errors.PaginationError`.
"""

from __future__ import annotations

import asyncio
import math
from collections import deque
from collections.abc import Awaitable, Callable
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
    last_url: str | None = None


def read_page(response: Answer) -> Page:
    """Split a list response into items, ``Total``, ``Per-Page`` and the next and last
    pages' URLs."""
    last = response.links.get("last")
    return Page(
        items=page_items(response),
        total=_int_header(response, "Total"),
        per_page=_int_header(response, "Per-Page"),
        next_url=next_url(response),
        last_url=urljoin(str(response.request.url), last["url"])
        if last and last.get("url") else None,
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


PAGE_CONCURRENCY = 8
"""Pages of one list requested at once when page 1 says how many there are; pacing on the
rate-limit bucket, not this number, keeps them inside the limits."""


def with_page(url: str, number: int) -> str | None:
    """``url`` with its one ``page=`` query field set to ``number``, every other byte kept;
    ``None`` when the URL has no such field or more than one."""
    base, mark, query = url.partition("?")
    fields = query.split("&") if mark else []
    found = [i for i, part in enumerate(fields) if part.startswith("page=")]
    if len(found) != 1:
        return None
    fields[found[0]] = f"page={number}"
    return f"{base}?{'&'.join(fields)}"


def planned_pages(first: Page) -> list[str]:
    """URLs of pages 2 to last, when page 1's headers agree on them; else ``[]`` (follow
    ``next`` one page at a time).

    Agreement: ``Total``, ``Per-Page`` and ``rel="last"`` are all there; page 1 holds
    ``Per-Page`` items; ``⌈Total / Per-Page⌉`` is at least 2 and at most :data:`MAX_PAGES`;
    ``next`` is that URL with ``page=2`` and ``last`` the same URL with the last page's
    number. Every planned URL is ``next`` with its page number changed, so it is on the
    host ``next`` was checked to be on.
    """
    if first.next_url is None or first.last_url is None:
        return []
    if first.total is None or first.per_page is None or first.per_page < 1:
        return []
    if len(first.items) != first.per_page:
        return []
    last = math.ceil(first.total / first.per_page)
    if not 2 <= last <= MAX_PAGES:
        return []
    if with_page(first.next_url, 2) != first.next_url:
        return []
    urls = [with_page(first.next_url, number) for number in range(2, last + 1)]
    if urls[-1] != first.last_url:
        return []
    return [url for url in urls if url is not None]


class PagesAhead:
    """The planned pages of one list, requested ahead with at most ``limit`` in flight.

    Args:
        urls: pages 2 to last (:func:`planned_pages`), in order.
        fetch: sends one page's request (the client's paced, retried ``GET``).
        limit: pages in flight at once.
    """

    def __init__(
        self, urls: list[str], fetch: Callable[[str], Awaitable[Answer]],
        limit: int = PAGE_CONCURRENCY,
    ) -> None:
        self._todo = deque(urls)
        self._fetch = fetch
        self._limit = max(1, limit)
        self._flying: deque[tuple[str, asyncio.Future[Answer]]] = deque()
        self._fill()

    def take(self, url: str) -> Awaitable[Answer] | None:
        """The answer for ``url`` if it is the next planned page; ``None`` (and the plan
        dropped) if it is not: the list changed under the read, follow ``next``."""
        if not self._flying or self._flying[0][0] != url:
            self.drop()
            return None
        _, answer = self._flying.popleft()
        self._fill()
        return answer

    def drop(self) -> None:
        """Cancel every page still in flight and forget the rest of the plan."""
        self._todo.clear()
        while self._flying:
            _, answer = self._flying.popleft()
            answer.cancel()

    def _fill(self) -> None:
        while self._todo and len(self._flying) < self._limit:
            url = self._todo.popleft()
            answer = asyncio.ensure_future(self._fetch(url))
            answer.add_done_callback(_retrieve)
            self._flying.append((url, answer))


def _retrieve(answer: asyncio.Future[Answer]) -> None:
    """Mark a dropped page's failure as seen (it is raised only if the page is taken)."""
    if not answer.cancelled():
        answer.exception()
