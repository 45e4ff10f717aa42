"""Where the CPU goes: ``python -m benchmarks.profile verify|inventory [--top N] [--out DIR]``.

Runs the tool's inventory (and verify) against the benchmark world served on loopback, as
``benchmarks.run`` does, under ``cProfile`` (standard library, no extra dependency), and
prints two profiles, because client and emulator share this process and its CPU:

* the **client**: the thread running the event loop (``procore`` pacing, pagination and
  httpx, and the step's own work in ``verify`` or ``inventory``);
* the **emulator**: every request-handling thread of the loopback server, merged.

Rate limits are lifted (``spike``/``hourly`` very large) so the run takes seconds and the
profile is about work, not waiting; the latency stays. A profiled run is slower than a
plain one (cProfile adds a cost per call), so compare profiles with profiles, and take
timings from ``benchmarks.run``. ``--out DIR`` also writes ``client.pstats`` and
``emulator.pstats`` for ``python -m pstats`` or snakeviz.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import pstats
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

if __package__ in (None, ""):  # `python benchmarks/profile.py` from the repo root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.config import FULL
from benchmarks.world import accounts_for, build_world, served
from dmsa_migrate.emulator.server import _Handler


class ServerProfiles:
    """One profiler per request-handling thread while ``active``; merged at the end."""

    def __init__(self) -> None:
        self.active = False
        self.profiles: list[cProfile.Profile] = []
        self._lock = threading.Lock()

    @contextmanager
    def installed(self) -> Iterator[None]:
        """Wrap the loopback handler's per-connection ``handle`` for the block."""
        original = _Handler.handle
        own = "handle" in _Handler.__dict__
        profiles = self

        def handle(handler: _Handler) -> None:
            if not profiles.active:
                original(handler)
                return
            profile = cProfile.Profile()
            profile.enable()
            try:
                original(handler)
            finally:
                profile.disable()
                with profiles._lock:
                    profiles.profiles.append(profile)

        _Handler.handle = handle  # type: ignore[method-assign]
        try:
            yield
        finally:
            if own:
                _Handler.handle = original  # type: ignore[method-assign]
            else:
                del _Handler.handle


def report(title: str, profiles: list[cProfile.Profile], top: int, dump: Path | None) -> str:
    """Own time first (where the CPU is spent), then cumulative (which call paths)."""
    if not profiles:
        return f"== {title}: no samples\n"
    out = io.StringIO()
    stats = pstats.Stats(*profiles, stream=out)  # type: ignore[arg-type]
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    if dump is not None:
        stats.dump_stats(dump)
    return f"== {title}\n{out.getvalue()}"


async def profile(step: str, top: int, out_dir: Path | None) -> None:
    from benchmarks.tool_runs import tool_inventory, tool_verify
    from dmsa_migrate.inventory.context import CollectOptions

    world = build_world(FULL.with_overrides(spike=10**9, hourly=10**9))
    server = ServerProfiles()
    client = cProfile.Profile()
    with server.installed(), served(world) as srv:
        accounts = accounts_for(world)
        server.active = step == "inventory"
        if server.active:
            client.enable()
        inventory = await tool_inventory(accounts, srv.connection, world, CollectOptions())
        if step == "verify":
            await tool_verify(inventory, srv.connection, world)  # warm: connections, imports
            server.active = True
            client.enable()
            await tool_verify(inventory, srv.connection, world)
        client.disable()
        server.active = False
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
    print(report(f"{step}: client (event-loop thread)", [client], top,
                 out_dir / "client.pstats" if out_dir else None))
    print(report(f"{step}: emulator (request threads, merged)", server.profiles, top,
                 out_dir / "emulator.pstats" if out_dir else None))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile", description=__doc__)
    parser.add_argument("step", choices=("verify", "inventory"))
    parser.add_argument("--top", type=int, default=30, help="rows per table (default 30)")
    parser.add_argument("--out", type=Path, help="also write the .pstats files here")
    args = parser.parse_args(argv)
    asyncio.run(profile(args.step, args.top, args.out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
