"""Step 1 as one async call: :func:`build_inventory` (used by the CLI, the TUI and the demo).

For each account (``ACCOUNT_CONCURRENCY`` at once; results in file order):

1. live probe with its own credential (unless ``live=False``): ``active`` or ``rejected``
   with the reason;
2. Directory reconstruction with the ``[directory]`` credential, for every account: its
   user (by the live ``/me`` id, else the file's ``user_id``, else candidates are listed
   and nothing is assumed), company template, project assignments and templates;
3. for an active account whose company the Directory did not cover, project tool levels
   from its own token (:func:`.live.fill_project_levels`);
4. merge (:mod:`.merge`), then usage from the Activity Report and the code scan.

All secret references are resolved before the first request, so a bad reference costs no
request. A failure that is not about one fact (no answer, 5xx or 429 after retries, a
refused Directory credential) stops the run with :class:`InventoryInterrupted`, which
carries the inventory collected so far so the caller can still save it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from dmsa_migrate.errors import (
    CredentialsRejectedError,
    ForbiddenError,
    InputError,
    NotFoundError,
    ProcoreError,
)
from dmsa_migrate.inventory import live
from dmsa_migrate.inventory.context import (
    CollectOptions,
    Progress,
    ProgressListener,
)
from dmsa_migrate.inventory.directory import DirectoryReader, UserAccess, started
from dmsa_migrate.inventory.evidence import AccountEvidence, Candidate
from dmsa_migrate.inventory.merge import merge_account
from dmsa_migrate.models.accounts import AccountEntry, AccountsFile, DirectorySection
from dmsa_migrate.models.common import Source
from dmsa_migrate.models.inventory import Inventory, InventoryAccount, UsageEntry
from dmsa_migrate.procore import (
    ClientCredentials,
    ClientFactory,
    Credentials,
    ProcoreClient,
    UserToken,
    fanout,
)
from dmsa_migrate.secrets import resolve

if TYPE_CHECKING:
    from dmsa_migrate.inventory.scan import ScanOutcome

Resolver = Callable[[str, str], str]
"""``(reference, field) -> secret``; :func:`dmsa_migrate.secrets.resolve` by default."""


class InventorySink(Protocol):
    """Where a streamed run puts each account (``inventory.output.InventoryFile``)."""

    def begin(self, generated_at: str) -> None:
        """The run starts: the file's head can be written."""

    def add(self, account: InventoryAccount) -> None:
        """The next account in file order."""


class InventoryInterrupted(ProcoreError):
    """Procore stopped answering mid-run; ``partial`` is everything collected until then."""

    title = "Procore"

    def __init__(self, message: str, partial: Inventory) -> None:
        super().__init__(message)
        self.partial = partial


@dataclass
class Evidence:
    """Offline evidence added to the inventory: usage entries and where client ids were found.

    ``usage_by_label``: usage tied to one account (``--activity LABEL=FILE``), which also
    adds ``activity`` to that account's sources. ``client_id_locations``: sha256 of a client
    id found by the code scan → ``file:line`` list (digests only: no id is kept in memory
    longer than the scan).
    """

    usage: list[UsageEntry] = field(default_factory=list)
    usage_by_label: dict[str, list[UsageEntry]] = field(default_factory=dict)
    client_id_locations: dict[str, list[str]] = field(default_factory=dict)
    scanned: bool = False

    def add_scan(self, outcome: ScanOutcome) -> None:
        """Add a code scan's endpoints and client-id locations."""
        self.scanned = True
        self.usage.extend(outcome.report.usage)
        for digest, places in outcome.client_id_locations.items():
            self.client_id_locations.setdefault(digest, []).extend(places)


def client_id_digest(client_id: str) -> str:
    """How scan findings and accounts are matched without keeping ids around."""
    return hashlib.sha256(client_id.encode()).hexdigest()


