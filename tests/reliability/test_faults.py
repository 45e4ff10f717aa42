"""Faults: a flaky, throttling Procore gives the same inventory and verification as a
healthy one; a permanent fault exits 3 naming the company and the request, and keeps
everything collected so far.

The emulator injects 10 % server errors, spurious 429s and dropped connections, issues
tokens that live 2 seconds and allows 5 requests per 0.5-second window. The client and the
emulator share a :class:`ManualClock`: every wait (backoff, rate-limit pause, Retry-After)
advances it instead of sleeping, so the tests cost no real time.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from dmsa_migrate import runtime
from dmsa_migrate.emulator import Emulator, ManualClock, World, generate_world
from dmsa_migrate.emulator.generate import ADMIN_TOKEN
from dmsa_migrate.emulator.world import Faults, Limits
from dmsa_migrate.procore import ClientEvent, Credentials, Environment, ProcoreClient
from tests.reliability.conftest import CliRecorder

COMPANIES, PROJECTS = 6, 60
DMSA_ID, DMSA_SECRET = "dmsa-generated-client", "dmsa-generated-secret"
HOSTILE_LIMITS = Limits(spike=5, spike_window_s=0.5, token_lifetime_s=2)
HOSTILE_FAULTS = Faults(error_rate=0.10, throttle_rate=0.05, drop_rate=0.03, seed=20250318)

Transport = Callable[[httpx.AsyncBaseTransport, Emulator], httpx.AsyncBaseTransport]


def mid_size_world(*, hostile: bool) -> World:
    """5 companies x 50 projects (generate_world); hostile: faults, tight limits."""
    world = generate_world(COMPANIES, PROJECTS, limits=HOSTILE_LIMITS if hostile else None)
    return world.model_copy(update={"faults": HOSTILE_FAULTS}) if hostile else world


@dataclass
class VirtualTimeConnection(runtime.Connection):
    """A ``runtime.Connection`` whose clients sleep on the emulator's manual clock.

    It also keeps every client it built, so a test can read their statistics (waits,
    retries) after the CLI command has finished.
    """

    clock: ManualClock = field(default_factory=ManualClock)
    clients: list[ProcoreClient] = field(default_factory=list)

    def client(
        self,
        credentials: Credentials,
        *,
        company_id: int | None = None,
        on_event: Callable[[ClientEvent], None] | None = None,
    ) -> ProcoreClient:
        async def sleep(seconds: float) -> None:
            self.clock.advance(seconds)
            await asyncio.sleep(0)

        built = ProcoreClient(
            self.environment, credentials, company_id=company_id, transport=self.transport,
            on_event=on_event, sleep=sleep, clock=self.clock.now,
        )
        self.clients.append(built)
        return built

    def total(self, stat: str) -> int:
        return sum(int(getattr(c.stats, stat)) for c in self.clients)

    @property
    def verify_tokens(self) -> int:
        """Token requests of the DMSA client (the one verify uses)."""
        return sum(
            c.stats.token_requests for c in self.clients
            if getattr(c.tokens.credentials, "client_id", None) == DMSA_ID
        )


def serve(
    monkeypatch: pytest.MonkeyPatch, world: World, wrap: Transport | None = None
) -> VirtualTimeConnection:
    """Make every CLI command in this test talk to ``world`` in virtual time."""
    assert world.world.now is not None
    clock = ManualClock(world.world.now.timestamp())
    emulator = Emulator(world, clock=clock)
    transport = emulator.async_transport()
    if wrap is not None:
        transport = wrap(transport, emulator)
    base = runtime.EMULATOR_BASE
    connection = VirtualTimeConnection(
        Environment("emulator", base, base), transport, emulator, clock=clock
    )
    monkeypatch.setattr(runtime, "connection_from_options", lambda *a, **k: connection)
    return connection


def accounts_file(folder: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """One old account per company of the generated world, with the admin's token."""
    lines = []
    for c in range(1, COMPANIES + 1):
        company_id = 100 + c
        monkeypatch.setenv(f"TSA_{company_id}", f"tsa-secret-{company_id}")
        lines += [
            "[[accounts]]", f'label = "erp-sync-{c}"', f'client_id = "tsa-{company_id}"',
            f'client_secret = "env:TSA_{company_id}"', f"company_id = {company_id}", "",
        ]
    monkeypatch.setenv("ADMIN_TOKEN", ADMIN_TOKEN)
    monkeypatch.setenv("DMSA_SECRET", DMSA_SECRET)
    lines += ["[directory]", 'token = "env:ADMIN_TOKEN"']
    path = folder / "accounts.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def comparable(path: Path) -> Any:
    """A JSON output without the one field that differs between runs by design."""
    data = json.loads(path.read_text(encoding="utf-8"))
    data.pop("generated_at")
    return data


