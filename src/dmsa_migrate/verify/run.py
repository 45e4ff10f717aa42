"""``verify_install``: the whole verify step as one plain async function.

The CLI, the TUI and the headless demo all call this; it reads nothing from disk and writes
nothing. Companies are verified concurrently (a DMSA's rate limit is per company), each with
bounded concurrency inside. A company whose reads fail after the client's retries does not
stop the others: the run finishes them, then raises :class:`VerificationIncomplete` carrying
the partial result, so the caller can save what was learnt.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from dmsa_migrate.errors import CredentialsRejectedError, InputError, ProcoreError
from dmsa_migrate.models.inventory import Inventory
from dmsa_migrate.models.verification import CompanyVerification, Verification
from dmsa_migrate.procore import (
    ClientCredentials,
    ClientEvent,
    ClientFactory,
    ProcoreClient,
    UserToken,
)
from dmsa_migrate.secrets import mask_client_id
from dmsa_migrate.verify.compare import Expected, compare_company
from dmsa_migrate.verify.findings import COMPANY_NOT_READ, finding
from dmsa_migrate.verify.old_access import OldAccessView, old_access
from dmsa_migrate.verify.previous import apply_previous, apply_previous_company
from dmsa_migrate.verify.probe import (
    DEFAULT_CONCURRENCY,
    Discovery,
    DmsaView,
    discover,
    read_company,
)
from dmsa_migrate.verify.users import compare_user, user_identity, user_projects

COMPANY_CONCURRENCY = 8
"""Companies read at once; each has its own DMSA rate-limit bucket, so this bounds only
how many requests are in flight: at most this times ``concurrency`` (8 × 8 = 64), below
httpx's pool of 100 connections, so no request waits for a connection. Verify is
latency-bound (a company is a chain of about 8 round trips), so more companies at once
is what shortens it."""


@dataclass(frozen=True)
class VerifyProgress:
    """One progress step: ``done`` of ``total`` companies, and what just happened."""

    message: str
    done: int
    total: int


ProgressCallback = Callable[[VerifyProgress], None]
CompanyCallback = Callable[[CompanyVerification], None]
"""Called with each company's result as soon as it is known (fleet runs write it out)."""


class VerificationIncomplete(ProcoreError):
    """Some companies could not be read after retries; ``partial`` holds everything else."""

    title = "Verification incomplete"

    def __init__(self, message: str, partial: Verification) -> None:
        super().__init__(message)
        self.partial = partial
        self.written: Path | None = None
        """Where the caller already wrote the whole partial file (a streamed run)."""


@dataclass
class _Outcome:
    company_id: int
    view: DmsaView | None = None
    error: ProcoreError | None = None


async def verify_install(
    inventory: Inventory | OldAccessView,
    connection: ClientFactory,
    dmsa_credentials: ClientCredentials,
    *,
    company_ids: Sequence[int] = (),
    previous: Verification | None = None,
    expected: Expected | None = None,
    user_credentials: UserToken | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    on_progress: ProgressCallback | None = None,
    on_event: Callable[[ClientEvent], None] | None = None,
    on_company: CompanyCallback | None = None,
    finished: Sequence[CompanyVerification] = (),
    keep_companies: bool = True,
) -> Verification:
    """Verify the DMSA install in every company and compare it with the old access.

    Args:
        inventory: step 1's result, or the old access per company already merged from it
            (:func:`.old_access.old_access` over a streamed file: a fleet's inventory is
            not held whole).
        connection: builds clients (``runtime.Connection``, real or emulator).
        dmsa_credentials: the app's client id and resolved secret.
        company_ids: only these companies (default: the inventory's, plus every company
            the app turns out to be installed in).
        previous: an earlier verification, to report projects lost since (app updates).
        expected: the manifest's ``{"company": {...}, "project": {...}}`` levels; when
            given, needed levels come from it instead of the old access.
        user_credentials: a signed-in user's token for Procore's project-list comparison.
        concurrency: requests at once inside one company.
        on_progress, on_event: progress listeners (companies; every HTTP request).
        on_company: receives each company's result as it completes.
        finished: results of an interrupted run (``--resume``): these companies are not
            read again and are part of the result as they are.
        keep_companies: False (fleet runs, with ``on_company`` writing each company out):
            the result keeps only the companies that could not be read, so memory does
            not grow with the fleet; :func:`.fleet.write_verification` composes the file
            from the journal. Ignored with ``user_credentials`` (that pass needs them all).

    Raises:
        InputError: no company to verify.
        ProcoreError: the app's credentials were refused, or discovery failed.
        VerificationIncomplete: some companies failed; ``.partial`` has the rest.
    """
    old = old_access(inventory) if isinstance(inventory, Inventory) else inventory
    candidates = list(dict.fromkeys(company_ids or list(old)))
    if not candidates:
        raise InputError(
            "verify: no company to check; the inventory names none, so pass --company-id ID"
        )
    report = on_progress or (lambda _progress: None)
    with _fewer_collections():
        return await _verify(
            old, candidates, connection, dmsa_credentials, company_ids, previous, expected,
            user_credentials, concurrency, report, on_event, on_company, finished,
            keep_companies,
        )


