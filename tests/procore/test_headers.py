"""``Procore-Company-Id``: always for client credentials, optional on /me and /companies
for user tokens; the bearer token goes on every API call."""

from __future__ import annotations

import httpx
import pytest

from dmsa_migrate.errors import InputError

from ._fakes import json_answer, make_client, with_token

pytestmark = pytest.mark.anyio


def recorder() -> tuple[list[httpx.Request], object]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return json_answer(200, [] if request.url.path.endswith("companies") else {"id": 1})

    return seen, handler


async def test_client_credentials_send_company_id_on_me_and_companies() -> None:
    seen, handler = recorder()
    async with make_client(with_token(handler), company_id=101) as client:  # type: ignore[arg-type]
        await client.me()
        await client.companies()
        await client.get("/rest/v1.0/projects", company_id=202)
    assert [r.headers.get("Procore-Company-Id") for r in seen] == ["101", "101", "202"]
    assert all(r.headers["Authorization"].startswith("Bearer tok-") for r in seen)


async def test_client_credentials_without_company_id_is_refused_before_sending() -> None:
    seen, handler = recorder()
    async with make_client(with_token(handler), company_id=None) as client:  # type: ignore[arg-type]
        with pytest.raises(InputError, match="--company-id"):
            await client.me()
    assert seen == []


async def test_user_token_may_omit_company_id_on_me() -> None:
    seen, handler = recorder()
    async with make_client(handler, user_token=True, company_id=None) as client:  # type: ignore[arg-type]
        await client.me()
        await client.companies()
        await client.get("/rest/v1.0/projects", company_id=5)
    assert [r.headers.get("Procore-Company-Id") for r in seen] == [None, None, "5"]
