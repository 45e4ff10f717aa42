"""Secrets never leak: every command, run verbosely on canary secrets, writes none of them.

The world, the accounts file's references, a secret file and a scanned code tree hold
canary values (tests/reliability/canaries.py). After every command has run, stdout,
stderr, the DEBUG log and every file the tool wrote (outputs, sessions, exports, the
DMSA_MIGRATE_HOME tree, --out folders, the working folder) are searched for each canary in
plain, URL-encoded, base64, JSON- and HTML-escaped forms: there must be no hit.
"""

from __future__ import annotations

import json
import stat
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from dmsa_migrate.secrets import Redactor
from tests.reliability import canaries
from tests.reliability.conftest import CliRecorder
from tests.reliability.setups import DMSA_CLIENT_ID, Inputs

EMPTY_INVENTORY = {
    "schema": "dmsa-migrate/inventory/1", "generated_at": "2025-02-15T12:00:00Z",
    "accounts": [], "usage": [],
}


def run_every_command(cli: CliRecorder, inputs: Inputs, api: str, out: Path) -> None:
    """The whole pipeline and the session commands, each with -vv, each expected to work."""
    net = ["--api-base", api]
    steps: list[tuple[int | None, list[str | Path]]] = [
        (1, ["scan", inputs.code, "--out", out / "scan.json",
             "--write-baseline", out / "baseline.json", "--json", "--sarif", out / "scan.sarif"]),
        (0, ["scan", inputs.code, "--baseline", out / "baseline.json",
             "--sarif", out / "baselined.sarif"]),
        (0, ["inventory", "--accounts", inputs.accounts, "--out", out / "inventory.json",
             "--activity", f"acme-erp-sync={inputs.activity}", "--scan", inputs.code,
             "--json", *net]),
        (0, ["inventory", "--accounts", inputs.accounts, "--out", out / "inventory.toml",
             *net]),
        (0, ["manifest", "--inventory", out / "inventory.json", "--usage", out / "scan.json",
             "--out", out / "manifest.json", "--explain"]),
        (0, ["manifest", "--inventory", out / "inventory.json", "--mode", "mirror"]),
        (None, ["manifest", "diff", out / "manifest.json", out / "mirror.json", "--json"]),
        (1, ["verify", "--inventory", out / "inventory.json", "--dmsa", DMSA_CLIENT_ID,
             "--dmsa-secret", "env:CANARY_DMSA", "--manifest", out / "manifest.json",
             "--user-token", "env:CANARY_ADMIN_TOKEN", "--out", out / "verification.json",
             *net]),
        (1, ["verify", "--inventory", out / "inventory.json", "--dmsa", DMSA_CLIENT_ID,
             "--dmsa-secret", "env:CANARY_DMSA", "--previous", out / "verification.json",
             "--json", *net]),
        (0, ["session", "new", "acme", "--customer", "Acme Builders",
             "--accounts", inputs.accounts, "--dmsa", DMSA_CLIENT_ID,
             "--dmsa-secret", "env:CANARY_DMSA", "--directory-token", "env:CANARY_ADMIN_TOKEN",
             "--company-id", "101", "--company-id", "202", *net]),
        (0, ["session", "item", "acme", "old-user-deactivated", "--company-id", "101",
             "--waive", "kept for audit"]),
        (0, ["session", "override", "acme", "--scope", "company", "--tool", "directory",
             "--level", "readonly", "--reason", "no directory writes"]),
        (0, ["checklist", "--inventory", out / "inventory.json",
             "--verification", out / "verification.json", "--manifest", out / "manifest.json",
             "--session", "acme", "--today", "2025-02-15", "--out", out / "checklist"]),
        (0, ["session", "show", "acme"]),
        (0, ["session", "show", "acme", "--json"]),
        (0, ["session", "list", "--json"]),
        (0, ["session", "export", "acme", "--out", out / "exports" / "acme.json"]),
        (0, ["session", "export", "acme"]),
        (0, ["demo", "--headless", "--world", inputs.world, "--out", out / "demo"]),
    ]
    # The mirror manifest for the diff is the one printed on stdout by the run before it.
    for expected, argv in steps:
        run = cli("-vv", *argv)
        assert run.code == expected or (expected is None and run.code in (0, 1)), (argv, run.err)
        if argv[:2] == ["manifest", "--inventory"] and "--mode" in argv:
            (out / "mirror.json").write_text(run.out, encoding="utf-8")
            (out / "mirror.json").chmod(0o600)


