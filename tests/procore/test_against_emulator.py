"""The client against the emulator, over both transports (in-process and real loopback HTTP).

The emulator is an independent witness of Procore's behaviour: these tests check that the
client paces, renews, paginates and maps errors the way the real API needs.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from dmsa_migrate import errors
from dmsa_migrate.emulator import Emulator, ManualClock, World
from dmsa_migrate.procore import (
    ClientCredentials,
    ProcoreClient,
    RetryPolicy,
    UserToken,
    environment_from_options,
)

pytestmark = pytest.mark.anyio

DMSA_ID, DMSA_SECRET = "dmsa-client-0001", "dmsa-secret-0001"
TSA_ID, TSA_SECRET = "tsa-client-0001", "tsa-secret-0001"
ADMIN_TOKEN = "admin-user-token-0001"
USERS = 300


def make_world(
    *,
    limits: dict[str, Any] | None = None,
    faults: dict[str, Any] | None = None,
    now: str | None = None,
) -> World:
    """Company 101 (app installed, 300 directory users), 102 (app disconnected), 40 projects."""
    people = [
        {"id": 20_000 + n, "name": f"Person {n}", "email": f"p{n}@example.com", "kind": "person"}
        for n in range(USERS)
    ]
    return World.model_validate(
        {
            "world": {"name": "client tests", **({"now": now} if now else {})},
            "limits": limits or {},
            "faults": faults or {},
            "companies": [{"id": 101, "name": "Acme"}, {"id": 102, "name": "Bayview"}],
            "projects": [
                {"id": 1000 + n, "company_id": 101, "name": f"Project {n}"} for n in range(40)
            ],
            "users": [
                {"id": 42, "name": "Ada Admin", "email": "ada@acme.com", "kind": "person"},
                {
                    "id": 9001,
                    "name": "ERP Sync",
                    "email": "erp@procore.com",
                    "kind": "service_account",
                },
                {"id": 9100, "name": "Acme Sync", "email": "sync@procore.com", "kind": "dmsa"},
                {"id": 9102, "name": "Acme Sync", "email": "sync2@procore.com", "kind": "dmsa"},
                *people,
            ],
            "directory": [
                {"user_id": 42, "company_id": 101, "directory_admin": True},
                {"user_id": 9001, "company_id": 101},
                {"user_id": 9100, "company_id": 101},
                {"user_id": 9102, "company_id": 102},
                *({"user_id": p["id"], "company_id": 101} for p in people),
            ],
            "service_accounts": [
                {
                    "client_id": TSA_ID,
                    "client_secret": TSA_SECRET,
                    "user_id": 9001,
                    "company_id": 101,
                },
            ],
            "apps": [
                {
                    "client_id": DMSA_ID,
                    "client_secret": DMSA_SECRET,
                    "name": "Acme Sync",
                    "permissions": {"company": {"directory": "readonly"}, "project": {}},
                },
            ],
            "installations": [
                {
                    "app_client_id": DMSA_ID,
                    "company_id": 101,
                    "user_id": 9100,
                    "permitted_projects": [1000 + n for n in range(40)],
                },
                {
                    "app_client_id": DMSA_ID,
                    "company_id": 102,
                    "user_id": 9102,
                    "permitted_projects": [],
                    "status": "disconnected",
                },
            ],
            "user_tokens": [{"token": ADMIN_TOKEN, "user_id": 42}],
        }
    )


def virtual_time(clock: ManualClock) -> dict[str, Any]:
    """Client clock and sleep on the emulator's manual clock: waits cost no real time."""

    async def sleep(seconds: float) -> None:
        clock.advance(seconds)
        await asyncio.sleep(0)

    return {"clock": clock.now, "sleep": sleep}


def dmsa_client(conn: Any, **options: Any) -> ProcoreClient:
    env = environment_from_options(api_base=conn.base_url)
    options.setdefault("company_id", 101)
    return ProcoreClient(
        env,
        ClientCredentials(DMSA_ID, DMSA_SECRET),
        transport=conn.transport,
        rng=random.Random(3),
        **options,
    )


Connect = Callable[..., Any]


