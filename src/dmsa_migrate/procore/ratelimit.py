"""Client-side pacing from Procore's ``X-Rate-Limit-*`` headers, so runs do not meet 429.

Procore reports, on every response, the limit that is closest to being hit (a 10-second
spike window or the hourly window): ``X-Rate-Limit-Limit``, ``-Remaining`` and ``-Reset``
(integer UNIX seconds). Under concurrency a single ``Remaining`` value is stale the moment
it arrives, so each :class:`_Bucket` keeps

* the lowest ``Remaining`` seen for every window (keyed by its reset time), because
  answers can arrive out of order and ``Remaining`` only falls within one window;
* the number of requests in flight, which the server may not have counted yet.

A request may go when ``remaining - in_flight > reserve`` for every live window. When
nothing is known (first call, or every window has reset) exactly one *probe* request goes
and the others wait for its headers: after a reset the server may be a fixed or a sliding
window, and only its answer says how much room there is. The same holds when only a wider
window is known: once the spike window has reset, the answers report the hourly window
while it is the closer to exhaustion by fraction, and its room is not the spike's.
Responses without rate-limit headers switch the bucket to unmetered, so a server that
sends none is not slowed down.

Buckets are keyed by the caller: per credential, and per company for client-credentials
tokens (a DMSA's limits are counted per company).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Mapping
from dataclasses import dataclass, field

Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], float]
WaitListener = Callable[[float], None]

_SKEW_TOLERANCE_S = 2.0


@dataclass(frozen=True)
class RateLimitInfo:
    """The three rate-limit headers of one response, as numbers."""

    limit: int
    remaining: int
    reset: float

    @classmethod
    def from_headers(cls, headers: Mapping[str, str]) -> RateLimitInfo | None:
        """Parse the headers; ``None`` when any is missing or not a number."""
        try:
            return cls(
                int(headers["X-Rate-Limit-Limit"]),
                int(headers["X-Rate-Limit-Remaining"]),
                float(headers["X-Rate-Limit-Reset"]),
            )
        except (KeyError, ValueError):
            return None


@dataclass
class _Bucket:
    """What one caller's limit looks like from here."""

    windows: dict[float, int] = field(default_factory=dict)
    """Local reset time of each live window → the lowest ``Remaining`` seen in it."""
    limits: dict[float, int] = field(default_factory=dict)
    """Local reset time of each live window → its ``Limit``."""
    tightest: int | None = None
    """The smallest ``Limit`` ever seen (the spike window's): while no live window has it,
    that window has reset and how much of it is left is not known."""
    in_flight: int = 0
    blocked_until: float = 0.0
    unmetered: bool = False
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    waiting: int = 0
    """Requests waiting on ``changed``: with none, a change wakes nobody (the usual case,
    so no new event is made per answer)."""

    def notify(self) -> None:
        """Wake every waiter; later waiters get a fresh event."""
        if self.waiting:
            self.changed.set()
            self.changed = asyncio.Event()


