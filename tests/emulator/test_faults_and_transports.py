"""Faults are deterministic; both transports (in-process and loopback) behave alike."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from dmsa_migrate.emulator import Emulator, serve_in_thread
from dmsa_migrate.emulator import transport as transport_module

from .conftest import Api, small_world


def _statuses(api: Api, count: int) -> list[str]:
    seen = []
    for _ in range(count):
        try:
            seen.append(str(api.get("/rest/v1.0/companies", "admin-token").status_code))
        except httpx.TransportError as exc:
            seen.append(type(exc).__name__)
    return seen


def test_faults_are_deterministic_for_a_seed(make_api: Callable[..., Api]) -> None:
    faults = {"error_rate": 0.2, "throttle_rate": 0.1, "drop_rate": 0.1, "seed": 11}
    limits = {"spike": 10_000, "hourly": 10_000}
    first = _statuses(make_api(small_world(limits, faults)), 60)
    second = _statuses(make_api(small_world(limits, faults)), 60)
    other = _statuses(make_api(small_world(limits, {**faults, "seed": 12})), 60)
    assert first == second
    assert first != other
    kinds = set(first)
    assert {"200", "429"} <= kinds
    assert kinds & {"500", "502", "503"}
    assert kinds & {"ReadError", "RemoteProtocolError"}


def test_faults_spare_the_login_host(make_api: Callable[..., Api]) -> None:
    api = make_api(small_world(faults={"error_rate": 1.0}))
    assert api.token("dmsa-client", "dmsa-secret")
    assert api.get("/rest/v1.0/companies", "admin-token").status_code in (500, 502, 503)
    assert api.emu.stats.faults == 1


def _flow(client: httpx.Client) -> dict[str, Any]:
    token = client.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": "dmsa-client",
            "client_secret": "dmsa-secret",
        },
    ).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}", "Procore-Company-Id": "101"}
    companies = client.get("/rest/v1.0/companies", headers=headers)
    projects = client.get(
        "/rest/v1.1/projects", headers=headers, params={"company_id": 101, "per_page": 1}
    )
    return {
        "companies": companies.json(),
        "projects": projects.json(),
        "next": projects.links["next"]["url"],
        "total": projects.headers["Total"],
    }


def test_loopback_server_answers_like_the_transport() -> None:
    inprocess = Emulator(small_world())
    with httpx.Client(
        base_url="https://emulator.invalid", transport=inprocess.sync_transport()
    ) as c:
        expected = _flow(c)
    served = Emulator(small_world())
    with serve_in_thread(served) as base_url, httpx.Client(base_url=base_url) as c:
        got = _flow(c)
    assert base_url.startswith("http://127.0.0.1:")
    assert got["companies"] == expected["companies"] and got["projects"] == expected["projects"]
    assert got["total"] == expected["total"] == "2"
    assert got["next"].startswith(base_url + "/rest/v1.1/projects?")
    assert served.stats.tokens_issued == 1


def test_loopback_drop_closes_the_connection() -> None:
    emu = Emulator(small_world(faults={"drop_rate": 1.0}))
    with (
        serve_in_thread(emu) as base_url,
        httpx.Client(base_url=base_url) as c,
        pytest.raises(httpx.TransportError),
    ):
        c.get("/rest/v1.0/companies", headers={"Authorization": "Bearer admin-token"})
    assert emu.stats.dropped == 1


@pytest.mark.anyio
async def test_async_transport_applies_latency_and_drops(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The latency is observed as the wait the transport asks the event loop for, not with a
    # clock: a busy machine can only make a wall-clock reading longer, never prove the wait.
    waits: list[float] = []
    real_sleep = asyncio.sleep

    async def recorded_sleep(delay: float) -> None:
        waits.append(delay)
        await real_sleep(0)

    monkeypatch.setattr(transport_module.asyncio, "sleep", recorded_sleep)
    emu = Emulator(small_world(limits={"latency_ms": 30}, faults={"drop_rate": 1.0}))
    async with httpx.AsyncClient(
        base_url="https://emulator.invalid", transport=emu.async_transport()
    ) as c:
        ok = await c.get("/rest/v1.0/nothing")  # unknown path: 404, no fault, still latency
        assert ok.status_code == 404
        assert waits == [pytest.approx(0.03)]
        with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
            await c.get("/rest/v1.0/companies", headers={"Authorization": "Bearer admin-token"})


@pytest.mark.anyio
async def test_connect_fixture_serves_both_modes(connect: Callable[..., Any]) -> None:
    conn = connect(small_world())
    async with httpx.AsyncClient(base_url=conn.base_url, transport=conn.transport) as client:
        response = await client.get(
            "/rest/v1.0/companies", headers={"Authorization": "Bearer admin-token"}
        )
    assert [c["id"] for c in response.json()] == [101, 202]
    assert conn.emulator.stats.requests == 1
