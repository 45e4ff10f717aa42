"""Fleet verification: an ISV re-verifies every installed company after each app update.

Three things make a run over hundreds of companies livable, and they live here, below the
CLI and the TUI:

* a **journal** (``verification.json.partial``, JSON Lines, private): each company's
  result is appended the moment it is known, so a reader sees results as they come and an
  interrupted run can ``--resume`` without reading finished companies again. The contract
  file (ARCHITECTURE 3.4) is still written once, atomically, at the end
  (:func:`write_verification` composes it from the journal a company at a time, so a
  fleet's results are never all in memory); the journal is removed then.
* the **fleet summary**: one row per company (install status, permitted vs old projects,
  projects lost since the last run, permission gaps) as CSV and JSON;
* a **progress line**: done/total, companies per second and the time left.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from pydantic import ValidationError

from dmsa_migrate.errors import FileFormatError, StorageError
from dmsa_migrate.fileio import (
    JsonListWriter,
    atomic_write_text,
    parse_json,
    refuse_special_target,
    require_regular_file,
    split_members,
)
from dmsa_migrate.models.verification import CompanyVerification, Verification

JOURNAL_SCHEMA = "dmsa-migrate/verification-journal/1"
MAX_JOURNAL_LINE = 16 * 1024 * 1024
"""A company line longer than this is not one the tool wrote (100,000 projects fit)."""
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
"""Cells a spreadsheet would run as a formula (CSV injection) get a leading '."""


def journal_path(out: Path | str) -> Path:
    """Where the journal of ``--out FILE`` lives: ``FILE.partial`` beside it."""
    target = Path(out)
    return target.with_name(target.name + ".partial")


class Journal:
    """Appends one company per line; each line is flushed, so a crash loses at most one.

    The first line names the app (masked client id): resuming with another app's
    credentials would mix two apps' results, so :func:`read_journal` refuses it.
    """

    def __init__(self, path: Path, dmsa_client_id: str, *, resume: bool) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)  # as the --out file's writer does
        refuse_special_target(path)  # a planted link would get customer data written through
        exists = resume and path.exists()
        flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if exists else os.O_TRUNC)
        flags |= getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        try:
            fd = os.open(path, flags, 0o600)
        except OSError as exc:  # swapped for a link or a FIFO since the check
            raise StorageError(f"cannot write {path}: {exc.strerror}") from exc
        self._file: IO[str] = os.fdopen(fd, "w", encoding="utf-8")
        if not exists:
            self._write({"schema": JOURNAL_SCHEMA, "dmsa_client_id": dmsa_client_id})

    def add(self, company: CompanyVerification) -> None:
        # pydantic's own JSON (compact, ``id`` first as _COMPANY_ID expects): a fifth of the
        # CPU of dumping to Python data and encoding that; read back by the same model
        self._line(company.model_dump_json(by_alias=True))

    def _write(self, data: object) -> None:
        self._line(json.dumps(data, ensure_ascii=False, separators=(",", ":")))

    def _line(self, text: str) -> None:
        self._file.write(text + "\n")
        self._file.flush()

    def close(self) -> None:
        self._file.close()

    def remove(self) -> None:
        """The run finished and the contract file is written: the journal is redundant."""
        self.close()
        self.path.unlink(missing_ok=True)


def read_journal(
    path: Path, dmsa_client_id: str,
    keep: Callable[[CompanyVerification], CompanyVerification] | None = None,
) -> list[CompanyVerification]:
    """The companies an interrupted run finished; none when there is no journal.

    Read line by line (never the whole file at once). A torn last line (the run was killed
    while writing it) is dropped: that company is simply read again. ``keep`` is what is
    kept of each (e.g. :func:`verdict_only`; default: all of it).

    Raises:
        FileFormatError: not a journal, another app's, or a bad line (file and line named).
    """
    if not path.exists():
        return []
    require_regular_file(path, "a verification journal")
    found: dict[int, CompanyVerification] = {}
    with path.open(encoding="utf-8", errors="strict") as handle:
        lines = _lines(handle, str(path))
        header = next(lines, None)
        _check_header(header, str(path), dmsa_client_id)
        for number, text, complete in lines:
            company = _company_line(text, str(path), number, complete)
            if company is not None:
                found[company.id] = keep(company) if keep is not None else company
    return list(found.values())


def _lines(handle: IO[str], source: str) -> Iterator[tuple[int, str, bool]]:
    """``(line number, text, ended with a newline)``; over-long lines are refused."""
    number = 0
    while True:
        text = handle.readline(MAX_JOURNAL_LINE + 1)
        if not text:
            return
        number += 1
        if len(text) > MAX_JOURNAL_LINE:
            raise FileFormatError(source, "line too long for a journal line", number)
        yield number, text.rstrip("\n"), text.endswith("\n")