def _now_iso() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def directory_credentials(
    section: DirectorySection | None,
    resolver: Resolver,
    login_token: Callable[[], str] | None = None,
) -> Credentials | None:
    """The ``[directory]`` credential, resolved; ``None`` when the file has none."""
    if section is None:
        return None
    if section.token is not None:
        return UserToken(resolver(section.token, "directory.token"))
    if section.client_id is not None and section.client_secret is not None:
        return ClientCredentials(
            section.client_id, resolver(section.client_secret, "directory.client_secret")
        )
    if login_token is None:
        raise InputError(
            "directory.login: no login token in this run; run `dmsa-migrate login` first or "
            "give directory.token = REF (e.g. --directory-token env:PROCORE_ADMIN_TOKEN)"
        )
    return UserToken(login_token())


class _Run:
    """One inventory run: the shared Directory reader, counters and progress."""

    def __init__(
        self,
        connection: ClientFactory,
        options: CollectOptions,
        today: dt.date,
        on_progress: ProgressListener | None,
        total: int,
    ) -> None:
        self.connection = connection
        self.options = options
        self.today = today
        self.on_progress = on_progress
        self.total = total
        self.done = 0
        self.reader: DirectoryReader | None = None
        self.opened = asyncio.Event()
        """Set once the run-wide Directory company list has been read (or the first account
        has finished): the other accounts start then."""
        self.names: asyncio.Future[dict[int, str]] | None = None
        """The run-wide Directory company list, read beside the first account's live probe;
        every account's Directory reads wait for it (shielded: one account stopping does not
        cancel it for the others, and a failure is not read again)."""

    def progress(self, stage: str, label: str, detail: str = "") -> None:
        if self.on_progress is not None:
            self.on_progress(
                Progress(stage, label, self.done, self.total, detail, self.options.tally.total)
            )

    async def first_account(
        self, entry: AccountEntry, secret: str | None, evidence: AccountEvidence
    ) -> None:
        """The file's first account, with the run-wide Directory company list read beside
        its live probe: the list opens the run to the other accounts as soon as it is in,
        and a refused Directory credential still surfaces here, after the live probe (the
        probe's result is kept in the partial inventory), the same way each run."""
        if self.reader is None:
            self.opened.set()  # no Directory credential to test first
            await self.account(entry, secret, evidence)
            return
        names = started(self.reader.company_names(entry.company_id))
        names.add_done_callback(self._names_read)
        self.names = names
        try:
            await self.account(entry, secret, evidence)
        finally:
            names.cancel()  # done by now unless the live probe failed first

    def _names_read(self, task: asyncio.Future[dict[int, str]]) -> None:
        if not task.cancelled() and task.exception() is None:
            self.opened.set()

    async def account(
        self, entry: AccountEntry, secret: str | None, evidence: AccountEvidence
    ) -> None:
        """One account: its live probe and, beside it, its Directory reads by the file's
        ``user_id``; redone by ``/me``'s id when the two disagree."""
        if secret is None:
            await self._apply(entry, evidence, await self._directory_read(entry, entry.user_id))
            return
        self.progress("live", entry.label, f"token request for company {entry.company_id}")
        credentials = ClientCredentials(entry.client_id, secret)
        async with self.connection.client(
            credentials, company_id=entry.company_id, on_event=self.options.tally.listener("live")
        ) as client:
            ahead = (
                started(self._directory_read(entry, entry.user_id))
                if self.reader is not None and entry.user_id is not None else None
            )
            wrong: asyncio.Future[_DirectoryRead] | None = None
            try:
                user_id = await live.probe(
                    client, evidence, entry.company_id, self.today, self.options.per_page
                )
                if user_id is not None and entry.user_id is not None and entry.user_id != user_id:
                    evidence.notes.append(
                        f"accounts file says user_id {entry.user_id}; /me says {user_id} "
                        "(used /me)"
                    )
                    wrong, ahead = ahead, None  # another user's reads: let them end, unused
                read = await (ahead if ahead is not None else self._directory_read(
                    entry, user_id if user_id is not None else entry.user_id
                ))
                if wrong is not None:
                    # Not cut off: a request cancelled in flight is sent but never counted.
                    await asyncio.gather(wrong, return_exceptions=True)
            finally:
                for left in (ahead, wrong):
                    if left is not None:
                        left.cancel()  # a no-op once done: only a failing account cuts off
            covered = await self._apply(entry, evidence, read)
            if user_id is not None:
                await self._fill_levels(client, evidence, user_id, covered)

    async def _fill_levels(
        self, client: ProcoreClient, evidence: AccountEvidence, user_id: int, covered: set[int]
    ) -> None:
        for company in evidence.companies:
            if company.source == "live" and company.id not in covered:
                self.progress("live", evidence.label, f"tool levels in company {company.id}")
                await live.fill_project_levels(
                    client, company, user_id, per_page=self.options.per_page,
                    concurrency=self.options.concurrency, notes=evidence.notes,
                )

    async def _directory_read(self, entry: AccountEntry, user_id: int | None) -> _DirectoryRead:
        """Directory reconstruction of one account's user (``None``: unknown, so the
        company's candidates are listed instead)."""
        if self.reader is None:
            return _DirectoryRead(reader=False)
        company_id = entry.company_id
        self.progress("directory", entry.label, f"Directory of company {company_id}")
        names = await (asyncio.shield(self.names) if self.names is not None
                       else self.reader.company_names(company_id))
        if company_id not in names:
            return _DirectoryRead(visible=False)
        if user_id is not None:
            return _DirectoryRead(access=await self.reader.user_access(company_id, user_id))
        try:
            return _DirectoryRead(candidates=await self.reader.candidates(company_id, entry.label))
        except (ForbiddenError, NotFoundError) as exc:
            return _DirectoryRead(access=UserAccess(None, None, exc))

    async def _apply(
        self, entry: AccountEntry, evidence: AccountEvidence, read: _DirectoryRead
    ) -> set[int]:
        """Put one Directory read into the account's evidence (after its live facts, in the
        order they always had); returns the companies it covered."""
        company_id = entry.company_id
        if not read.reader:
            if evidence.status != "active":
                evidence.notes.append(
                    "no [directory] credential: access cannot be rebuilt without one "
                    "(an admin's token, --directory-token, or a DMSA with Directory read)"
                )
            return set()
        if not read.visible:
            evidence.notes.append(
                f"company {company_id}: the [directory] credential cannot see this company"
            )
            return set()
        access = read.access
        if access is None:
            evidence.candidates = read.candidates
            evidence.notes.append(
                f"company {company_id}: the account's Directory user is unknown; set "
                "user_id in the accounts file to one of user_candidates (none is assumed)"
            )
            return set()
        if access.user is not None:
            evidence.users.append(access.user)
        if access.company is None:
            message = access.refused.message if access.refused is not None else "refused"
            evidence.notes.append(
                f"company {company_id}: Directory read refused or not found ({message})"
            )
            return set()
        evidence.companies.append(access.company)
        return {company_id}