def assert_no_leak(cli: CliRecorder, roots: list[Path]) -> None:
    leaks = []
    for run in cli.runs:
        leaks += canaries.leaks_in_text(run.out, f"stdout of {run.argv[:3]}")
        leaks += canaries.leaks_in_text(run.err, f"stderr of {run.argv[:3]}")
    leaks += canaries.leaks_in_tree(roots)
    assert not leaks, "\n".join(str(leak) for leak in leaks)


def assert_private(root: Path) -> None:
    """Files holding customer data are 0600; the folders the tool made for them 0700."""
    wrong = []
    for path in [root, *root.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        want = 0o700 if path.is_dir() else 0o600
        if mode != want:
            wrong.append(f"{path}: {oct(mode)} (want {oct(want)})")
    assert not wrong, "\n".join(wrong)


@pytest.fixture(params=["redactor on", "redactor off"])
def safety_net(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run twice: as shipped, and with the last-line redactor disabled, which proves no
    output relies on it (the tool never puts a secret into text in the first place)."""
    if request.param == "redactor off":
        monkeypatch.setattr(Redactor, "redact", lambda self, text: text)
    return str(request.param)


@pytest.mark.usefixtures("restore_environ", "safety_net")
def test_no_command_leaks_a_canary_anywhere(
    cli: CliRecorder, inputs: Inputs, procore: str, workdir: Path, debug_log: Path,
    isolated_home: Path,
) -> None:
    out = workdir / "out"
    run_every_command(cli, inputs, procore, out)

    # The run did see the secrets: the scan found the planted one, the live probes worked.
    scan = next(r for r in cli.runs if r.argv[1] == "scan")
    assert "«redacted»" in scan.out
    inventory = (out / "inventory.json").read_text(encoding="utf-8")
    assert '"active"' in inventory and '"rejected"' in inventory
    assert (isolated_home / "sessions" / "acme" / "session.toml").exists()
    assert debug_log.exists()

    assert_no_leak(cli, [workdir, isolated_home, debug_log.parent])
    assert_private(out)
    assert_private(isolated_home / "sessions")



def test_the_search_finds_every_encoded_form() -> None:
    """The leak search itself can fail: each form of a canary planted in text is found."""
    import base64
    import json
    import urllib.parse

    secret = canaries.TSA_ACME
    planted = {
        "plain": f"x {secret} y",
        "url": "a=" + urllib.parse.quote_plus(secret),
        "json": json.dumps({"s": secret}),
        "basic auth": base64.b64encode(f"client-id:{secret}".encode()).decode(),
        "truncated": secret[:24] + "…",
    }
    for name, text in planted.items():
        assert canaries.leaks_in_text(text, name), name
    assert not canaries.leaks_in_text("«redacted» (35 chars)", "redacted")


@pytest.mark.usefixtures("safety_net")
def test_a_wrong_secret_is_refused_without_echo(
    cli: CliRecorder, inputs: Inputs, procore: str, workdir: Path, debug_log: Path
) -> None:
    net = ["--api-base", procore]
    inventory = workdir / "inventory.json"
    assert cli("inventory", "--accounts", inputs.accounts, "--out", inventory, *net).code == 0
    run = cli("-vv", "verify", "--inventory", inventory, "--dmsa", DMSA_CLIENT_ID,
              "--dmsa-secret", "env:CANARY_WRONG", "--out", workdir / "verification.json", *net)
    assert run.code == 3
    assert "/oauth/token answered 401" in run.err and "invalid_client" in run.err
    assert "company 101" in run.err
    assert "Traceback" not in run.err
    assert_no_leak(cli, [workdir, debug_log.parent])


@pytest.mark.usefixtures("safety_net")
def test_a_refused_token_stops_the_run_without_echo(
    cli: CliRecorder, inputs: Inputs, procore: str, workdir: Path, debug_log: Path
) -> None:
    partial = workdir / "inventory.json"
    run = cli("-vv", "inventory", "--accounts", inputs.accounts, "--out", partial,
              "--directory-token", "env:CANARY_REFUSED_TOKEN", "--api-base", procore)
    assert run.code == 3
    assert "answered 401" in run.err and "company 101" in run.err
    assert "partial inventory written" in run.err and partial.exists()
    assert_no_leak(cli, [workdir, debug_log.parent])


@pytest.mark.parametrize(
    "argv",
    [
        ["verify", "--inventory", "inventory.json", "--dmsa", DMSA_CLIENT_ID,
         "--dmsa-secret", canaries.DMSA_SECRET],
        ["inventory", "--accounts", "accounts.toml", "--directory-token", canaries.ADMIN_TOKEN],
        ["session", "new", "acme", "--customer", "Acme", "--dmsa-secret", canaries.DMSA_SECRET],
        ["session", "new", "acme", "--customer", "Acme",
         "--directory-token", canaries.ADMIN_TOKEN],
    ],
    ids=["verify --dmsa-secret", "inventory --directory-token", "session --dmsa-secret",
         "session --directory-token"],
)
def test_a_secret_typed_as_a_value_is_refused_and_never_echoed(
    cli: CliRecorder, inputs: Inputs, workdir: Path, argv: list[str], isolated_home: Path
) -> None:
    """The redactor never saw these values: only the tool's own care keeps them out."""
    (workdir / "accounts.toml").write_text(inputs.accounts.read_text(), encoding="utf-8")
    (workdir / "inventory.json").write_text(json.dumps(EMPTY_INVENTORY), encoding="utf-8")
    run = cli("-vv", *argv)
    assert run.code == 2
    assert "not a secret reference" in run.err
    assert_no_leak(cli, [workdir, isolated_home])
    assert not (isolated_home / "sessions" / "acme").exists()


def test_a_literal_secret_in_the_accounts_file_is_refused_and_never_echoed(
    cli: CliRecorder, inputs: Inputs, workdir: Path
) -> None:
    accounts = inputs.folder / "literal.toml"
    accounts.write_text(
        '[[accounts]]\nlabel = "a"\nclient_id = "tsa-acme-erp-sync-6c1f0e2d"\n'
        f"client_secret = {json.dumps(canaries.TSA_ACME)}\ncompany_id = 101\n",
        encoding="utf-8",
    )
    run = cli("inventory", "--accounts", accounts, "--no-live")
    assert run.code == 2
    assert f"{accounts}:4" in run.err and "client_secret" in run.err
    assert_no_leak(cli, [workdir])


class RevokedMidRun(httpx.AsyncBaseTransport):
    """Procore as seen when an admin resets the app's secret in the middle of a run: after
    ``healthy`` API answers, every token is invalid and the credentials are refused."""

    def __init__(self, inner: httpx.AsyncBaseTransport, healthy: int) -> None:
        self.inner = inner
        self.healthy = healthy
        self.api_calls = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.startswith("/rest/"):
            self.api_calls += 1
        if self.api_calls <= self.healthy:
            return await self.inner.handle_async_request(request)
        if path == "/oauth/token":
            body = {"error": "invalid_client", "error_description": "Client authentication failed"}
            return httpx.Response(401, json=body)
        return httpx.Response(401, json={"errors": "The access token is invalid"})


@pytest.mark.usefixtures("safety_net", "restore_environ")
def test_a_401_mid_run_fails_cleanly_without_echo(
    cli: CliRecorder, inputs: Inputs, workdir: Path, debug_log: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from dmsa_migrate import runtime

    inventory = workdir / "inventory.json"
    monkeypatch.setattr(runtime, "connection_from_options", _revoking_connection(inputs, 10**6))
    assert cli("inventory", "--accounts", inputs.accounts, "--out", inventory).code == 0
    monkeypatch.setattr(runtime, "connection_from_options", _revoking_connection(inputs, 4))
    partial = workdir / "verification.json"
    run = cli("-vv", "verify", "--inventory", inventory, "--dmsa", DMSA_CLIENT_ID,
              "--dmsa-secret", "env:CANARY_DMSA", "--out", partial)
    assert run.code == 3
    assert "answered 401" in run.err and "company" in run.err
    assert "partial results saved" in run.err
    assert json.loads(partial.read_text(encoding="utf-8"))["complete"] is False
    assert_no_leak(cli, [workdir, debug_log.parent])


def _revoking_connection(inputs: Inputs, healthy: int) -> Callable[..., object]:
    from dmsa_migrate import runtime

    def connect(*_args: object, **_kwargs: object) -> runtime.Connection:
        base = runtime.emulator_connection(inputs.world)
        assert base.transport is not None
        return runtime.Connection(base.environment, RevokedMidRun(base.transport, healthy))

    return connect


@pytest.mark.usefixtures("restore_environ")
def test_folders_the_tool_creates_are_private_all_the_way_down(
    cli: CliRecorder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fresh DMSA_MIGRATE_HOME and a deep --out folder: every folder made is 0700."""
    home = tmp_path / "fresh" / "home"
    monkeypatch.setenv("DMSA_MIGRATE_HOME", str(home))
    assert cli("session", "new", "acme", "--customer", "Acme").code == 0
    out = tmp_path / "deep" / "er" / "out"
    assert cli("demo", "--headless", "--out", out).code == 0
    assert_private(tmp_path / "fresh")
    assert_private(tmp_path / "deep")


@pytest.mark.usefixtures("restore_environ", "safety_net")
def test_session_runs_and_their_history_leak_no_canary(
    cli: CliRecorder, inputs: Inputs, procore: str, workdir: Path, debug_log: Path,
    isolated_home: Path,
) -> None:
    """The engagement layer records every step run of a session (runs/NNNN-step/run.json
    and the run's outputs); good runs and failed ones (a wrong DMSA secret, a refused admin
    token) are searched too, with the history and diff commands that read them back."""
    net = ["--api-base", procore]
    session = ["--accounts", inputs.accounts, "--dmsa", DMSA_CLIENT_ID, "--company-id", "101",
               "--company-id", "202", *net]
    assert cli("session", "new", "acme", "--customer", "Acme", *session,
               "--dmsa-secret", "env:CANARY_DMSA",
               "--directory-token", "env:CANARY_ADMIN_TOKEN").code == 0
    assert cli("session", "new", "wrong", "--customer", "Acme", *session,
               "--dmsa-secret", "env:CANARY_WRONG",
               "--directory-token", "env:CANARY_REFUSED_TOKEN").code == 0
    out = workdir / "out"
    steps: list[tuple[set[int], list[str | Path]]] = [
        ({0}, ["inventory", "--session", "acme", "--scan", inputs.code]),
        ({0}, ["manifest", "--session", "acme"]),
        ({0, 1}, ["verify", "--session", "acme", "--user-token", "env:CANARY_ADMIN_TOKEN"]),
        ({0, 1}, ["verify", "--session", "acme"]),
        ({0, 1}, ["checklist", "--session", "acme", "--out", out / "checklist"]),
        ({0}, ["session", "history", "acme"]),
        ({0}, ["session", "diff", "acme", "3", "4"]),
        ({0}, ["session", "export", "acme"]),
        ({3}, ["inventory", "--session", "wrong"]),
        ({2, 3}, ["verify", "--session", "wrong", "--inventory", out / "inv.json"]),
        ({0}, ["session", "history", "wrong"]),
    ]
    (out).mkdir(parents=True, exist_ok=True)
    for expected, argv in steps:
        if argv[:3] == ["verify", "--session", "wrong"]:
            inventory = isolated_home / "sessions" / "acme" / "inventory.json"
            (out / "inv.json").write_bytes(inventory.read_bytes())
        run = cli("-vv", *argv)
        assert run.code in expected, (argv, run.code, run.err)
    records = list((isolated_home / "sessions").rglob("runs/*/run.json"))
    assert len(records) >= 6, records
    assert any('"error": "' in path.read_text("utf-8") and '"error": ""' not in
               path.read_text("utf-8") for path in records), "no failed run was recorded"
    assert_no_leak(cli, [workdir, isolated_home, debug_log.parent])
    assert_private(isolated_home / "sessions")
