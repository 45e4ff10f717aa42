"""build_inventory against the emulator: live probe, Directory reconstruction, merging."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest

from dmsa_migrate.emulator import World, generate_world
from dmsa_migrate.emulator.world import DirectoryRecord, Limits, Template
from dmsa_migrate.inventory.accounts import parse_accounts
from dmsa_migrate.inventory.build import InventoryInterrupted, build_inventory
from dmsa_migrate.inventory.context import CollectOptions
from dmsa_migrate.models.inventory import Inventory, InventoryAccount
from tests.inventory.conftest import ADMIN_TOKEN, accounts_toml, connection_for

pytestmark = pytest.mark.anyio


def expected_projects(world: World, user_id: int) -> dict[int, dict[str, str]]:
    """The oracle: project id -> tool levels, from the world's memberships and templates."""
    templates = {t.id: t for t in world.templates}
    return {
        m.project_id: dict(templates[m.template_id].levels) if m.template_id else {}
        for m in world.memberships
        if m.user_id == user_id
    }


def expected_company_levels(world: World, user_id: int, company_id: int) -> dict[str, str]:
    templates = {t.id: t for t in world.templates}
    for record in world.directory:
        if record.user_id == user_id and record.company_id == company_id:
            if record.company_template_id is None:
                return {}
            return dict(templates[record.company_template_id].levels)
    raise AssertionError("no directory record")


def account(inventory: Inventory, user_id: int) -> InventoryAccount:
    return next(a for a in inventory.accounts if a.user and a.user.id == user_id)


async def run(world: World, conn: Any, **kwargs: Any) -> tuple[Inventory, CollectOptions]:
    toml_kwargs = {k: kwargs.pop(k) for k in ("with_user_ids", "directory", "only") if k in kwargs}
    accounts = parse_accounts(accounts_toml(world, **toml_kwargs), "accounts.toml")
    options = kwargs.pop("options", CollectOptions())
    inventory = await build_inventory(
        accounts, connection_for(conn), options=options,
        today=world.world.now.date() if world.world.now else None, **kwargs,
    )
    return inventory, options


async def test_active_account_is_probed_live_and_matches_the_world(connect, demo_world) -> None:
    inventory, _ = await run(demo_world, connect(demo_world))
    erp = account(inventory, 9001)
    assert erp.status == "active"
    assert erp.client_id != "tsa-acme-erp-sync-6c1f0e2d" and erp.client_id.startswith("tsa-")
    assert erp.sources[:2] == ["live", "directory"]
    (company,) = erp.companies
    assert (company.id, company.name) == (101, "Acme Builders")
    assert company.permissions == expected_company_levels(demo_world, 9001, 101)
    got = {p.id: p.permissions for p in company.projects}
    assert got == expected_projects(demo_world, 9001)
    assert all(p.sources == ["live", "directory"] for p in company.projects)
    assert erp.conflicts == []


async def test_revoked_account_is_rejected_and_rebuilt_from_the_directory(
    connect, demo_world
) -> None:
    inventory, _ = await run(demo_world, connect(demo_world))
    docs = account(inventory, 9003)
    assert (docs.status, docs.status_reason) == ("rejected", "revoked")
    assert docs.sources == ["directory"]
    (company,) = docs.companies
    assert company.permissions == expected_company_levels(demo_world, 9003, 303)
    assert {p.id: p.permissions for p in company.projects} == expected_projects(demo_world, 9003)
    assert all(p.sources == ["directory"] for p in company.projects)


async def test_after_the_sunset_every_account_is_rejected_and_still_rebuilt(
    connect, post_sunset_world
) -> None:
    inventory, _ = await run(post_sunset_world, connect(post_sunset_world))
    assert [a.status for a in inventory.accounts] == ["rejected"] * 3
    reasons = {a.user.id: a.status_reason for a in inventory.accounts if a.user}
    assert reasons == {9001: "sunset", 9002: "sunset", 9003: "revoked"}
    for user_id in (9001, 9003):
        rebuilt = account(inventory, user_id)
        projects = {p.id: p.permissions for p in rebuilt.companies[0].projects}
        assert projects == expected_projects(post_sunset_world, user_id)


async def test_rejected_account_without_user_id_lists_candidates_and_assumes_none(
    connect, post_sunset_world
) -> None:
    inventory, _ = await run(post_sunset_world, connect(post_sunset_world), with_user_ids=False)
    for rejected in inventory.accounts:
        assert rejected.user is None and rejected.companies == []
        ids = [c.id for c in rejected.user_candidates]
        assert 42 not in ids and 43 not in ids  # people who log in are not candidates
        assert any("user_id" in note for note in rejected.notes)
    erp = inventory.accounts[0]
    assert erp.user_candidates[0].id == 9001
    assert "@procore.com login (traditional service accounts got one)" in (
        erp.user_candidates[0].reasons
    )
    # the DMSA user of the same company also has an @procore.com login, but ranks lower
    dmsa = [c for c in erp.user_candidates if c.id == 9101]
    assert not dmsa or dmsa[0].score < erp.user_candidates[0].score


