"""Fake time and hand-written Procore servers for the client's unit tests.

:func:`make_client` serves a handler over one of the client's two HTTP paths, chosen by
:data:`PATHS` (``conftest.py`` runs every test of a module that uses it once per path):
``httpx``, through ``httpx.MockTransport``; ``lean``, the client's own HTTP/1.1 path
(``procore/wire.py``) talking TLS to a real loopback server (``_loopback.py``).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import httpx

from dmsa_migrate.procore import (
    ClientCredentials,
    Environment,
    ProcoreClient,
    RetryPolicy,
    UserToken,
)
from dmsa_migrate.procore.pool import PoolSettings

from ._loopback import HOSTS, HandlerServer, TestCertificates

__all__ = ["TestCertificates"]

ENV = Environment("custom", "https://api.test", "https://login.test")
SECRET = "s3cret-value-never-shown"
CLIENT_ID = "client-abc-123456"


class FakeTime:
    """A UNIX clock that only moves when the client sleeps."""

    def __init__(self, start: float = 1_750_000_000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


def token_answer(token: str = "tok-1", expires_in: int = 5400) -> httpx.Response:
    return httpx.Response(
        200,
        json={
            "access_token": token,
            "token_type": "bearer",
            "expires_in": expires_in,
            "created_at": 1_750_000_000,
        },
    )


def form(request: httpx.Request) -> dict[str, str]:
    """The form fields of a form-encoded request."""
    return {key: values[0] for key, values in parse_qs(request.content.decode()).items()}


def json_answer(status: int, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, content=json.dumps(body).encode(), headers=headers)


Handler = Callable[[httpx.Request], httpx.Response]


@dataclass
class Paths:
    """Which HTTP path :func:`make_client` uses now, and the servers it started."""

    current: str = "httpx"
    certificates: TestCertificates | None = None
    servers: list[HandlerServer] = field(default_factory=list)

    def stop_servers(self) -> None:
        while self.servers:
            self.servers.pop().stop()


PATHS = Paths()
LEAN_TIMEOUT_S = 2.0
"""The lean path's timeout in these tests: a "timed out" handler waits this long."""


def make_client(
    handler: Handler,
    fake: FakeTime | None = None,
    *,
    user_token: bool = False,
    company_id: int | None = 101,
    retry: RetryPolicy | None = None,
    **options: Any,
) -> ProcoreClient:
    """A client over ``handler`` (on the current path) with fake time and a fixed jitter."""
    import random

    fake = fake or FakeTime()
    credentials = (
        UserToken("user-token-xyz") if user_token else ClientCredentials(CLIENT_ID, SECRET)
    )
    if PATHS.current == "lean":
        assert PATHS.certificates is not None, "conftest sets up the test CA"
        server = HandlerServer(handler, PATHS.certificates, _running_loop())
        PATHS.servers.append(server)
        address = ("127.0.0.1", server.port)
        options.setdefault("timeout", LEAN_TIMEOUT_S)
        options["pool"] = PoolSettings(
            connect_to={f"{host}:443": address for host in HOSTS}
        )
    else:
        options["transport"] = httpx.MockTransport(handler)
    return ProcoreClient(
        ENV,
        credentials,
        company_id=company_id,
        retry=retry or RetryPolicy(max_attempts=4, base_delay_s=0.5, max_delay_s=8),
        sleep=fake.sleep,
        clock=fake.clock,
        rng=random.Random(7),
        **options,
    )


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def with_token(api: Handler, token_factory: Callable[[], httpx.Response] | None = None) -> Handler:
    """Route ``/oauth/token`` to a token answer and everything else to ``api``."""

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/token":
            return token_factory() if token_factory else token_answer()
        return api(request)

    return handler
