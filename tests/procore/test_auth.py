"""Tokens: fetched once, renewed ahead of expiry and after a 401, never shown."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from dmsa_migrate import errors
from dmsa_migrate.procore import ClientCredentials, authorization_url, exchange_code, refresh_tokens

from ._fakes import (
    CLIENT_ID,
    ENV,
    SECRET,
    FakeTime,
    form,
    json_answer,
    make_client,
    token_answer,
    with_token,
)

pytestmark = pytest.mark.anyio


class TokenServer:
    """Issues numbered tokens with a given lifetime and accepts only the newest."""

    def __init__(self, fake: FakeTime, lifetime: int = 100) -> None:
        self.fake = fake
        self.lifetime = lifetime
        self.issued = 0
        self.token_forms: list[dict[str, str]] = []
        self.expires_at = 0.0
        self.gate: asyncio.Event | None = None

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/token":
            if self.gate is not None:
                await self.gate.wait()
            self.token_forms.append(form(request))
            self.issued += 1
            self.expires_at = self.fake.now + self.lifetime
            return token_answer(f"tok-{self.issued}", self.lifetime)
        expected = f"Bearer tok-{self.issued}"
        if request.headers.get("Authorization") != expected or self.fake.now >= self.expires_at:
            return json_answer(401, {"error": "The access token is invalid"})
        return json_answer(200, {"id": 1, "token": request.headers["Authorization"][7:]})


async def test_token_is_form_encoded_and_reused() -> None:
    fake = FakeTime()
    server = TokenServer(fake)
    async with make_client(server, fake) as client:  # type: ignore[arg-type]
        for _ in range(3):
            await client.me()
    assert server.token_forms == [
        {"grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": SECRET}
    ]
    assert client.stats.tokens_fetched == 1
    assert client.stats.requests == 4


async def test_token_renewed_ahead_of_expires_in_not_a_fixed_lifetime() -> None:
    fake = FakeTime()
    server = TokenServer(fake, lifetime=100)
    async with make_client(server, fake) as client:  # type: ignore[arg-type]
        assert (await client.me())["token"] == "tok-1"
        fake.now += 75  # 25 s left: outside the renewal margin (20% of 100 s)
        assert (await client.me())["token"] == "tok-1"
        fake.now += 6  # 19 s left: renew before the server would refuse it
        assert (await client.me())["token"] == "tok-2"
    assert client.stats.renewals_after_401 == 0
    assert client.stats.tokens_fetched == 2


async def test_one_renewal_under_concurrency() -> None:
    fake = FakeTime()
    server = TokenServer(fake)
    server.gate = asyncio.Event()
    async with make_client(server, fake) as client:  # type: ignore[arg-type]
        calls = asyncio.gather(*(client.me() for _ in range(20)))
        await asyncio.sleep(0.01)
        server.gate.set()
        results = await calls
    assert server.issued == 1
    assert {r["token"] for r in results} == {"tok-1"}


async def test_a_401_renews_the_token_once_and_resends() -> None:
    fake = FakeTime()
    server = TokenServer(fake)
    async with make_client(server, fake) as client:  # type: ignore[arg-type]
        await client.me()
        server.expires_at = fake.now  # the server revoked tok-1 early
        result = await client.me()
    assert result["token"] == "tok-2"
    assert client.stats.renewals_after_401 == 1


async def test_a_second_401_is_an_authentication_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return json_answer(401, {"error": "The access token is invalid"})

    async with make_client(with_token(handler)) as client:
        with pytest.raises(errors.AuthenticationError, match="access token is invalid") as info:
            await client.me()
    assert client.stats.tokens_fetched == 2
    assert info.value.status == 401


async def test_user_token_is_sent_as_is_and_a_401_is_final() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["Authorization"])
        return json_answer(401, {"error": "The access token is invalid"})

    async with make_client(handler, user_token=True) as client:
        with pytest.raises(errors.AuthenticationError):
            await client.me()
    assert seen == ["Bearer user-token-xyz"]
    assert client.stats.tokens_fetched == 0


async def test_refused_credentials_carry_oauth_error_not_the_secret() -> None:
    def refuse() -> httpx.Response:
        return json_answer(
            401, {"error": "invalid_client", "error_description": "Client authentication failed"}
        )

    async with make_client(with_token(lambda r: json_answer(200, {}), refuse)) as client:
        with pytest.raises(errors.CredentialsRejectedError) as info:
            await client.me()
    text = str(info.value)
    assert "invalid_client: Client authentication failed" in text
    assert "POST https://login.test/oauth/token" in text
    assert SECRET not in text and SECRET not in repr(info.value.args)
    assert SECRET not in repr(ClientCredentials(CLIENT_ID, SECRET))


async def test_code_exchange_and_refresh_rotate_the_refresh_token() -> None:
    forms: list[dict[str, str]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        forms.append(form(request))
        n = len(forms)
        return json_answer(
            200,
            {
                "access_token": f"a{n}",
                "refresh_token": f"r{n}",
                "expires_in": 5400,
                "token_type": "bearer",
                "created_at": 1,
            },
        )

    creds = ClientCredentials(CLIENT_ID, SECRET)
    transport = httpx.MockTransport(handler)
    first = await exchange_code(ENV, creds, "code-1234", "http://localhost", transport=transport)
    second = await refresh_tokens(
        ENV, creds, first.refresh_token or "", "http://localhost", transport=transport
    )
    assert (first.access_token, first.refresh_token) == ("a1", "r1")
    assert (second.access_token, second.refresh_token) == ("a2", "r2")
    assert forms[0]["grant_type"] == "authorization_code" and forms[0]["code"] == "code-1234"
    assert forms[1]["grant_type"] == "refresh_token" and forms[1]["refresh_token"] == "r1"
    assert "a2" not in repr(second) and "r2" not in repr(second)


async def test_refresh_is_never_resent_after_a_server_error() -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return json_answer(500, {"errors": "boom"})

    with pytest.raises(errors.ServerError):
        await refresh_tokens(
            ENV,
            ClientCredentials(CLIENT_ID, SECRET),
            "r-old-token",
            "http://localhost",
            transport=httpx.MockTransport(handler),
        )
    assert calls == 1


def test_authorization_url() -> None:
    url = authorization_url(ENV, CLIENT_ID, "http://localhost", state="xyz")
    assert url == (
        "https://login.test/oauth/authorize?response_type=code&client_id=client-abc-123456"
        "&redirect_uri=http%3A%2F%2Flocalhost&state=xyz"
    )
