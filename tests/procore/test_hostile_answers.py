"""Procore's answers are untrusted input: a broken proxy or a hostile ``--api-base`` must
end in a clear Procore error naming the request, never a crash, a hang or a full memory.

Found by sending the client what no Procore answer looks like: JSON nested 200,000 levels
(the decoder's recursion crashed: exit 70), ``next`` links that never end with empty pages
(the list was followed for ever), and a body of gigabytes (read whole into memory).
"""

from __future__ import annotations

import httpx
import pytest

from dmsa_migrate import errors
from dmsa_migrate.procore.answers import MAX_ANSWER_BYTES

from ._fakes import json_answer, make_client, with_token

pytestmark = pytest.mark.anyio

DEEP = b"[" * 200_000 + b"]" * 200_000


class EndlessBody(httpx.AsyncByteStream):
    """A chunked body with no Content-Length that never ends; counts what was taken."""

    def __init__(self) -> None:
        self.sent = 0

    async def __aiter__(self):  # type: ignore[no-untyped-def]
        chunk = b" " * (1 << 20)
        while True:
            self.sent += len(chunk)
            yield chunk


async def test_deeply_nested_json_is_an_unreadable_answer() -> None:
    client = make_client(with_token(lambda request: httpx.Response(200, content=DEEP)))
    async with client:
        with pytest.raises(errors.AnswerError, match="nested too deeply") as caught:
            await client.get_all("/rest/v1.0/companies")
    assert "GET https://api.test/rest/v1.0/companies" in str(caught.value)
    assert caught.value.exit_code == errors.EXIT_PROCORE


@pytest.mark.parametrize(("body", "why"), [
    (b"<html>Bad gateway</html>", "invalid JSON"),
    (b"\xff\xfe not utf-8", "not UTF-8"),
    (b"[" + b"9" * 5000 + b"]", "too long"),
    (b"[1e309]", "not a finite number"),
])
async def test_a_body_that_is_not_sane_json_is_an_unreadable_answer(body: bytes, why: str) -> None:
    client = make_client(with_token(lambda request: httpx.Response(200, content=body)))
    async with client:
        with pytest.raises(errors.AnswerError, match=why):
            await client.get("/rest/v1.0/me")


async def test_a_deeply_nested_error_body_still_gives_the_status() -> None:
    client = make_client(with_token(lambda request: httpx.Response(403, content=DEEP)))
    async with client:
        with pytest.raises(errors.ForbiddenError):
            await client.get("/rest/v1.0/me")


async def test_a_nested_token_answer_is_refused_plainly() -> None:
    client = make_client(with_token(lambda request: json_answer(200, []),
                                    lambda: httpx.Response(200, content=DEEP)))
    async with client:
        with pytest.raises(errors.ApiError, match="token answer is not JSON"):
            await client.get("/rest/v1.0/me")


async def test_next_links_that_never_end_are_not_followed_for_ever() -> None:
    asked: list[str] = []

    def endless(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        page = int(request.url.params.get("page", 1))
        link = f'<https://api.test/rest/v1.0/companies?page={page + 1}>; rel="next"'
        return json_answer(200, [], {"Link": link})

    client = make_client(with_token(endless))
    async with client:
        with pytest.raises(errors.PaginationError, match="empty page links to a next page"):
            await client.get_all("/rest/v1.0/companies")
    assert len(asked) == 1


async def test_an_answer_declaring_gigabytes_is_refused_before_reading() -> None:
    stream = EndlessBody()

    def huge(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"Content-Length": str(4 << 30)}, stream=stream)

    client = make_client(with_token(huge))
    async with client:
        with pytest.raises(errors.AnswerError, match="larger than 64 MiB"):
            await client.get("/rest/v1.0/companies")
    assert stream.sent <= 1 << 20


async def test_an_endless_chunked_answer_stops_at_the_cap(http_path: str) -> None:
    stream = EndlessBody()
    client = make_client(with_token(lambda request: httpx.Response(200, stream=stream)))
    async with client:
        with pytest.raises(errors.AnswerError, match="larger than 64 MiB"):
            await client.get("/rest/v1.0/companies")
    # Over a real socket the server also fills the kernel's buffers before it notices
    # that the client hung up: a few MiB more are produced, never read.
    slack = (2 << 20) if http_path == "httpx" else (16 << 20)
    assert MAX_ANSWER_BYTES < stream.sent <= MAX_ANSWER_BYTES + slack


async def test_an_ordinary_answer_is_read_as_before() -> None:
    client = make_client(with_token(lambda request: json_answer(200, [{"id": 1}])))
    async with client:
        assert await client.get_all("/rest/v1.0/companies") == [{"id": 1}]
        assert await client.get("/rest/v1.0/me") == [{"id": 1}]


async def test_numbers_and_encodings_read_alike_on_both_paths() -> None:
    # The lean path decodes with orjson first, which refuses a byte-order mark (the careful
    # reader then reads it) and turns integers past 64 bits into floats: such a number
    # may come back as a float, never as another whole number.
    huge = 123456789012345678901234567890
    bodies = {
        "/rest/v1.0/a": f'[{{"id": {huge}, "n": 18446744073709551615}}]'.encode(),
        "/rest/v1.0/b": b'\xef\xbb\xbf[{"id": 1}]',
    }
    client = make_client(with_token(lambda request: httpx.Response(
        200, content=bodies[request.url.path])))
    async with client:
        (record,) = await client.get("/rest/v1.0/a")
        assert record["n"] == 18446744073709551615  # 64 bits: exact on both paths
        assert record["id"] == huge or isinstance(record["id"], float)
        assert await client.get("/rest/v1.0/b") == [{"id": 1}]
