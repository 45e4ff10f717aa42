"""Fleet scale: ``python -m benchmarks.fleet [--companies 10,100,1000] [--projects 100]``.

One DMSA app installed in K companies of P projects each (issue 18). For each K:

* the emulator is served from its **own process** (so its CPU and memory are not the
  tool's), with 30 ms latency and the rate limits lifted: this measures the client's work,
  not waiting (the rate-bound case is ``benchmarks.run``'s);
* each step runs as the command a user types (``inventory --accounts FILE --out FILE``,
  ``verify --inventory FILE --manifest FILE --out FILE --summary STEM``: the CLI, the
  engagement and the file writers, all of it) in a fresh process, whose own RSS
  high-water mark (``VmHWM``) is its peak memory;
* the inventory runs once and writes inventory.json; verify runs once per variant,
  **the code before issue 18 and the current code side by side in the same run**:
  ``legacy`` is ``procore.pool.LEGACY_POOL`` (httpx's
  pool defaults, no gate, anyio sockets: the client the issue measured), ``gated`` is
  ``procore.pool.GATED_POOL`` (httpx behind the pool gate, asyncio sockets: the client
  before the lean HTTP path, still used behind a proxy), ``current`` the shipped client
  (the lean HTTP/1.1 path). Each process reports its wall time, the **step's CPU** (user +
  system from the step's start to its end: with the emulator elsewhere, that is the tool's
  work) per request, its **start-up CPU** (interpreter start and imports, before the step;
  the same for every fleet size, so it is shown apart rather than spread over requests),
  and its peak RSS.

The package's bytecode is compiled before the first step (as an installed wheel's is):
with ``PYTHONDONTWRITEBYTECODE`` set, as on the machines these figures come from, every
fresh process would otherwise compile the source of each module it imports lazily during
the step, a fixed cost no user's install pays.

The machine may be shared, so absolute CPU figures are noisy; variants alternate
(legacy, current, legacy, current, ...) and the ratio is what to read. Markdown on stdout,
progress on stderr; ``--json FILE`` keeps the figures.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from multiprocessing.connection import Connection as Pipe
from pathlib import Path
from statistics import median
from tempfile import TemporaryDirectory
from typing import Any

if __package__ in (None, ""):  # `python benchmarks/fleet.py` from the repo root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.config import BenchConfig

FLEET = BenchConfig(
    name="fleet", companies=1000, projects_per_company=100, latency_ms=30.0,
    spike=10**9, spike_window_s=10.0, hourly=10**9, run_naive=False, run_tui=False,
)
"""The issue's fleet: 1,000 companies x 100 projects, 30 ms, limits lifted."""
CURVE = (10, 100, 1000)
VARIANTS = ("legacy", "gated", "current")


@dataclass
class StepRun:
    """One tool step in its own process."""

    step: str
    variant: str
    companies: int
    wall_s: float
    cpu_s: float
    requests: int
    maxrss_mib: float
    startup_cpu_s: float = 0.0
    """CPU of the process before the step began: interpreter start and imports."""
    sys_s: float = 0.0
    """The part of ``cpu_s`` spent in the kernel (on loopback, a send also runs the
    receiving side's TCP work in the sender's context)."""

    @property
    def cpu_ms_per_request(self) -> float:
        return 1000 * self.cpu_s / max(1, self.requests)


def _serve(config: BenchConfig, pipe: Pipe) -> None:
    """Child process: build the world, serve it, send the URL, serve until terminated."""
    from benchmarks.world import build_world, disable_nagle
    from dmsa_migrate.emulator import Emulator, serve_in_thread

    disable_nagle()
    world = build_world(config)
    with serve_in_thread(Emulator(world)) as url:
        pipe.send(url)
        pipe.recv()  # the parent says stop (or dies, which raises EOFError)


