"""What an outside tester broke (issue 13): each attack, run through the real command.

Every case here failed before the fix: a secret echoed in an error, a session file pulling
``/etc/passwd`` into an export, ``/dev/zero`` read until memory ran out, ``--out`` turning
a device into a file, raw terminal escapes, crashes (exit 70) on bad input.
"""

from __future__ import annotations

import json
import os
import stat
import threading
from pathlib import Path

import pytest

from dmsa_migrate.cli import EXIT_INTERNAL
from tests.reliability.conftest import CliRecorder
from tests.reliability.setups import Inputs, demo_text

SECRET = "9f2cB7d41e0a6c3f8b2d5e7a91c04f6eQ"
"""What ``env:$S`` becomes after the shell expands ``$S``."""


def assert_refused_without_echo(run_code: int, out: str, err: str, option: str) -> None:
    assert run_code == 2, err
    assert SECRET not in out + err
    assert SECRET[:12] not in out + err
    assert option in err
    assert "looks like a secret" in err


# ----------------------------------------------------------------- 1. secrets never echoed


@pytest.mark.parametrize("reference", [f"env:{SECRET}", f"file:{SECRET}", f"keyring:svc/{SECRET}"])
def test_a_mistyped_dmsa_secret_reference_is_not_echoed(
    cli: CliRecorder, outputs: dict[str, Path], reference: str
) -> None:
    run = cli(
        "verify", "--inventory", outputs["inventory"], "--dmsa", "dmsa-app",
        "--dmsa-secret", reference,
    )
    assert_refused_without_echo(run.code, run.out, run.err, "--dmsa-secret")