async def test_fan_out_under_spike_limit_and_faults_gets_no_429(connect: Connect) -> None:
    clock = ManualClock(at=1_760_000_000.0)
    world = make_world(
        limits={"spike": 20, "spike_window_s": 0.5},
        faults={"error_rate": 0.05, "seed": 11},
    )
    conn = connect(world, clock=clock)
    ids = [20_000 + n for n in range(USERS)]
    async with dmsa_client(conn, **virtual_time(clock)) as client:
        users = await client.map(
            lambda uid: client.get(f"/rest/v1.3/companies/101/users/{uid}"), ids, limit=16
        )
    assert [u["id"] for u in users] == ids
    assert client.stats.rate_limited == 0
    assert conn.emulator.stats.throttled == 0
    assert client.stats.rate_limit_waits > 0  # the spike limit really forced waits
    assert client.stats.server_errors > 0 and client.stats.retries >= client.stats.server_errors
    assert client.stats.requests == USERS + 1 + client.stats.retries


FAN_OUT_LIMIT = 16


@pytest.mark.parametrize("world_now", [None, "2025-02-15T12:00:00Z"], ids=["real", "skewed"])
async def test_fan_out_in_real_time_gets_no_429(connect: Connect, world_now: str | None) -> None:
    # "skewed": the world clock stands months before ours; resets follow the token's clock.
    world = make_world(limits={"spike": 100, "spike_window_s": 0.5}, now=world_now)
    conn = connect(world)
    ids = [20_000 + n for n in range(200)]
    async with dmsa_client(conn) as client:
        users = await client.gather(
            (client.get(f"/rest/v1.3/companies/101/users/{uid}") for uid in ids),
            limit=FAN_OUT_LIMIT,
        )
    assert [u["id"] for u in users] == ids
    assert client.stats.rate_limited == 0 and conn.emulator.stats.throttled == 0
    # Whether the spike window binds in real time depends on the machine's speed: on a busy
    # machine 100 requests may take longer than the window. Where the emulator's bucket came
    # within the client's concurrency of empty, going on without a wait would have met a
    # 429, so the client must have waited; elsewhere there was nothing to wait for.
    lowest = conn.emulator.stats.lowest_remaining
    assert lowest is not None
    if lowest <= FAN_OUT_LIMIT:
        assert client.stats.rate_limit_waits > 0


async def test_user_token_follows_a_skewed_server_clock_from_date(connect: Connect) -> None:
    # A user token has no token answer to learn the server's clock from: the Date header
    # of the first answer must teach it before the window runs out.
    world = make_world(limits={"spike": 30, "spike_window_s": 1}, now="2025-02-15T12:00:00Z")
    conn = connect(world)
    ids = [20_000 + n for n in range(90)]
    env = environment_from_options(api_base=conn.base_url)
    async with ProcoreClient(
        env, UserToken(ADMIN_TOKEN), company_id=101, transport=conn.transport
    ) as client:
        users = await client.gather(
            (client.get(f"/rest/v1.3/companies/101/users/{uid}") for uid in ids), limit=16
        )
    assert [u["id"] for u in users] == ids
    assert client.stats.rate_limited == 0 and conn.emulator.stats.throttled == 0
    assert client.stats.rate_limit_waits > 0


async def test_short_lived_token_is_renewed_transparently(connect: Connect) -> None:
    clock = ManualClock(at=1_760_000_000.0)
    conn = connect(make_world(limits={"token_lifetime_s": 2}), clock=clock)
    async with dmsa_client(conn, clock=clock.now) as client:
        for _ in range(12):
            me = await client.me()
            assert me["id"] == 9100
            clock.advance(0.5)
    assert client.stats.tokens_fetched >= 3
    assert client.stats.renewals_after_401 == 0


async def test_expired_token_met_by_surprise_is_renewed_once(connect: Connect) -> None:
    clock = ManualClock(at=1_760_000_000.0)
    conn = connect(make_world(limits={"token_lifetime_s": 2}), clock=clock)
    client_time = [clock.now()]
    async with dmsa_client(conn, clock=lambda: client_time[0]) as client:
        await client.me()
        clock.advance(5)  # the server's clock moved on, ours did not: the 401 is a surprise
        assert (await client.me())["id"] == 9100
    assert client.stats.renewals_after_401 == 1


async def test_pagination_follows_the_server_cap(connect: Connect) -> None:
    conn = connect(make_world(limits={"max_per_page": 40}))
    async with dmsa_client(conn) as client:
        users = await client.get_all("/rest/v1.3/companies/101/users")
    assert len(users) == USERS + 3
    assert len({u["id"] for u in users}) == len(users)
    assert client.stats.pages == 8  # ceil(303 / 40): the server's cap, accepted
    assert client.stats.total_mismatches == 0