def _peak_rss_mib() -> float:
    """This process's own resident-set high-water mark.

    Why not ``ru_maxrss``: Linux carries it across ``execve``, so a spawned child reports at
    least the parent's RSS at fork time (the parent holds the whole generated world: about
    160 MiB at 1,000 companies), which hid the step's own figure. ``VmHWM`` belongs to the
    process's own address space, so it starts afresh at exec.
    """
    try:
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    usage = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return usage / (1024 * 1024) if sys.platform == "darwin" else usage / 1024


def _step(args: dict[str, Any], pipe: Pipe) -> None:
    """Child process: run one step against ``url``, send back what it cost (or why not:
    the parent waits on the pipe, so a failure must be sent, not only raised)."""
    try:
        pipe.send(_run_step(**args))
    except BaseException as exc:
        pipe.send({"error": f"{type(exc).__name__}: {exc}"})
        raise


DMSA_SECRET_ENV = "FLEET_BENCH_DMSA_SECRET"
"""The app's secret reaches the step processes as an ``env:`` reference, as a user's would."""


@dataclass
class FleetInputs:
    """What a step process needs, computed in the parent (the world stays out of the
    measured process: only files and references cross)."""

    accounts_file: str
    manifest_file: str
    app_client_id: str
    company_ids: list[int]


def fleet_inputs(config: BenchConfig, folder: Path) -> FleetInputs:
    """Write the accounts file and the app's manifest into ``folder``; secrets go into this
    process's environment (the step processes inherit it), never into a file."""
    import os

    from benchmarks.world import accounts_for, build_world
    from dmsa_migrate.engagement.demo import accounts_toml
    from dmsa_migrate.fileio import atomic_write_json, atomic_write_text

    world = build_world(config)
    app = world.apps[0]
    os.environ[DMSA_SECRET_ENV] = app.client_secret
    accounts = atomic_write_text(folder / "accounts.toml", accounts_toml(accounts_for(world)))
    manifest = atomic_write_json(folder / "manifest.json", {
        "schema_version": "4.1",
        "permissions": {"company": dict(app.permissions.company),
                        "project": dict(app.permissions.project)},
    })
    return FleetInputs(
        str(accounts), str(manifest), app.client_id,
        sorted(company.id for company in world.companies),
    )


def _argv(step: str, url: str, inputs: FleetInputs, folder: Path, variant: str) -> list[str]:
    """The command a user runs for the step (the real door: the CLI and the engagement)."""
    connection = ["--api-base", url, "--login-base", url]
    if step == "inventory":
        return ["-v", "inventory", "--accounts", inputs.accounts_file,
                "--out", str(folder / "inventory.json"), *connection]
    return [
        "verify", "--inventory", str(folder / "inventory.json"), "--dmsa", inputs.app_client_id,
        "--dmsa-secret", f"env:{DMSA_SECRET_ENV}", "--manifest", inputs.manifest_file,
        *(["--previous", str(folder / "verification-current.json")] if step == "reverify"
          else []),
        "--out", str(folder / _output(step, variant)),
        "--summary", str(folder / f"fleet-{variant}"), *connection,
    ]


def _output(step: str, variant: str) -> str:
    """A verify run's file; ``reverify`` compares with the current client's first run."""
    return "reverification.json" if step == "reverify" else f"verification-{variant}.json"