async def test_without_directory_credential_a_rejected_account_says_why(
    connect, post_sunset_world
) -> None:
    inventory, _ = await run(post_sunset_world, connect(post_sunset_world), directory=False)
    assert all(a.companies == [] for a in inventory.accounts)
    assert all(any("[directory]" in n for n in a.notes) for a in inventory.accounts)


def admin_world() -> World:
    """A world whose old account is a company Directory admin with one membership."""
    world = generate_world(companies=1, projects_per_company=6)
    company = world.companies[0].id
    admin_tpl = Template(id=7001, company_id=company, name="Directory admin (company)",
                         type="company", levels={"directory": "admin", "documents": "readonly"})
    directory = [
        DirectoryRecord(user_id=r.user_id, company_id=r.company_id,
                        company_template_id=7001, directory_admin=True)
        if r.user_id == 9001 else r
        for r in world.directory
    ]
    world = world.model_copy(
        update={"templates": [*world.templates, admin_tpl], "directory": directory}
    )
    return world


async def test_directory_admin_account_reaches_every_project_of_its_company(connect) -> None:
    world = admin_world()
    inventory, _ = await run(world, connect(world))
    (acct,) = inventory.accounts
    (company,) = acct.companies
    assert company.directory_admin is True
    all_projects = {p.id for p in world.projects}
    assert {p.id for p in company.projects} == all_projects
    members = expected_projects(world, 9001)
    for project in company.projects:
        assert project.permissions == members.get(project.id, {})
        assert project.assigned is (project.id in members)
    assert acct.conflicts == []


async def test_live_only_inventory_uses_the_accounts_own_directory_read(connect) -> None:
    world = generate_world(companies=1, projects_per_company=4)
    inventory, options = await run(world, connect(world), directory=False)
    (acct,) = inventory.accounts
    assert acct.status == "active" and acct.sources == ["live"]
    assert {p.id: p.permissions for p in acct.companies[0].projects} == expected_projects(
        world, 9001
    )
    assert options.tally.by_path["/rest/v1.0/settings/permissions"] == 1
    assert options.tally.by_path["/rest/v1.0/companies/101/users/9001/project_assignments"] == 1


async def test_without_any_directory_read_levels_are_read_project_by_project(connect) -> None:
    world = generate_world(companies=1, projects_per_company=4)
    world = world.model_copy(update={"directory": [
        DirectoryRecord(user_id=r.user_id, company_id=r.company_id)
        if r.user_id == 9001 else r
        for r in world.directory
    ]})
    inventory, options = await run(world, connect(world), directory=False)
    (acct,) = inventory.accounts
    assert acct.companies[0].permissions == {}
    assert {p.id: p.permissions for p in acct.companies[0].projects} == expected_projects(
        world, 9001
    )
    assert options.tally.by_path["/rest/v1.0/settings/permissions"] == 1 + len(
        expected_projects(world, 9001)
    )


async def test_thousand_projects_need_no_per_project_request_with_directory_read(
    connect,
) -> None:
    world = generate_world(
        companies=1, projects_per_company=1000, limits=Limits(spike=10_000, hourly=100_000)
    )
    conn = connect(world)
    inventory, options = await run(world, conn, options=CollectOptions(per_page=100))
    (acct,) = inventory.accounts
    assert len(acct.companies[0].projects) == 500
    tally = options.tally
    # live: token + me + companies + company permissions + 5 pages of visible projects;
    # directory: companies + user + company template + 10 assignment pages + 1 template page
    assert tally.live == 1 + 1 + 1 + 1 + 5
    assert tally.directory == 1 + 1 + 1 + 10 + 1
    assert not any(path.startswith("/rest/v1.0/projects/") for path in tally.by_path)
    assert conn.emulator.stats.paths["/rest/v1.0/settings/permissions"] == 1


async def test_demo_directory_admin_account_lists_every_project_of_its_company(
    connect, demo_world
) -> None:
    inventory, _ = await run(demo_world, connect(demo_world))
    reporting = account(inventory, 9002)
    (company,) = reporting.companies
    assert company.directory_admin is True
    assert {p.id for p in company.projects} == {
        p.id for p in demo_world.projects if p.company_id == 202
    }
    assert company.add_to_new_projects is False
    unassigned = [p for p in company.projects if p.assigned is False]
    assert unassigned and all(p.permissions == {} for p in unassigned)


