"""``dmsa-migrate verify`` (step 3): check the DMSA install against the old access."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dmsa_migrate.cli._options import (
    CONCURRENCY,
    add_connection_options,
    add_out_option,
    company_id_number,
)
from dmsa_migrate.cli._safe_output import print_output
from dmsa_migrate.cli._session import add_session_options, engagement_for, report_run

if TYPE_CHECKING:
    from dmsa_migrate.verify import VerifyProgress


def register(subparsers: Any) -> None:
    """Register ``verify``."""
    verify = subparsers.add_parser(
        "verify", help="step 3: verify the DMSA install",
        description="With the DMSA app's credentials, check every customer company: is the "
        "app installed and connected, which projects is it permitted on, what can it do "
        "there; compare with the old accounts' access. Exit 0 clean, 1 gaps found, 2 bad "
        "input, 3 Procore/network failure (partial results are still saved with --out).",
    )
    verify.add_argument(
        "--inventory", metavar="FILE", help="inventory.json (default: the session's last)"
    )
    verify.add_argument(
        "--dmsa", metavar="CLIENT_ID", help="the app's client id (default: the session's)"
    )
    verify.add_argument(
        "--dmsa-secret", metavar="REF",
        help="the app's client secret as env:NAME, file:PATH, keyring:SERVICE/NAME or prompt "
        "(default: the session's reference)",
    )
    verify.add_argument(
        "--company-id", action="append", type=company_id_number, default=[], metavar="ID",
        help="check only this company (repeatable; default: the inventory's companies and "
        "every company the app is installed in)",
    )
    verify.add_argument(
        "--previous", metavar="FILE",
        help="an earlier verification.json: report projects lost since (app update reset); "
        "default: the session's last verification",
    )
    verify.add_argument(
        "--manifest", metavar="FILE",
        help="the app's manifest: needed levels come from it instead of the old access "
        "(default: the session's manifest)",
    )
    verify.add_argument(
        "--user-token", metavar="REF",
        help="a signed-in user's access token (reference): compare the projects they see",
    )
    verify.add_argument(
        "--replay", action="append", default=[], metavar="USAGE",
        help="opt-in: send each read (GET) of this usage evidence (scan JSON, Activity Report "
        "CSV, a recording or inventory.json; repeatable) once per installed company, in one "
        "permitted project, with the app's token; every 403 is a gap proven by Procore",
    )
    add_out_option(verify, "verification (JSON, created private)")
    verify.add_argument(
        "--json", action="store_true", help="print the verification JSON instead of the summary"
    )
    verify.add_argument(
        "--concurrency", type=CONCURRENCY, default=8, metavar="N",
        help="requests at once inside one company (default 8)",
    )
    verify.add_argument(
        "--resume", action="store_true",
        help="continue an interrupted run: companies already in FILE.partial (the journal "
        "of --out FILE) are not read again",
    )
    verify.add_argument(
        "--junit", metavar="FILE",
        help="also write a JUnit XML report, one test case per company (for CI)",
    )
    verify.add_argument(
        "--summary", metavar="STEM",
        help="also write the fleet summary as STEM.csv and STEM.json (one row per company)",
    )
    add_session_options(verify, "verification")
    add_connection_options(verify)
    verify.set_defaults(handler=_verify)


def _verify(args: argparse.Namespace) -> int:
    import anyio

    from dmsa_migrate.engagement import Hooks, VerifyRequest, run_verify
    from dmsa_migrate.fileio import atomic_write_text, refuse_special_targets
    from dmsa_migrate.verify import VerificationIncomplete
    from dmsa_migrate.verify.fleet import journal_path, summary_paths, write_summary

    if args.out:  # before a run of many minutes, not at its end
        refuse_special_targets(Path(args.out), journal_path(args.out))
    if args.summary:
        refuse_special_targets(*summary_paths(args.summary))
    if args.junit:
        refuse_special_targets(Path(args.junit))
    request = VerifyRequest(
        inventory=args.inventory, dmsa=args.dmsa, dmsa_secret=args.dmsa_secret,
        company_ids=args.company_id, previous=args.previous, manifest=args.manifest,
        user_token=args.user_token, concurrency=args.concurrency,
        journal=str(journal_path(args.out)) if args.out else None, resume=args.resume,
        replay=args.replay, out=args.out,
    )
    with _progress() as on_progress:
        engagement = engagement_for(args, Hooks(on_progress=on_progress))
        try:
            outcome = anyio.run(run_verify, engagement, request)
        except VerificationIncomplete as exc:
            if args.out:
                if exc.written is None:
                    from dmsa_migrate.engagement._common import model_text

                    atomic_write_text(Path(args.out), model_text(exc.partial))
                exc.message += (
                    f" (partial results saved to {args.out}; --resume reads only the rest)"
                )
            raise
    if args.out and outcome.path is None:
        atomic_write_text(Path(args.out), outcome.text)
    rows = outcome.tally.rows if outcome.tally is not None else None
    if args.summary:
        for path in write_summary(outcome.verification, args.summary, rows):
            print(f"wrote {path}", file=sys.stderr)
    if args.junit:
        _write_junit(args.junit, outcome.verification, rows)
    if args.json:
        print_output(outcome.path, outcome.text)
    else:
        _print_summary(outcome)
        if args.out:
            print(f"wrote {args.out}")
    report_run(args, outcome.run)
    return 0 if outcome.verification.ok else 1


def _write_junit(target: str, verification: Any, rows: Any) -> None:
    """The JUnit report of the run's fleet rows (the streamed ones, or the result's)."""
    from dmsa_migrate.fileio import atomic_write_text
    from dmsa_migrate.verify.fleet import fleet_rows
    from dmsa_migrate.verify.junit import fleet_junit

    rows = fleet_rows(verification) if rows is None else rows
    path = atomic_write_text(Path(target), fleet_junit(rows, verification.generated_at))
    print(f"wrote {path}", file=sys.stderr)


def _print_summary(outcome: Any) -> None:
    """Every company's block and the verdict; a streamed run's companies are read back
    from its file one at a time."""
    from dmsa_migrate.verify.render import summary_lines

    companies = None
    if outcome.path is not None:
        from dmsa_migrate.artifacts import stream_verification

        companies = stream_verification(outcome.path).items()
    for line in summary_lines(outcome.verification, companies, outcome.tally):
        print(line)


@contextmanager
def _progress() -> Iterator[Callable[[VerifyProgress], None] | None]:
    """A progress bar on stderr when it is a terminal (done/total, rate, ETA); nothing
    otherwise."""
    if not sys.stderr.isatty():
        yield None
        return
    import time

    from rich.console import Console
    from rich.progress import Progress

    from dmsa_migrate.verify.fleet import progress_text

    started = time.monotonic()
    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("verifying", total=None)

        def update(progress: VerifyProgress) -> None:
            line = progress_text(progress.done, progress.total, time.monotonic() - started)
            bar.update(
                task, description=f"{line} · {progress.message}",
                completed=progress.done, total=progress.total,
            )

        yield update
