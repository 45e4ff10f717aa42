"""The Procore client alone: ``python -m benchmarks.client_cpu [--companies 1000]``.

Issue 18 asks for the *client's* CPU per request at most a quarter of the client it measured
(httpx's pool defaults: 3.4 ms per request, a third of it in httpcore's pool bookkeeping).
``benchmarks.fleet`` measures the whole verify step, whose own work (judging companies,
journaling, writing files) is the same in every variant and so dilutes the ratio. This
benchmark takes the step away: a fresh process per variant sends the fleet verify's reads
(per company: the app's ``/me`` and the company's project list, 100 projects on one page,
64 requests in flight like verify's 8 companies x 8) through one ``ProcoreClient`` and
reports the process CPU (user + system) per request, from the first request after the
token to the last answer. Decoding the pages is in it (the client hands out parsed JSON);
nothing of the step is.

The emulator is served from its own process (``benchmarks.fleet``'s world: 30 ms latency,
limits lifted). Variants alternate (legacy, gated, current, legacy, ...), each run in a
fresh process; the ratio to ``legacy`` in the same run is what to read. Markdown on
stdout, progress on stderr, ``--json FILE`` keeps the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import sys
import time
from multiprocessing.connection import Connection as Pipe
from pathlib import Path
from statistics import median
from tempfile import TemporaryDirectory
from typing import Any

if __package__ in (None, ""):  # `python benchmarks/client_cpu.py` from the repo root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.fleet import (
    DMSA_SECRET_ENV,
    FLEET,
    VARIANTS,
    _in_child,
    fleet_inputs,
    served_fleet,
)

IN_FLIGHT = 64
"""Requests at once: verify's 8 companies x 8 requests each."""


@dataclasses.dataclass
class ClientRun:
    """One variant's pass over the fleet."""

    variant: str
    companies: int
    requests: int
    cpu_s: float
    wall_s: float

    @property
    def cpu_ms_per_request(self) -> float:
        return 1000 * self.cpu_s / max(1, self.requests)


def _exchange(args: dict[str, Any], pipe: Pipe) -> None:
    """Child process: one variant's requests; sends its :class:`ClientRun` fields."""
    try:
        pipe.send(asyncio.run(_requests(**args)))
    except BaseException as exc:
        pipe.send({"error": f"{type(exc).__name__}: {exc}"})
        raise


async def _requests(variant: str, url: str, client_id: str, company_ids: list[int]
                    ) -> dict[str, Any]:
    from dmsa_migrate.procore import ClientCredentials, Environment, ProcoreClient
    from dmsa_migrate.procore.pool import DEFAULT_POOL, GATED_POOL, LEGACY_POOL

    pool = {"legacy": LEGACY_POOL, "gated": GATED_POOL}.get(variant, DEFAULT_POOL)
    secret = os.environ[DMSA_SECRET_ENV]
    environment = Environment("bench", url, url)
    async with ProcoreClient(environment, ClientCredentials(client_id, secret),
                             pool=pool, per_page=100) as client:
        await client.me(company_id=company_ids[0])  # the token, and a first connection
        gate = asyncio.Semaphore(IN_FLIGHT)

        async def company(company_id: int) -> int:
            async with gate:
                await client.me(company_id=company_id)
            async with gate:
                await client.get_all("/rest/v1.0/projects", company_id=company_id,
                                     params={"company_id": company_id})
            return 2

        wall, cpu = time.perf_counter(), time.process_time()
        sent = sum(await asyncio.gather(*(company(c) for c in company_ids)))
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return {"variant": variant, "companies": len(company_ids), "requests": sent,
            "cpu_s": cpu, "wall_s": wall}


def measure(companies: int, repeats: int) -> list[ClientRun]:
    """Every variant ``repeats`` times, alternating, against one emulator process."""
    config = dataclasses.replace(FLEET, companies=companies)
    runs: list[ClientRun] = []
    with served_fleet(config) as server:
        with TemporaryDirectory() as folder:
            inputs = fleet_inputs(config, Path(folder))
        url = server.recv()
        for _ in range(repeats):
            for variant in VARIANTS:
                print(f"client {companies}: {variant}", file=sys.stderr)
                data = _in_child(_exchange, {"variant": variant, "url": url,
                                             "client_id": inputs.app_client_id,
                                             "company_ids": inputs.company_ids})
                if "error" in data:
                    raise RuntimeError(f"{variant}: {data['error']}")
                runs.append(ClientRun(**data))
    return runs


def report(runs: list[ClientRun]) -> str:
    """A Markdown table of medians per variant, and each variant's ratio to legacy."""
    lines = ["| companies | variant | runs | requests | client CPU per request (median) "
             "| wall (median) |", "| --- | --- | --- | --- | --- | --- |"]
    medians: dict[str, float] = {}
    for variant in VARIANTS:
        group = [run for run in runs if run.variant == variant]
        if not group:
            continue
        medians[variant] = median(run.cpu_ms_per_request for run in group)
        lines.append(f"| {group[0].companies:,} | {variant} | {len(group)} | "
                     f"{group[0].requests:,} | {medians[variant]:.3f} ms | "
                     f"{median(run.wall_s for run in group):.2f} s |")
    legacy = medians.get("legacy")
    if legacy:
        ratios = ", ".join(f"{variant} ÷ legacy = {value / legacy:.2f}"
                           for variant, value in medians.items() if variant != "legacy")
        lines += ["", f"Client CPU per request: {ratios}."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--companies", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", metavar="FILE", help="also write the runs as JSON")
    args = parser.parse_args(argv)
    runs = measure(args.companies, args.repeats)
    print(report(runs))
    if args.json:
        Path(args.json).write_text(json.dumps([dataclasses.asdict(r) for r in runs], indent=2),
                                   encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