_SAVED: list[tuple[int, int, int]] = []
"""The collector's thresholds before the first run in progress began (one entry per run
in progress: the TUI may start one while another ends)."""
YOUNG_OBJECTS = 3_000
"""The collector's first threshold during a run (Python's default: 700)."""


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Run the cyclic garbage collector less often while companies are read.

    Why: every page decodes into thousands of short-lived objects, so with the default
    threshold (700 new objects) the collector ran hundreds of times in a fleet run while
    finding almost nothing: pages are freed by reference counting. At 3,000 it runs a
    quarter as often; higher thresholds save a little more CPU but let the few cycles a
    run makes (closed connections, per-company buckets) hold memory longer
    (tests/verify/test_memory_shape.py). The thresholds come back when the last run in
    progress ends.
    """
    _SAVED.append(_SAVED[0] if _SAVED else gc.get_threshold())
    first, *older = _SAVED[0]
    gc.set_threshold(max(first, YOUNG_OBJECTS), *older)
    try:
        yield
    finally:
        original = _SAVED.pop()
        if not _SAVED:
            gc.set_threshold(*original)


async def _verify(
    old: OldAccessView,
    candidates: list[int],
    connection: ClientFactory,
    dmsa_credentials: ClientCredentials,
    company_ids: Sequence[int],
    previous: Verification | None,
    expected: Expected | None,
    user_credentials: UserToken | None,
    concurrency: int,
    report: ProgressCallback,
    on_event: Callable[[ClientEvent], None] | None,
    on_company: CompanyCallback | None,
    finished: Sequence[CompanyVerification],
    keep_companies: bool,
) -> Verification:
    """:func:`verify_install` once its arguments are checked."""
    async with connection.client(dmsa_credentials, on_event=on_event) as client:
        report(VerifyProgress("discovering installs", 0, len(candidates)))
        try:
            found = await discover(client, candidates)
        except CredentialsRejectedError as exc:
            # The token request names no company; say which one the run was checking and
            # whose credentials were refused, so the message names company and request.
            exc.message = (
                f"company {candidates[0]}: the app's credentials "
                f"({mask_client_id(dmsa_credentials.client_id)}) were refused: {exc.message}"
            )
            raise
        targets = candidates if company_ids else candidates + found.installed_elsewhere
        for company_id in found.installed_elsewhere:
            found.status.setdefault(company_id, "installed")
        done_ids = {company.id for company in finished}
        todo = [company_id for company_id in targets if company_id not in done_ids]
        keep = keep_companies or on_company is None or user_credentials is not None
        judge = _Judge(found, old, expected, previous, on_company, keep)
        outcomes = await _read_all(client, todo, found, concurrency, report, judge)
        # As sent once (docs/verify.md): resends after a fault or a 401 are the client's.
        stats = client.stats
        requests = stats.requests - stats.retries - stats.renewals_after_401
    companies = [*finished, *judge.results] if keep else judge.results
    verification = Verification(
        generated_at=datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        companies=sorted(companies, key=lambda c: c.id),
        dmsa_client_id=mask_client_id(dmsa_credentials.client_id),
        needed_from="manifest" if expected is not None else "old_access",
        requests=requests,
    )
    if previous is not None:
        apply_previous(verification, previous)  # resumed companies were compared already
    if user_credentials is not None:
        verification.requests += await _compare_users(connection, user_credentials, verification)
    failures = [o for o in outcomes if o.error is not None]
    verification.complete = not failures
    # Kept: judged as they stand now (the user comparison may have added findings).
    # Streamed: each company was judged as it was written out.
    all_ok = (
        all(_company_ok(c) for c in verification.companies)
        if keep else judge.all_ok and all(_company_ok(c) for c in finished)
    )
    verification.ok = verification.complete and all_ok
    if failures:
        raise _incomplete(failures, verification)
    return verification


@dataclass
class _Judge:
    """Turns each company's reads into its result the moment they end, so a fleet run can
    write it out (and forget the raw view) before the next company finishes."""

    found: Discovery
    old: OldAccessView
    expected: Expected | None
    previous: Verification | None
    on_company: CompanyCallback | None
    keep: bool = True
    results: list[CompanyVerification] = field(default_factory=list)
    all_ok: bool = True
    before: dict[int, CompanyVerification] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.previous is not None:
            self.before = {company.id: company for company in self.previous.companies}

    def __call__(self, outcome: _Outcome) -> None:
        result = _company_result(outcome, self.found, self.old, self.expected)
        if self.previous is not None and outcome.error is None:
            earlier = self.before.get(result.id)
            apply_previous_company(result, earlier, self.previous.generated_at)
        self.all_ok = self.all_ok and _company_ok(result)
        if self.keep or outcome.error is not None:
            self.results.append(result)
        if self.on_company is not None and outcome.error is None:
            self.on_company(result)  # an unread company is not final: --resume reads it


async def _read_all(
    client: ProcoreClient,
    targets: list[int],
    found: Discovery,
    concurrency: int,
    report: ProgressCallback,
    judge: _Judge,
) -> list[_Outcome]:
    done = 0

    async def one(company_id: int) -> _Outcome:
        nonlocal done
        outcome = _Outcome(company_id)
        if found.status.get(company_id) == "installed":
            try:
                outcome.view = await read_company(client, company_id, concurrency=concurrency)
            except ProcoreError as exc:
                outcome.error = exc
        judge(outcome)
        outcome.view = None  # judged: the raw reads are not needed any more
        done += 1
        status = found.status.get(company_id, "not_installed")
        report(VerifyProgress(f"company {company_id}: {status}", done, len(targets)))
        return outcome

    return await client.map(one, targets, limit=COMPANY_CONCURRENCY)


def _company_result(
    outcome: _Outcome,
    found: Discovery,
    old: OldAccessView,
    expected: Expected | None,
) -> CompanyVerification:
    company_id = outcome.company_id
    status = found.status.get(company_id, "not_installed")
    name = found.names.get(company_id, "")
    previous_old = old.get(company_id)
    if outcome.error is not None:
        # Unread: keep the company listed, with nothing claimed about its projects.
        return CompanyVerification(
            id=company_id, name=name or (previous_old.name if previous_old else ""),
            installed=True, status="installed", in_inventory=previous_old is not None,
            findings=[finding(COMPANY_NOT_READ, outcome.error.message)],
        )
    return compare_company(company_id, status, name, outcome.view, previous_old, expected)


async def _compare_users(
    connection: ClientFactory, token: UserToken, verification: Verification
) -> int:
    """Add the user comparison to every installed company; return the requests it took."""
    installed = [c.id for c in verification.companies if c.status == "installed"]
    async with connection.client(token) as client:
        user_id, user_name = await user_identity(client, installed[0] if installed else None)
        for company in verification.companies:
            if company.status == "installed":
                seen = await user_projects(client, company.id)
                compare_user(company, user_id, user_name, seen)
        stats = client.stats
        return stats.requests - stats.retries - stats.renewals_after_401


def _company_ok(company: CompanyVerification) -> bool:
    return not company.permission_gaps and all(f.severity != "error" for f in company.findings)


def _incomplete(failures: list[_Outcome], partial: Verification) -> VerificationIncomplete:
    first = failures[0]
    assert first.error is not None
    others = f" (and {len(failures) - 1} more compan{'ies' if len(failures) > 2 else 'y'})"
    more = others if len(failures) > 1 else ""
    return VerificationIncomplete(
        f"company {first.company_id}: {first.error.message}{more}", partial
    )
