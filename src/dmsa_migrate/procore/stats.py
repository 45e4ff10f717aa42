"""Counters and progress events of a client: what it sent, retried and waited for.

Tests and benchmarks assert on :class:`ClientStats` (e.g. "zero 429 received"); the CLI and
the TUI show :class:`ClientEvent` as progress (requests done, pages, rate-limit waits).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Literal

EventKind = Literal[
    "request", "retry", "page", "rate_limit_wait", "backoff", "token", "total_mismatch"
]


@dataclass(frozen=True)
class ClientEvent:
    """One thing the client did that a progress display may want to show.

    Attributes:
        kind: what happened.
        detail: ``METHOD URL`` or a short reason (never a secret).
        seconds: time waited, for ``rate_limit_wait`` and ``backoff``.
        status: the HTTP status of ``request`` and ``retry`` events (0: no answer).
    """

    kind: EventKind
    detail: str = ""
    seconds: float = 0.0
    status: int = 0


EventListener = Callable[[ClientEvent], None]
ProgressListener = Callable[[int, int], None]
"""Called with ``(done, total)`` by the fan-out helpers after each finished item."""


@dataclass
class ClientStats:
    """Running totals of one client.

    Attributes:
        requests: HTTP requests sent, token requests and retries included.
        token_requests: of those, requests to ``/oauth/token``.
        retries: requests sent again after a 5xx, 429, 503, timeout or dropped connection.
        rate_limited: 429 answers received (a well-paced run has 0).
        server_errors: 5xx answers received.
        transport_errors: requests that got no answer (timeout, refused, dropped).
        rate_limit_waits: times a request waited for the rate limit before going.
        rate_limit_wait_s: seconds spent in those waits (summed over concurrent requests).
        backoffs: backoff pauses before a retry.
        backoff_s: seconds spent in those pauses.
        tokens_fetched: access tokens obtained from ``/oauth/token``.
        renewals_after_401: token renewals caused by a 401 (the rest were ahead of expiry).
        pages: list pages read.
        total_mismatches: lists whose item count disagreed with ``Total``.
    """

    requests: int = 0
    token_requests: int = 0
    retries: int = 0
    rate_limited: int = 0
    server_errors: int = 0
    transport_errors: int = 0
    rate_limit_waits: int = 0
    rate_limit_wait_s: float = 0.0
    backoffs: int = 0
    backoff_s: float = 0.0
    tokens_fetched: int = 0
    renewals_after_401: int = 0
    pages: int = 0
    total_mismatches: int = 0

    def as_dict(self) -> dict[str, float]:
        """The counters as a plain dict (for JSON output and benchmark reports)."""
        return asdict(self)