def inventory_then_verify(cli: CliRecorder, accounts: Path, out: Path) -> tuple[Any, Any]:
    inventory, verification = out / "inventory.json", out / "verification.json"
    run = cli("inventory", "--accounts", accounts, "--out", inventory)
    assert run.code == 0, run.err
    run = cli("verify", "--inventory", inventory, "--dmsa", DMSA_ID,
              "--dmsa-secret", "env:DMSA_SECRET", "--out", verification)
    assert run.code in (0, 1), run.err
    assert "Traceback" not in run.err
    return comparable(inventory), comparable(verification)


def test_faults_and_tight_limits_give_the_same_results_as_a_healthy_run(
    cli: CliRecorder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    accounts = accounts_file(tmp_path, monkeypatch)
    healthy_conn = serve(monkeypatch, mid_size_world(hostile=False))
    (tmp_path / "healthy").mkdir()
    healthy = inventory_then_verify(cli, accounts, tmp_path / "healthy")

    hostile = serve(monkeypatch, mid_size_world(hostile=True))
    (tmp_path / "hostile").mkdir()
    flaky = inventory_then_verify(cli, accounts, tmp_path / "hostile")

    assert flaky[0] == healthy[0]
    # Token requests are real requests: 2-second tokens need more of them. Everything else,
    # down to each company's request count, is identical.
    renewals = hostile.verify_tokens - healthy_conn.verify_tokens
    assert flaky[1].pop("requests") - healthy[1].pop("requests") == renewals
    assert flaky[1] == healthy[1]
    # The run was genuinely hostile: every kind of fault happened and was absorbed.
    emu = hostile.emulator
    assert emu is not None
    assert emu.stats.faults > 0 and emu.stats.dropped > 0
    assert emu.stats.rate_limited == 0  # every 429 was a spurious one: the client paced
    assert emu.stats.responses[429] > 0
    assert sum(emu.stats.responses[status] for status in (500, 502, 503)) > 0
    assert hostile.total("rate_limit_waits") > 0  # the spike limit forced waits
    assert hostile.total("tokens_fetched") > COMPANIES + 2  # 2-second tokens were renewed
    assert hostile.total("retries") >= emu.stats.faults
    assert len(healthy[0]["accounts"]) == COMPANIES
    assert sum(len(c["matched_projects"]) for c in healthy[1]["companies"]) > 0


# -- permanent faults ------------------------------------------------------------------------


class CompanyDown(httpx.AsyncBaseTransport):
    """Every API call for one company answers 500, however often it is retried."""

    def __init__(self, inner: httpx.AsyncBaseTransport, company_id: int) -> None:
        self.inner = inner
        self.company = str(company_id)
        self.refused = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        header = request.headers.get("Procore-Company-Id")
        in_path = f"/companies/{self.company}/" in request.url.path
        if request.url.path.startswith("/rest/") and (header == self.company or in_path):
            self.refused += 1
            return httpx.Response(500, json={"errors": "Internal Server Error"})
        return await self.inner.handle_async_request(request)


class DisconnectedAfterDiscovery(httpx.AsyncBaseTransport):
    """A company admin disconnects the app in one company right after verify's discovery."""

    def __init__(self, inner: httpx.AsyncBaseTransport, emulator: Emulator, company: int) -> None:
        self.inner = inner
        self.emulator = emulator
        self.company = company

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if request.url.path == "/rest/v1.0/companies" and response.status_code == 200:
            installs = self.emulator.index.installations
            key = (DMSA_ID, self.company)
            installs[key] = installs[key].model_copy(update={"status": "disconnected"})
        return response


@pytest.fixture
def setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: CliRecorder) -> dict[str, Path]:
    """An accounts file, and a healthy run's inventory for the verify cases."""
    accounts = accounts_file(tmp_path, monkeypatch)
    serve(monkeypatch, mid_size_world(hostile=False))
    inventory = tmp_path / "inventory.json"
    assert cli("inventory", "--accounts", accounts, "--out", inventory).code == 0
    return {"accounts": accounts, "inventory": inventory, "out": tmp_path / "out"}


def verify(cli: CliRecorder, inventory: Path, out: Path, secret: str = "env:DMSA_SECRET") -> Any:
    return cli("verify", "--inventory", inventory, "--dmsa", DMSA_ID, "--dmsa-secret", secret,
               "--out", out / "verification.json")


