"""The Date header and the rate-limit reset come from the same (world) clock."""

from __future__ import annotations

from email.utils import parsedate_to_datetime

import httpx

from dmsa_migrate.emulator import Emulator, load_world, serve_in_thread


def _token_and_get(client: httpx.Client, base: str) -> httpx.Response:
    token = client.post(
        f"{base}/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": "dmsa-acme-sync-2f6b8d4e1a9c",
            "client_secret": "dmsa-secret-acme-sync-7c3e9a1f5b2d",
        },
    ).json()["access_token"]
    return client.get(
        f"{base}/rest/v1.0/companies",
        headers={"Authorization": f"Bearer {token}", "Procore-Company-Id": "101"},
    )


def test_date_header_is_in_world_time_over_loopback() -> None:
    emulator = Emulator(load_world("demo"))
    with serve_in_thread(emulator) as base, httpx.Client() as client:
        response = _token_and_get(client, base)
    assert response.status_code == 200
    assert len(response.headers.get_list("date")) == 1
    date = parsedate_to_datetime(response.headers["date"])
    assert date.year == 2025 and date.month == 2, "the demo world's clock stands in Feb 2025"
    reset = int(response.headers["x-rate-limit-reset"])
    assert 0 <= reset - date.timestamp() <= 3600


def test_date_header_is_in_world_time_in_process() -> None:
    emulator = Emulator(load_world("demo"))
    with httpx.Client(transport=emulator.sync_transport()) as client:
        response = _token_and_get(client, "https://emulator.invalid")
    assert parsedate_to_datetime(response.headers["date"]).year == 2025
