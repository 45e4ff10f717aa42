"""The lean HTTP/1.1 path (``procore/wire.py``) against servers that answer raw bytes.

The client's behaviour tests run over this path already (``conftest.py``); these check
the HTTP framing itself: what a real server may send that a hand-written handler cannot
(chunked bodies, compression, ``Connection: close``, answers without framing, oversized
answers, a server that hangs up between requests), and what must never be sent.
"""

from __future__ import annotations

import asyncio
import gzip
import ssl
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import pytest

from dmsa_migrate import errors
from dmsa_migrate.procore import Environment, ProcoreClient, RetryPolicy, UserToken, wire
from dmsa_migrate.procore.wire import WireError, WirePool, WireRequest, parse_links

pytestmark = pytest.mark.anyio

Answer = Callable[[int, bytes], bytes]
"""(request number, request head) -> the raw bytes to answer with (b"": hang up)."""


class RawServer:
    """Counts connections and requests; answers each request with ``answer``."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.connections = 0
        self.heads: list[bytes] = []
        self.url = ""
        self.writers: list[asyncio.StreamWriter] = []

    def hang_up(self) -> None:
        """Close every connection from the server's side (a keep-alive timeout)."""
        for writer in self.writers:
            writer.close()

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self.writers.append(writer)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                self.heads.append(head)
                data = self.answer(len(self.heads), head)
                if not data:
                    break
                writer.write(data)
                await writer.drain()
                if b"connection: close" in data.lower():
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        writer.close()


@asynccontextmanager
async def raw_server(answer: Answer) -> AsyncIterator[RawServer]:
    server = RawServer(answer)
    listener = await asyncio.start_server(server.serve, "127.0.0.1", 0)
    port = listener.sockets[0].getsockname()[1]
    server.url = f"http://127.0.0.1:{port}"
    try:
        yield server
    finally:
        listener.close()


