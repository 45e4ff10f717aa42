"""The emulator core: one thread-safe, synchronous request handler over a world.

``Emulator.handle(Request) -> Response`` is everything; the httpx transports
(:mod:`.transport`) and the loopback server (:mod:`.server`) only convert requests and
apply the latency the response asks for. One URL serves both the login host paths
(``/oauth/...``) and the API host paths (``/rest/...``).
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import formatdate
from typing import Any

from dmsa_migrate.emulator import catalog, oas, oauth, rest
from dmsa_migrate.emulator.access import Principal, WorldIndex
from dmsa_migrate.emulator.clock import Clock, WorldClock
from dmsa_migrate.emulator.faults import FaultInjector
from dmsa_migrate.emulator.http import Request, Response, error, json_response
from dmsa_migrate.emulator.ratelimit import RateLimiter
from dmsa_migrate.emulator.state import Token, TokenStore
from dmsa_migrate.emulator.world import World

MISSING_COMPANY = "Missing Procore-Company-Id header!"
INVALID_TOKEN = "The access token is invalid"
RATE_LIMITED = (
    "You have surpassed the max number of requests for this window. "
    "Please wait until your limit resets."
)


@dataclass
class Stats:
    """Counters that tests and benchmarks read (``emu.stats``)."""

    requests: int = 0
    responses: Counter[int] = field(default_factory=Counter)
    rate_limited: int = 0
    tokens_issued: int = 0
    dropped: int = 0
    faults: int = 0
    paths: Counter[str] = field(default_factory=Counter)
    catalog: int = 0
    """Answers of catalog mode (documented operations the world does not model)."""
    rest_methods: Counter[str] = field(default_factory=Counter)
    """Requests on ``/rest/`` by HTTP method (a read-only client sends only GETs)."""
    lowest_remaining: int | None = None
    """The lowest ``X-Rate-Limit-Remaining`` sent on an API answer: how close a client came
    to its limit. A test can tell from it, without a clock, whether a limit ever bound."""

    @property
    def throttled(self) -> int:
        """Every 429 sent (rate limits and injected throttles)."""
        return self.responses[429]

    def as_dict(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "responses": dict(self.responses),
            "rate_limited": self.rate_limited,
            "tokens_issued": self.tokens_issued,
            "dropped": self.dropped,
            "faults": self.faults,
        }


@dataclass
class Context:
    """What a route handler gets: the request, the emulator, path ids, the caller."""

    emu: Emulator
    request: Request
    now: float
    ids: dict[str, int]
    principal: Principal | None = None
    company: int | None = None

    @property
    def caller(self) -> Principal:
        assert self.principal is not None
        return self.principal


Handler = Callable[[Context], Response]


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler
    api: bool = True
    header_exempt_for_users: bool = False


def _route(method: str, template: str, handler: Handler, **flags: bool) -> Route:
    regex = re.sub(r"\{(\w+)\}", r"(?P<\1>\\d+)", template)
    return Route(method, re.compile(f"^{regex}/?$"), handler, **flags)


ROUTES: list[Route] = [
    _route("POST", "/oauth/token", oauth.token, api=False),
    _route("GET", "/oauth/authorize", oauth.authorize, api=False),
    _route("GET", "/oauth/token/info", oauth.token_info, api=False),
    _route("POST", "/oauth/revoke", oauth.revoke, api=False),
    _route("GET", "/rest/v1.0/me", rest.me, header_exempt_for_users=True),
    _route("GET", "/rest/v1.0/companies", rest.companies, header_exempt_for_users=True),
    _route("GET", "/rest/v1.0/projects", rest.projects_v10),
    _route("GET", "/rest/v1.1/projects", rest.projects_v11),
    _route("GET", r"/rest/v1\.[0-3]/companies/{company_id}/users", rest.company_users),
    _route("GET", r"/rest/v1\.[0-3]/companies/{company_id}/users/{user_id}", rest.company_user),
    _route(
        "GET",
        "/rest/v1.0/companies/{company_id}/users/{user_id}/project_assignments",
        rest.project_assignments,
    ),
    _route(
        "GET", "/rest/v1.0/companies/{company_id}/permission_templates", rest.permission_templates
    ),
    _route(
        "GET",
        "/rest/v1.0/companies/{company_id}/permission_templates/{template_id}",
        rest.permission_template,
    ),
    _route("GET", "/rest/v1.0/projects/{project_id}/users", rest.project_users),
    _route("GET", "/rest/v1.0/settings/permissions", rest.settings_permissions),
    _route("GET", "/rest/v1.0/app_installations", rest.app_installations),
    _route("GET", "/rest/v1.0/app_installations/{installation_id}", rest.app_installation),
    _route("GET", "/rest/v1.0/companies/{company_id}/projects", rest.company_projects),
]


class Emulator:
    """A faithful stand-in for Procore's login and API hosts, driven by a :class:`World`.

    Thread-safe: every request runs under one lock (state is small and in memory); the
    latency a response asks for is applied by the transport outside the lock.
    """

    def __init__(self, world: World, clock: Clock | None = None) -> None:
        self.world = world
        self.index = WorldIndex(world)
        base = world.world.now.timestamp() if world.world.now is not None else None
        self.clock: Clock = clock or WorldClock(base)
        self.started_at = self.clock.now()
        self.store = TokenStore()
        for fixed in world.user_tokens:
            self.store.add_fixed(fixed.token, fixed.user_id)
        limits = world.limits
        self.limiter = RateLimiter(
            limits.hourly, limits.hourly_window_s, limits.spike, limits.spike_window_s
        )
        self.faults = FaultInjector(world.faults)
        self.stats = Stats()
        self._lock = threading.RLock()

    # -- public helpers -------------------------------------------------------------
    def now(self) -> float:
        """The emulator clock as UNIX seconds."""
        return self.clock.now()

    def after_sunset(self, now: float) -> bool:
        return dt.datetime.fromtimestamp(now, dt.UTC).date() >= self.world.world.sunset

    def bearer(self, request: Request, now: float) -> Token | None:
        """The live token of the ``Authorization: Bearer`` header, if any."""
        raw = request.header("authorization") or ""
        scheme, _, value = raw.partition(" ")
        if scheme.lower() != "bearer":
            return None
        tok = self.store.tokens.get(value.strip())
        if tok is None or not tok.alive(now):
            return None
        if tok.kind == "tsa" and self.after_sunset(now):
            return None
        return tok

    def async_transport(self) -> Any:
        """An ``httpx.AsyncBaseTransport`` answering from this emulator (no sockets)."""
        from dmsa_migrate.emulator.transport import EmulatorAsyncTransport

        return EmulatorAsyncTransport(self)

    def sync_transport(self) -> Any:
        """An ``httpx.BaseTransport`` answering from this emulator (no sockets)."""
        from dmsa_migrate.emulator.transport import EmulatorSyncTransport

        return EmulatorSyncTransport(self)

    # -- the handler ----------------------------------------------------------------
    def handle(self, request: Request) -> Response:
        """Answer one request; never raises for a bad request."""
        with self._lock:
            self.stats.requests += 1
            self.stats.paths[request.path] += 1
            if request.path.startswith("/rest/"):
                self.stats.rest_methods[request.method.upper()] += 1
            response = self._dispatch(request)
            # Date in the emulator's own clock, the one its rate-limit resets use: a
            # client comparing the two must see one consistent time line.
            response.headers.append(("Date", formatdate(self.clock.now(), usegmt=True)))
            if response.drop:
                self.stats.dropped += 1
            else:
                self.stats.responses[response.status] += 1
            response.delay_s = self.world.limits.latency_ms / 1000.0
            return response

    def _dispatch(self, request: Request) -> Response:
        now = self.clock.now()
        path = request.path
        for route in ROUTES:
            match = route.pattern.match(path)
            if match and route.method == request.method.upper():
                ids = {k: int(v) for k, v in match.groupdict().items()}
                ctx = Context(self, request, now, ids)
                ctx.company = _company_header(request)
                if not route.api:
                    return self._login(route, ctx)
                return self._api(route, ctx)
        documented = self._catalog_route(request)
        if documented is not None:
            ctx = Context(self, request, now, {})
            ctx.company = _company_header(request)
            return self._api(documented, ctx)
        return error(404, f"No route matches {request.method.upper()} {path}")

    def _catalog_route(self, request: Request) -> Route | None:
        """A route answering a documented ``/rest/`` operation the world does not model
        (catalog mode, on unless the world sets ``catalog = false``)."""
        if not self.world.world.catalog or not request.path.startswith("/rest/"):
            return None
        found = oas.catalog().find(request.method, request.path)
        if found is None:
            return None
        op, params = found

        def handler(ctx: Context) -> Response:
            return catalog.answer(ctx, op, params)

        return Route(op.method, op.pattern, handler)

    def _login(self, route: Route, ctx: Context) -> Response:
        """A login-host call: answered, then given the rate-limit headers of its client.

        Procore's rate-limiting page says every API call carries ``X-Rate-Limit-*``; the
        login host is counted per client (or per bearer token for ``/oauth/token/info``).
        INFERRED: Procore documents no login-host limit, so these calls are counted and
        reported but never refused.
        """
        response = route.handler(ctx)
        response.headers.extend(self.limiter.check(_login_key(ctx.request), ctx.now).headers())
        return response

    def _api(self, route: Route, ctx: Context) -> Response:
        fault = self._fault()
        if fault is not None:
            return fault
        tok = self.bearer(ctx.request, ctx.now)
        if tok is None:
            # The 401 carries rate-limit headers too (every API call does, per Procore's
            # rate-limiting page): all unauthenticated calls share one bucket, counted and
            # reported, never refused (INFERRED).
            unauthenticated = self.limiter.check(("unauthenticated",), ctx.now)
            return error(
                401,
                INVALID_TOKEN,
                [
                    (
                        "WWW-Authenticate",
                        f'Bearer error="invalid_token", error_description="{INVALID_TOKEN}"',
                    ),
                    *unauthenticated.headers(),
                ],
            )
        ctx.principal = Principal(tok, self.index)
        raw = ctx.request.header("procore-company-id")
        key: tuple[str, int | None] = (tok.value, ctx.company if tok.kind == "dmsa" else None)
        decision = self.limiter.check(key, ctx.now)
        if not decision.allowed:
            self.stats.rate_limited += 1
            return json_response(
                429,
                {"error": {"error": RATE_LIMITED}},
                [*decision.headers(), ("Retry-After", str(decision.retry_after))],
            )
        response = self._company_checks(route, ctx, tok, raw) or route.handler(ctx)
        response.headers.extend(decision.headers())
        lowest = self.stats.lowest_remaining
        if lowest is None or decision.remaining < lowest:
            self.stats.lowest_remaining = decision.remaining
        return response

    def _company_checks(
        self, route: Route, ctx: Context, tok: Token, raw: str | None
    ) -> Response | None:
        exempt = route.header_exempt_for_users and not tok.client_credentials
        if raw is None or not raw.strip():
            return None if exempt else error(400, MISSING_COMPANY)
        if ctx.company is None:
            return error(400, f"Invalid Procore-Company-Id header: {raw!r}")
        if tok.kind == "dmsa":
            return rest.dmsa_install_check(ctx, ctx.company, header=True)
        return None

    def _fault(self) -> Response | None:
        if not self.faults.active:
            return None
        kind, status = self.faults.decide()
        if kind is None:
            return None
        self.stats.faults += 1
        if kind == "drop":
            return Response(0, drop=True)
        if kind == "throttle":
            return json_response(429, {"error": {"error": RATE_LIMITED}}, [("Retry-After", "1")])
        headers = [("Retry-After", "1")] if status == 503 else []
        return json_response(status, {"errors": "Internal server error (injected fault)"}, headers)


def _login_key(request: Request) -> tuple[str, str]:
    """The rate-limit bucket of a login-host call: its client id, else its bearer token."""
    basic = oauth.basic_credentials(request.header("authorization"))
    if basic is not None:
        return ("login", basic[0])
    client_id = request.form().get("client_id") if request.method.upper() == "POST" else None
    if client_id:
        return ("login", client_id)
    return ("login", request.header("authorization") or request.param("client_id") or "")


def _company_header(request: Request) -> int | None:
    raw = (request.header("procore-company-id") or "").strip()
    try:
        return int(raw)
    except ValueError:
        return None