class ExchangeLog(httpx.AsyncBaseTransport):
    """The emulator's transport, noting when each page is asked for and when answered."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.events: list[tuple[str, str]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        page = request.url.params.get("page", "")
        self.events.append(("asked", page))
        response = await self.inner.handle_async_request(request)
        self.events.append(("answered", page))
        return response


async def test_later_pages_are_asked_for_before_page_two_answers() -> None:
    # The emulator sends Total, Per-Page and rel="last" as Procore does, so once page 1 is
    # in, pages 2-8 go out together instead of each waiting for the one before.
    world = make_world(limits={"max_per_page": 40, "latency_ms": 5})
    emulator = Emulator(world)
    log = ExchangeLog(emulator.async_transport())
    env = environment_from_options(api_base="https://emulator.invalid")
    async with ProcoreClient(env, UserToken(ADMIN_TOKEN), transport=log) as client:
        users = await client.get_all("/rest/v1.3/companies/101/users", company_id=101)
    assert len({u["id"] for u in users}) == len(users) == USERS + 3
    asked = [page for event, page in log.events if event == "asked"]
    assert sorted(asked, key=int) == [str(n) for n in range(1, 9)]  # each page once
    page_two_answered = log.events.index(("answered", "2"))
    assert {page for event, page in log.events[:page_two_answered] if event == "asked"} == {
        str(n) for n in range(1, 9)
    }
    assert emulator.stats.requests == 8 and client.stats.total_mismatches == 0


async def test_projects_v11_asks_its_documented_maximum(connect: Connect) -> None:
    conn = connect(make_world(limits={"max_per_page": 1000}))
    async with dmsa_client(conn) as client:
        projects = await client.get_all("/rest/v1.1/projects", params={"company_id": 101})
    assert len(projects) == 40
    assert conn.emulator.stats.paths["/rest/v1.1/projects"] == 1


async def test_company_id_header_sent_on_me_and_companies(connect: Connect) -> None:
    conn = connect(make_world())
    async with dmsa_client(conn) as client:
        me = await client.me()
        companies = await client.companies()
    assert me["id"] == 9100
    assert [c["id"] for c in companies] == [101]  # 102 is disconnected
    env = environment_from_options(api_base=conn.base_url)
    async with ProcoreClient(env, UserToken(ADMIN_TOKEN), transport=conn.transport) as admin:
        assert (await admin.me())["id"] == 42  # a user token may omit the header


async def test_disconnected_app_is_app_not_connected(connect: Connect) -> None:
    conn = connect(make_world())
    async with dmsa_client(conn) as client:
        with pytest.raises(errors.AppNotConnectedError) as info:
            await client.get("/rest/v1.3/companies/102/users", company_id=102)
    assert info.value.status == 403 and info.value.company_id == 102
    assert "App is not connected to this company" in str(info.value)


async def test_unknown_resource_is_not_found(connect: Connect) -> None:
    conn = connect(make_world())
    async with dmsa_client(conn) as client:
        with pytest.raises(errors.NotFoundError) as info:
            await client.get("/rest/v1.3/companies/101/users/777")
    assert info.value.status == 404 and "/companies/101/users/777" in info.value.request


async def test_invalid_user_token_is_an_authentication_error(connect: Connect) -> None:
    conn = connect(make_world())
    env = environment_from_options(api_base=conn.base_url)
    async with ProcoreClient(env, UserToken("not-a-real-token"), transport=conn.transport) as c:
        with pytest.raises(errors.AuthenticationError) as info:
            await c.me()
    assert info.value.status == 401
    assert "not-a-real-token" not in str(info.value)


async def test_service_account_refused_after_sunset(connect: Connect) -> None:
    conn = connect(make_world(now="2025-04-01T12:00:00Z"))
    env = environment_from_options(api_base=conn.base_url)
    client = ProcoreClient(
        env, ClientCredentials(TSA_ID, TSA_SECRET), company_id=101, transport=conn.transport
    )
    async with client:
        with pytest.raises(errors.CredentialsRejectedError) as info:
            await client.me()
    text = str(info.value)
    assert "invalid_client" in text and "/oauth/token" in text
    assert TSA_SECRET not in text
    assert info.value.exit_code == errors.EXIT_PROCORE


async def test_service_account_works_before_sunset(connect: Connect) -> None:
    conn = connect(make_world(now="2025-02-15T12:00:00Z"))
    env = environment_from_options(api_base=conn.base_url)
    client = ProcoreClient(
        env,
        ClientCredentials(TSA_ID, TSA_SECRET),
        company_id=101,
        transport=conn.transport,
        retry=RetryPolicy(max_attempts=2),
    )
    async with client:
        assert (await client.me())["id"] == 9001
        assert len(await client.get_all("/rest/v1.1/projects", params={"company_id": 101})) == 0
