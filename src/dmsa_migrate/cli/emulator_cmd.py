"""``dmsa-migrate emulator serve``: serve a world over HTTP on loopback.

Prints exactly one line, ``listening on http://HOST:PORT``, on stdout (flushed, so a parent
process can read the port), then serves until SIGINT or SIGTERM and exits 0.
"""

from __future__ import annotations

import argparse
import ipaddress
from typing import Any

from dmsa_migrate.cli._options import finite_number, port_number, whole_number
from dmsa_migrate.errors import InputError

FRACTION = finite_number(0, 1)
"""A fault rate: 0 to 1 (the world file's bounds, refused here as a usage error)."""


def register(subparsers: Any) -> None:
    """Register ``emulator serve``."""
    parser = subparsers.add_parser("emulator", help="the built-in Procore emulator")
    sub = parser.add_subparsers(dest="emulator_command", metavar="ACTION", required=True)
    serve = sub.add_parser(
        "serve",
        help="serve a world over HTTP on loopback",
        description="Serve an emulator world (a file, or 'demo' / 'post-sunset') over HTTP. "
        "Login (/oauth/...) and API (/rest/...) paths share the one URL printed.",
    )
    serve.add_argument("--world", default="demo", metavar="FILE|demo|post-sunset")
    serve.add_argument("--host", default="127.0.0.1", help="loopback address (default 127.0.0.1)")
    serve.add_argument("--port", type=port_number, default=0, help="0 picks a free port (default)")
    serve.add_argument(
        "--allow-non-loopback",
        action="store_true",
        help="allow --host to be a non-loopback address (the emulator has no real security)",
    )
    faults = serve.add_argument_group("overrides of the world's [limits] and [faults]")
    options: list[tuple[str, object, str, str]] = [
        ("--error-rate", FRACTION, "F", "fraction of 500/502/503"),
        ("--throttle-rate", FRACTION, "F", "fraction of spurious 429"),
        ("--drop-rate", FRACTION, "F", "fraction of dropped connections"),
        ("--seed", whole_number(-(2**63), 2**63 - 1), "N", "fault seed (deterministic)"),
        ("--latency-ms", finite_number(0, 60_000), "MS", "latency added to answers"),
        ("--spike", whole_number(1, 10**12), "N", "requests per spike window"),
        ("--spike-window", finite_number(0, 604_800, above_low=True), "S",
         "spike window in seconds"),
    ]
    for flag, kind, metavar, text in options:
        faults.add_argument(flag, type=kind, metavar=metavar, help=text)
    serve.set_defaults(handler=_serve)


def _check_host(host: str, allowed: bool) -> None:
    if allowed or host == "localhost":
        return
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise InputError(
            f"--host {host} is not a loopback address; the emulator accepts any request, so "
            "it only listens on loopback unless --allow-non-loopback is given"
        )


def _overrides(args: argparse.Namespace) -> tuple[dict[str, Any], dict[str, Any]]:
    limits = {
        "latency_ms": args.latency_ms,
        "spike": args.spike,
        "spike_window_s": args.spike_window,
    }
    faults = {
        "error_rate": args.error_rate,
        "throttle_rate": args.throttle_rate,
        "drop_rate": args.drop_rate,
        "seed": args.seed,
    }
    return (
        {k: v for k, v in limits.items() if v is not None},
        {k: v for k, v in faults.items() if v is not None},
    )


def _serve(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from dmsa_migrate.cli._serve import serve_until_stopped
    from dmsa_migrate.emulator import Emulator, load_world
    from dmsa_migrate.emulator.server import EmulatorHTTPServer

    _check_host(args.host, args.allow_non_loopback)
    world = load_world(args.world)
    limits, faults = _overrides(args)
    try:
        world = world.model_validate(
            {
                **world.model_dump(),
                "limits": {**world.limits.model_dump(), **limits},
                "faults": {**world.faults.model_dump(), **faults},
            }
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InputError(f"bad override {where}: {first['msg']}") from exc
    try:
        server = EmulatorHTTPServer(Emulator(world), args.host, args.port)
    except OSError as exc:
        raise InputError(f"cannot listen on {args.host}:{args.port}: {exc.strerror}") from exc

    serve_until_stopped(server)
    return 0