class RateLimiter:
    """Admission control for requests, one bucket per caller key.

    Args:
        sleep: awaited to wait (tests pass a fake that advances a fake clock).
        clock: current UNIX time in seconds (compared with ``X-Rate-Limit-Reset``).
        reserve: requests to leave unused in every window, for other clients that share
            the same credential (e.g. the integration itself running at the same time).
        reset_margin_s: extra wait after a window's reset, absorbing clock differences.
        on_wait: called with the seconds waited each time a request had to wait.
    """

    def __init__(
        self,
        *,
        sleep: Sleep = asyncio.sleep,
        clock: Clock,
        reserve: int = 0,
        reset_margin_s: float = 0.05,
        on_wait: WaitListener | None = None,
    ) -> None:
        self._sleep = sleep
        self._clock = clock
        self._reserve = max(0, reserve)
        self._margin = max(0.0, reset_margin_s)
        self._on_wait = on_wait
        self._buckets: dict[Hashable, _Bucket] = {}
        self._skew = 0.0

    def bucket(self, key: Hashable) -> _Bucket:
        """The bucket of ``key``, created on first use (not built on every lookup)."""
        found = self._buckets.get(key)
        if found is None:
            found = self._buckets[key] = _Bucket()
        return found

    async def acquire(self, key: Hashable) -> None:
        """Wait until a request for ``key`` may go; the caller must :meth:`release` it."""
        bucket = self.bucket(key)
        started: float | None = None
        while True:
            now = self._clock()
            wake_at = self._admission(bucket, now)
            if wake_at is None:
                bucket.in_flight += 1
                if started is not None and self._on_wait is not None:
                    self._on_wait(max(0.0, self._clock() - started))
                return
            if started is None:
                started = now
            await self._wait(bucket, wake_at - now if wake_at != float("inf") else None)

    def release(self, key: Hashable, headers: Mapping[str, str] | None) -> None:
        """A request for ``key`` ended; learn from its response headers (``None``: no answer)."""
        bucket = self.bucket(key)
        bucket.in_flight = max(0, bucket.in_flight - 1)
        if headers is not None:
            self._observe(bucket, headers)
        bucket.notify()

    def block(self, key: Hashable, until: float) -> None:
        """Hold every request for ``key`` until UNIX time ``until`` (after a 429 or 503)."""
        bucket = self.bucket(key)
        bucket.blocked_until = max(bucket.blocked_until, until)
        bucket.windows.clear()
        bucket.limits.clear()
        bucket.unmetered = False
        bucket.notify()

    def local_reset(self, reset: float) -> float:
        """A server reset time on this machine's clock (after the skew seen in ``Date``)."""
        return reset + self._skew

    def _admission(self, bucket: _Bucket, now: float) -> float | None:
        """``None`` if a request may go now, else when to look again (inf: on a change)."""
        if now < bucket.blocked_until:
            return bucket.blocked_until
        live = bucket.windows
        if live and min(live) + self._margin <= now:  # a window is over: forget it
            live = {reset: left for reset, left in live.items() if reset + self._margin > now}
            bucket.windows = live
            bucket.limits = {reset: bucket.limits[reset] for reset in live
                             if reset in bucket.limits}
        if not live:
            return self._probe(bucket)
        room = min(live.values()) - bucket.in_flight - self._reserve
        if room > 0:
            if bucket.tightest not in bucket.limits.values():
                # Only a wider window is known (the hourly one: Procore reports whichever
                # is closer to exhaustion, which early in a fresh spike window is the
                # hourly one): its room says nothing of the new spike window's.
                return self._probe(bucket)
            return None
        exhausted = [reset for reset, left in live.items() if left - self._reserve <= 0]
        if exhausted:
            return max(exhausted) + self._margin
        # Room is taken by requests in flight: their answers (or the next reset) free it.
        return min(live) + self._margin

    @staticmethod
    def _probe(bucket: _Bucket) -> float | None:
        """Nothing known of the tightest window: one request at a time, until an answer
        says how much room it has."""
        if bucket.unmetered or bucket.in_flight == 0:
            return None
        return float("inf")

    def _observe(self, bucket: _Bucket, headers: Mapping[str, str]) -> None:
        info = RateLimitInfo.from_headers(headers)
        if info is None:
            bucket.unmetered = True
            return
        bucket.unmetered = False
        reset = self.local_reset(info.reset)
        if reset + self._margin <= self._clock():
            return  # an answer from a window that is already over
        previous = bucket.windows.get(reset)
        remaining = info.remaining if previous is None else min(previous, info.remaining)
        bucket.windows[reset] = remaining
        bucket.limits[reset] = info.limit
        if bucket.tightest is None or info.limit < bucket.tightest:
            bucket.tightest = info.limit

    def learn_server_time(self, server_now: float) -> None:
        """Follow a server whose clock is far from ours (e.g. an emulator on a fixed date).

        Samples come from every answer's ``Date`` header, token ``created_at`` values and
        429 answers (``Reset`` minus ``Retry-After``): all are in the clock the resets are
        counted in (the emulator stamps ``Date`` in its world time too), are truncated or
        rounded up to whole seconds and are read after the answer arrived, so the estimate
        can only err late (waiting slightly longer), never early. Differences under two
        seconds are ignored.
        """
        skew = self._clock() - server_now
        self._skew = skew if abs(skew) > _SKEW_TOLERANCE_S else 0.0

    async def _wait(self, bucket: _Bucket, delay: float | None) -> None:
        """Wait for a change in the bucket, or ``delay`` seconds, whichever comes first."""
        bucket.waiting += 1
        try:
            changed = asyncio.ensure_future(bucket.changed.wait())
            if delay is None:
                await changed
                return
            timer = asyncio.ensure_future(self._sleep(max(0.0, delay)))
            _, pending = await asyncio.wait(
                {changed, timer}, return_when=asyncio.FIRST_COMPLETED
            )
            for task in pending:
                task.cancel()
        finally:
            bucket.waiting -= 1
