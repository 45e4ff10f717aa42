"""What the collectors need from their caller: clients, page size, progress, a request tally.

The inventory sits below :mod:`dmsa_migrate.runtime` in the layer order, so it cannot name
``runtime.Connection``; it asks for anything with a ``client(credentials, company_id=,
on_event=)`` method instead (a :class:`ClientFactory`). ``runtime.Connection`` is one, and
tests may pass their own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from dmsa_migrate.procore import ClientEvent


@dataclass(frozen=True)
class Progress:
    """One step of an inventory run, for a progress display.

    Attributes:
        stage: ``live``, ``directory``, ``scan``, ``activity`` or ``done``.
        label: the account being worked on ("" for run-wide stages).
        done / total: accounts finished so far and accounts in the run.
        detail: a short human line (no secrets).
        requests: HTTP requests sent so far in the whole run.
    """

    stage: str
    label: str
    done: int
    total: int
    detail: str = ""
    requests: int = 0


ProgressListener = Callable[[Progress], None]


@dataclass
class RequestTally:
    """HTTP requests per source, summed over every client of a run (``--verbose`` prints it).

    ``token`` counts requests to ``/oauth/token`` (they are also in ``live``/``directory``).
    """

    live: int = 0
    directory: int = 0
    token: int = 0
    by_path: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return self.live + self.directory

    def listener(self, source: str) -> Callable[[ClientEvent], None]:
        """An ``on_event`` hook that counts each request under ``source``."""

        def count(event: ClientEvent) -> None:
            if event.kind not in ("request",):
                return
            if source == "live":
                self.live += 1
            else:
                self.directory += 1
            path = _path_of(event.detail)
            if path.endswith("/oauth/token"):
                self.token += 1
            self.by_path[path] = self.by_path.get(path, 0) + 1

        return count


def _path_of(detail: str) -> str:
    """``GET https://host/rest/v1.0/me?x=1`` → ``/rest/v1.0/me``."""
    url = detail.split(" ", 1)[-1]
    without_query = url.split("?", 1)[0]
    if "://" in without_query:
        rest = without_query.split("://", 1)[1]
        return "/" + rest.split("/", 1)[1] if "/" in rest else "/"
    return without_query


@dataclass
class CollectOptions:
    """Knobs of one run. ``per_page``: page size asked for on every list."""

    per_page: int = 100
    concurrency: int = 8
    tally: RequestTally = field(default_factory=RequestTally)