def _run_step(
    step: str, variant: str, url: str, companies: int, inputs: FleetInputs, folder: str
) -> dict[str, Any]:
    """Run the step's CLI command in this (fresh) process; what it printed goes to a log."""
    import dataclasses

    from dmsa_migrate.cli import main
    from dmsa_migrate.engagement.context import Engagement
    from dmsa_migrate.procore.pool import GATED_POOL, LEGACY_POOL

    pool = {"legacy": LEGACY_POOL, "gated": GATED_POOL}.get(variant)
    if pool is not None:  # the same command over an older client
        build = Engagement._build_connection

        def older(self: Engagement) -> Any:
            return dataclasses.replace(build(self), pool=pool)

        Engagement._build_connection = older  # type: ignore[method-assign]
    place = Path(folder)
    log = place / f"{step}-{variant}.log"
    started, cpu, kernel = time.perf_counter(), time.process_time(), os.times().system
    with log.open("w", encoding="utf-8") as out:
        saved = sys.stdout, sys.stderr
        sys.stdout = sys.stderr = out
        try:
            code = main(_argv(step, url, inputs, place, variant))
        finally:
            sys.stdout, sys.stderr = saved
    wall, used = time.perf_counter() - started, time.process_time() - cpu
    kernel = os.times().system - kernel
    if code not in (0, 1):
        raise RuntimeError(f"{step} exited {code}: {log.read_text(encoding='utf-8')[-2000:]}")
    peak = _peak_rss_mib()  # before anything else is read
    requests = _requests(step, place, variant, log)
    return asdict(StepRun(
        step, variant, companies, wall, used, requests, peak, startup_cpu_s=cpu, sys_s=kernel,
    ))


def _requests(step: str, folder: Path, variant: str, log: Path) -> int:
    """Requests as the step counted them: ``-v``'s line (inventory), the file's field
    (verify, read from its header by the streamed reader)."""
    if step == "inventory":
        for line in log.read_text(encoding="utf-8").splitlines():
            if line.startswith("requests: "):
                return int(line.split()[1])
        return 0
    from dmsa_migrate.artifacts import stream_verification

    streamed = stream_verification(folder / _output(step, variant))
    for _company in streamed.items():
        pass
    return streamed.header.requests if streamed.header is not None else 0


def _in_child(target: Any, payload: Any) -> Any:
    """Run ``target(payload, pipe)`` in a fresh process and return what it sends.

    The parent closes its copy of the child's end at once: a child that dies before it
    sends (an import error, a crash) then ends ``recv`` with EOF instead of leaving it
    waiting for ever, which hung CI once.
    """
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    process = context.Process(target=target, args=(payload, theirs))
    process.start()
    theirs.close()
    try:
        return ours.recv()
    except EOFError:
        process.join()
        raise RuntimeError(f"the step process ended (exit {process.exitcode}) without a "
                           "result; its error is on stderr above") from None
    finally:
        process.join()


@contextmanager
def served_fleet(config: BenchConfig) -> Iterator[Pipe]:
    """The fleet world served from its own process; yields the pipe its URL arrives on
    (read it after any work that can overlap the world's building)."""
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    server = context.Process(target=_serve, args=(config, theirs), daemon=True)
    server.start()
    theirs.close()  # as in _in_child: a server that dies is an EOF here, not a hang
    try:
        yield ours
    finally:
        ours.send("stop")
        server.join(timeout=10)
        if server.is_alive():
            server.terminate()


def measure(companies: int, projects: int, repeats: int) -> list[StepRun]:
    """The inventory once, then verify ``repeats`` times per variant, alternating."""
    config = FLEET.with_overrides(companies=companies, projects_per_company=projects)
    runs: list[StepRun] = []
    with served_fleet(config) as server, TemporaryDirectory() as folder:
        inputs = fleet_inputs(config, Path(folder))
        url = server.recv()
        common = {"url": url, "companies": companies, "inputs": inputs, "folder": folder}
        steps = [("inventory", "current")] + [
            ("verify", variant) for _ in range(repeats) for variant in VARIANTS
        ] + [("reverify", "current")]  # with --previous: the ISV's run after an update
        for step, variant in steps:
            print(f"fleet {companies}x{projects}: {step} ({variant})", file=sys.stderr)
            data = _in_child(_step, {"step": step, "variant": variant, **common})
            if "error" in data:
                raise RuntimeError(f"{step} ({variant}): {data['error']}")
            runs.append(StepRun(**data))
    return runs