@dataclass
class _DirectoryRead:
    """One account's Directory reads, before they go into its evidence."""

    reader: bool = True
    """False: the run has no Directory credential."""
    visible: bool = True
    """False: the Directory credential cannot see the account's company."""
    access: UserAccess | None = None
    candidates: list[Candidate] = field(default_factory=list)


async def build_inventory(
    accounts: AccountsFile,
    connection: ClientFactory,
    *,
    company_ids: Sequence[int] = (),
    directory: Credentials | None = None,
    live_probe: bool = True,
    evidence: Evidence | None = None,
    options: CollectOptions | None = None,
    today: dt.date | None = None,
    on_progress: ProgressListener | None = None,
    resolver: Resolver | None = None,
    login_token: Callable[[], str] | None = None,
    sink: InventorySink | None = None,
) -> Inventory:
    """Inventory the accounts of an accounts file.

    Args:
        accounts: the validated accounts file.
        connection: where Procore is (``runtime.Connection`` or any :class:`ClientFactory`).
        company_ids: keep only accounts of these companies (empty: all).
        directory: a Directory credential that replaces the file's ``[directory]``.
        live_probe: ``False`` sends no token request with the old credentials; every
            account stays ``unverified`` (only the credential itself can verify it).
        evidence: usage and scan evidence to add.
        options: page size, concurrency and the request tally.
        today: the date used to tell a sunset refusal (default: today, UTC).
        on_progress: called at each step.
        resolver: resolves secret references (tests inject one).
        login_token: the token of ``dmsa-migrate login`` when ``[directory] login = true``.
        sink: streams the run (fleets, issue 18): each account is handed to it in file
            order as soon as it and those before it are done, and is not kept; the result
            (and an interruption's ``partial``) then has no accounts, only the usage. The
            run's ``generated_at`` is its start, given to ``sink.begin`` before any account.

    Raises:
        InputError: bad reference, or no account left after the company filter.
        InventoryInterrupted: Procore failed after retries; carries the partial inventory.
    """
    resolve_ref = resolver or (lambda ref, name: resolve(ref, field=name))
    options = options or CollectOptions()
    evidence = evidence or Evidence()
    entries = [a for a in accounts.accounts if not company_ids or a.company_id in company_ids]
    if not entries:
        raise InputError(f"no account of company {', '.join(map(str, company_ids))} in the file")
    secrets = {
        entry.label: resolve_ref(entry.client_secret, f"accounts[{entry.label}].client_secret")
        if live_probe
        else None
        for entry in entries
    }
    directory = directory or directory_credentials(accounts.directory, resolve_ref, login_token)
    run = _Run(
        connection, options, today or dt.datetime.now(dt.UTC).date(), on_progress, len(entries)
    )
    generated_at = _now_iso()
    if sink is not None:
        sink.begin(generated_at)
    dir_client = (
        connection.client(directory, on_event=options.tally.listener("directory"))
        if directory is not None
        else None
    )
    try:
        if dir_client is not None:
            run.reader = DirectoryReader(dir_client, "directory", options.per_page)
        done = await _all_accounts(run, entries, secrets, evidence, _InOrder(sink), generated_at)
    finally:
        if dir_client is not None:
            await dir_client.aclose()
    run.progress("done", "", f"{options.tally.total} requests")
    return _inventory(done, evidence, generated_at)