class FailingTransport(httpx.AsyncBaseTransport):
    """Drops every request whose path contains ``marker`` (a network failure)."""

    def __init__(self, inner: httpx.AsyncBaseTransport, marker: str) -> None:
        self.inner = inner
        self.marker = marker

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.marker in request.url.path:
            raise httpx.ConnectError("connection refused", request=request)
        return await self.inner.handle_async_request(request)


async def test_network_failure_stops_with_the_partial_inventory(
    demo_world, no_backoff
) -> None:
    from dmsa_migrate.emulator import Emulator
    from dmsa_migrate.procore import Environment
    from dmsa_migrate.runtime import Connection

    emulator = Emulator(demo_world)
    transport = FailingTransport(emulator.async_transport(), "/companies/202/")
    conn = Connection(Environment("emulator", "https://emulator.invalid",
                                  "https://emulator.invalid"), transport)
    accounts = parse_accounts(accounts_toml(demo_world), "accounts.toml")
    with pytest.raises(InventoryInterrupted) as caught:
        await build_inventory(accounts, conn, today=dt.date(2025, 2, 15))
    error = caught.value
    assert error.exit_code == 3
    assert "company 202" in error.message and "/companies/202/" in error.message
    partial = error.partial
    by_label = {a.label: a.complete for a in partial.accounts}
    assert [a.label for a in partial.accounts] == [a.label for a in accounts.accounts]
    assert by_label[partial.accounts[1].label] is False  # company 202 failed
    assert partial.accounts[0].complete
    assert partial.accounts[0].companies[0].projects  # the first account was kept whole


async def test_demo_accounts_helper_uses_references_only(connect, demo_world) -> None:
    from dmsa_migrate.inventory.demo import DemoServiceAccount, demo_accounts
    from dmsa_migrate.runtime import expose_demo_secret

    users = {u.id: u.name for u in demo_world.users}
    rows = [
        DemoServiceAccount(s.client_id, s.client_secret, s.company_id, s.user_id,
                           users[s.user_id])
        for s in demo_world.service_accounts
    ]
    accounts = demo_accounts(rows, ADMIN_TOKEN, expose_demo_secret)
    dumped = accounts.model_dump_json()
    assert ADMIN_TOKEN not in dumped
    assert not any(s.client_secret in dumped for s in demo_world.service_accounts)
    assert [a.label for a in accounts.accounts] == [
        "erp-sync", "reporting-export", "document-bridge"
    ]
    inventory = await build_inventory(
        accounts, connection_for(connect(demo_world)), today=dt.date(2025, 2, 15)
    )
    assert [a.status for a in inventory.accounts] == ["active", "active", "rejected"]
    assert all(a.companies and a.companies[0].projects for a in inventory.accounts)


class RecordingTransport(httpx.AsyncBaseTransport):
    """Records the company of every request, in the order they are sent."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.companies: list[str] = []
        self.paths: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.companies.append(request.headers.get("Procore-Company-Id", ""))
        self.paths.append(request.url.path)
        return await self.inner.handle_async_request(request)


async def test_accounts_start_side_by_side_once_the_first_has_opened_the_directory(
    demo_world,
) -> None:
    from dmsa_migrate.emulator import Emulator
    from dmsa_migrate.procore import Environment
    from dmsa_migrate.runtime import Connection

    # Latency makes each answer a real wait, during which the other accounts send theirs.
    slow = demo_world.model_copy(
        update={"limits": demo_world.limits.model_copy(update={"latency_ms": 2.0})}
    )
    recording = RecordingTransport(Emulator(slow).async_transport())
    conn = Connection(Environment("emulator", "https://emulator.invalid",
                                  "https://emulator.invalid"), recording)
    accounts = parse_accounts(accounts_toml(demo_world), "accounts.toml")
    options = CollectOptions()
    inventory = await build_inventory(accounts, conn, today=dt.date(2025, 2, 15),
                                      options=options)
    sent = recording.companies
    # The Directory's company list (run-wide) goes out beside the first account's live
    # probe (before its /me, which waits for a token), and before any other account.
    directory_list = recording.paths.index("/rest/v1.0/companies")
    assert directory_list < recording.paths.index("/rest/v1.0/me")
    others = sent.index("202")
    assert set(sent[:others]) <= {"", "101"}  # the first account alone until then
    assert others > directory_list
    assert sent.index("303") < len(sent) - 1 - sent[::-1].index("202")  # overlapped
    assert "101" in sent[others:]  # ... and the first one's own reads go on beside them
    assert [a.label for a in inventory.accounts] == [a.label for a in accounts.accounts]
    assert len(sent) == options.tally.total  # no request sent twice by the overlap


class ExchangeLog(httpx.AsyncBaseTransport):
    """Every request as ``(company header, method, path)``, in the order it is sent."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.sent: list[tuple[str, str, str]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        company = request.headers.get("Procore-Company-Id", "")
        self.sent.append((company, request.method, request.url.path))
        return await self.inner.handle_async_request(request)


