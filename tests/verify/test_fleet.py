"""Fleet verify: per-company results as they finish, ``--resume``, the fleet summary."""

from __future__ import annotations

import csv
import io
import json
import stat
from pathlib import Path
from typing import Any

import pytest

from dmsa_migrate.cli import main
from dmsa_migrate.emulator import Emulator, load_world, serve_in_thread
from dmsa_migrate.models.verification import CompanyVerification
from dmsa_migrate.secrets import mask_client_id
from dmsa_migrate.verify import VerificationIncomplete
from dmsa_migrate.verify.fleet import (
    Journal,
    journal_path,
    progress_text,
    read_journal,
)

from .conftest import DEMO_MANIFEST, DMSA_ID, demo_inventory, factory, run_verify
from .test_cli import _args, files  # noqa: F401  (the fixture)
from .test_failures import failing_connection

MASKED = mask_client_id(DMSA_ID)


@pytest.mark.anyio
async def test_each_company_is_handed_over_as_it_finishes(inprocess: Any) -> None:
    conn = inprocess(load_world("demo"))
    seen: list[CompanyVerification] = []
    verification = await run_verify(conn, on_company=seen.append, expected=DEMO_MANIFEST)
    assert sorted(c.id for c in seen) == [c.id for c in verification.companies]
    final = {c.id: c for c in verification.companies}
    assert all(final[c.id].missing_projects == c.missing_projects for c in seen)


@pytest.mark.anyio
async def test_an_unread_company_is_not_journaled_so_resume_reads_it(
    inprocess: Any, tmp_path: Path
) -> None:
    conn = inprocess(load_world("demo"))
    journal = Journal(tmp_path / "v.json.partial", MASKED, resume=False)
    with pytest.raises(VerificationIncomplete):
        from dmsa_migrate.procore import ClientCredentials
        from dmsa_migrate.verify import verify_install

        from .conftest import DMSA_SECRET

        await verify_install(
            demo_inventory(), failing_connection(conn, 202),
            ClientCredentials(DMSA_ID, DMSA_SECRET), on_company=journal.add,
        )
    journal.close()
    kept = read_journal(tmp_path / "v.json.partial", MASKED)
    assert sorted(c.id for c in kept) == [101, 303]


def test_resume_skips_the_companies_of_the_journal(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]  # noqa: F811
) -> None:
    out = files["dir"] / "verification.json"
    emulator = Emulator(load_world("demo"))
    with serve_in_thread(emulator) as url:
        assert main(_args(files, url, "--out", str(out))) == 1
        fresh = json.loads(out.read_text(encoding="utf-8"))
        acme = next(c for c in fresh["companies"] if c["id"] == 101)
        journal = Journal(journal_path(out), MASKED, resume=False)
        journal.add(CompanyVerification.model_validate(acme))
        journal.close()
        before = emulator.stats.requests
        touched_before = _company_paths(emulator, 101)
        assert main(_args(files, url, "--out", str(out), "--resume")) == 1
        resumed_requests = emulator.stats.requests - before
    resumed = json.loads(out.read_text(encoding="utf-8"))
    assert _company_paths(emulator, 101) == touched_before  # nothing of 101 read again
    assert resumed_requests == fresh["requests"] - acme["requests"]
    assert [c["id"] for c in resumed["companies"]] == [c["id"] for c in fresh["companies"]]
    assert next(c for c in resumed["companies"] if c["id"] == 101) == acme
    assert not journal_path(out).exists()  # finished: the contract file is all there is


def _company_paths(emulator: Emulator, company_id: int) -> int:
    return sum(n for path, n in emulator.stats.paths.items() if f"/{company_id}/" in path)


def test_fleet_summary_has_one_row_per_company_in_csv_and_json(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]  # noqa: F811
) -> None:
    stem = files["dir"] / "fleet"
    with serve_in_thread(Emulator(load_world("demo"))) as url:
        code = main(_args(files, url, "--manifest", str(files["manifest"]),
                          "--summary", str(stem)))
    assert code == 1
    rows = list(csv.DictReader(io.StringIO((files["dir"] / "fleet.csv").read_text())))
    data = json.loads((files["dir"] / "fleet.json").read_text(encoding="utf-8"))
    assert [int(r["company_id"]) for r in rows] == [r["company_id"] for r in data["rows"]]
    by_id = {int(r["company_id"]): r for r in rows}
    assert by_id[101]["install_status"] == "installed"
    assert by_id[303]["install_status"] == "disconnected"
    assert int(by_id[101]["old_projects"]) == 8  # 1001-1008 in the inventory
    assert int(by_id[101]["permitted_projects"]) == 7  # 1008 is missing
    assert data["companies"] == len(rows) and data["ok"] is False
    assert stat.S_IMODE((files["dir"] / "fleet.csv").stat().st_mode) == 0o600


def test_resume_refuses_another_apps_journal(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]  # noqa: F811
) -> None:
    out = files["dir"] / "verification.json"
    Journal(journal_path(out), "other…app", resume=False).close()
    code = main(_args(files, "http://127.0.0.1:9", "--out", str(out), "--resume"))
    assert code == 2
    err = capsys.readouterr().err
    assert "verification.json.partial" in err and "another app" in err