def ok(body: bytes = b'{"ok": true}', *extra: str) -> bytes:
    head = ["HTTP/1.1 200 OK", "Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join([*head, *extra]) + "\r\n\r\n").encode() + body


def pool(timeout: float = 5.0) -> WirePool:
    return WirePool(ssl.create_default_context, timeout=timeout, keep=4)


async def get(p: WirePool, url: str, headers: dict[str, str] | None = None) -> wire.WireResponse:
    return await p.send(WireRequest("GET", url, headers or {}, b""))


async def test_keep_alive_reuses_one_connection() -> None:
    async with raw_server(lambda n, head: ok()) as server:
        p = pool()
        for _ in range(3):
            assert (await get(p, server.url + "/x")).json() == {"ok": True}
        await p.aclose()
    assert server.connections == 1 and len(server.heads) == 3
    assert server.heads[0].startswith(b"GET /x HTTP/1.1\r\nHost: 127.0.0.1:")


async def test_connection_close_and_http10_answers_are_not_reused() -> None:
    def answer(n: int, head: bytes) -> bytes:
        if n == 1:
            return ok(b"{}", "Connection: close")
        return ok(b"{}").replace(b"HTTP/1.1", b"HTTP/1.0", 1)  # 1.0 without keep-alive

    async with raw_server(answer) as server:
        p = pool()
        for _ in range(3):
            assert (await get(p, server.url)).status_code == 200
        await p.aclose()
    assert server.connections == 3


async def test_chunked_and_gzip_bodies_are_decoded() -> None:
    payload = b'[{"id": 1}, {"id": 2}]'
    packed = gzip.compress(payload)
    chunks = b"".join(
        f"{len(part):x};ext=1\r\n".encode() + part + b"\r\n"
        for part in (packed[:10], packed[10:])
    )
    raw = (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Encoding: gzip\r\n"
        b"Link: <http://h/x?page=2>; rel=\"next\", <http://h/x?page=9>; rel=\"last\"\r\n\r\n"
        + chunks + b"0\r\nX-Trailer: 1\r\n\r\n"
    )
    async with raw_server(lambda n, head: raw) as server:
        p = pool()
        first = await get(p, server.url)
        second = await get(p, server.url)  # the framing ended exactly: the socket is reusable
        await p.aclose()
    assert first.json() == second.json() == [{"id": 1}, {"id": 2}]
    assert first.links["next"]["url"] == "http://h/x?page=2"
    assert server.connections == 1
    assert b"accept-encoding" not in server.heads[0].lower()  # the pool adds none itself


async def test_a_body_without_framing_is_read_until_the_server_closes() -> None:
    raw = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nall of it"

    async def serve_once(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(raw)
        writer.close()

    listener = await asyncio.start_server(serve_once, "127.0.0.1", 0)
    port = listener.sockets[0].getsockname()[1]
    p = pool()
    first = await get(p, f"http://127.0.0.1:{port}/")
    second = await get(p, f"http://127.0.0.1:{port}/")  # the first socket was not pooled
    listener.close()
    await p.aclose()
    assert first.text == second.text == "all of it"


async def test_an_idle_connection_the_server_closed_is_not_reused() -> None:
    async with raw_server(lambda n, head: ok(b"{}")) as server:
        p = pool()
        await get(p, server.url)
        # The server hangs up on the idle connection (as servers do after their keep-alive
        # timeout); the next request must notice and open a new one, not fail.
        server.hang_up()
        await asyncio.sleep(0.05)  # the FIN arrives
        assert (await get(p, server.url)).status_code == 200
        await p.aclose()
    assert server.connections == 2


async def test_an_idle_connection_past_its_expiry_is_not_reused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(wire, "KEEPALIVE_EXPIRY_S", 0.0)
    async with raw_server(lambda n, head: ok(b"{}")) as server:
        p = pool()
        await get(p, server.url)
        await get(p, server.url)
        await p.aclose()
    assert server.connections == 2


async def test_oversized_answers_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(wire, "MAX_BODY", 1000)
    big = ok(b"x" * 2000)
    bomb = (
        b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n"
        + f"Content-Length: {len(gzip.compress(b'0' * 50_000))}\r\n\r\n".encode()
        + gzip.compress(b"0" * 50_000)
    )
    huge_head = b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * (wire.MAX_HEAD + 10) + b"\r\n\r\n"
    for raw, error in ((big, errors.AnswerError), (bomb, errors.AnswerError),
                       (huge_head, WireError)):
        async with raw_server(lambda n, head, raw=raw: raw) as server:  # type: ignore[misc]
            p = pool()
            with pytest.raises(error, match="larger than"):
                await get(p, server.url)
            await p.aclose()


async def test_a_header_that_would_split_the_request_is_never_sent() -> None:
    async with raw_server(lambda n, head: ok()) as server:
        p = pool()
        with pytest.raises(WireError, match="split the request"):
            await get(p, server.url, {"Authorization": "Bearer x\r\nX-Evil: 1"})
        await p.aclose()
    assert server.heads == []


async def test_a_silent_server_times_out() -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(5)
        writer.close()

    listener = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = listener.sockets[0].getsockname()[1]
    p = pool(timeout=0.2)
    with pytest.raises(WireError) as caught:
        await get(p, f"http://127.0.0.1:{port}/")
    listener.close()
    await p.aclose()
    assert caught.value.timed_out


async def test_the_client_maps_wire_failures_and_retries_them() -> None:
    def answer(n: int, head: bytes) -> bytes:
        return b"" if n == 1 else ok(b'{"id": 7}')  # the first request: hung up on

    async with raw_server(answer) as server:
        env = Environment("test", server.url, server.url)
        async with ProcoreClient(
            env, UserToken("t"), retry=RetryPolicy(base_delay_s=0.01, max_delay_s=0.01)
        ) as client:
            assert await client.me() == {"id": 7}
        assert client.stats.transport_errors == 1 and client.stats.retries == 1
        async with raw_server(lambda n, head: b"") as dead:
            env = Environment("test", dead.url, dead.url)
            async with ProcoreClient(
                env, UserToken("t"), retry=RetryPolicy(max_attempts=2, base_delay_s=0.01)
            ) as client:
                with pytest.raises(errors.TransportError, match="no answer"):
                    await client.me()


async def test_an_untrusted_certificate_is_refused(
    test_certificates: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dmsa_migrate.procore.pool import PoolSettings

    from ._fakes import json_answer
    from ._loopback import HOSTS, HandlerServer

    monkeypatch.delenv("SSL_CERT_FILE", raising=False)  # the system's CAs only
    server = HandlerServer(lambda request: json_answer(200, {}), test_certificates)  # type: ignore[arg-type]
    try:
        env = Environment("test", "https://api.test", "https://login.test")
        settings = PoolSettings(connect_to={f"{h}:443": ("127.0.0.1", server.port) for h in HOSTS})
        async with ProcoreClient(
            env, UserToken("t"), pool=settings, retry=RetryPolicy(max_attempts=1)
        ) as client:
            with pytest.raises(errors.TransportError, match="CERTIFICATE_VERIFY_FAILED"):
                await client.me()
    finally:
        server.stop()


def test_link_headers_parse_like_httpx() -> None:
    links = parse_links('<https://a/x?page=2&per_page=100>; rel="next", </x?page=1>;rel=first')
    assert links["next"]["url"] == "https://a/x?page=2&per_page=100"
    assert links["first"]["url"] == "/x?page=1"
    assert parse_links("") == {} and parse_links("garbage") == {}
