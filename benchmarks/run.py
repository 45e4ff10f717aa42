"""Entry point: ``python -m benchmarks.run [--quick] [options]`` (or ``python benchmarks/run.py``).

Builds the generated world, serves it on loopback, runs the tool's inventory and verify and
the naive baseline side by side, measures the TUI, and prints a Markdown report (``--out``
also writes it to a file, ``--json`` the raw figures).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import multiprocessing
import os
import platform
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from multiprocessing.connection import Connection as Pipe
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # `python benchmarks/run.py` from the repo root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bounds import company_shapes, inventory_bound, time_bound, verify_bound
from benchmarks.config import FULL, QUICK, BenchConfig
from benchmarks.measure import Counted, PhaseResult, measure
from benchmarks.report import StepFigures, ratio, render
from benchmarks.world import Counts, accounts_for, build_world, disable_nagle, served
from dmsa_migrate.emulator import World
from dmsa_migrate.models.inventory import Inventory
from dmsa_migrate.runtime import Connection, connection_from_options


def parse_args(argv: list[str] | None) -> BenchConfig:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__)
    parser.add_argument("--quick", action="store_true",
                        help="smaller world and 1 s spike window: a couple of minutes")
    parser.add_argument("--companies", type=int)
    parser.add_argument("--projects", type=int, dest="projects_per_company",
                        help="projects per company")
    parser.add_argument("--latency-ms", type=float)
    parser.add_argument("--spike", type=int)
    parser.add_argument("--spike-window", type=float, dest="spike_window_s")
    parser.add_argument("--hourly", type=int)
    parser.add_argument("--max-per-page", type=int)
    parser.add_argument("--naive-companies", type=int,
                        help="companies the naive baseline covers (scaled up to all)")
    parser.add_argument("--tui-rows", type=int)
    parser.add_argument("--page-downs", type=int)
    parser.add_argument("--no-tool", dest="run_tool", action="store_const", const=False)
    parser.add_argument("--no-naive", dest="run_naive", action="store_const", const=False)
    parser.add_argument("--no-tui", dest="run_tui", action="store_const", const=False)
    parser.add_argument("--emulator-process", action="store_const", const=True,
                        help="serve the emulator from its own process for the tool's runs "
                             "(its CPU is then not the tool's)")
    parser.add_argument("--out", type=Path, help="also write the Markdown report here")
    parser.add_argument("--json", type=Path, help="write the raw figures as JSON here")
    args = vars(parser.parse_args(argv))
    base = QUICK if args.pop("quick") else FULL
    out, raw = args.pop("out"), args.pop("json")
    config = base.with_overrides(**args)
    object.__setattr__(config, "_out", out)
    object.__setattr__(config, "_json", raw)
    return config


def machine() -> dict[str, str]:
    """nproc, memory, Python, platform and date: the context every figure needs."""
    pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    return {
        "nproc": str(os.cpu_count()),
        "memory": f"{pages / 2**30:.1f} GiB",
        "Python": platform.python_version(),
        "platform": f"{platform.system()} {platform.machine()}",
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def say(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


async def run_steps(config: BenchConfig) -> tuple[list[StepFigures], list[str]]:
    """Inventory and verify, the tool's way then the naive way, each against its bounds."""
    from benchmarks.naive import naive_inventory, naive_verify
    from benchmarks.tool_runs import (
        inventory_summary,
        tool_inventory,
        tool_verify,
        verification_summary,
    )
    from dmsa_migrate.inventory.context import CollectOptions

    world = build_world(config)
    shapes = company_shapes(world)
    latency = config.latency_ms / 1000
    times: dict[str, Any] = dict(
        spike=config.spike, window_s=config.spike_window_s, hourly=config.hourly,
        hourly_window_s=world.limits.hourly_window_s, latency_s=latency,
    )
    inv_bound, ver_bound = (inventory_bound(shapes, config.max_per_page),
                            verify_bound(shapes, config.max_per_page))
    inventory_step = StepFigures("inventory", inv_bound, time_bound(
        inv_bound.buckets, inv_bound.depth, **times))
    verify_step = StepFigures("verify", ver_bound, time_bound(
        ver_bound.buckets, ver_bound.depth, **times))
    notes: list[str] = []
    if disable_nagle():
        notes.append(
            "The emulator's loopback server was run with TCP_NODELAY set by the benchmark "
            "(dmsa_migrate/emulator/server.py does not set it): without it every answer waits "
            "about 40 ms for the client's delayed ACK, more than the latency being measured."
        )
    if config.run_tool:
        if config.emulator_process:
            notes.append(
                "The emulator was served from its own process for the tool's runs "
                "(`--emulator-process`): the process CPU is the tool's alone; the emulator's "
                "own CPU is given per step below.")
        with tool_server(config, world) as srv:
            say(f"tool inventory: {len(world.service_accounts)} accounts on {srv.base_url}")
            options = CollectOptions()
            accounts = accounts_for(world)
            inventory_step.tool, inventory = await measure(
                "inventory", srv, lambda: tool_inventory(accounts, srv.connection, world, options),
                trace_memory=False)
            inventory_step.tool.client_requests = options.tally.total
            inventory_step.tool_summary = inventory_summary(inventory)
            say(f"  {inventory_step.tool.requests} requests in {inventory_step.tool.wall_s:.1f} s")
            say("tool verify")
            verify_step.tool, verification = await measure(
                "verify", srv, lambda: tool_verify(inventory, srv.connection, world),
                trace_memory=False)
            verify_step.tool.client_requests = verification.requests
            verify_step.tool_summary = verification_summary(verification)
            say(f"  {verify_step.tool.requests} requests in {verify_step.tool.wall_s:.1f} s")
            notes += await verify_experiments(srv, inventory, world, verify_step)
            notes += emulator_cpu_notes(inventory_step, verify_step)
    sample = sorted(c.id for c in world.companies)[: config.naive_sample]
    if config.run_naive:
        with served(world) as srv:  # a fresh emulator: no bucket carries over
            say(f"naive inventory: {len(sample)} accounts, one request at a time")
            inventory_step.naive, inventory_step.naive_summary = await measure(
                "naive inventory", srv,
                lambda: naive_inventory(accounts_for(world, len(sample)), srv.connection),
                trace_memory=False)
            say(f"  {inventory_step.naive.requests} requests in "
                f"{inventory_step.naive.wall_s:.1f} s")
            say(f"naive verify: {len(sample)} companies, one request at a time")
            verify_step.naive, verify_step.naive_summary = await measure(
                "naive verify", srv, lambda: naive_verify(world, srv.connection, sample),
                trace_memory=False)
            say(f"  {verify_step.naive.requests} requests in {verify_step.naive.wall_s:.1f} s")
    notes += await memory_runs(world, inventory_step, verify_step, sample)
    steps = [s for s in (inventory_step, verify_step) if s.tool or s.naive]
    return steps, notes


