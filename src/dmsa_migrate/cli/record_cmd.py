"""``dmsa-migrate record``: a recording proxy, the third source of usage evidence.

Point the integration (or its own test suite) at the proxy's URL instead of Procore's; it
forwards every call to the upstream and writes which (method, path template) were called,
how often, with which statuses, first and last seen: usage evidence with the source
``recorded`` for ``manifest --usage``. Prints one line, ``listening on http://HOST:PORT``,
on stdout, then serves until interrupted (SIGINT/SIGTERM) and writes the file a last time.
What IAM Access Analyzer's and iamlive's recorders do for AWS policies.
"""

from __future__ import annotations

import argparse
import ipaddress
from typing import Any
from urllib.parse import urlsplit

from dmsa_migrate.errors import InputError

WRITE_EVERY_S = 1.0
"""The usage file is rewritten at most this often while calls come in (and at the end),
so a proxy that is killed still leaves what it saw."""


def register(subparsers: Any) -> None:
    """Register ``record``."""
    parser = subparsers.add_parser(
        "record",
        help="recording proxy: which endpoints the integration really calls",
        description=(
            "Forward every request to --upstream (Procore's sandbox, or the emulator) and "
            "record each (method, path template, status, count, first/last seen) into --out, "
            "usable as 'manifest --usage FILE' evidence (source: recorded). Headers, bodies "
            "and query strings are never written, so tokens and secrets stay out."
        ),
    )
    parser.add_argument("--listen", default="127.0.0.1:0", metavar="HOST:PORT",
                        help="where the proxy listens (default 127.0.0.1:0, a free port)")
    parser.add_argument("--upstream", required=True, metavar="URL",
                        help="where calls go, e.g. https://sandbox.procore.com")
    parser.add_argument("--out", required=True, metavar="FILE", help="usage file (JSON)")
    parser.add_argument("--allow-non-loopback", action="store_true",
                        help="listen on a non-loopback address (anyone who reaches it can "
                        "use the credentials the integration sends through it)")
    parser.set_defaults(handler=run)


def _listen_address(text: str, allowed: bool) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit() or not host:
        raise InputError(f"--listen {text}: expected HOST:PORT, e.g. 127.0.0.1:8089")
    host = host.strip("[]")
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback and not allowed:
        raise InputError(f"--listen {text}: not a loopback address; add --allow-non-loopback "
                         "to listen there")
    return host, int(port)


def _upstream(text: str) -> str:
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(f"--upstream {text}: expected an http(s) URL such as "
                         "https://sandbox.procore.com")
    if parts.username or parts.password or parts.query:
        raise InputError("--upstream: give the base URL only (no credentials, no query)")
    return text.rstrip("/")


def run(args: argparse.Namespace) -> int:
    """Serve until interrupted; write the usage file."""
    import sys
    import time

    from dmsa_migrate.cli._serve import serve_until_stopped
    from dmsa_migrate.inventory.recorded import UsageRecorder
    from dmsa_migrate.permissions.map import build_map
    from dmsa_migrate.procore.proxy import RecordingProxy

    host, port = _listen_address(args.listen, args.allow_non_loopback)
    upstream = _upstream(args.upstream)
    recorder = UsageRecorder(build_map(include_user_files=True), upstream)
    recorder.write(args.out)  # fail early on an unwritable --out
    last_write = [time.monotonic()]

    def heard(method: str, path: str, status: int) -> None:
        recorder.record(method, path, status)
        if time.monotonic() - last_write[0] >= WRITE_EVERY_S:
            recorder.write(args.out)
            last_write[0] = time.monotonic()

    try:
        proxy = RecordingProxy(upstream, heard, host, port)
    except OSError as exc:
        raise InputError(f"cannot listen on {host}:{port}: {exc.strerror}") from exc

    serve_until_stopped(proxy)
    with proxy.lock:
        recorder.write(args.out)
    endpoints = len(recorder.tallies)
    print(f"recorded {recorder.forwarded} call(s), {endpoints} Procore endpoint(s) -> "
          f"{args.out}", file=sys.stderr)
    return 0
