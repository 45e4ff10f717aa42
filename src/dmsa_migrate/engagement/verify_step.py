"""Step 3 for an engagement: the session's DMSA credential, manifest and last verification.

Re-verification is one command: the session's last verification is the ``previous`` run
automatically (projects lost since, e.g. after an app update reset the permitted projects),
and the session's manifest gives the needed levels. ``--previous``/``--manifest`` flags
replace them for one run.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dmsa_migrate.artifacts import load_verification
from dmsa_migrate.engagement._common import (
    input_file,
    model_text,
    recorder,
    step_inventory_path,
)
from dmsa_migrate.engagement.context import Engagement
from dmsa_migrate.engagement.history import RunRecorder
from dmsa_migrate.engagement.status import verification_status
from dmsa_migrate.errors import InputError
from dmsa_migrate.models.run import RunRecord
from dmsa_migrate.models.verification import Verification
from dmsa_migrate.verify.fleet import FleetTally

DMSA_SECRET = "dmsa_secret"
USER_TOKEN = "user_token"
"""The session's optional reference to a signed-in user's token (verify's user comparison)."""
PREVIOUS_VERIFICATION_FILE = "verification.previous.json"


@dataclass
class VerifyRequest:
    """Flags of one verify run; None / empty: the session's value."""

    inventory: str | None = None
    dmsa: str | None = None
    dmsa_secret: str | None = None
    company_ids: list[int] = field(default_factory=list)
    previous: str | None = None
    manifest: str | None = None
    user_token: str | None = None
    concurrency: int = 8
    journal: str | None = None
    """Fleet runs: append each company's result to this file as it finishes
    (:mod:`dmsa_migrate.verify.fleet`); removed when the run completes."""
    resume: bool = False
    """Skip the companies ``journal`` already holds (an interrupted run's)."""
    out: str | None = None
    """With ``journal``: write ``verification.json`` here from the journal, a company at a
    time, and keep no company's result in memory (fleets, issue 18); also an interrupted
    run's partial file. Without it the result is kept whole (the TUI shows it)."""
    replay: list[str] = field(default_factory=list)
    """Usage evidence files whose reads ``verify --replay`` sends (opt-in; verify/replay.py)."""


@dataclass
class VerifyOutcome:
    """The verification, the status it gave the step, the run record, the JSON text."""

    verification: Verification
    previous: Verification | None
    status: str
    summary: str
    run: RunRecord
    text: str
    path: Path | None = None
    """A streamed run's file (``VerifyRequest.out``); ``verification`` then holds only the
    companies that could not be read, and :attr:`tally` what the summaries need."""
    tally: FleetTally | None = None



def _expected(path: str | None) -> dict[str, dict[str, str]] | None:
    if path is None:
        return None
    from dmsa_migrate.manifest.load import load_manifest

    loaded = load_manifest(path)
    return {
        scope: {tool: level for tool, level in tools.items() if level != "none"}
        for scope, tools in loaded.permissions.items()
    }


def _dmsa(engagement: Engagement, request: VerifyRequest, run: RunRecorder) -> Any:
    from dmsa_migrate.runtime import client_credentials

    session = engagement.session
    client_id = request.dmsa or (session.credentials.dmsa_client_id if session else "")
    reference = request.dmsa_secret or engagement.session_ref(DMSA_SECRET)
    if request.dmsa:
        run.override("dmsa", request.dmsa)
    if request.dmsa_secret:
        run.override("dmsa_secret", request.dmsa_secret)
    if not client_id or not reference:
        raise InputError(
            "verify: no DMSA credential: give --dmsa CLIENT_ID --dmsa-secret REF, or store "
            "them in the session (session new --dmsa ID --dmsa-secret REF, or k in the TUI)"
        )
    return client_credentials(client_id, engagement.secret(reference, "--dmsa-secret"))


def _user(engagement: Engagement, request: VerifyRequest, run: RunRecorder) -> Any:
    from dmsa_migrate.runtime import user_token

    if request.user_token:
        run.override("user_token", request.user_token)
    reference = request.user_token or engagement.session_ref(USER_TOKEN)
    if not reference:
        return None
    return user_token(engagement.secret(reference, "--user-token"))


@dataclass
class _Prepared:
    """Everything read from disk before the first request (done in a thread)."""

    run: RunRecorder
    old: Any
    """The old access per company (verify.old_access), merged from the streamed inventory."""
    previous: Verification | None
    expected: dict[str, dict[str, str]] | None
    credentials: Any
    user: Any
    company_ids: list[int]
    connection: Any
    replay_usage: list[Any] = field(default_factory=list)
    previous_copy: _PreviousCopy | None = None
    """Fleet runs: how ``verification.previous.json`` is written without the whole run."""


def _prepare(engagement: Engagement, request: VerifyRequest) -> _Prepared:
    run = recorder(engagement, "verify")
    old = old_inventory_access(
        step_inventory_path(engagement, run, request.inventory, "verify")
    )
    previous_path = input_file(engagement, run, "previous", request.previous, "verify")
    previous = _previous(previous_path, slim=request.out is not None)
    filled: dict[int, Any] = {}
    if previous is not None:
        source = "--previous" if request.previous else "the session's last verification"
        when = f" of {previous.generated_at}" if previous.generated_at else ""
        note = "" if request.previous else _fill_unread(engagement, run, previous, filled)
        run.note(f"compared with the previous verification{when} ({source}){note}")
    expected = _expected(input_file(engagement, run, "manifest", request.manifest, "manifest"))
    credentials = _dmsa(engagement, request, run)
    user = _user(engagement, request, run)
    session = engagement.session
    if request.company_ids:
        run.override("company_ids", list(request.company_ids))
    company_ids = list(request.company_ids or (session.company_ids if session else []))
    return _Prepared(
        run, old, previous, expected, credentials, user, company_ids,
        engagement.connection(), _replay_usage(request, run),
        _PreviousCopy(Path(previous_path), filled) if previous_path and request.out else None,
    )


def _previous(path: str | None, *, slim: bool) -> Verification | None:
    """The previous verification: whole, or (fleet runs, ``--out``) read a company at a
    time keeping only what the comparison needs of each (verify.previous.slim_company)."""
    if path is None:
        return None
    if not slim:
        return load_verification(path)
    from dmsa_migrate.artifacts import stream_verification
    from dmsa_migrate.verify.previous import slim_company

    streamed = stream_verification(path)
    companies = [slim_company(company) for company in streamed.items()]
    assert streamed.header is not None
    streamed.header.companies = companies
    return streamed.header


@dataclass
class _PreviousCopy:
    """A slim previous run's file, to be copied whole into the session (the TUI compares
    runs with it), with the companies filled from earlier runs put in their place."""

    source: Path
    filled: dict[int, Any]

    def write(self, target: Path) -> None:
        from dmsa_migrate.artifacts import stream_verification
        from dmsa_migrate.fileio import JsonListWriter, split_members
        from dmsa_migrate.secrets import redact

        header = stream_verification(self.source)
        for _company in header.items():  # a first pass for the members around the list
            pass
        assert header.header is not None
        data = header.header.model_dump(mode="json", by_alias=True)
        head, tail = split_members(data, "companies")
        with JsonListWriter(target, head, "companies", transform=redact) as writer:
            for company in stream_verification(self.source).items():
                kept = self.filled.get(company.id, company)
                writer.add(kept.model_dump(mode="json", by_alias=True))
            writer.commit(tail)


MAX_EARLIER_RUNS = 20
"""How many earlier verify runs are searched for a company the last one could not read."""


def _fill_unread(
    engagement: Engagement, run: RunRecorder, previous: Verification,
    filled: dict[int, Any] | None = None,
) -> str:
    """Companies the session's last verification could not read are compared with the
    latest earlier run that did read them (so a reset between the two is still caught);
    returns the note's tail naming them, '' when there were none. ``filled`` receives
    them whole; earlier runs are read a company at a time."""
    from dmsa_migrate.artifacts import stream_verification
    from dmsa_migrate.engagement.history import list_runs, run_output

    unread = {c.id for c in previous.companies if c.unread_reason()}
    store, session = engagement.store, engagement.session
    if not unread or store is None or session is None:
        return ""
    used: list[str] = []
    runs = [r for r in list_runs(store, session) if r.kind == "verify"][-MAX_EARLIER_RUNS:]
    for record in reversed(runs):
        if not unread:
            break
        try:
            path = run_output(store, session, record, "verification.json")
            found = {
                c.id: c for c in stream_verification(path).items()
                if c.id in unread and not c.unread_reason()
            }
        except InputError:
            continue
        if filled is not None:
            filled.update(found)
        if found:
            run.input("previous", path)
            previous.companies = [found.get(c.id, c) for c in previous.companies]
            used.extend(f"{company_id} (run {record.id})" for company_id in sorted(found))
            unread -= set(found)
    return f"; unread there, so compared with earlier runs: {', '.join(used)}" if used else ""


def old_inventory_access(path: str) -> Any:
    """The old access per company, read from ``path`` an account at a time: a fleet's
    inventory is never held whole (issue 18), and the access itself waits on disk until
    verify judges each company (verify.old_access.SpilledOldAccess). Bad files get the
    same located messages as a whole-file read (artifacts.StreamedFile).
    """
    from dmsa_migrate.artifacts import stream_inventory
    from dmsa_migrate.verify.old_access import SpilledOldAccess

    return SpilledOldAccess(stream_inventory(path).items())


def _replay_usage(request: VerifyRequest, run: RunRecorder) -> list[Any]:
    """The usage entries of ``--replay`` files, read before any request (bad input: exit 2)."""
    if not request.replay:
        return []
    from dmsa_migrate.manifest.usage import load_usage_file

    run.override("replay", list(request.replay))
    return [entry for path in request.replay for entry in load_usage_file(path)]


async def run_verify(
    engagement: Engagement, request: VerifyRequest | None = None
) -> VerifyOutcome:
    """Verify the install for the engagement and record the run (also a partial one).

    File IO runs in a thread, so a TUI worker never blocks its event loop.

    Raises:
        VerificationIncomplete: some companies failed; the partial result is recorded
            (and, streamed, written to ``request.out``: ``written`` names it).
    """
    from dmsa_migrate.verify import VerificationIncomplete, verify_install

    request = request or VerifyRequest()
    if request.concurrency < 1:
        raise InputError("--concurrency must be at least 1")
    ready = await asyncio.to_thread(_prepare, engagement, request)
    # Streamed unless a later pass needs every company (replay, the user comparison).
    streams = request.out is not None and not (ready.replay_usage or ready.user)
    finished, journal = await asyncio.to_thread(
        _open_journal, request, ready.credentials, streams
    )
    streamed = _Streamed.of(request, journal) if streams else None
    try:
        verification = await verify_install(
            ready.old, ready.connection, ready.credentials,
            company_ids=ready.company_ids, previous=ready.previous, expected=ready.expected,
            user_credentials=ready.user, concurrency=request.concurrency,
            on_progress=engagement.hooks.on_progress,
            on_company=journal.add if journal is not None else None, finished=finished,
            keep_companies=streamed is None,
        )
        if ready.replay_usage:
            from dmsa_migrate.verify.replay import replay_install

            verification = await replay_install(
                ready.connection, ready.credentials, verification, ready.replay_usage
            )
    except VerificationIncomplete as exc:
        if journal is not None:
            journal.close()  # complete on disk before the file is composed from it
        partial = await asyncio.to_thread(
            _record, engagement, ready.run, exc.partial, ready.previous, streamed,
            error=exc.message, copy=ready.previous_copy,
        )
        exc.written = partial.path
        raise
    finally:
        if journal is not None:
            journal.close()
        _close(ready.old)
    outcome = await asyncio.to_thread(
        _record, engagement, ready.run, verification, ready.previous, streamed,
        copy=ready.previous_copy,
    )
    if journal is not None:
        journal.remove()
    return outcome


@dataclass
class _Streamed:
    """Where a streamed run's file is composed from: the journal, into ``out``."""

    journal: Path
    out: Path

    @classmethod
    def of(cls, request: VerifyRequest, journal: Any) -> _Streamed | None:
        if journal is None or request.out is None:
            return None
        return cls(journal.path, Path(request.out).expanduser())

    def write(self, verification: Verification) -> tuple[Path, FleetTally]:
        """``verification.json`` from the journal (scrubbed as :func:`model_text` scrubs
        the whole text), and the tally of what it holds."""
        from dmsa_migrate.secrets import redact
        from dmsa_migrate.verify.fleet import write_verification

        tally = FleetTally()
        path = write_verification(
            verification, self.journal, self.out, transform=redact, on_company=tally.add
        )
        return path, tally


def _close(old: Any) -> None:
    """The spilled old access's temporary file goes with the run."""
    close = getattr(old, "close", None)
    if close is not None:
        close()


def _open_journal(
    request: VerifyRequest, credentials: Any, slim: bool = False
) -> tuple[list[Any], Any]:
    """The companies to skip (``resume``) and the journal to append to (``journal``).

    ``slim`` (a streamed run: the final file is composed from the journal itself): of each
    finished company only what the verdict needs is kept (verify.fleet.verdict_only).
    """
    if request.journal is None:
        if request.resume:
            raise InputError("--resume needs --out FILE: the journal it resumes is FILE.partial")
        return [], None
    from dmsa_migrate.secrets import mask_client_id
    from dmsa_migrate.verify.fleet import Journal, read_journal, verdict_only

    path = Path(request.journal)
    masked = mask_client_id(credentials.client_id)
    keep = verdict_only if slim else None
    finished = read_journal(path, masked, keep) if request.resume else []
    return finished, Journal(path, masked, resume=request.resume)


def _record(
    engagement: Engagement, run: RunRecorder, verification: Verification,
    previous: Verification | None, streamed: _Streamed | None = None, *, error: str = "",
    copy: _PreviousCopy | None = None,
) -> VerifyOutcome:
    path, tally = streamed.write(verification) if streamed is not None else (None, None)
    status, summary = verification_status(verification, tally)
    text = model_text(verification) if path is None else ""
    folder = engagement.folder
    if folder is not None and previous is not None and copy is not None:
        copy.write(folder / PREVIOUS_VERIFICATION_FILE)  # the previous run is slim here
    elif folder is not None and previous is not None:
        from dmsa_migrate.fileio import atomic_write_text

        atomic_write_text(folder / PREVIOUS_VERIFICATION_FILE, model_text(previous))
    exit_code = 3 if error else (0 if verification.ok else 1)
    record = run.finish(
        status, summary, {"verification.json": path or text}, exit_code=exit_code, error=error
    )
    return VerifyOutcome(verification, previous, status, summary, record, text, path, tally)