@dataclass
class RemoteServed:
    """The benchmark world served from its own process (``_serve_counted``); its counts
    come over the pipe."""

    connection: Connection
    base_url: str
    pipe: Pipe

    def counts(self) -> Counts:
        self.pipe.send("counts")
        counts: Counts = self.pipe.recv()
        return counts


def _serve_counted(config: BenchConfig, pipe: Pipe) -> None:
    """Child process: serve the configuration's world (with its request counts), send the
    URL, then answer each ``counts`` with a snapshot until told anything else."""
    disable_nagle()
    with served(build_world(config)) as srv:
        pipe.send(srv.base_url)
        while pipe.recv() == "counts":
            seen = srv.counts()
            pipe.send(Counts(seen.requests, seen.rate_limited, seen.paths, seen.buckets,
                             time.process_time()))


@contextmanager
def tool_server(config: BenchConfig, world: World) -> Iterator[Counted]:
    """Where the tool's runs are measured: the emulator in this process (the default), or
    in its own with ``--emulator-process``, the same world either way (it is generated
    from the configuration alone)."""
    if not config.emulator_process:
        with served(world) as srv:
            yield srv
        return
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    server = context.Process(target=_serve_counted, args=(config, theirs), daemon=True)
    server.start()
    theirs.close()  # a server that dies is an EOF here, not a hang
    try:
        url = ours.recv()
        yield RemoteServed(connection_from_options(None, url, url), url, ours)
    finally:
        ours.send("stop")
        server.join(timeout=10)
        if server.is_alive():
            server.terminate()


def emulator_cpu_notes(*steps: StepFigures) -> list[str]:
    """The emulator's own CPU per step, when it ran in its own process."""
    return [
        f"Emulator process CPU during the tool's {step.step}: {step.tool.cpu_emulator_s:.2f} s "
        f"({step.tool.wall_s:.2f} s wall, {step.tool.requests} requests; the tool's process "
        f"{step.tool.cpu_total_s:.2f} s)."
        for step in steps if step.tool is not None and step.tool.cpu_emulator_s is not None
    ]


def _unlimited(world: World) -> World:
    """The same world without rate limits: what is allocated does not depend on waiting."""
    limits = world.limits.model_copy(update={"spike": 10**9, "hourly": 10**9})
    return world.model_copy(update={"limits": limits})


