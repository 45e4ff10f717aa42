"""``dmsa-migrate verify`` (step 3): check the DMSA install against the old access."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dmsa_migrate.cli._options import add_connection_options, add_out_option
from dmsa_migrate.cli._session import add_session_options, open_session, record_step

if TYPE_CHECKING:
    from dmsa_migrate.models.verification import Verification
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
    verify.add_argument("--inventory", required=True, metavar="FILE", help="inventory.json")
    verify.add_argument("--dmsa", required=True, metavar="CLIENT_ID", help="the app's client id")
    verify.add_argument(
        "--dmsa-secret", required=True, metavar="REF",
        help="the app's client secret as env:NAME, file:PATH, keyring:SERVICE/NAME or prompt",
    )
    verify.add_argument(
        "--company-id", action="append", type=int, default=[], metavar="ID",
        help="check only this company (repeatable; default: the inventory's companies and "
        "every company the app is installed in)",
    )
    verify.add_argument(
        "--previous", metavar="FILE",
        help="an earlier verification.json: report projects lost since (app update reset)",
    )
    verify.add_argument(
        "--manifest", metavar="FILE",
        help="the app's manifest: needed levels come from it instead of the old access",
    )
    verify.add_argument(
        "--user-token", metavar="REF",
        help="a signed-in user's access token (reference): compare the projects they see",
    )
    add_out_option(verify, "verification (JSON, created private)")
    verify.add_argument(
        "--json", action="store_true", help="print the verification JSON instead of the summary"
    )
    verify.add_argument(
        "--concurrency", type=int, default=8, metavar="N",
        help="requests at once inside one company (default 8)",
    )
    verify.add_argument(
        "--resume", action="store_true",
        help="continue an interrupted run: companies already in FILE.partial (the journal "
        "of --out FILE) are not read again",
    )
    verify.add_argument(
        "--summary", metavar="STEM",
        help="also write the fleet summary as STEM.csv and STEM.json (one row per company)",
    )
    add_session_options(verify, "verification")
    add_connection_options(verify)
    verify.set_defaults(handler=_verify)


def _load_verification(path: str) -> Verification:
    from dmsa_migrate.artifacts import load_verification

    return load_verification(path)


def _load_expected(path: str) -> dict[str, dict[str, str]]:
    from dmsa_migrate.manifest.load import load_manifest

    loaded = load_manifest(path)
    return {
        scope: {tool: level for tool, level in tools.items() if level != "none"}
        for scope, tools in loaded.permissions.items()
    }


def _verify(args: argparse.Namespace) -> int:
    import anyio

    from dmsa_migrate.artifacts import load_inventory
    from dmsa_migrate.errors import InputError
    from dmsa_migrate.fileio import atomic_write_json
    from dmsa_migrate.runtime import client_credentials, connection_from_options, user_token
    from dmsa_migrate.secrets import mask_client_id, resolve
    from dmsa_migrate.verify import VerificationIncomplete, verify_install
    from dmsa_migrate.verify.fleet import Journal, journal_path, read_journal, write_summary
    from dmsa_migrate.verify.render import render_summary

    if args.concurrency < 1:
        raise InputError("--concurrency must be at least 1")
    if args.resume and not args.out:
        raise InputError("--resume needs --out FILE: the journal it resumes is FILE.partial")
    store, session = open_session(args)
    inventory = load_inventory(args.inventory)
    previous = _load_verification(args.previous) if args.previous else None
    expected = _load_expected(args.manifest) if args.manifest else None
    secret = resolve(args.dmsa_secret, field="--dmsa-secret")
    credentials = client_credentials(args.dmsa, secret)
    user = user_token(resolve(args.user_token, field="--user-token")) if args.user_token else None
    connection = connection_from_options(args.env, args.api_base, args.login_base)

    def save(verification: Verification) -> None:
        if args.out:
            data = verification.model_dump(mode="json", by_alias=True)
            atomic_write_json(Path(args.out), data)

    masked = mask_client_id(credentials.client_id)
    finished = read_journal(journal_path(args.out), masked) if args.resume else []
    journal = Journal(journal_path(args.out), masked, resume=args.resume) if args.out else None
    with _progress(len(finished)) as on_progress:
        try:
            verification = anyio.run(
                lambda: verify_install(
                    inventory, connection, credentials,
                    company_ids=args.company_id, previous=previous, expected=expected,
                    user_credentials=user, concurrency=args.concurrency,
                    on_progress=on_progress, finished=finished,
                    on_company=journal.add if journal else None,
                )
            )
        except VerificationIncomplete as exc:
            save(exc.partial)
            if args.out:
                exc.message += (
                    f" (partial results saved to {args.out}; --resume reads only the rest)"
                )
            raise
        finally:
            if journal is not None:
                journal.close()
    save(verification)
    if journal is not None:
        journal.remove()
    if args.summary:
        for path in write_summary(verification, args.summary):
            print(f"wrote {path}", file=sys.stderr)
    record_step(
        store, session, "verify", "done" if verification.ok else "needs_attention",
        content=json.dumps(verification.model_dump(mode="json", by_alias=True), indent=2),
        exit_code=0 if verification.ok else 1,
        summary="ok" if verification.ok else "gaps found",
    )
    if args.json:
        print(json.dumps(verification.model_dump(mode="json", by_alias=True), indent=2))
    else:
        print(render_summary(verification))
        if args.out:
            print(f"wrote {args.out}")
    return 0 if verification.ok else 1


@contextmanager
def _progress(resumed: int = 0) -> Iterator[Callable[[VerifyProgress], None] | None]:
    """A progress bar on stderr when it is a terminal (done/total, rate, ETA); nothing
    otherwise. ``resumed`` companies came from the journal and do not count in the rate."""
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
            total = progress.total + resumed
            line = progress_text(progress.done, progress.total, time.monotonic() - started)
            if resumed:
                line += f" (+{resumed} resumed)"
            bar.update(
                task, description=f"{line} · {progress.message}",
                completed=progress.done + resumed, total=total,
            )

        yield update
