"""Credentials and access tokens.

Two kinds of credential reach the client:

* :class:`ClientCredentials` (a DMSA, or an old traditional service account): the client
  asks ``POST /oauth/token`` for a token with ``grant_type=client_credentials``, keeps it,
  and asks again shortly before ``expires_in`` runs out. There is no refresh token.
* :class:`UserToken`: a person's bearer token (an admin's token, or the result of
  ``dmsa-migrate login``). It cannot be renewed here; a 401 is final.

:func:`exchange_code` and :func:`refresh_tokens` serve the ``login`` command: a refresh
rotates the refresh token (the old one dies on use, even when the answer is lost), so they
are never retried and they persist nothing: the caller stores the returned pair at once.

Every secret and token is registered with :data:`dmsa_migrate.secrets.REDACTOR` on sight,
and reprs never show them.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from dmsa_migrate import errors
from dmsa_migrate.procore._errors import (
    credentials_rejected,
    describe_request,
    error_for_response,
    transport_error,
)
from dmsa_migrate.procore.answers import Answer, answer_json, receive
from dmsa_migrate.procore.environments import Environment
from dmsa_migrate.procore.ratelimit import Clock
from dmsa_migrate.secrets import REDACTOR, mask_client_id

TOKEN_PATH = "/oauth/token"
AUTHORIZE_PATH = "/oauth/authorize"
OUT_OF_BAND_REDIRECT = "urn:ietf:wg:oauth:2.0:oob"
_REFUSED_STATUSES = frozenset({400, 401, 403})

PostForm = Callable[[str, dict[str, str]], Awaitable[Answer]]
"""Sends a form-encoded POST to a login-host URL (the client adds retries and pacing)."""


@dataclass(frozen=True)
class ClientCredentials:
    """A client id and its (already resolved) secret; the secret never shows in a repr."""

    client_id: str
    client_secret: str = field(repr=False)

    def __post_init__(self) -> None:
        REDACTOR.add(self.client_secret)

    def __repr__(self) -> str:
        return f"ClientCredentials(client_id={mask_client_id(self.client_id)!r})"


@dataclass(frozen=True)
class UserToken:
    """A person's bearer access token, used as it is."""

    access_token: str = field(repr=False)

    def __post_init__(self) -> None:
        REDACTOR.add(self.access_token)

    def __repr__(self) -> str:
        return "UserToken(«redacted»)"


Credentials = ClientCredentials | UserToken


@dataclass(frozen=True)
class TokenSet:
    """A token endpoint answer. ``obtained_at`` is our clock when the request went out."""

    access_token: str = field(repr=False)
    expires_in: float
    obtained_at: float
    refresh_token: str | None = field(default=None, repr=False)
    token_type: str = "bearer"
    created_at: int | None = None

    @property
    def expires_at(self) -> float:
        """Our clock time at which the token stops working."""
        return self.obtained_at + self.expires_in


def parse_token_response(response: Answer, obtained_at: float) -> TokenSet:
    """Read a token endpoint answer; refused grants raise with OAuth's error, no secret.

    Raises:
        CredentialsRejectedError: 400/401/403 from the token endpoint.
        ApiError: another error status (after the caller's retries).
    """
    if response.status_code in _REFUSED_STATUSES:
        raise credentials_rejected(response)
    if response.status_code >= 400:
        raise error_for_response(response)
    body = _json_object(response)
    token = body.get("access_token")
    if not isinstance(token, str) or not token:
        raise errors.ApiError(
            describe_request(response.request), response.status_code, "no access_token in answer"
        )
    REDACTOR.add(token)
    refresh = body.get("refresh_token")
    if isinstance(refresh, str):
        REDACTOR.add(refresh)
    created = body.get("created_at")
    return TokenSet(
        access_token=token,
        expires_in=_expires_in(body.get("expires_in")),
        obtained_at=obtained_at,
        refresh_token=refresh if isinstance(refresh, str) else None,
        token_type=str(body.get("token_type", "bearer")),
        created_at=created if isinstance(created, int) else None,
    )


def _json_object(response: Answer) -> dict[str, Any]:
    try:
        body = answer_json(response)
    except errors.AnswerError:
        body = None
    if not isinstance(body, dict):
        raise errors.ApiError(
            describe_request(response.request), response.status_code, "token answer is not JSON"
        )
    return body


def _expires_in(value: object) -> float:
    """``expires_in`` as seconds; an absent or odd value counts as already short-lived."""
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        return float(value)
    if isinstance(value, str) and value.isdigit():
        return float(value)
    return 60.0