def _check_header(header: tuple[int, str, bool] | None, source: str, client_id: str) -> None:
    try:
        data = parse_json(header[1], source) if header else None
    except FileFormatError:
        data = None
    if not isinstance(data, dict) or data.get("schema") != JOURNAL_SCHEMA:
        raise FileFormatError(source, f"not a verification journal ({JOURNAL_SCHEMA})", 1)
    if data.get("dmsa_client_id") != client_id:
        raise FileFormatError(
            source, "written for another app's credentials; remove it to start over", 1
        )


def _company_line(
    text: str, source: str, number: int, complete: bool
) -> CompanyVerification | None:
    try:
        return CompanyVerification.model_validate_json(text)
    except ValidationError as exc:
        if not complete:
            return None  # torn by an interruption: read that company again
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "line"
        raise FileFormatError(source, f"{where}: {first['msg']}", number) from exc


def verdict_only(company: CompanyVerification) -> CompanyVerification:
    """Of a resumed company, what the run's verdict needs (its gaps and errors): a
    streamed run composes the file from the journal, so nothing else of it is kept."""
    return CompanyVerification(
        id=company.id, name=company.name, installed=company.installed, status=company.status,
        permission_gaps=company.permission_gaps,
        findings=[f for f in company.findings if f.severity == "error"],
    )


def journal_companies(path: Path) -> Iterator[CompanyVerification]:
    """The companies of this run's journal in id order, one at a time (the last line of a
    company wins, as in :func:`read_journal`; a torn last line is left out).

    One pass notes where each company's line starts; then each is read back on its own,
    so memory holds offsets, not results.
    """
    where: dict[int, tuple[int, int]] = {}
    require_regular_file(path, "a verification journal")
    with path.open("rb") as handle:
        handle.readline(MAX_JOURNAL_LINE + 1)  # the header line
        while True:
            offset = handle.tell()
            line = handle.readline(MAX_JOURNAL_LINE + 1)
            if not line.endswith(b"\n"):
                break
            found = _COMPANY_ID.match(line)
            if found is None:
                raise FileFormatError(str(path), "not a company line of this run's journal")
            where[int(found.group(1))] = (offset, len(line))
        for company_id in sorted(where):
            offset, length = where[company_id]
            handle.seek(offset)
            yield CompanyVerification.model_validate_json(handle.read(length))


_COMPANY_ID = re.compile(rb'\{"id":(\d+),')
"""How :class:`Journal` starts a company line (``model_dump`` puts ``id`` first)."""


def write_verification(
    verification: Verification,
    journal: Path,
    target: Path | str,
    transform: Callable[[str], str] | None = None,
    on_company: Callable[[CompanyVerification], None] | None = None,
) -> Path:
    """``verification.json`` from a fleet run's journal, a company at a time.

    ``verification`` is :func:`.run.verify_install`'s result with ``keep_companies=False``:
    its header fields, and the companies that could not be read (never journaled). The
    file is byte for byte what the whole result would be written as (companies in id
    order), through the same atomic, private write. ``on_company`` sees each company as
    it is written (a :class:`FleetTally` keeps what the summaries need).
    """
    unread = {company.id: company for company in verification.companies}
    data = verification.model_copy(update={"companies": []}).model_dump(mode="json", by_alias=True)
    head, tail = split_members(data, "companies")
    with JsonListWriter(target, head, "companies", transform=transform) as writer:
        for company in _merged(journal_companies(journal), unread):
            writer.add(company.model_dump(mode="json", by_alias=True))
            if on_company is not None:
                on_company(company)
        return writer.commit(tail)


@dataclass
class FleetTally:
    """What the step's status line, the fleet summary and the verdict need of every
    company, when the companies themselves are on disk only (a streamed fleet run): one
    :class:`FleetRow` each and a few counts."""

    rows: list[FleetRow] = field(default_factory=list)
    missing: int = 0
    gaps: int = 0
    errors: int = 0
    warnings: int = 0
    not_connected: list[int] = field(default_factory=list)
    unread: list[int] = field(default_factory=list)

    def add(self, company: CompanyVerification) -> None:
        self.rows.append(_row(company))
        self.missing += len(company.missing_projects)
        self.gaps += len(company.permission_gaps)
        self.errors += sum(f.severity == "error" for f in company.findings)
        self.warnings += sum(f.severity == "warning" for f in company.findings)
        if company.status != "installed":
            self.not_connected.append(company.id)
        if company.unread_reason():
            self.unread.append(company.id)

    @classmethod
    def of(cls, companies: Iterable[CompanyVerification]) -> FleetTally:
        tally = cls()
        for company in companies:
            tally.add(company)
        return tally


