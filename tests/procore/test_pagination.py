"""Lists: large pages asked, server caps accepted, ``Link`` followed, ``Total`` checked."""

from __future__ import annotations

import logging

import httpx
import pytest

from dmsa_migrate import errors
from dmsa_migrate.procore.pagination import next_url, per_page_for

from ._fakes import json_answer, make_client, with_token

pytestmark = pytest.mark.anyio


class ListServer:
    """Serves ``count`` items with a server-side ``per_page`` cap, Procore style."""

    def __init__(self, count: int, cap: int, *, total: int | None = None, host: str = "api.test"):
        self.items = [{"id": i} for i in range(1, count + 1)]
        self.cap = cap
        self.total = count if total is None else total
        self.host = host
        self.asked: list[dict[str, str]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        params = dict(request.url.params)
        self.asked.append(params)
        page = int(params.get("page", 1))
        size = min(int(params.get("per_page", 100)), self.cap)
        chunk = self.items[(page - 1) * size : page * size]
        links = []
        if page * size < len(self.items):
            base = f"https://{self.host}{request.url.path}"
            links.append(f'<{base}?page={page + 1}&per_page={size}>; rel="next"')
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