def _keep_memory(phase: PhaseResult | None, traced: PhaseResult) -> None:
    if phase is not None:
        phase.peak_mib, phase.maxrss_mib = traced.peak_mib, traced.maxrss_mib


async def memory_runs(
    world: World, inventory_step: StepFigures, verify_step: StepFigures, sample: list[int]
) -> list[str]:
    """Every measured run again with tracemalloc on, for its peak memory only.

    tracemalloc slows every allocation down (it made verify take 3.1 s instead of 2.0 s),
    so wall time and CPU come from the runs above, which ran without it, and memory from
    these. They run on the same world without rate limits (the allocations are the same;
    only the waiting differs), in a fresh emulator.
    """
    from benchmarks.naive import naive_inventory, naive_verify
    from benchmarks.tool_runs import tool_inventory, tool_verify
    from dmsa_migrate.inventory.context import CollectOptions

    notes: list[str] = []
    free = _unlimited(world)
    with served(free) as srv:
        if inventory_step.tool is not None:
            say("memory: tool inventory and verify with tracemalloc (no rate limits)")
            traced, inventory = await measure(
                "inventory (tracemalloc)", srv,
                lambda: tool_inventory(accounts_for(free), srv.connection, free,
                                       CollectOptions()))
            _keep_memory(inventory_step.tool, traced)
            traced, _ = await measure(
                "verify (tracemalloc)", srv, lambda: tool_verify(inventory, srv.connection, free))
            _keep_memory(verify_step.tool, traced)
            notes.append(
                f"Verify with tracemalloc on (the memory run; the previous benchmark's wall "
                f"time was measured this way): {traced.wall_s:.2f} s, {traced.requests} "
                f"requests, CPU {traced.cpu_client_s:.2f} s client / "
                f"{traced.cpu_total_s:.2f} s process.")
        if inventory_step.naive is not None:
            say("memory: naive sample with tracemalloc (no rate limits)")
            traced, _ = await measure(
                "naive inventory (tracemalloc)", srv,
                lambda: naive_inventory(accounts_for(free, len(sample)), srv.connection))
            _keep_memory(inventory_step.naive, traced)
            traced, _ = await measure(
                "naive verify (tracemalloc)", srv,
                lambda: naive_verify(free, srv.connection, sample))
            _keep_memory(verify_step.naive, traced)
    return notes


async def verify_experiments(
    srv: Counted, inventory: Inventory, world: World, step: StepFigures
) -> list[str]:
    """Verify with every company read at once: what the company concurrency costs (the run
    gets a new token, hence fresh rate-limit buckets)."""
    from benchmarks.tool_runs import tool_verify
    from dmsa_migrate.verify import run as verify_run

    kept = verify_run.COMPANY_CONCURRENCY
    if len(world.companies) <= kept:
        return []  # every company is read at once already
    verify_run.COMPANY_CONCURRENCY = len(world.companies)
    try:
        wide, _ = await measure("verify (all companies at once)", srv,
                                lambda: tool_verify(inventory, srv.connection, world),
                                trace_memory=False)
    finally:
        verify_run.COMPANY_CONCURRENCY = kept
    bound = step.time.bound_s
    return [
        f"Experiment, not the shipped tool: verify with every company read at once "
        f"(verify.run.COMPANY_CONCURRENCY = {len(world.companies)} instead of {kept}): "
        f"{wide.wall_s:.2f} s ({ratio(wide.wall_s, bound)} the bound), {wide.requests} "
        f"requests, {wide.rate_limited} 429s.",
    ]


def main(argv: list[str] | None = None) -> int:
    config = parse_args(argv)
    say(f"configuration {config.name}: {config.companies} x {config.projects_per_company}")
    steps, notes = asyncio.run(run_steps(config)) if (config.run_tool or config.run_naive) \
        else ([], [])
    tui: list[tuple[str, str, str]] = []
    if config.run_tui:
        from benchmarks.tui_bench import run_tui_benchmarks

        say(f"TUI: first screen, and a {config.tui_rows:,}-row table")
        tui, tui_notes = run_tui_benchmarks(config)
        notes += tui_notes
    text = render(config, machine(), steps, tui, notes)
    print(text)
    out = getattr(config, "_out", None)
    if out is not None:
        Path(out).write_text(text + "\n", encoding="utf-8")
    raw = getattr(config, "_json", None)
    if raw is not None:
        payload = {"config": asdict(config), "machine": machine(),
                   "steps": [asdict(s) for s in steps], "tui": tui, "notes": notes}
        Path(raw).write_text(json.dumps(payload, indent=2, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