class TokenManager:
    """Hands out a valid bearer token; renews client-credentials tokens when needed.

    A token is renewed ahead of its expiry (``renew_ahead`` of its lifetime, at most
    ``max_renew_ahead_s`` seconds early) and when a request met a 401 with it. One renewal
    runs at a time: concurrent callers wait on the lock and then find the fresh token.
    """

    def __init__(
        self,
        credentials: Credentials,
        environment: Environment,
        post_form: PostForm,
        *,
        clock: Clock,
        renew_ahead: float = 0.2,
        max_renew_ahead_s: float = 300.0,
        on_token: Callable[[TokenSet], None] | None = None,
    ) -> None:
        self.credentials = credentials
        self._environment = environment
        self._post_form = post_form
        self._clock = clock
        self._renew_ahead = renew_ahead
        self._max_renew_ahead_s = max_renew_ahead_s
        self._on_token = on_token
        self._lock = asyncio.Lock()
        self._current: TokenSet | None = None

    @property
    def is_client_credentials(self) -> bool:
        """Client-credentials tokens need ``Procore-Company-Id`` everywhere."""
        return isinstance(self.credentials, ClientCredentials)

    @property
    def principal(self) -> str:
        """A stable, non-secret name for the caller (rate-limit buckets are keyed by it)."""
        if isinstance(self.credentials, ClientCredentials):
            return f"client:{self.credentials.client_id}"
        return f"user-token:{id(self.credentials):x}"

    async def token(self) -> str:
        """A bearer token valid for a while yet, fetching one if needed."""
        if isinstance(self.credentials, UserToken):
            return self.credentials.access_token
        current = self._current
        if current is not None and not self._due(current):
            return current.access_token
        async with self._lock:
            current = self._current
            if current is None or self._due(current):
                current = await self._fetch(self.credentials)
            return current.access_token

    async def renew(self, rejected: str) -> bool:
        """The server refused token ``rejected``; get another. ``False``: cannot renew."""
        if isinstance(self.credentials, UserToken):
            return False
        async with self._lock:
            current = self._current
            if current is None or current.access_token == rejected:
                await self._fetch(self.credentials)
        return True

    def _due(self, token: TokenSet) -> bool:
        ahead = min(self._max_renew_ahead_s, token.expires_in * self._renew_ahead)
        return self._clock() >= token.expires_at - ahead

    async def _fetch(self, credentials: ClientCredentials) -> TokenSet:
        started = self._clock()
        response = await self._post_form(
            self._environment.login_url(TOKEN_PATH),
            {
                "grant_type": "client_credentials",
                "client_id": credentials.client_id,
                "client_secret": credentials.client_secret,
            },
        )
        self._current = parse_token_response(response, started)
        if self._on_token is not None:
            self._on_token(self._current)
        return self._current


def authorization_url(
    environment: Environment, client_id: str, redirect_uri: str, state: str | None = None
) -> str:
    """The browser URL where a user approves the app (authorization-code grant)."""
    params = {"response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri}
    if state is not None:
        params["state"] = state
    return str(httpx.URL(environment.login_url(AUTHORIZE_PATH), params=params))


async def exchange_code(
    environment: Environment,
    credentials: ClientCredentials,
    code: str,
    redirect_uri: str,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    timeout: float = 30.0,
    clock: Clock | None = None,
) -> TokenSet:
    """Trade a one-time authorization code for an access and a refresh token."""
    REDACTOR.add(code)
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
    return await _single_grant(environment, credentials, form, transport, timeout, clock)


async def refresh_tokens(
    environment: Environment,
    credentials: ClientCredentials,
    refresh_token: str,
    redirect_uri: str,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    timeout: float = 30.0,
    clock: Clock | None = None,
) -> TokenSet:
    """Use a refresh token once: the answer holds a new access token AND a new refresh token.

    The old refresh token is dead after this call whatever happens, so the caller must
    save the returned pair immediately (and atomically).
    """
    REDACTOR.add(refresh_token)
    form = {
        "grant_type": "refresh_token",
        "refresh_token": refresh_token,
        "redirect_uri": redirect_uri,
    }
    return await _single_grant(environment, credentials, form, transport, timeout, clock)


async def _single_grant(
    environment: Environment,
    credentials: ClientCredentials,
    form: dict[str, str],
    transport: httpx.AsyncBaseTransport | None,
    timeout: float,
    clock: Clock | None,
) -> TokenSet:
    """One un-retried token request: single-use codes and refresh tokens must not be resent."""
    now = clock or time.time
    data = {**form, "client_id": credentials.client_id, "client_secret": credentials.client_secret}
    started = now()
    async with httpx.AsyncClient(transport=transport, timeout=timeout) as http:
        request = http.build_request("POST", environment.login_url(TOKEN_PATH), data=data)
        try:
            response = await receive(http, request)
        except httpx.TransportError as exc:
            raise transport_error(request, exc) from exc
    return parse_token_response(response, started)