def assert_clean_exit_3(run: Any, *needles: str) -> None:
    assert run.code == 3, run.err
    assert "Traceback" not in run.err and "internal error" not in run.err
    for needle in needles:
        assert needle in run.err, (needle, run.err)


def test_server_errors_beyond_the_retry_budget_stop_inventory_and_keep_what_was_read(
    cli: CliRecorder, setup: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    down: list[CompanyDown] = []

    def wrap(inner: httpx.AsyncBaseTransport, _emu: Emulator) -> httpx.AsyncBaseTransport:
        down.append(CompanyDown(inner, 104))
        return down[0]

    serve(monkeypatch, mid_size_world(hostile=False), wrap)
    partial = setup["out"] / "inventory.json"
    run = cli("inventory", "--accounts", setup["accounts"], "--out", partial)
    assert_clean_exit_3(run, "account erp-sync-4, company 104", "answered 500", "GET ",
                        "partial inventory written")
    assert down[0].refused >= 6  # the client used its retry budget before giving up
    accounts = json.loads(partial.read_text(encoding="utf-8"))["accounts"]
    assert [a["label"] for a in accounts] == [f"erp-sync-{c}" for c in range(1, COMPANIES + 1)]
    # Accounts run concurrently: the failing one is incomplete; each other one was either
    # finished whole before the stop or is listed as cut short by it, never half-kept.
    assert accounts[3]["complete"] is False
    for account in accounts[:3] + accounts[4:]:
        if account["complete"]:
            assert account["companies"][0]["projects"]
        else:
            assert any("not inventoried" in note for note in account["notes"])


def test_server_errors_beyond_the_retry_budget_stop_verify_and_keep_the_other_companies(
    cli: CliRecorder, setup: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    serve(monkeypatch, mid_size_world(hostile=False), lambda inner, _e: CompanyDown(inner, 102))
    run = verify(cli, setup["inventory"], setup["out"])
    assert_clean_exit_3(run, "company 102", "answered 500", "GET ", "partial results saved")
    saved = json.loads((setup["out"] / "verification.json").read_text(encoding="utf-8"))
    assert saved["complete"] is False and saved["ok"] is False
    by_id = {c["id"]: c for c in saved["companies"]}
    assert [f["code"] for f in by_id[102]["findings"]] == ["company_not_read"]
    assert all(by_id[c]["matched_projects"] for c in by_id if c != 102)


def test_an_app_disconnected_mid_run_stops_verify_and_keeps_the_other_companies(
    cli: CliRecorder, setup: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    serve(monkeypatch, mid_size_world(hostile=False),
          lambda inner, emu: DisconnectedAfterDiscovery(inner, emu, 103))
    run = verify(cli, setup["inventory"], setup["out"])
    assert_clean_exit_3(run, "company 103", "answered 403", "App is not connected",
                        "partial results saved")
    saved = json.loads((setup["out"] / "verification.json").read_text(encoding="utf-8"))
    assert saved["complete"] is False
    by_id = {c["id"]: c for c in saved["companies"]}
    assert [f["code"] for f in by_id[103]["findings"]] == ["company_not_read"]
    assert len(by_id) == COMPANIES and all(by_id[c]["matched_projects"] for c in by_id if c != 103)


def test_refused_app_credentials_exit_3_naming_company_and_request(
    cli: CliRecorder, setup: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WRONG_SECRET", "not-the-dmsa-secret")
    serve(monkeypatch, mid_size_world(hostile=False))
    run = verify(cli, setup["inventory"], setup["out"], secret="env:WRONG_SECRET")
    assert_clean_exit_3(run, "company 101", "POST ", "/oauth/token answered 401")
    assert not (setup["out"] / "verification.json").exists()  # nothing was verified yet


def test_a_refused_directory_credential_stops_inventory_and_keeps_what_was_read(
    cli: CliRecorder, setup: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ADMIN_TOKEN", "a-token-procore-does-not-know")
    serve(monkeypatch, mid_size_world(hostile=False))
    partial = setup["out"] / "inventory.json"
    run = cli("inventory", "--accounts", setup["accounts"], "--out", partial)
    assert_clean_exit_3(run, "account erp-sync-1, company 101", "answered 401", "GET ",
                        "partial inventory written")
    accounts = json.loads(partial.read_text(encoding="utf-8"))["accounts"]
    assert accounts[0]["status"] == "active"  # the live probe had already succeeded
    assert accounts[0]["complete"] is False and len(accounts) == COMPANIES
