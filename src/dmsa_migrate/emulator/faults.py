"""Deterministic fault injection: server errors, spurious 429s and dropped connections.

Why a seeded generator drawing a fixed number of values per request: the same world, seed
and request sequence give the same faults, so a flaky-network test is reproducible.
"""

from __future__ import annotations

import random
from typing import Literal

from dmsa_migrate.emulator.world import Faults

FaultKind = Literal["drop", "error", "throttle"]
ERROR_STATUSES = (500, 502, 503)


class FaultInjector:
    """Decides, per API request, whether to answer normally or with a fault."""

    def __init__(self, faults: Faults) -> None:
        self.faults = faults
        self._rng = random.Random(faults.seed)

    @property
    def active(self) -> bool:
        f = self.faults
        return (f.error_rate + f.throttle_rate + f.drop_rate) > 0

    def decide(self) -> tuple[FaultKind | None, int]:
        """The fault for the next request (or None) and, for errors, the 5xx status."""
        draw = self._rng.random()
        status = ERROR_STATUSES[self._rng.randrange(len(ERROR_STATUSES))]
        f = self.faults
        if draw < f.drop_rate:
            return "drop", 0
        if draw < f.drop_rate + f.error_rate:
            return "error", status
        if draw < f.drop_rate + f.error_rate + f.throttle_rate:
            return "throttle", 429
        return None, 0
