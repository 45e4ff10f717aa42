"""A small world used by the emulator's contract tests, and raw-httpx helpers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from dmsa_migrate.emulator import Emulator, ManualClock, World, parse_world

NOW = dt.datetime(2025, 2, 15, 12, 0, tzinfo=dt.UTC).timestamp()
BASE = "https://emulator.invalid"

SMALL_WORLD = """
[world]
name = "Small"
now = "2025-02-15T12:00:00Z"
login_user = 42

[limits]
max_per_page = 100
token_lifetime_s = 5400

[[companies]]
id = 101
name = "Acme Builders"

[[companies]]
id = 202
name = "Bayview"

[[projects]]
id = 1001
company_id = 101
name = "Harbor Tower"

[[projects]]
id = 1002
company_id = 101
name = "Riverside Medical"

[[projects]]
id = 1003
company_id = 101
name = "Northgate School"

[[projects]]
id = 1004
company_id = 101
name = "Pier 9"

[[projects]]
id = 1005
company_id = 101
name = "Old Depot"
active = false

[[projects]]
id = 2001
company_id = 202
name = "Bay Bridge"

[[templates]]
id = 501
company_id = 101
name = "Integration (read)"
type = "project"
levels = { rfi = "readonly", daily_log = "standard" }

[[templates]]
id = 502
company_id = 101
name = "Integration (company)"
type = "company"
levels = { documents = "readonly", directory = "readonly" }

[[templates]]
id = 503
company_id = 101
name = "Manual admin"
type = "project"
levels = { rfi = "admin" }

[[users]]
id = 42
name = "Ada Admin"
email = "ada@acme.example"
last_login_at = "2025-02-01T08:00:00Z"

[[users]]
id = 77
name = "Bob Builder"
email = "bob@acme.example"

[[users]]
id = 9001
name = "ERP Sync"
email = "a1b2c3@procore.com"
kind = "service_account"

[[users]]
id = 9002
name = "Old Sync"
email = "d4e5f6@procore.com"
kind = "service_account"

[[users]]
id = 9100
name = "Acme Sync DMSA"
email = "acme-sync-x1@procore.com"
kind = "dmsa"

[[users]]
id = 9200
name = "Acme Sync DMSA"
email = "acme-sync-x2@procore.com"
kind = "dmsa"

[[directory]]
user_id = 42
company_id = 101
directory_admin = true

[[directory]]
user_id = 42
company_id = 202
directory_admin = true

[[directory]]
user_id = 77
company_id = 101

[[directory]]
user_id = 9001
company_id = 101
company_template_id = 502

[[directory]]
user_id = 9002
company_id = 101

[[directory]]
user_id = 9100
company_id = 101
add_to_new_projects = true

[[directory]]
user_id = 9200
company_id = 202

[[memberships]]
user_id = 9001
project_id = 1001
template_id = 501

[[memberships]]
user_id = 9001
project_id = 1002
template_id = 501

[[memberships]]
user_id = 77
project_id = 1001
template_id = 501

[[memberships]]
user_id = 9100
project_id = 1003
template_id = 503

[[service_accounts]]
client_id = "tsa-client"
client_secret = "tsa-secret"
user_id = 9001
company_id = 101

[[service_accounts]]
client_id = "old-client"
client_secret = "old-secret"
user_id = 9002
company_id = 101
revoked = true

[[apps]]
client_id = "dmsa-client"
client_secret = "dmsa-secret"
name = "Acme Sync"
permissions = { company = { directory = "readonly" }, project = { rfi = "standard" } }

[[installations]]
app_client_id = "dmsa-client"
company_id = 101
user_id = 9100
permitted_projects = [1001, 1003]

[[installations]]
app_client_id = "dmsa-client"
company_id = 202
user_id = 9200
permitted_projects = [2001]
status = "disconnected"

[[user_tokens]]
token = "admin-token"
user_id = 42

[[user_tokens]]
token = "bob-token"
user_id = 77
"""


def small_world(
    limits: dict[str, Any] | None = None, faults: dict[str, Any] | None = None
) -> World:
    world = parse_world(SMALL_WORLD, "small.toml")
    data = world.model_dump()
    data["limits"].update(limits or {})
    data["faults"].update(faults or {})
    return World.model_validate(data)


class Api:
    """A raw httpx client on the emulator's sync transport, with a manual clock."""

    def __init__(self, world: World) -> None:
        self.clock = ManualClock(NOW)
        self.emu = Emulator(world, clock=self.clock)
        self.http = httpx.Client(base_url=BASE, transport=self.emu.sync_transport())

    def token(self, client_id: str, secret: str) -> str:
        response = self.http.post(
            "/oauth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": client_id,
                "client_secret": secret,
            },
        )
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])

    def get(
        self, path: str, token: str, company: int | None = None, **params: Any
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"}
        if company is not None:
            headers["Procore-Company-Id"] = str(company)
        return self.http.get(path, headers=headers, params=params)


@pytest.fixture
def make_api() -> Iterator[Callable[..., Api]]:
    made: list[Api] = []

    def factory(world: World | None = None) -> Api:
        api = Api(world or small_world())
        made.append(api)
        return api

    yield factory
    for api in made:
        api.http.close()


@pytest.fixture
def api(make_api: Callable[..., Api]) -> Api:
    return make_api()