def test_a_torn_last_line_is_dropped_and_a_bad_line_is_named(tmp_path: Path) -> None:
    path = tmp_path / "v.partial"
    journal = Journal(path, MASKED, resume=False)
    journal.add(CompanyVerification(id=7, name="Seven", status="installed", installed=True))
    journal.close()
    with path.open("a", encoding="utf-8") as handle:
        handle.write('{"id": 8, "name": "Ei')  # killed mid-write
    assert [c.id for c in read_journal(path, MASKED)] == [7]
    with path.open("a", encoding="utf-8") as handle:
        handle.write('\n{"id": "x"}\n')
    from dmsa_migrate.errors import FileFormatError

    with pytest.raises(FileFormatError) as caught:
        read_journal(path, MASKED)
    assert "line 3" in str(caught.value) or caught.value.line == 3


def test_progress_text_gives_rate_and_time_left() -> None:
    assert progress_text(0, 1000, 0.0) == "0/1000 companies"
    assert progress_text(250, 1000, 50.0) == "250/1000 companies · 5.0/s · ETA 2 min 30 s"
    assert progress_text(10, 10, 2.0).endswith("ETA 0 s")


async def _both_ways(conn: Any, tmp_path: Path, **options: Any) -> tuple[Any, Any, Path]:
    """The same verify kept in memory and streamed through a journal into a file."""
    from dmsa_migrate.verify import verify_install
    from dmsa_migrate.verify.fleet import write_verification

    kept = await verify_install(**options, connection=factory(conn))
    journal = Journal(tmp_path / "v.json.partial", MASKED, resume=False)
    streamed = await verify_install(
        **options, connection=factory(conn), on_company=journal.add, keep_companies=False
    )
    journal.close()
    assert streamed.companies == [], "a streamed run keeps no company it could read"
    target = write_verification(streamed, journal.path, tmp_path / "verification.json")
    return kept, streamed, target


@pytest.mark.anyio
@pytest.mark.parametrize("which", ["demo", "generated"])
async def test_streamed_verification_is_the_file_of_the_whole_result(
    inprocess: Any, tmp_path: Path, which: str
) -> None:
    """issue 18: the final file composed from the journal a company at a time holds the
    companies of a run that keeps them all, in id order, and is written byte for byte as
    the whole result would be."""
    from dmsa_migrate.artifacts import load_verification
    from dmsa_migrate.emulator import generate_world
    from dmsa_migrate.fileio import atomic_write_json
    from dmsa_migrate.models.inventory import Inventory
    from dmsa_migrate.procore import ClientCredentials

    from .conftest import DMSA_SECRET

    if which == "demo":
        conn = inprocess(load_world("demo"))
        options: dict[str, Any] = {
            "inventory": demo_inventory(), "expected": DEMO_MANIFEST,
            "dmsa_credentials": ClientCredentials(DMSA_ID, DMSA_SECRET),
        }
    else:
        fleet = generate_world(companies=9, projects_per_company=4)
        conn = inprocess(fleet)
        options = {
            "inventory": Inventory(), "company_ids": sorted(c.id for c in fleet.companies),
            "dmsa_credentials": ClientCredentials("dmsa-generated-client",
                                                  "dmsa-generated-secret"),
        }
    kept, _streamed, target = await _both_ways(conn, tmp_path, **options)
    read_back = load_verification(target)
    assert read_back.companies == kept.companies and len(kept.companies) > 2
    assert (read_back.ok, read_back.requests) == (kept.ok, kept.requests)
    whole = atomic_write_json(tmp_path / "whole.json",
                              read_back.model_dump(mode="json", by_alias=True))
    assert target.read_bytes() == whole.read_bytes()
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


@pytest.mark.anyio
async def test_streamed_incomplete_run_lists_the_unread_company_in_its_place(
    inprocess: Any, tmp_path: Path
) -> None:
    from dmsa_migrate.procore import ClientCredentials
    from dmsa_migrate.verify import verify_install
    from dmsa_migrate.verify.fleet import write_verification

    from .conftest import DMSA_SECRET

    conn = inprocess(load_world("demo"))
    journal = Journal(tmp_path / "v.json.partial", MASKED, resume=False)
    with pytest.raises(VerificationIncomplete) as caught:
        await verify_install(
            demo_inventory(), failing_connection(conn, 202),
            ClientCredentials(DMSA_ID, DMSA_SECRET), on_company=journal.add,
            keep_companies=False,
        )
    journal.close()
    partial = caught.value.partial
    assert [c.id for c in partial.companies] == [202]
    target = write_verification(partial, journal.path, tmp_path / "verification.json")
    data = json.loads(target.read_text(encoding="utf-8"))
    assert [c["id"] for c in data["companies"]] == [101, 202, 303]
    assert data["complete"] is False and data["ok"] is False
    assert data["companies"][1]["findings"][0]["code"] == "company_not_read"
