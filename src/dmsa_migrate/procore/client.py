"""The async Procore client: the only object in the tool that sends HTTP to Procore.

One :meth:`ProcoreClient.request` goes through four steps, each in its own module:

1. pacing (:mod:`.ratelimit`): wait until the caller's rate-limit bucket has room;
2. a bearer token (:mod:`.auth`), fetched or renewed ahead of expiry, one renewal at a time;
3. the send, with ``Procore-Company-Id`` on every company-scoped call;
4. the answer: 401 → renew the token once and resend; 429 / 503 + ``Retry-After`` → hold
   the bucket as long as the server asks and resend; 5xx, timeouts and dropped
   connections → back off (:mod:`.retry`) and resend; any other error status → the
   matching :mod:`dmsa_migrate.errors` class (:mod:`._errors`).

Callers (inventory, verify, login) receive decoded JSON and :mod:`dmsa_migrate.errors`
exceptions, never httpx objects or exceptions.
"""

from __future__ import annotations

import asyncio
import functools
import json as jsonlib
import logging
import os
import random
import ssl
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable, Iterable, Mapping
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Any, Protocol, TypeVar
from urllib.parse import quote_plus, urlencode, urlsplit

import httpx

from dmsa_migrate import __version__
from dmsa_migrate.errors import InputError, PaginationError
from dmsa_migrate.procore import fanout, pagination
from dmsa_migrate.procore._errors import describe_request, error_for_response, transport_error
from dmsa_migrate.procore.answers import Answer, SentRequest, answer_json
from dmsa_migrate.procore.auth import Credentials, TokenManager, TokenSet
from dmsa_migrate.procore.environments import Environment
from dmsa_migrate.procore.pool import DEFAULT_POOL, PoolSettings
from dmsa_migrate.procore.ratelimit import Clock, RateLimiter, RateLimitInfo, Sleep
from dmsa_migrate.procore.retry import (
    IDEMPOTENT_METHODS,
    RETRYABLE_STATUSES,
    RetryPolicy,
    retry_after_seconds,
)
from dmsa_migrate.procore.stats import (
    ClientEvent,
    ClientStats,
    EventKind,
    EventListener,
    ProgressListener,
)
from dmsa_migrate.procore.wire import WireError, WireRequest

logger = logging.getLogger("dmsa_migrate.procore")

T = TypeVar("T")
R = TypeVar("R")

USER_TOKEN_EXEMPT_PATHS = frozenset({"/rest/v1.0/me", "/rest/v1.0/companies"})
"""Paths a *user* token may call without ``Procore-Company-Id`` (client credentials may not)."""

Params = Mapping[str, Any]


def default_ssl_context() -> ssl.SSLContext:
    """httpx's default certificate verification, built once per process.

    httpx builds a new SSL context for every client, loading the CA bundle each time (about
    20 ms of CPU); the inventory makes a client per old account, so it paid that per
    account. The context is the one httpx would build (``SSL_CERT_FILE``/``SSL_CERT_DIR``
    included), shared: an SSL context may serve many connections.
    """
    return _ssl_context(os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))


@functools.lru_cache(maxsize=4)
def _ssl_context(cert_file: str | None, cert_dir: str | None) -> ssl.SSLContext:
    """One context per certificate setting (the arguments key the cache, and are what
    ``httpx.create_ssl_context`` reads from the environment)."""
    return httpx.create_ssl_context()