def test_a_mistyped_user_token_reference_is_not_echoed(
    cli: CliRecorder, outputs: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DMSA_SECRET", "a-fine-secret-value")
    run = cli(
        "verify", "--inventory", outputs["inventory"], "--dmsa", "dmsa-app",
        "--dmsa-secret", "env:DMSA_SECRET", "--user-token", f"env:{SECRET}",
    )
    assert_refused_without_echo(run.code, run.out, run.err, "--user-token")


def test_a_mistyped_directory_token_reference_is_not_echoed(
    cli: CliRecorder, inputs: Inputs
) -> None:
    run = cli("inventory", "--accounts", inputs.accounts, "--directory-token", f"env:{SECRET}")
    assert_refused_without_echo(run.code, run.out, run.err, "--directory-token")


def test_a_mistyped_login_client_secret_is_not_echoed(cli: CliRecorder) -> None:
    run = cli("login", "--client-id", "dmsa-app", "--client-secret", f"file:{SECRET}", "--oob")
    assert_refused_without_echo(run.code, run.out, run.err, "--client-secret")


def test_a_mistyped_session_secret_reference_is_not_echoed(cli: CliRecorder) -> None:
    run = cli("session", "new", "acme", "--customer", "Acme", "--dmsa-secret", f"env:{SECRET}")
    assert_refused_without_echo(run.code, run.out, run.err, "--dmsa-secret")


def test_a_mistyped_reference_in_an_accounts_file_is_not_echoed(
    cli: CliRecorder, tmp_path: Path
) -> None:
    accounts = tmp_path / "accounts.toml"
    accounts.write_text(
        '[[accounts]]\nlabel = "erp"\nclient_id = "tsa-erp-1"\n'
        f'client_secret = "env:{SECRET}"\ncompany_id = 101\n',
        encoding="utf-8",
    )
    run = cli("inventory", "--accounts", accounts, "--no-live")
    assert_refused_without_echo(run.code, run.out, run.err, "client_secret")


LETTER_FIRST = "f9f2cB7d41e0a6c3f8b2d5e7a91c04f6eQ"
"""A secret that starts with a letter: ``env:`` + it is a valid variable name."""
FEW_DIGITS = "kQbXrTzLmPaWvNcYdEfGhJ7sUoIiRtVw"
"""A random base-62 secret with a single digit (one in fifteen have fewer than four)."""


def _door_argv(door: str, reference: str, outputs: dict[str, Path], tmp: Path) -> list[object]:
    inventory = outputs["inventory"]
    return {
        "--dmsa-secret": ["verify", "--inventory", inventory, "--dmsa", "dmsa-app",
                          "--dmsa-secret", reference],
        "--user-token": ["verify", "--inventory", inventory, "--dmsa", "dmsa-app",
                         "--dmsa-secret", "env:DMSA_FINE", "--user-token", reference],
        "--directory-token": ["inventory", "--accounts", tmp / "fine.toml",
                              "--directory-token", reference],
        "--client-secret": ["login", "--client-id", "dmsa-app", "--client-secret", reference,
                            "--oob"],
        "session --dmsa-secret": ["session", "new", "acme", "--customer", "Acme",
                                  "--sessions-dir", tmp / "sessions", "--dmsa-secret", reference],
        "client_secret": ["inventory", "--accounts", tmp / "bad.toml", "--no-live"],
        "[directory] token": ["inventory", "--accounts", tmp / "bad-dir.toml", "--no-live"],
    }[door]


def _accounts_files(tmp: Path, reference: str) -> None:
    account = '[[accounts]]\nlabel = "erp"\nclient_id = "tsa-erp-1"\ncompany_id = 101\n'
    (tmp / "fine.toml").write_text(account + 'client_secret = "env:DMSA_FINE"\n', "utf-8")
    (tmp / "bad.toml").write_text(account + f"client_secret = {json.dumps(reference)}\n", "utf-8")
    (tmp / "bad-dir.toml").write_text(
        account + 'client_secret = "env:DMSA_FINE"\n[directory]\n'
        f"token = {json.dumps(reference)}\n", "utf-8",
    )


@pytest.mark.parametrize(
    "secret", [LETTER_FIRST, FEW_DIGITS, SECRET], ids=["letter", "few-digits", "digit"]
)
@pytest.mark.parametrize("scheme", ["env:", "file:", "file:/tmp/", "keyring:svc/"])
@pytest.mark.parametrize(
    "door",
    ["--dmsa-secret", "--user-token", "--directory-token", "--client-secret",
     "session --dmsa-secret", "client_secret", "[directory] token"],
)
def test_no_door_echoes_or_keeps_a_secret_typed_as_a_reference(
    cli: CliRecorder, outputs: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    door: str, scheme: str, secret: str,
) -> None:
    """Every door that takes a reference, every form, every secret shape: exit 2, the secret
    in no message and in no file the run leaves (a session once kept ``file:<secret>``)."""
    monkeypatch.setenv("DMSA_FINE", "a-fine-secret-value")
    reference = scheme + secret
    _accounts_files(tmp_path, reference)
    run = cli(*_door_argv(door, reference, outputs, tmp_path))
    assert run.code == 2, run.err
    assert secret not in run.out + run.err and secret[:12] not in run.out + run.err
    assert door.split()[-1] in run.err and "looks like a secret" in run.err
    written = [p for p in (tmp_path / "sessions").rglob("*") if p.is_file()] if (
        tmp_path / "sessions").exists() else []
    assert all(secret[:12] not in p.read_text(encoding="utf-8") for p in written)


def test_a_secret_looking_name_that_exists_is_used(
    cli: CliRecorder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The refusal is for names of nothing: a real variable with a secret-like name works."""
    monkeypatch.setenv(LETTER_FIRST, "the-value")
    run = cli("session", "new", "acme", "--customer", "Acme", "--sessions-dir", tmp_path,
              "--dmsa-secret", f"env:{LETTER_FIRST}")
    assert run.code == 0, run.err


def test_session_show_hides_a_hand_edited_secret_reference(
    cli: CliRecorder, tmp_path: Path
) -> None:
    """A session.toml edited to hold ``file:<secret>`` is refused on load, never printed."""
    assert cli("session", "new", "acme", "--customer", "Acme", "--sessions-dir", tmp_path,
               "--dmsa-secret", "env:DMSA_SECRET").code == 0
    path = tmp_path / "acme" / "session.toml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        'dmsa_secret = "env:DMSA_SECRET"', f'dmsa_secret = "file:{LETTER_FIRST}"'), "utf-8")
    for action in ("show", "export"):
        run = cli("session", action, "acme", "--sessions-dir", tmp_path)
        assert run.code == 2, run.err
        assert LETTER_FIRST[:12] not in run.out + run.err
        assert "secret_refs.dmsa_secret" in run.err


def test_a_path_that_is_not_a_secret_is_still_named(cli: CliRecorder, tmp_path: Path) -> None:
    missing = tmp_path / "dmsa.secret"
    run = cli("login", "--client-id", "dmsa-app", "--client-secret", f"file:{missing}", "--oob")
    assert run.code == 2
    assert str(missing) in run.err and "no such file" in run.err


# ----------------------------------------------------------------- 3. unbounded reads


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_a_secret_file_that_never_ends_is_refused(cli: CliRecorder, device: str) -> None:
    run = cli("login", "--client-id", "dmsa-app", "--client-secret", f"file:{device}", "--oob")
    assert run.code == 2
    assert "must be a regular file, not a character device" in run.err


def test_a_fifo_is_refused_without_waiting_for_a_writer(cli: CliRecorder, tmp_path: Path) -> None:
    fifo = tmp_path / "secret.fifo"
    os.mkfifo(fifo)
    result: list[int] = []
    worker = threading.Thread(
        target=lambda: result.append(
            cli("login", "--client-id", "x", "--client-secret", f"file:{fifo}", "--oob").code
        ),
        daemon=True,
    )
    worker.start()
    worker.join(timeout=60)
    if worker.is_alive():  # unblock the reader so the test run can end, then fail
        with open(fifo, "w"):
            pass
        pytest.fail("reading a FIFO secret blocked")
    assert result == [2]
    assert "a pipe (FIFO)" in cli.runs[-1].err


def test_a_secret_file_has_a_size_cap(cli: CliRecorder, tmp_path: Path) -> None:
    big = tmp_path / "big.secret"
    big.write_text("x" * 5000, encoding="utf-8")
    big.chmod(0o600)
    run = cli("login", "--client-id", "x", "--client-secret", f"file:{big}", "--oob")
    assert run.code == 2
    assert "at most 4 KiB" in run.err


def test_a_secret_file_readable_by_others_is_warned_about(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from dmsa_migrate.secrets import resolve

    shared = tmp_path / "shared.secret"
    shared.write_text("a-real-looking-secret\n", encoding="utf-8")
    shared.chmod(0o644)
    assert resolve(f"file:{shared}") == "a-real-looking-secret"
    assert "can be read by other users (mode 0644)" in capsys.readouterr().err
    shared.chmod(0o600)
    resolve(f"file:{shared}")
    assert "other users" not in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [
        ("inventory", "--accounts", "/dev/zero", "--no-live"),
        ("manifest", "--inventory", "/dev/urandom"),
        ("emulator", "serve", "--world", "/dev/zero"),
        ("checklist", "--inventory", "/dev/zero", "--verification", "/dev/zero", "--out", "{tmp}"),
    ],
    ids=lambda argv: " ".join(argv[:2]),
)
def test_input_files_that_are_devices_are_refused(
    cli: CliRecorder, argv: tuple[str, ...], tmp_path: Path
) -> None:
    """Each kind of input file is refused before a byte is read when it is a device (these
    once read /dev/zero until the machine ran out of memory)."""
    run = cli(*(arg.replace("{tmp}", str(tmp_path)) for arg in argv))
    assert run.code == 2, run.err
    assert "must be a regular file" in run.err


# ----------------------------------------------------------------- 4. --out onto special files


def test_out_onto_a_device_is_refused_and_leaves_it_alone(
    cli: CliRecorder, outputs: dict[str, Path], tmp_path: Path
) -> None:
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    run = cli("manifest", "--inventory", outputs["inventory"], "--out", fifo)
    assert run.code == 2
    assert "a pipe (FIFO), not a regular file" in run.err
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert not (tmp_path / "out.explain.json").exists()


def test_out_onto_a_symlink_is_refused_and_the_link_kept(
    cli: CliRecorder, outputs: dict[str, Path], tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text("{}", encoding="utf-8")
    link = tmp_path / "manifest.json"
    link.symlink_to(elsewhere)
    run = cli("manifest", "--inventory", outputs["inventory"], "--out", link)
    assert run.code == 2
    assert "symbolic link" in run.err
    assert link.is_symlink() and elsewhere.read_text(encoding="utf-8") == "{}"


# ----------------------------------------------------------------- 11. file modes


def test_routes_import_openapi_writes_a_private_file(cli: CliRecorder, tmp_path: Path) -> None:
    spec = tmp_path / "openapi.json"
    spec.write_text(
        '{"openapi": "3.0.0", "info": {"title": "t", "version": "1"}, "paths": {'
        '"/rest/v1.0/projects/{project_id}/rfis": {"get": {"tags": ["RFIs"]}}}}',
        encoding="utf-8",
    )
    out = tmp_path / "catalog.json"
    run = cli("routes", "import-openapi", spec, "--out", out)
    assert run.code == 0, run.err
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_no_case_here_is_an_internal_error(cli: CliRecorder) -> None:
    """Guard for the suite itself: had any run above ended in exit 70, it would show here."""
    assert all(run.code != EXIT_INTERNAL for run in cli.runs)


# ----------------------------------------------------------------- 2. session artifacts confined


def _session_with_artifact(cli: CliRecorder, sessions: Path, artifact: str) -> Path:
    assert cli("session", "new", "acme", "--customer", "Acme", "--sessions-dir", sessions).code == 0
    path = sessions / "acme" / "session.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace('artifact = ""', f"artifact = {json.dumps(artifact)}", 1),
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize(
    "artifact", ["/etc/passwd", "../../../../../../etc/passwd", "/proc/self/environ", "~/x"]
)
def test_an_artifact_outside_the_session_folder_is_refused(
    cli: CliRecorder, tmp_path: Path, artifact: str
) -> None:
    _session_with_artifact(cli, tmp_path / "sessions", artifact)
    run = cli("session", "export", "acme", "--sessions-dir", tmp_path / "sessions")
    assert run.code == 2
    assert "steps.inventory.artifact" in run.err and "inside the session folder" in run.err
    assert "root:" not in run.out


def test_an_artifact_symlinked_out_of_the_folder_is_refused(
    cli: CliRecorder, tmp_path: Path
) -> None:
    sessions = tmp_path / "sessions"
    _session_with_artifact(cli, sessions, "inventory.json")
    (sessions / "acme" / "inventory.json").symlink_to("/etc/passwd")
    run = cli("session", "export", "acme", "--sessions-dir", sessions)
    assert run.code == 2
    assert "inside the session folder" in run.err
    assert "root:" not in run.out


def test_an_artifact_inside_the_folder_is_exported(cli: CliRecorder, tmp_path: Path) -> None:
    sessions = tmp_path / "sessions"
    _session_with_artifact(cli, sessions, "inventory.json")
    (sessions / "acme" / "inventory.json").write_text('{"companies": []}', encoding="utf-8")
    run = cli("session", "export", "acme", "--sessions-dir", sessions)
    assert run.code == 0, run.err
    assert '"companies": []' in run.out


def _runs_pointing_out(sessions: Path, cli: CliRecorder) -> None:
    """Two recorded inventory runs whose output is a link to /etc/passwd."""
    assert cli("session", "new", "acme", "--customer", "Acme", "--sessions-dir", sessions).code == 0
    for number in (1, 2):
        folder = sessions / "acme" / "runs" / f"000{number}-inventory"
        folder.mkdir(parents=True)
        (folder / "run.json").write_text(json.dumps({
            "schema": "dmsa-migrate/run/1", "id": folder.name, "number": number,
            "step": "inventory", "kind": "inventory", "started_at": "2025-01-02T00:00:00Z",
            "outputs": ["inventory.json"], "status": "done",
        }), encoding="utf-8")
        (folder / "inventory.json").symlink_to("/etc/passwd")


def test_a_run_output_linked_out_of_the_folder_is_refused(
    cli: CliRecorder, tmp_path: Path
) -> None:
    """``session diff`` reads two runs' outputs: links out of the session folder are refused."""
    sessions = tmp_path / "sessions"
    _runs_pointing_out(sessions, cli)
    run = cli("session", "diff", "acme", "1", "2", "--sessions-dir", sessions)
    assert run.code == 2, run.err
    assert "inside the session folder" in run.err
    assert "root:" not in run.out + run.err


# ----------------------------------------------------------------- 10. orphaned temp files


def test_opening_a_session_removes_its_stale_temp_files(cli: CliRecorder, tmp_path: Path) -> None:
    sessions = tmp_path / "sessions"
    assert cli("session", "new", "acme", "--customer", "Acme", "--sessions-dir", sessions).code == 0
    folder = sessions / "acme"
    stale = folder / ".session.toml.k3j9x0qa.tmp"
    fresh = folder / ".session.toml.z8y7w6v5.tmp"
    foreign = folder / "notes.tmp"
    for path in (stale, fresh, foreign):
        path.write_bytes(b"half a save")
    an_hour_ago = stale.stat().st_mtime - 3600
    os.utime(stale, (an_hour_ago, an_hour_ago))
    os.utime(foreign, (an_hour_ago, an_hour_ago))
    assert cli("session", "show", "acme", "--sessions-dir", sessions).code == 0
    assert not stale.exists()
    assert fresh.exists(), "a save running right now in another process must be spared"
    assert foreign.exists(), "only files of the tool's own naming go"


# ----------------------------------------------------------------- 8. control characters

HOSTILE_NAME = r"Acme\u001b]0;pwned\u0007\u001b[2J\u0000 Builders"
"""A company name that retitles the window, clears the screen and holds a NUL (TOML escapes)."""


def _hostile_world(world: Path) -> None:
    text = world.read_text(encoding="utf-8")
    assert 'name = "Acme Builders"' in text
    world.write_text(text.replace('"Acme Builders"', f'"{HOSTILE_NAME}"', 1), encoding="utf-8")


def test_inventory_prints_no_terminal_escape_from_procore_data(
    cli: CliRecorder, inputs: Inputs, workdir: Path
) -> None:
    from dmsa_migrate.emulator import Emulator, load_world, serve_in_thread

    _hostile_world(inputs.world)
    with serve_in_thread(Emulator(load_world(inputs.world))) as base_url:
        run = cli("inventory", "--accounts", inputs.accounts, "--api-base", base_url,
                  "--company-id", "101", "--out", workdir / "inventory.json")
    assert run.code == 0, run.err
    assert "Acme" in run.out
    for raw in ("\x1b", "\x07", "\x00"):
        assert raw not in run.out + run.err
    assert "\\x1b]0;pwned" in run.out


def test_exports_hold_no_control_characters(
    cli: CliRecorder, tmp_path: Path, restore_environ: None
) -> None:
    world = tmp_path / "world.toml"
    world.write_text(demo_text(), encoding="utf-8")
    _hostile_world(world)
    out = tmp_path / "out"
    run = cli("demo", "--headless", "--world", world, "--out", out)
    assert run.code in (0, 1), run.err
    exports = [path for path in out.rglob("checklist.*") if path.suffix in (".md", ".html", ".csv")]
    assert {path.suffix for path in exports} >= {".md", ".html", ".csv"}
    for path in exports:
        data = path.read_bytes()
        assert b"\x1b" not in data and b"\x00" not in data and b"\x07" not in data, path.name
        assert b"Acme" in data, path.name



# ----------------------------------------------------------------- 6, 7. exit 2, not 70


@pytest.mark.parametrize(
    "argv",
    [
        ("emulator", "serve", "--port", "70000"),
        ("login", "--client-id", "x", "--client-secret", "env:X", "--redirect-port", "99999"),
        ("verify", "--inventory", "i.json", "--dmsa", "d", "--dmsa-secret", "env:X",
         "--company-id", "18446744073709551617"),
    ],
    ids=["port", "redirect-port", "company-id"],
)
def test_out_of_range_numbers_are_usage_errors(argv: tuple[str, ...]) -> None:
    from dmsa_migrate.cli import main

    with pytest.raises(SystemExit) as caught:
        main(list(argv))
    assert caught.value.code == 2


@pytest.mark.parametrize(
    ("name", "text"),
    [("deep.json", "[" * 100_000 + "]" * 100_000), ("long.json", "9" * 5000)],
)
def test_hostile_json_is_bad_input(cli: CliRecorder, tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    run = cli("manifest", "--inventory", path)
    assert run.code == 2, run.err
    assert name in run.err


def test_deeply_nested_toml_is_bad_input(cli: CliRecorder, tmp_path: Path) -> None:
    path = tmp_path / "accounts.toml"
    path.write_text("a = " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    run = cli("inventory", "--accounts", path, "--no-live")
    assert run.code == 2 and "nested too deeply" in run.err


def test_a_condition_nested_100_deep_is_refused() -> None:
    from dmsa_migrate.conditions.language import ConditionError, compile_condition

    with pytest.raises(ConditionError, match="nested too deeply"):
        compile_condition("(" * 100 + "a.b" + ")" * 100, {})


@pytest.mark.parametrize(
    "cell", ["²", "9" * 5000, "x" * 200_000], ids=["superscript", "5000 digits", "200 kB"]
)
def test_hostile_activity_cells_are_bad_input(tmp_path: Path, cell: str) -> None:
    from dmsa_migrate.errors import FileFormatError
    from dmsa_migrate.inventory.activity import parse_activity_report

    text = (
        "Date,HTTP Method,Normalized Route,Response Code,Count\n"
        f"2025-01-02,GET,/rest/v1.0/projects,200,{cell}\n"
    )
    with pytest.raises(FileFormatError) as caught:
        parse_activity_report(text, "activity.csv")
    assert len(str(caught.value)) < 300


def test_a_toml_file_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    from dmsa_migrate.fileio import read_toml

    path = tmp_path / "accounts.toml"
    path.write_bytes("\ufeffa = 1\n".encode())
    assert read_toml(path) == {"a": 1}


@pytest.mark.parametrize("url", ["javascript:alert(1)", "http://example.com/x", "data:text/html,x"])
def test_instruction_url_must_be_https(
    cli: CliRecorder, outputs: dict[str, Path], url: str
) -> None:
    run = cli("manifest", "--inventory", outputs["inventory"], "--instruction-url", url)
    assert run.code == 2, run.err
    assert "https://" in run.err


@pytest.mark.parametrize("url", ["https://docs.example.com/setup", "http://127.0.0.1:8080/x"])
def test_instruction_url_https_or_loopback_http_is_accepted(
    cli: CliRecorder, outputs: dict[str, Path], url: str
) -> None:
    run = cli("manifest", "--inventory", outputs["inventory"], "--instruction-url", url)
    assert run.code == 0, run.err
    assert url in run.out


# ------------------------------------------------ the same class: where credentials are sent


@pytest.mark.parametrize("option", ["--api-base", "--login-base"])
def test_plain_http_to_a_remote_host_is_refused(cli: CliRecorder, option: str) -> None:
    """The client secret and the tokens would cross the network unencrypted."""
    run = cli("verify", option, "http://procore.example.net", "--company-id", "1",
                  "--dmsa", "abc", "--dmsa-secret", "env:DMSA_SECRET")
    assert run.code == 2, run.err
    assert option in run.err and "only on loopback" in run.err


@pytest.mark.parametrize("base", ["http://127.0.0.1:9", "http://localhost:9", "http://[::1]:9"])
def test_plain_http_on_loopback_is_still_accepted(base: str) -> None:
    from dmsa_migrate.procore import environment_from_options

    assert environment_from_options("production", base).api_base == base


def test_a_base_url_with_a_password_is_refused_without_echo(cli: CliRecorder) -> None:
    run = cli("verify", "--api-base", f"https://erp:{SECRET}@api.procore.com",
                  "--company-id", "1", "--dmsa", "abc", "--dmsa-secret", "env:DMSA_SECRET")
    assert run.code == 2, run.err
    assert "--api-base" in run.err and "user name or password" in run.err
    assert SECRET[:12] not in run.out + run.err
