"""Lists: large pages asked, server caps accepted, ``Link`` followed, ``Total`` checked."""

from __future__ import annotations

import logging

import httpx
import pytest

from dmsa_migrate import errors
from dmsa_migrate.procore.pagination import next_url, per_page_for, with_page

from ._fakes import json_answer, make_client, with_token

pytestmark = pytest.mark.anyio


class ListServer:
    """Serves ``count`` items with a server-side ``per_page`` cap, Procore style."""

    def __init__(
        self, count: int, cap: int, *, total: int | None = None, host: str = "api.test",
        last: bool | int = False, empty: frozenset[int] = frozenset(),
    ):
        self.items = [{"id": i} for i in range(1, count + 1)]
        self.cap = cap
        self.total = count if total is None else total
        self.host = host
        self.last = last
        """``True``: send ``rel="last"`` as Procore does; a number: say that page is last."""
        self.empty = empty
        """Pages answered with no items (their ``next`` still sent)."""
        self.asked: list[dict[str, str]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        params = dict(request.url.params)
        self.asked.append(params)
        page = int(params.get("page", 1))
        size = min(int(params.get("per_page", 100)), self.cap)
        chunk = [] if page in self.empty else self.items[(page - 1) * size : page * size]
        links = []
        base = f"https://{self.host}{request.url.path}"
        if page * size < len(self.items):
            links.append(f'<{base}?page={page + 1}&per_page={size}>; rel="next"')
        if self.last is not False:
            last = -(-len(self.items) // size) if self.last is True else self.last
            links.append(f'<{base}?page={last}&per_page={size}>; rel="last"')
        headers = {"Total": str(self.total), "Per-Page": str(size)}
        if links:
            headers["Link"] = ", ".join(links)
        return json_answer(200, chunk, headers)


async def test_every_page_is_read_with_the_server_cap() -> None:
    server = ListServer(250, cap=100)
    async with make_client(with_token(server)) as client:
        items = await client.get_all("/rest/v1.0/companies")
    assert [i["id"] for i in items] == list(range(1, 251))
    assert server.asked[0] == {"page": "1", "per_page": "1000"}
    assert [a["page"] for a in server.asked] == ["1", "2", "3"]
    assert client.stats.pages == 3 and client.stats.total_mismatches == 0


async def test_known_endpoint_maximum_is_asked_for() -> None:
    server = ListServer(10, cap=1000)
    async with make_client(with_token(server), per_page=2000) as client:
        await client.get_all("/rest/v1.1/projects")
        await client.get_all("/rest/v1.0/companies")
    assert server.asked[0]["per_page"] == "300"
    assert server.asked[1]["per_page"] == "2000"


async def test_total_mismatch_is_a_warning_by_default(caplog: pytest.LogCaptureFixture) -> None:
    events: list[str] = []
    server = ListServer(5, cap=100, total=7)
    async with make_client(with_token(server), on_event=lambda e: events.append(e.kind)) as client:
        with caplog.at_level(logging.WARNING, "dmsa_migrate.procore"):
            items = await client.get_all("/rest/v1.0/companies")
    assert len(items) == 5
    assert client.stats.total_mismatches == 1
    assert "read 5 items but the server's Total said 7" in caplog.text
    assert "total_mismatch" in events


async def test_total_mismatch_is_an_error_when_strict() -> None:
    async with make_client(with_token(ListServer(5, cap=2, total=9)), strict_totals=True) as c:
        with pytest.raises(errors.PaginationError, match="Total said 9"):
            await c.get_all("/rest/v1.0/companies")


async def test_next_page_on_another_host_is_refused() -> None:
    server = ListServer(5, cap=2, host="evil.example")
    async with make_client(with_token(server)) as client:
        with pytest.raises(errors.PaginationError, match="another host"):
            await client.get_all("/rest/v1.0/companies")
    assert len(server.asked) == 1


async def test_a_looping_next_link_stops() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        link = '<https://api.test/rest/v1.0/companies?page=1&per_page=1000>; rel="next"'
        return json_answer(200, [{"id": 1}], {"Link": link})

    async with make_client(with_token(handler)) as client:
        with pytest.raises(errors.PaginationError, match="loops"):
            await client.get_all("/rest/v1.0/companies")


async def test_v2_data_wrapper_is_unwrapped() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return json_answer(200, {"data": [{"id": "1"}]}, {"Total": "1"})

    async with make_client(with_token(handler)) as client:
        assert await client.get_all("/rest/v2.0/companies/101/things") == [{"id": "1"}]


async def test_pages_ahead_read_the_same_items_with_the_same_requests_as_following_next(
) -> None:
    planned, followed = ListServer(450, cap=100, last=True), ListServer(450, cap=100)
    async with make_client(with_token(planned)) as client:
        ahead = await client.get_all("/rest/v1.0/companies")
        ahead_pages = client.stats.pages
    async with make_client(with_token(followed)) as client:
        one_by_one = await client.get_all("/rest/v1.0/companies")
    assert ahead == one_by_one and [i["id"] for i in ahead] == list(range(1, 451))
    assert ahead_pages == client.stats.pages == 5
    assert sorted(a["page"] for a in planned.asked) == ["1", "2", "3", "4", "5"]  # each once
    assert [a["page"] for a in followed.asked] == ["1", "2", "3", "4", "5"]


@pytest.mark.parametrize(("total", "last"), [(300, 5), (500, 3)])
async def test_a_last_link_that_disagrees_with_total_falls_back_to_following_next(
    total: int, last: int
) -> None:
    # Planning by either header alone would ask for pages 4 and 5, which do not exist.
    server = ListServer(300, cap=100, total=total, last=last)
    async with make_client(with_token(server)) as client:
        items = await client.get_all("/rest/v1.0/companies")
    assert len(items) == 300
    assert [a["page"] for a in server.asked] == ["1", "2", "3"]
    assert client.stats.total_mismatches == (total != 300)


async def test_an_empty_page_that_links_on_stops_when_pages_are_read_ahead() -> None:
    server = ListServer(300, cap=100, last=True, empty=frozenset({2}))
    async with make_client(with_token(server)) as client:
        with pytest.raises(errors.PaginationError, match="empty page links to a next page"):
            await client.get_all("/rest/v1.0/companies")


def test_with_page_changes_only_the_page_field() -> None:
    url = "https://api.test/x?filters%5Btype%5D=a&page=2&per_page=100"
    assert with_page(url, 7) == "https://api.test/x?filters%5Btype%5D=a&page=7&per_page=100"
    assert with_page("https://api.test/x?per_page=100", 3) is None  # no page field: no plan
    assert with_page("https://api.test/x?page=2&page=3", 3) is None


def test_next_url_is_absolute_and_relative_links_are_joined() -> None:
    request = httpx.Request("GET", "https://api.test/rest/v1.0/companies?page=1")
    absolute = httpx.Response(
        200,
        request=request,
        headers={
            "Link": '<https://api.test/x?page=1>; rel="first", '
            '<https://api.test/x?page=2>; rel="next"'
        },
    )
    relative = httpx.Response(200, request=request, headers={"Link": '</x?page=3>; rel="next"'})
    last = httpx.Response(200, request=request, headers={"Link": '</x?page=1>; rel="first"'})
    assert next_url(absolute) == "https://api.test/x?page=2"
    assert next_url(relative) == "https://api.test/x?page=3"
    assert next_url(last) is None


def test_per_page_for() -> None:
    assert per_page_for("/rest/v1.1/projects", 1000) == 300
    assert per_page_for("/rest/v1.1/projects", 50) == 50
    assert per_page_for("/rest/v2.0/companies/1/x", 1000) == 100
    assert per_page_for("/rest/v1.0/companies", 1000) == 1000
