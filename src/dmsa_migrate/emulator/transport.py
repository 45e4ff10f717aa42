"""httpx transports that answer from an :class:`Emulator` without sockets.

The async one sleeps the world's latency with ``asyncio.sleep``; a dropped connection
raises the same httpx errors a real dropped socket gives (ReadError / RemoteProtocolError).
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

import httpx

from dmsa_migrate.emulator.http import Request, Response

if TYPE_CHECKING:
    from dmsa_migrate.emulator.app import Emulator


def _to_request(request: httpx.Request, body: bytes) -> Request:
    headers = {k.lower(): v for k, v in request.headers.items()}
    return Request(request.method, str(request.url), headers, body)


def _to_httpx(response: Response, request: httpx.Request) -> httpx.Response:
    return httpx.Response(
        response.status, headers=response.headers, content=response.body, request=request
    )


def _dropped(request: httpx.Request, count: int) -> httpx.TransportError:
    # Alternate the two errors a real client sees when the peer closes mid-request.
    if count % 2:
        return httpx.RemoteProtocolError(
            "Server disconnected without sending a response.", request=request
        )
    return httpx.ReadError("Connection reset by peer", request=request)


class EmulatorAsyncTransport(httpx.AsyncBaseTransport):
    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        response = self.emulator.handle(_to_request(request, body))
        if response.delay_s:
            await asyncio.sleep(response.delay_s)
        if response.drop:
            raise _dropped(request, self.emulator.stats.dropped)
        return _to_httpx(response, request)


class EmulatorSyncTransport(httpx.BaseTransport):
    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        response = self.emulator.handle(_to_request(request, body))
        if response.delay_s:
            time.sleep(response.delay_s)
        if response.drop:
            raise _dropped(request, self.emulator.stats.dropped)
        return _to_httpx(response, request)