def report(runs: list[StepRun]) -> str:
    """Per fleet size: verify legacy vs current (medians), and the inventory."""
    lines = [
        "| companies | step | variant | runs | wall (median) | step CPU per request (median) "
        "| start-up CPU (median) | peak RSS (max) | requests |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    sizes = sorted({run.companies for run in runs})
    rows = [("verify", variant) for variant in VARIANTS] + [
        ("reverify", "current"), ("inventory", "current"),
    ]
    for size in sizes:
        for step, variant in rows:
            group = [r for r in runs if (r.companies, r.step, r.variant) == (size, step, variant)]
            if not group:
                continue
            lines.append(
                f"| {size:,} | {step} | {variant} | {len(group)} "
                f"| {median(r.wall_s for r in group):.2f} s "
                f"| {median(r.cpu_ms_per_request for r in group):.2f} ms "
                f"| {1000 * median(r.startup_cpu_s for r in group):.0f} ms "
                f"| {max(r.maxrss_mib for r in group):.0f} MiB | {group[0].requests:,} |"
            )
    lines.append("")
    for size in sizes:
        per_request = {
            variant: [r.cpu_ms_per_request for r in runs
                      if (r.companies, r.step, r.variant) == (size, "verify", variant)]
            for variant in VARIANTS
        }
        if per_request["legacy"] and per_request["current"]:
            legacy = median(per_request["legacy"])
            ratios = ", ".join(
                f"{variant} ÷ legacy = {median(values) / legacy:.2f}"
                for variant, values in per_request.items() if variant != "legacy" and values
            )
            lines.append(f"- {size:,} companies: verify step CPU per request, {ratios}")
    lines.extend(marginal(runs, sizes))
    return "\n".join(lines) + "\n"


def marginal(runs: list[StepRun], sizes: list[int]) -> list[str]:
    """Verify's CPU per *added* request between the smallest and the largest fleet:
    ``(CPU(large) - CPU(small)) / (requests(large) - requests(small))``. The step's fixed
    costs (the CLI's lazy imports, a first TLS context, opening files) cancel out, which
    the per-request figure of a 10-company run cannot show."""
    if len(sizes) < 2:
        return []
    small, large = sizes[0], sizes[-1]
    found: dict[str, float] = {}
    for variant in VARIANTS:
        ends = [[r for r in runs if (r.companies, r.step, r.variant) == (size, "verify", variant)]
                for size in (small, large)]
        if all(ends) and ends[1][0].requests > ends[0][0].requests:
            added = ends[1][0].requests - ends[0][0].requests
            cpu = median(r.cpu_s for r in ends[1]) - median(r.cpu_s for r in ends[0])
            found[variant] = 1000 * cpu / added
    if "legacy" not in found:
        return []
    parts = ", ".join(f"{variant} {ms:.2f} ms" for variant, ms in found.items())
    ratios = ", ".join(f"{variant} ÷ legacy = {ms / found['legacy']:.2f}"
                       for variant, ms in found.items() if variant != "legacy")
    return [f"- marginal verify step CPU per request, {small:,} → {large:,} companies: "
            f"{parts} ({ratios})"]


def compile_package() -> bool:
    """Write the bytecode of every module of ``dmsa_migrate`` (beside its source); False
    when the folder is not writable (the steps then compile what they import, as before)."""
    import compileall

    import dmsa_migrate

    return bool(compileall.compile_dir(Path(dmsa_migrate.__file__).parent, quiet=2))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.fleet", description=__doc__)
    parser.add_argument("--companies", default=",".join(map(str, CURVE)),
                        help="fleet sizes, comma-separated (default 10,100,1000)")
    parser.add_argument("--projects", type=int, default=FLEET.projects_per_company)
    parser.add_argument("--repeats", type=int, default=2, help="verify runs per variant")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    sizes = [int(part) for part in args.companies.split(",") if part.strip()]
    compile_package()
    runs = [run for size in sizes for run in measure(size, args.projects, args.repeats)]
    print(report(runs))
    if args.json is not None:
        args.json.write_text(json.dumps([asdict(r) for r in runs], indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
