"""When to try a request again, and how long to wait first.

Transient failures (5xx, timeouts, dropped connections) are retried with exponential
backoff and jitter, so many clients that failed together do not come back together.
Throttling answers (429, and 503 with ``Retry-After``) wait exactly as long as the server
asks. Both are bounded by a number of attempts and a total time, after which the last
error is raised to the user (exit 3).
"""

from __future__ import annotations

import email.utils
import random
from collections.abc import Mapping
from dataclasses import dataclass

RETRYABLE_STATUSES = frozenset({500, 502, 503, 504})
"""Server errors worth another try; other statuses will not change by retrying."""

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
"""Methods safe to resend after an unknown outcome (a 5xx or a dropped connection)."""


@dataclass(frozen=True)
class RetryPolicy:
    """Bounds and pacing of retries.

    Attributes:
        max_attempts: tries per request in all (the first one included).
        max_elapsed_s: no new try starts after this many seconds since the first.
        base_delay_s: backoff before the first retry; doubles with every retry.
        max_delay_s: the longest single backoff or server-requested wait honoured.
    """

    max_attempts: int = 6
    max_elapsed_s: float = 120.0
    base_delay_s: float = 0.5
    max_delay_s: float = 30.0

    def backoff(self, retry_number: int, rng: random.Random | None = None) -> float:
        """Delay before retry ``retry_number`` (1-based): "equal jitter" exponential backoff.

        Half of the exponential step is fixed (so a retry never comes back instantly), the
        other half random (so clients that failed together spread out).
        """
        step = min(self.max_delay_s, self.base_delay_s * 2 ** max(0, retry_number - 1))
        return step / 2 + (rng or random).uniform(0, step / 2)

    def may_retry(self, attempts_made: int, elapsed_s: float, next_wait_s: float) -> bool:
        """Whether another try fits in the attempt and time budget."""
        if attempts_made >= self.max_attempts:
            return False
        return elapsed_s + next_wait_s <= self.max_elapsed_s


def retry_after_seconds(headers: Mapping[str, str], now: float) -> float | None:
    """Seconds the server asks us to wait (``Retry-After`` as seconds or an HTTP date)."""
    value = headers.get("Retry-After")
    if value is None:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return None
    return max(0.0, when - now)
