"""Usage evidence from recorded traffic (``dmsa-migrate record``).

Each call the recording proxy forwarded becomes one tally per (method, path template):
how many calls, per status, first and last seen. Only Procore API paths (``/rest/…`` and
``/vapid/…``) count; the OAuth exchange and anything else are forwarded but not usage.
The result is a JSON object with a ``usage`` list whose entries have the source
``recorded``, which ``manifest --usage`` reads like an Activity Report.

What is written is methods, path templates, status codes, counts and times: never a
header, a body or a query string, so no token or secret can reach the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dmsa_migrate.fileio import atomic_write_json
from dmsa_migrate.models.inventory import UsageEntry
from dmsa_migrate.permissions.map import PermissionMap

RECORDED_SCHEMA = "dmsa-migrate/recorded-usage/1"
SOURCE = "recorded"


@dataclass
class _Tally:
    count: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    first_seen: str = ""
    last_seen: str = ""


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class UsageRecorder:
    """Collects calls; not thread-safe on its own (the proxy calls it under a lock)."""

    def __init__(self, permission_map: PermissionMap, upstream: str) -> None:
        self.permission_map = permission_map
        self.upstream = upstream
        self.started_at = _now()
        self.tallies: dict[tuple[str, str], _Tally] = {}
        self.forwarded = 0

    def record(self, method: str, path: str, status: int, when: str | None = None) -> None:
        """One forwarded call."""
        self.forwarded += 1
        if not (path.startswith("/rest/") or path.startswith("/vapid/")):
            return
        verb = method.upper()
        try:
            template = self.permission_map.explain(verb, path).template
        except Exception:  # an unusual method (HEAD is fine): count it under its raw path
            template = path
        tally = self.tallies.setdefault((verb, template), _Tally())
        stamp = when or _now()
        tally.count += 1
        tally.statuses[str(status)] = tally.statuses.get(str(status), 0) + 1
        tally.first_seen = tally.first_seen or stamp
        tally.last_seen = stamp

    def usage(self) -> list[UsageEntry]:
        return [
            UsageEntry(method=method, template=template, source=SOURCE, count=t.count,
                       statuses=dict(sorted(t.statuses.items())), first_seen=t.first_seen,
                       last_seen=t.last_seen)
            for (method, template), t in sorted(self.tallies.items(), key=lambda i: i[0][::-1])
        ]

    def document(self) -> dict[str, Any]:
        return {
            "schema": RECORDED_SCHEMA,
            "upstream": self.upstream,
            "started_at": self.started_at,
            "written_at": _now(),
            "calls_forwarded": self.forwarded,
            "usage": [entry.model_dump(mode="json", exclude_defaults=True)
                      | {"source": SOURCE} for entry in self.usage()],
        }

    def write(self, path: Path | str) -> None:
        """Write the usage file atomically (safe to call after every call)."""
        atomic_write_json(path, self.document())