ACCOUNT_CONCURRENCY = 32
"""Accounts inventoried at once. Each old account has its own token and rate-limit bucket,
and the shared Directory credential paces itself on its own bucket, so running accounts
side by side is limited by the busiest bucket instead of by the sum of every account's
round trips (one after another, loose limits took 2.6-3x the time bound; 8 at once still
left most of a 20-account run waiting on latency). Pacing, not this number, keeps the
run inside every token's and company's limits."""


WRITE_AHEAD = ACCOUNT_CONCURRENCY
"""With a sink, an account starts only when fewer than this many before it are still
waiting to be handed over, so a slow account holds back at most this many finished ones."""


class _InOrder:
    """Finished accounts in file order: kept (no sink) or handed to the sink and dropped."""

    def __init__(self, sink: InventorySink | None) -> None:
        self.sink = sink
        self.next = 0  # the first position not handed to the sink yet
        self.finished: dict[int, InventoryAccount] = {}
        self.moved = asyncio.Condition()

    async def turn(self, index: int) -> None:
        """Wait until ``index`` is close enough to the next one to hand over."""
        if self.sink is not None:
            async with self.moved:
                await self.moved.wait_for(lambda: index - self.next < WRITE_AHEAD)

    async def done(self, index: int, account: InventoryAccount) -> None:
        self.finished[index] = account
        if self.sink is None:
            return
        while self.next in self.finished:
            self.sink.add(self.finished.pop(self.next))
            self.next += 1
        async with self.moved:
            self.moved.notify_all()

    def rest(self, total: int) -> list[InventoryAccount]:
        """Every account kept (no sink: all of them, in file order)."""
        return [self.finished[i] for i in range(total)]


