"""Memory shape of a streamed fleet verify (issue 18): ten times the companies must not
cost much more memory. Python's own allocations (tracemalloc) are compared, never a time;
the in-process emulator is warmed up first so its lazily built indexes are not counted, and
the stream reader's window is made small (its fixed few MiB would hide the shape of a
test-sized fleet: a 2 MB inventory already fills it)."""

from __future__ import annotations

import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from dmsa_migrate.emulator import Emulator, World, generate_world
from dmsa_migrate.inventory.output import InventoryFile
from dmsa_migrate.models.inventory import InventoryAccount, InventoryCompany, InventoryProject

pytestmark = pytest.mark.anyio
SECRET_ENV = "MEMORY_SHAPE_DMSA_SECRET"
PROJECTS = 40


def _inventory(world: World, path: Path) -> None:
    """The old access of every company (one account each), written as the step writes it."""
    projects: dict[int, list[InventoryProject]] = {}
    for project in world.projects:
        projects.setdefault(project.company_id, []).append(InventoryProject(
            id=project.id, name=project.name, permissions={"rfi": "standard"},
        ))
    sink = InventoryFile(path)
    sink.begin("2025-02-15T12:00:00Z")
    for company in world.companies:
        sink.add(InventoryAccount(label=f"tsa-{company.id}", client_id="tsa-…", companies=[
            InventoryCompany(id=company.id, name=company.name,
                             projects=projects.get(company.id, [])),
        ]))
    sink.commit([])


async def _verify(emulator: Emulator, world: World, folder: Path, *, out: bool) -> Any:
    from dmsa_migrate.engagement import VerifyRequest, plain_engagement, run_verify
    from dmsa_migrate.procore import Environment
    from dmsa_migrate.runtime import Connection

    engagement = plain_engagement()
    engagement.ready_connection = Connection(
        Environment("emulator", "https://emulator.invalid", "https://emulator.invalid"),
        emulator.async_transport(),
    )
    target = folder / "verification.json"
    request = VerifyRequest(
        inventory=str(folder / "inventory.json"), dmsa=world.apps[0].client_id,
        dmsa_secret=f"env:{SECRET_ENV}",
        journal=str(folder / "verification.json.partial") if out else None,
        out=str(target) if out else None,
    )
    return await run_verify(engagement, request)


async def _peak(companies: int, folder: Path, *, out: bool = True) -> float:
    """Peak traced MiB of one verify over ``companies`` companies (after a warm-up run)."""
    world = generate_world(companies=companies, projects_per_company=PROJECTS)
    folder.mkdir()
    _inventory(world, folder / "inventory.json")
    emulator = Emulator(world)
    await _verify(emulator, world, folder, out=out)  # warm-up: the emulator's own caches
    tracemalloc.start()
    try:
        outcome = await _verify(emulator, world, folder, out=out)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(outcome.tally.rows if outcome.tally else outcome.verification.companies) == (
        companies
    )
    return peak / (1024 * 1024)


async def test_ten_times_the_companies_cost_little_more_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What still grows is a few small records per company (a summary row, where its
    journal line starts, the client's per-company rate-limit bucket): a fraction of what
    keeping every result costs. (The issue's 1.5x target is on the whole process's RSS
    at 1,000 x 100, which ``benchmarks.fleet`` measures.)"""
    from dmsa_migrate import jsonstream

    monkeypatch.setenv(SECRET_ENV, "dmsa-generated-secret")
    monkeypatch.setattr(jsonstream, "CHUNK", 32 * 1024)
    small = await _peak(20, tmp_path / "small")
    large = await _peak(200, tmp_path / "large")
    kept = await _peak(200, tmp_path / "kept", out=False)  # every result kept: what grows
    figures = f"20: {small:.2f} MiB, 200: {large:.2f} MiB, 200 kept whole: {kept:.2f} MiB"
    assert large <= 2 * small, figures
    assert large - small <= (kept - small) / 3, figures