class ProcoreClient:
    """Async client for one credential in one environment.

    Args:
        environment: where Procore is (see :func:`environment_from_options`).
        credentials: :class:`ClientCredentials` (secret already resolved) or
            :class:`UserToken`.
        company_id: the ``Procore-Company-Id`` used when a call names none.
        transport: an httpx transport (tests and the demo pass the emulator's).
        timeout: seconds for connect/read/write/pool of each request.
        retry: retry bounds and backoff (:class:`RetryPolicy`).
        per_page: page size asked for on lists (capped per endpoint and by the server).
        strict_totals: raise :class:`PaginationError` when a list disagrees with ``Total``.
        rate_limit_reserve: requests left unused in every rate-limit window.
        on_event: progress listener (:class:`ClientEvent`).
        pool: connections and exchanges in flight (:mod:`.pool`; default 16, gated).
        sleep, clock, rng: injectable for tests (UNIX-time clock; fake sleep advances it).
    """

    def __init__(
        self,
        environment: Environment,
        credentials: Credentials,
        *,
        company_id: int | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        per_page: int = pagination.DEFAULT_PER_PAGE,
        strict_totals: bool = False,
        rate_limit_reserve: int = 0,
        on_event: EventListener | None = None,
        pool: PoolSettings = DEFAULT_POOL,
        sleep: Sleep | None = None,
        clock: Clock | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.environment = environment
        self.company_id = company_id
        self.stats = ClientStats()
        self.retry = retry or RetryPolicy()
        self.per_page = max(1, per_page)
        self.strict_totals = strict_totals
        self._on_event = on_event
        self._clock: Clock = clock or time.time
        self._sleep: Sleep = sleep or asyncio.sleep
        self._rng = rng or random.Random()
        self._sender = pool.sender(
            transport,
            default_ssl_context,
            timeout,
            {"Accept": "application/json", "User-Agent": f"dmsa-migrate/{__version__}"},
        )
        self._last_date = ""
        self._gate = pool.gate()
        self._limiter = RateLimiter(
            sleep=self._sleep,
            clock=self._clock,
            reserve=rate_limit_reserve,
            on_wait=self._count_rate_limit_wait,
        )
        self.tokens = TokenManager(
            credentials,
            environment,
            self._post_token_form,
            clock=self._clock,
            on_token=self._count_token,
        )

    # -- lifecycle -----------------------------------------------------------------------

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._sender.aclose()

    async def __aenter__(self) -> ProcoreClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    # -- public calls --------------------------------------------------------------------

    async def get(
        self, path: str, *, company_id: int | None = None, params: Params | None = None
    ) -> Any:
        """``GET`` an API path and return its decoded JSON body."""
        response = await self.request("GET", path, company_id=company_id, params=params)
        return answer_json(response)

    async def me(self, *, company_id: int | None = None) -> Any:
        """``GET /rest/v1.0/me``: who the token acts as."""
        return await self.get("/rest/v1.0/me", company_id=company_id)

    async def companies(self, *, company_id: int | None = None) -> list[Any]:
        """``GET /rest/v1.0/companies``: every page of the companies the caller can see."""
        return await self.get_all("/rest/v1.0/companies", company_id=company_id)

    async def request(
        self,
        method: str,
        path_or_url: str,
        *,
        company_id: int | None = None,
        params: Params | None = None,
        json: Any = None,
    ) -> Answer:
        """Send one API request with pacing, auth, retries and error mapping.

        ``path_or_url`` is a path on the API host (``/rest/v1.0/me``) or an absolute URL on
        it (a ``Link`` target).

        Raises:
            InputError: a client-credentials call without a company id.
            ApiError: an error status (its subclass says which), after retries.
            TransportError: no answer after retries.
        """
        url = self._api_url(path_or_url)
        company = self._company_for(url, company_id)
        bucket = self._bucket(company)
        response = await self._send(
            method.upper(), url, bucket=bucket, company_id=company, params=params, json=json
        )
        if response.status_code >= 400:
            raise error_for_response(response, company)
        return response

    async def paginate(
        self,
        path: str,
        *,
        company_id: int | None = None,
        params: Params | None = None,
        per_page: int | None = None,
    ) -> AsyncIterator[list[Any]]:
        """Yield each page of a list, in order, following ``Link rel="next"`` to the end.

        The first request asks for ``per_page`` (default: the client's, capped by the
        endpoint's known maximum); later requests use the server's ``next`` URL as given,
        so a server cap (``Per-Page``) is simply accepted. When page 1's headers agree on
        the page count, the later pages are requested ahead (:class:`.pagination.PagesAhead`).
        """
        size = pagination.per_page_for(path, per_page or self.per_page)
        first_params = {**(params or {}), "page": 1, "per_page": size}
        response = await self.request("GET", path, company_id=company_id, params=first_params)
        seen = {str(response.request.url)}
        counted = 0
        page = pagination.read_page(response)
        ahead = pagination.PagesAhead(
            pagination.planned_pages(page),
            lambda url: self.request("GET", url, company_id=company_id),
        )
        try:
            while True:
                self.stats.pages += 1
                counted += len(page.items)
                if self._on_event is not None:
                    self._emit("page", describe_request(response.request))
                yield page.items
                if page.next_url is None:
                    self._check_total(response.request, counted, page.total)
                    return
                self._check_next(response, page, seen)
                seen.add(page.next_url)
                planned = ahead.take(page.next_url)
                response = await (planned if planned is not None else
                                  self.request("GET", page.next_url, company_id=company_id))
                page = pagination.read_page(response)
        finally:
            ahead.drop()

    @staticmethod
    def _check_next(response: Answer, page: pagination.Page, seen: set[str]) -> None:
        """The endless-list guards: a ``next`` that loops back, an empty page that links
        on, or more pages than one list may take."""
        if page.next_url in seen:
            raise PaginationError(describe_request(response.request), "next page loops back")
        if not page.items or len(seen) >= pagination.MAX_PAGES:
            raise PaginationError(describe_request(response.request),
                                  pagination.endless_reason(len(page.items), len(seen)))

    async def get_all(
        self,
        path: str,
        *,
        company_id: int | None = None,
        params: Params | None = None,
        per_page: int | None = None,
    ) -> list[Any]:
        """Every item of a paginated list, in server order."""
        items: list[Any] = []
        async for page in self.paginate(
            path, company_id=company_id, params=params, per_page=per_page
        ):
            items.extend(page)
        return items

    async def gather(
        self,
        awaitables: Iterable[Awaitable[T]],
        *,
        limit: int = fanout.DEFAULT_LIMIT,
        on_progress: ProgressListener | None = None,
    ) -> list[T]:
        """Await many calls with at most ``limit`` at once; results in input order."""
        return await fanout.bounded_gather(awaitables, limit=limit, on_progress=on_progress)

    async def map(
        self,
        fn: Callable[[T], Awaitable[R]],
        items: Iterable[T],
        *,
        limit: int = fanout.DEFAULT_LIMIT,
        on_progress: ProgressListener | None = None,
    ) -> list[R]:
        """``[await fn(item) for item in items]`` with at most ``limit`` at once."""
        return await fanout.bounded_map(fn, items, limit=limit, on_progress=on_progress)

    # -- the send loop -------------------------------------------------------------------

    async def _send(
        self,
        method: str,
        url: str,
        *,
        bucket: Hashable,
        company_id: int | None = None,
        params: Params | None = None,
        json: Any = None,
        data: dict[str, str] | None = None,
        authenticated: bool = True,
        resend_safe: bool | None = None,
    ) -> Answer:
        """Send until an answer is final; return it (error statuses included) or raise
        :class:`TransportError`. ``resend_safe`` (default: idempotent methods) allows
        resending after an unknown outcome (5xx, no answer)."""
        safe = method in IDEMPOTENT_METHODS if resend_safe is None else resend_safe
        started = self._clock()
        attempts = 0
        renewed = False
        target = _with_query(url, params) if params else url
        body, content_type = _body(json, data)
        while True:
            attempts += 1
            await self._limiter.acquire(bucket)
            token: str | None = None
            headers = {} if company_id is None else {"Procore-Company-Id": str(company_id)}
            if content_type is not None:
                headers["Content-Type"] = content_type
            request = WireRequest(method, target, headers, body)
            try:
                if authenticated:
                    token = await self.tokens.token()
                    headers["Authorization"] = f"Bearer {token}"
                response = await self._transmit(request)
            except (httpx.TransportError, WireError) as exc:
                self._limiter.release(bucket, None)
                wait = self.retry.backoff(attempts, self._rng)
                if not safe or not self._may_retry(attempts, started, wait):
                    raise transport_error(request, exc) from exc
                await self._backoff(wait, "retry", describe_request(request), 0)
                continue
            except BaseException:
                self._limiter.release(bucket, None)
                raise
            self._learn_server_clock(response)
            self._limiter.release(bucket, response.headers)
            status = response.status_code
            if status == 401 and token is not None and not renewed:
                renewed = True
                if await self.tokens.renew(token):
                    self.stats.renewals_after_401 += 1
                    continue
            if not await self._wait_before_resend(response, bucket, attempts, started, safe):
                return response

    def _learn_server_clock(self, response: Answer) -> None:
        """Follow the server's clock from its ``Date`` header, so its resets land right.

        ``Date`` has whole seconds and is read after the answer arrived, so the estimate
        can only err late (a slightly longer wait), never early. A ``Date`` equal to the
        last one read says nothing new (most answers of a busy second): not parsed again.
        """
        stamp = response.headers.get("date")
        if not stamp or stamp == self._last_date:
            return
        self._last_date = stamp
        try:
            server_now = parsedate_to_datetime(stamp).timestamp()
        except (TypeError, ValueError, IndexError):
            return
        self._limiter.learn_server_time(server_now)

    async def _transmit(self, request: WireRequest) -> Answer:
        """One HTTP exchange, counted and reported."""
        self.stats.requests += 1
        try:
            async with self._gate:  # never more exchanges than pooled connections
                response = await self._sender.send(request)
        except (httpx.TransportError, WireError):
            self.stats.transport_errors += 1
            self._emit("request", describe_request(request), status=0)
            raise
        if response.status_code == 429:
            self.stats.rate_limited += 1
            logger.warning("429 from %s", describe_request(request))
        elif response.status_code >= 500:
            self.stats.server_errors += 1
        if self._on_event is not None:  # describing a request is not free; skip it unheard
            self._emit("request", describe_request(request), status=response.status_code)
        return response

    async def _wait_before_resend(
        self,
        response: Answer,
        bucket: Hashable,
        attempts: int,
        started: float,
        safe: bool,
    ) -> bool:
        """Decide whether ``response`` deserves another try, and wait for it if so."""
        status = response.status_code
        if status < 400:
            return False  # the common case: nothing to decide, nothing to describe
        detail = describe_request(response.request)
        asked = retry_after_seconds(response.headers, self._clock())
        if status == 429:
            # Over the limit: the server did not act on the request, so resending is safe,
            # and every request of this bucket holds until the window has room again.
            wait = self._throttle_wait(response, asked, attempts)
            if not self._may_retry(attempts, started, wait):
                return False
            self._limiter.block(bucket, self._clock() + wait)
            self.stats.retries += 1
            self._emit("retry", detail, seconds=wait, status=status)
            return True
        if status == 503 and asked is not None:
            # Load shedding: this request waits as asked; the bucket itself is not over.
            wait = min(asked, self.retry.max_delay_s)
            if not self._may_retry(attempts, started, wait):
                return False
            await self._backoff(wait, "retry", detail, status)
            return True
        if status in RETRYABLE_STATUSES and safe:
            wait = self.retry.backoff(attempts, self._rng)
            if not self._may_retry(attempts, started, wait):
                return False
            await self._backoff(wait, "retry", detail, status)
            return True
        return False

    def _throttle_wait(self, response: Answer, asked: float | None, attempts: int) -> float:
        """``Retry-After`` if given, else until ``X-Rate-Limit-Reset``, else backoff."""
        reset = RateLimitInfo.from_headers(response.headers)
        if asked is not None:
            if reset is not None:
                self._limiter.learn_server_time(reset.reset - asked)
            return min(asked, self.retry.max_delay_s)
        until = self._limiter.local_reset(reset.reset) - self._clock() if reset else None
        if until is not None and until >= 0:
            return min(until + 0.05, self.retry.max_delay_s)
        return self.retry.backoff(attempts, self._rng)

    def _may_retry(self, attempts: int, started: float, wait: float) -> bool:
        return self.retry.may_retry(attempts, self._clock() - started, wait)

    async def _backoff(self, wait: float, kind: EventKind, detail: str, status: int) -> None:
        self.stats.retries += 1
        self.stats.backoffs += 1
        self.stats.backoff_s += wait
        self._emit(kind, detail, seconds=wait, status=status)
        self._emit("backoff", detail, seconds=wait, status=status)
        await self._sleep(wait)

    # -- token endpoint ------------------------------------------------------------------

    async def _post_token_form(self, url: str, form: dict[str, str]) -> Answer:
        """``POST /oauth/token`` for the token manager: paced and retried like any call.

        A client-credentials grant can safely be sent again (it only mints another token).
        """
        self.stats.token_requests += 1
        return await self._send(
            "POST",
            url,
            bucket=("oauth", self.tokens.principal),
            data=form,
            authenticated=False,
            resend_safe=True,
        )

    # -- helpers -------------------------------------------------------------------------

    def _api_url(self, path_or_url: str) -> str:
        if path_or_url.startswith(("http://", "https://")):
            return path_or_url
        return self.environment.api_url(path_or_url)

    def _company_for(self, url: str, company_id: int | None) -> int | None:
        """The company id to send; client-credentials calls must always have one.

        ``url`` is parsed only when a company is missing (the message names the path):
        parsing every request's URL here cost more than the rest of this method.
        """
        company = self.company_id if company_id is None else company_id
        if company is not None:
            return company
        path = urlsplit(url).path
        if self.tokens.is_client_credentials:
            raise InputError(
                f"{path}: a client-credentials token needs a company id on every call "
                "(Procore-Company-Id); pass --company-id"
            )
        if path.rstrip("/") not in USER_TOKEN_EXEMPT_PATHS:
            logger.debug("%s sent without Procore-Company-Id", path)
        return company

    def _bucket(self, company_id: int | None) -> Hashable:
        """Rate-limit bucket: per credential, and per company for client credentials."""
        if self.tokens.is_client_credentials:
            return ("api", self.tokens.principal, company_id)
        return ("api", self.tokens.principal)

    def _check_total(self, request: SentRequest, counted: int, total: int | None) -> None:
        mismatch = pagination.total_mismatch(counted, total)
        if mismatch is None:
            return
        where = describe_request(request)
        if self.strict_totals:
            raise PaginationError(where, mismatch)
        self.stats.total_mismatches += 1
        logger.warning("%s: %s", where, mismatch)
        self._emit("total_mismatch", f"{where}: {mismatch}")

    def _count_rate_limit_wait(self, seconds: float) -> None:
        self.stats.rate_limit_waits += 1
        self.stats.rate_limit_wait_s += seconds
        self._emit("rate_limit_wait", seconds=seconds)

    def _count_token(self, token: TokenSet) -> None:
        self.stats.tokens_fetched += 1
        if token.created_at is not None:
            self._limiter.learn_server_time(token.created_at)
        self._emit("token", "access token obtained")

    def _emit(
        self, kind: EventKind, detail: str = "", *, seconds: float = 0.0, status: int = 0
    ) -> None:
        if self._on_event is not None:
            self._on_event(ClientEvent(kind, detail, seconds, status))


class ClientFactory(Protocol):
    """Builds a :class:`ProcoreClient` for one credential.

    The steps (inventory, verify) take one of these instead of a client so that each
    credential they meet gets its own client with its own token and rate-limit bucket;
    ``runtime.Connection`` is the real one, tests may pass their own.
    """

    def client(
        self,
        credentials: Credentials,
        *,
        company_id: int | None = None,
        on_event: Callable[[ClientEvent], None] | None = None,
    ) -> ProcoreClient: ...


def _query_value(value: Any) -> str:
    """A query value as httpx writes it: booleans in lower case, ``None`` empty."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return "" if value is None else str(value)


def _with_query(url: str, params: Params) -> str:
    """``url`` with ``params`` appended (lists repeat the key), encoded as httpx does
    (``urlencode``'s form encoding). Keys and text values repeat from request to request,
    so their encodings are cached; a whole number needs none."""
    pairs = [
        f"{_quoted(key)}={item if type(item) is int else _quoted(_query_value(item))}"
        for key, value in params.items()
        for item in (value if isinstance(value, list | tuple) else (value,))
    ]
    return f"{url}{'&' if '?' in url else '?'}{'&'.join(pairs)}"


@functools.lru_cache(maxsize=1024)
def _quoted(text: str) -> str:
    return quote_plus(text)


def _body(json: Any, data: Mapping[str, str] | None) -> tuple[bytes, str | None]:
    """The request body and its ``Content-Type`` (JSON, a form, or nothing)."""
    if json is not None:
        text = jsonlib.dumps(json, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        return text.encode(), "application/json"
    if data is not None:
        return urlencode(data).encode(), "application/x-www-form-urlencoded"
    return b"", None