async def _all_accounts(
    run: _Run,
    entries: list[AccountEntry],
    secrets: dict[str, str | None],
    evidence: Evidence,
    order: _InOrder,
    generated_at: str,
) -> list[InventoryAccount]:
    """Every account, ``ACCOUNT_CONCURRENCY`` at once; results in file order.

    The first account that fails stops the others (fanout cancels them) and raises
    :class:`InventoryInterrupted` with every account finished so far.
    """
    failure: list[tuple[int, ProcoreError, AccountEvidence]] = []

    async def one(index: int) -> None:
        if index:
            await run.opened.wait()
        await order.turn(index)
        entry = entries[index]
        account = AccountEvidence(entry.label, entry.client_id)
        try:
            if index:
                await run.account(entry, secrets[entry.label], account)
            else:
                await run.first_account(entry, secrets[entry.label], account)
        except ProcoreError as exc:
            failure.append((index, exc, account))
            raise
        run.opened.set()  # the first account is through (it may have read no Directory)
        await order.done(index, _finish(account, evidence))
        run.done += 1
        run.progress("account", entry.label, account.status)

    try:
        # The first account goes alone until the run-wide Directory company list, read
        # beside its live probe, is in (run.opened), so a refused Directory credential
        # stops the run on the file's first account, after its live probe, the same way
        # each time; then every account runs side by side.
        await fanout.bounded_map(one, range(len(entries)), limit=ACCOUNT_CONCURRENCY)
    except ProcoreError:
        # The first in file order, whichever failed first in time: the same message each run.
        index, exc, account = min(failure, key=lambda failed: failed[0])
        hint = (
            "the [directory] credential was refused"
            if isinstance(exc, CredentialsRejectedError) else ""
        )
        raise _interrupted(
            exc, entries, index, account, order, evidence, hint, generated_at
        ) from exc
    return [] if order.sink is not None else order.rest(len(entries))


def _finish(account: AccountEvidence, evidence: Evidence) -> InventoryAccount:
    if account.label in evidence.usage_by_label:
        account.extra_sources.add("activity")
    locations = evidence.client_id_locations.get(client_id_digest(account.client_id), [])
    if locations:
        account.extra_sources.add("scan")
    merged = merge_account(account)
    merged.found_in = list(locations)
    return merged


def _inventory(
    accounts: list[InventoryAccount], evidence: Evidence, generated_at: str
) -> Inventory:
    usage = list(evidence.usage)
    for label, entries in evidence.usage_by_label.items():
        # Tied to one account: the manifest narrows only that account's levels with it.
        usage.extend(entry.model_copy(update={"account": label}) for entry in entries)
    return Inventory(generated_at=generated_at, accounts=accounts, usage=usage)


def _interrupted(
    exc: ProcoreError,
    entries: Sequence[AccountEntry],
    index: int,
    account: AccountEvidence,
    order: _InOrder,
    evidence: Evidence,
    hint: str,
    generated_at: str,
) -> InventoryInterrupted:
    """The partial inventory in file order: finished accounts whole, the failed one marked
    incomplete, the ones the stop cut short listed as not inventoried. With a sink, the
    accounts it has not had yet go to it, and the partial result carries none."""
    account.incomplete = True
    account.notes.append(f"stopped: {exc.message}")
    finished: Mapping[int, InventoryAccount] = order.finished
    partial: list[InventoryAccount] = []
    for position, other in enumerate(entries):
        if position < order.next:
            continue  # already in the sink
        if position in finished:
            partial.append(finished[position])
        elif position == index:
            partial.append(_finish(account, evidence))
        else:
            skipped = AccountEvidence(other.label, other.client_id, incomplete=True)
            skipped.notes.append("not inventoried: the run stopped on another account")
            partial.append(_finish(skipped, evidence))
    entry = entries[index]
    where = f"account {entry.label}, company {entry.company_id}"
    message = f"{where}: {exc.message}" + (f" ({hint})" if hint else "")
    if order.sink is not None:
        for finished_account in partial:
            order.sink.add(finished_account)
        partial = []
    return InventoryInterrupted(message, _inventory(partial, evidence, generated_at))


def sources_of(inventory: Inventory) -> Mapping[str, list[Source]]:
    """Label → sources, a convenience for front ends."""
    return {account.label: list(account.sources) for account in inventory.accounts}