def _merged(
    written: Iterable[CompanyVerification], unread: dict[int, CompanyVerification]
) -> Iterator[CompanyVerification]:
    """Both in id order (both are sorted; an unread company is never in the journal)."""
    rest = sorted(unread)
    for company in written:
        while rest and rest[0] < company.id:
            yield unread[rest.pop(0)]
        yield company
    yield from (unread[company_id] for company_id in rest)


# -- the fleet summary ---------------------------------------------------------------------


@dataclass(frozen=True)
class FleetRow:
    """One company of the fleet, as a spreadsheet row."""

    company_id: int
    company: str
    install_status: str
    permitted_projects: int
    old_projects: int
    lost_since_last_run: int
    permission_gaps: int
    errors: int
    ok: bool
    unread_reason: str = ""
    """Why the company could not be read (its ``install_status`` is then ``unread`` and its
    counts are zero because nothing was read, not because projects were lost)."""

    def fields(self) -> dict[str, object]:
        """Field → value, in field order (``asdict`` without its deep copy: every value is
        a plain scalar, and a fleet has thousands of rows)."""
        return {name: getattr(self, name) for name in SUMMARY_FIELDS}


SUMMARY_FIELDS = tuple(FleetRow.__dataclass_fields__)


def fleet_rows(verification: Verification) -> list[FleetRow]:
    """One row per company, in company order.

    ``old_projects``: projects the old access reached (matched + missing); ``permitted``:
    every project the app may use now; ``lost``: permitted at ``--previous``, not now.
    """
    return [_row(company) for company in verification.companies]


def _row(company: CompanyVerification) -> FleetRow:
    errors = sum(finding.severity == "error" for finding in company.findings)
    unread = company.unread_reason()
    return FleetRow(
        company_id=company.id,
        company=company.name,
        install_status="unread" if unread else company.status,
        permitted_projects=len(company.permitted_projects),
        old_projects=len(company.matched_projects) + len(company.missing_projects),
        lost_since_last_run=len(company.lost_projects),
        permission_gaps=len(company.permission_gaps),
        errors=errors,
        ok=not company.permission_gaps and errors == 0,
        unread_reason=unread,
    )


def summary_csv(rows: list[FleetRow]) -> str:
    """RFC 4180 with CRLF; names from Procore are untrusted, so formula cells are defused."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(SUMMARY_FIELDS)
    for row in rows:
        writer.writerow([_cell(getattr(row, name)) for name in SUMMARY_FIELDS])
    return buffer.getvalue()


def _cell(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def summary_json(verification: Verification, rows: list[FleetRow]) -> str:
    """The same rows with the run's totals."""
    data = {
        "schema": "dmsa-migrate/fleet-summary/1",
        "generated_at": verification.generated_at,
        "previous_generated_at": verification.previous_generated_at,
        "ok": verification.ok,
        "companies": len(rows),
        "installed": sum(row.install_status == "installed" for row in rows),
        "unread": sum(row.install_status == "unread" for row in rows),
        "with_gaps": sum(row.permission_gaps > 0 for row in rows),
        "with_lost_projects": sum(row.lost_since_last_run > 0 for row in rows),
        "rows": [row.fields() for row in rows],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def summary_paths(stem: Path | str) -> tuple[Path, Path]:
    """``STEM.csv`` and ``STEM.json`` (a ``.csv``/``.json`` on ``stem`` is dropped)."""
    base = Path(stem)
    if base.suffix.lower() in (".csv", ".json"):
        base = base.with_suffix("")
    return base.with_name(base.name + ".csv"), base.with_name(base.name + ".json")


def write_summary(
    verification: Verification, stem: Path | str, rows: list[FleetRow] | None = None
) -> tuple[Path, Path]:
    """Write ``STEM.csv`` and ``STEM.json`` (atomic, private); return both paths.

    ``rows``: a streamed run's (:attr:`FleetTally.rows`); default: the result's companies.
    """
    csv_target, json_target = summary_paths(stem)
    rows = fleet_rows(verification) if rows is None else rows
    csv_path = atomic_write_text(csv_target, summary_csv(rows))
    json_path = atomic_write_text(json_target, summary_json(verification, rows))
    return csv_path, json_path


# -- progress -------------------------------------------------------------------------------


def progress_text(done: int, total: int, elapsed_s: float) -> str:
    """``340/1000 companies · 12.3/s · ETA 54 s``: what an ISV watches during a fleet run."""
    head = f"{done}/{total} companies"
    if done <= 0 or elapsed_s <= 0:
        return head
    rate = done / elapsed_s
    left = max(0, total - done) / rate
    return f"{head} · {rate:.1f}/s · ETA {_duration(left)}"


def _duration(seconds: float) -> str:
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"
