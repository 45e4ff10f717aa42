"""A company that cannot be read does not stop the others; the partial result survives."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from dmsa_migrate.emulator import load_world
from dmsa_migrate.errors import CredentialsRejectedError, InputError
from dmsa_migrate.models.inventory import Inventory
from dmsa_migrate.procore import ClientCredentials, ClientEvent
from dmsa_migrate.runtime import Connection
from dmsa_migrate.verify import VerificationIncomplete, verify_install

from .conftest import DEMO_MANIFEST, DMSA_ID, codes, company, demo_inventory, factory

pytestmark = pytest.mark.anyio


class FailCompany(httpx.AsyncBaseTransport):
    """Answers 400 to every API call in one company except the companies listing."""

    def __init__(self, inner: httpx.AsyncBaseTransport, company_id: int) -> None:
        self.inner = inner
        self.company_id = str(company_id)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if (
            request.headers.get("Procore-Company-Id") == self.company_id
            and request.url.path != "/rest/v1.0/companies"
        ):
            return httpx.Response(400, json={"errors": "boom"}, request=request)
        return await self.inner.handle_async_request(request)


def failing_connection(conn: Any, company_id: int) -> Connection:
    base = factory(conn)
    assert base.transport is not None
    return Connection(base.environment, FailCompany(base.transport, company_id))


async def test_one_failing_company_gives_a_partial_result(inprocess: Any) -> None:
    conn = inprocess(load_world("demo"))
    with pytest.raises(VerificationIncomplete) as caught:
        await verify_install(
            demo_inventory(), failing_connection(conn, 202),
            ClientCredentials(DMSA_ID, "dmsa-secret-acme-sync-7c3e9a1f5b2d"),
            expected=DEMO_MANIFEST,
        )
    error = caught.value
    assert error.exit_code == 3
    assert "company 202" in error.message and "GET " in error.message and "400" in error.message
    partial = error.partial
    assert partial.complete is False and partial.ok is False
    assert company(partial, 101).missing_projects == [1008]  # the others were finished
    assert company(partial, 303).status == "disconnected"
    assert codes(company(partial, 202)) == ["company_not_read"]


async def test_wrong_dmsa_secret_is_a_procore_error_without_the_secret(inprocess: Any) -> None:
    conn = inprocess(load_world("demo"))
    with pytest.raises(CredentialsRejectedError) as caught:
        await verify_install(
            demo_inventory(), factory(conn), ClientCredentials(DMSA_ID, "not-the-secret-xyz")
        )
    assert "not-the-secret-xyz" not in str(caught.value)


async def test_no_company_to_verify_is_bad_input(inprocess: Any) -> None:
    conn = inprocess(load_world("demo"))
    with pytest.raises(InputError, match="--company-id"):
        await verify_install(
            Inventory(), factory(conn), ClientCredentials(DMSA_ID, "x-secret-value")
        )


async def test_progress_reports_every_company(inprocess: Any) -> None:
    conn = inprocess(load_world("demo"))
    seen: list[Any] = []
    events: list[ClientEvent] = []
    await verify_install(
        demo_inventory(), factory(conn),
        ClientCredentials(DMSA_ID, "dmsa-secret-acme-sync-7c3e9a1f5b2d"),
        on_progress=seen.append, on_event=events.append,
    )
    assert seen[-1].done == seen[-1].total == 3
    assert {p.message for p in seen[1:]} == {
        "company 101: installed", "company 202: installed", "company 303: disconnected"
    }
    assert sum(e.kind == "request" for e in events) > 0