def assigned_levels(found: InventoryAccount, world: World, user_id: int) -> dict[int, Any]:
    """The found levels of the projects the user is a member of (a Directory admin's
    account also lists the others, without levels)."""
    members = expected_projects(world, user_id)
    return {p.id: dict(p.permissions) for p in found.companies[0].projects if p.id in members}


def logged_connection(world: World) -> tuple[Any, ExchangeLog, Any]:
    """The world in-process with 2 ms latency (each answer a real wait), its log, and
    the emulator (its own request count is the witness)."""
    from dmsa_migrate.emulator import Emulator
    from dmsa_migrate.procore import Environment
    from dmsa_migrate.runtime import Connection

    slow = world.model_copy(update={"limits": world.limits.model_copy(update={"latency_ms": 2.0})})
    emulator = Emulator(slow)
    log = ExchangeLog(emulator.async_transport())
    env = Environment("emulator", "https://emulator.invalid", "https://emulator.invalid")
    return Connection(env, log), log, emulator


async def test_an_accounts_directory_reads_go_out_before_its_me(demo_world) -> None:
    connection, log, emulator = logged_connection(demo_world)
    accounts = parse_accounts(accounts_toml(demo_world), "accounts.toml")
    options = CollectOptions()
    inventory = await build_inventory(accounts, connection, today=dt.date(2025, 2, 15),
                                      options=options)
    reporting = account(inventory, 9002)
    assert reporting.status == "active"
    me = log.sent.index(("202", "GET", "/rest/v1.0/me"))
    # The file's user_id 9002 is read from the Directory beside the live probe: its record
    # and its assignments are asked for before the account's own /me is even sent.
    assert log.sent.index(("202", "GET", "/rest/v1.3/companies/202/users/9002")) < me
    assert log.sent.index(
        ("202", "GET", "/rest/v1.0/companies/202/users/9002/project_assignments")) < me
    assert assigned_levels(reporting, demo_world, 9002) == expected_projects(demo_world, 9002)
    assert len(log.sent) == emulator.stats.requests == options.tally.total


async def test_reading_ahead_by_the_files_user_id_costs_no_request_more(demo_world) -> None:
    # Without user_id the Directory waits for /me's id, one read after the other.
    runs = {}
    for with_ids in (True, False):
        connection, log, _ = logged_connection(demo_world)
        accounts = parse_accounts(
            accounts_toml(demo_world, with_user_ids=with_ids, only={9001, 9002}), "accounts.toml"
        )
        inventory = await build_inventory(accounts, connection, today=dt.date(2025, 2, 15))
        runs[with_ids] = (sorted(log.sent), [a.model_dump(exclude={"notes"})
                                             for a in inventory.accounts])
    assert runs[True] == runs[False]


@pytest.mark.parametrize("wrong", [44, 777_777], ids=["another user", "no such user"])
async def test_a_wrong_user_id_is_read_again_by_me_and_reported(demo_world, wrong: int) -> None:
    connection, log, emulator = logged_connection(demo_world)
    text = accounts_toml(demo_world).replace("user_id = 9002\n", f"user_id = {wrong}\n")
    accounts = parse_accounts(text, "accounts.toml")
    options = CollectOptions()
    inventory = await build_inventory(accounts, connection, today=dt.date(2025, 2, 15),
                                      options=options)
    reporting = next(a for a in inventory.accounts if a.label == "reporting-export")
    assert reporting.user is not None and reporting.user.id == 9002
    assert f"accounts file says user_id {wrong}; /me says 9002 (used /me)" in reporting.notes
    assert not any("refused or not found" in note for note in reporting.notes)
    assert assigned_levels(reporting, demo_world, 9002) == expected_projects(demo_world, 9002)
    assert reporting.companies[0].permissions == expected_company_levels(demo_world, 9002, 202)
    paths = [path for _, _, path in log.sent]
    assert f"/rest/v1.3/companies/202/users/{wrong}" in paths  # read ahead, then dropped
    assert paths.count("/rest/v1.3/companies/202/users/9002") == 1
    assert len(log.sent) == emulator.stats.requests == options.tally.total
