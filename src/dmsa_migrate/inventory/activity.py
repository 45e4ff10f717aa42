"""Read Procore's API Call Activity Report (CSV) into usage entries.

The report (Developer Portal → Integration Health → "Download CSV Report") covers the last
30 days of production calls, one row per day, response code, method and normalized route:
``Date, Response Code, HTTP Method, Normalized Route, Count`` (procore-facts.md §8). Since
traditional service accounts stopped getting tokens, this is often the best record left of
what the old integration did, so rows are folded into one usage entry per method and
template, keeping the calls per response code: a run of 403s means the old integration was
already failing there.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from dmsa_migrate.errors import FileFormatError, InputError
from dmsa_migrate.fileio import read_text
from dmsa_migrate.models.inventory import UsageEntry
from dmsa_migrate.models.permissions import HTTP_METHODS
from dmsa_migrate.permissions.paths import parse_endpoint
from dmsa_migrate.textsafe import first_break, one_line

REQUIRED_COLUMNS = ("Date", "Response Code", "HTTP Method", "Normalized Route", "Count")
ACTIVITY_SOURCE = "activity"


@dataclass
class _Tally:
    method: str
    template: str
    count: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    days: set[str] = field(default_factory=set)


def looks_like_activity_report(text: str) -> bool:
    """True when the first line is a CSV header naming the report's columns."""
    first = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
    return all(column.lower() in first.lower() for column in ("HTTP Method", "Normalized Route"))


def parse_activity_report(text: str, source: str) -> list[UsageEntry]:
    """Parse report text into usage entries (one per method and template), in first-seen order.

    Args:
        text: the CSV text (a UTF-8 byte-order mark is accepted).
        source: the file name, used in error messages and in each entry's ``source``.

    Raises:
        FileFormatError: a missing column, or a row with a bad method, route, code or count;
            the message names the file and the line.
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [name.strip() for name in (reader.fieldnames or [])]
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise FileFormatError(
            source,
            f"not an API Call Activity Report: missing column(s) {', '.join(missing)} "
            f"(expected {', '.join(REQUIRED_COLUMNS)})",
            1,
        )
    reader.fieldnames = header
    tallies: dict[tuple[str, str], _Tally] = {}
    try:
        for row in reader:
            # a quoted cell may span lines: name the line the row starts on
            line = reader.line_num - sum(str(value).count("\n") for value in row.values())
            if not any((value or "").strip() for value in row.values()):
                continue
            _add_row(tallies, row, source, line)
    except csv.Error as exc:  # a NUL byte, a field over the csv module's 128 KiB limit
        raise FileFormatError(source, f"not a readable CSV row: {exc}", reader.line_num) from exc
    label = f"{ACTIVITY_SOURCE}:{Path(source).name}"
    return [
        UsageEntry(
            method=tally.method, template=tally.template, source=label, count=tally.count,
            statuses=dict(sorted(tally.statuses.items())),
            first_seen=min(tally.days) if tally.days else None,
            last_seen=max(tally.days) if tally.days else None,
        )
        for tally in tallies.values()
    ]


def _add_row(
    tallies: dict[tuple[str, str], _Tally], row: dict[str, str | None], source: str, line: int
) -> None:
    method = (row.get("HTTP Method") or "").strip().upper()
    if method not in HTTP_METHODS:
        raise FileFormatError(source, f"HTTP Method: unknown method {_shown(method)}", line)
    route = (row.get("Normalized Route") or "").strip()
    if (odd := first_break(route)) is not None:
        raise FileFormatError(
            source, f"Normalized Route: holds {odd}; a route is one line with no spaces", line
        )
    try:
        template = parse_endpoint(route).template()
    except InputError as exc:
        raise FileFormatError(source, f"Normalized Route: {exc.message}", line) from exc
    code = (row.get("Response Code") or "").strip()
    if not re.fullmatch(r"[1-5][0-9]{2}", code):
        raise FileFormatError(source, f"Response Code: not an HTTP status {_shown(code)}", line)
    raw_count = (row.get("Count") or "").strip().replace(",", "")
    if not re.fullmatch(r"[0-9]{1,15}", raw_count):  # ASCII digits: '²'.isdigit() is True
        raise FileFormatError(
            source, f"Count: not a whole number below 10^15 {_shown(raw_count)}", line
        )
    day = (row.get("Date") or "").strip()
    if not _is_iso_date(day):
        raise FileFormatError(source, f"Date: not a YYYY-MM-DD date {_shown(day)}", line)
    tally = tallies.setdefault((method, template), _Tally(method, template))
    tally.days.add(day[:10])
    tally.count += int(raw_count)
    tally.statuses[code] = tally.statuses.get(code, 0) + int(raw_count)


def _shown(value: str) -> str:
    """A cell as a message may show it: quoted, controls visible, at most 40 characters."""
    return repr(one_line(value if len(value) <= 40 else value[:40] + "…"))


def _is_iso_date(text: str) -> bool:
    """The report's dates are ISO days; a time part after the date is tolerated."""
    try:
        dt.date.fromisoformat(text[:10])
    except ValueError:
        return False
    return True


def read_activity_report(path: Path | str) -> list[UsageEntry]:
    """Read a report file; errors name the file and the line."""
    return parse_activity_report(read_text(path, what="an activity report"), str(path))
