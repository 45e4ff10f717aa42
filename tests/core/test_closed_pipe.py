"""Every command that prints to stdout ends quietly with exit 0 when its reader is gone.

What a user types is ``dmsa-migrate … | head -1``: ``head`` exits after one line and the
next write of the tool meets a closed pipe. Each case here runs the real CLI in a child
process whose stdout is a pipe closed before the first write (the harshest form of it) and
expects exit 0 with nothing on stderr that looks like a failure: no "internal error", no
traceback, no "Broken pipe". Normal diagnostics (a step's ``recorded in session …`` line)
may still be on stderr: that stream is open.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from dmsa_migrate.cli import build_parser
from dmsa_migrate.emulator import Emulator, load_world, serve_in_thread

REPO = Path(__file__).resolve().parents[2]
WORLDS = REPO / "src" / "dmsa_migrate" / "emulator" / "worlds"
APP_ID = "dmsa-acme-sync-2f6b8d4e1a9c"
APP_SECRET = "dmsa-secret-acme-sync-7c3e9a1f5b2d"

CLOSED_STDOUT = """
import os, sys
read_end, write_end = os.pipe()
os.close(read_end)            # the reader is gone before anything is written (| head -1)
os.dup2(write_end, 1)
exec(os.environ.get("CLOSED_PIPE_PRELUDE", ""))
from dmsa_migrate.cli import main
raise SystemExit(main(sys.argv[1:]))
"""

PLAY_THE_BROWSER = """
import threading, httpx
from dmsa_migrate.cli import login_cmd
def _approve(url, no_browser):
    def visit():
        answer = httpx.get(url, follow_redirects=False)
        httpx.get(answer.headers["location"].replace("localhost", "127.0.0.1", 1))
    threading.Thread(target=visit, daemon=True).start()
login_cmd._show = _approve
"""
"""``login``: the admin's browser approves the app (as tests/core/test_login.py does)."""

FAILURE_SIGNS = ("internal error", "Traceback", "Broken pipe", "BrokenPipe", "Errno 32")


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo session with every step run (``demo --headless``) and its exported files."""
    root = tmp_path_factory.mktemp("closed-pipe")
    result = subprocess.run(
        [sys.executable, "-m", "dmsa_migrate", "demo", "--headless", "--out",
         str(root / "out"), "--sessions-dir", str(root / "sessions")],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    playbook = (REPO / "playbooks" / "standard-data-connector.toml").read_text("utf-8")
    custom = '[[steps]]\nid = "kickoff-call"\nkind = "custom"\ntitle = "Kick-off call"\n\n'
    (root / "with-call.toml").write_text(playbook.replace("[[steps]]", custom + "[[steps]]", 1))
    (root / "accounts.toml").write_text(
        '[[accounts]]\nlabel = "acme-erp-sync"\nclient_id = "tsa-acme-erp-sync-6c1f0e2d"\n'
        'client_secret = "env:ACME_SECRET"\ncompany_id = 101\n'
    )
    return root


@pytest.fixture(scope="module")
def emulator_base() -> Iterator[str]:
    with serve_in_thread(Emulator(load_world("demo"))) as url:
        yield url


@pytest.fixture
def work(prepared: Path, tmp_path: Path) -> Path:
    """A copy of the prepared folder per case: cases that change the session stay apart."""
    target = tmp_path / "w"
    shutil.copytree(prepared, target)
    return target


S = ("--sessions-dir", "{w}/sessions")
DEMO = ("--session", "demo", *S)
OUT = "{w}/out"

CASES: dict[str, list[str]] = {
    "help": ["--help"],
    "version": ["--version"],
    "command help": ["verify", "--help"],
    "demo --headless": ["demo", "--headless", "--out", "{w}/again", "--sessions-dir", "{w}/s2"],
    "emulator serve": ["emulator", "serve", "--world", "demo", "--port", "0"],
    "login": ["login", "--client-id", APP_ID, "--client-secret", "env:APP_SECRET",
              "--api-base", "{base}", "--redirect-port", "0", "--timeout", "20"],
    "inventory --session": ["inventory", *DEMO],
    "inventory --out": ["inventory", *DEMO, "--out", "{w}/inv.json"],
    "inventory --accounts": ["inventory", "--accounts", "{w}/accounts.toml",
                             "--api-base", "{base}", "--no-live"],
    "scan": ["scan", str(WORLDS / "demo-integration")],
    "record": ["record", "--upstream", "{base}", "--out", "{w}/usage.json"],
    "routes explain": ["routes", "explain", "GET", "/rest/v1.0/projects/1/rfis"],
    "routes coverage": ["routes", "coverage"],
    "routes import-openapi": [
        "routes", "import-openapi", str(REPO / "tests/manifest/fixtures/openapi_small.json"),
    ],
    "manifest --session": ["manifest", *DEMO],
    "manifest --out": ["manifest", "--inventory", OUT + "/inventory.json",
                       "--out", "{w}/m.json", "--explain"],
    "manifest diff": ["manifest", "diff", OUT + "/manifest.json", OUT + "/manifest.json"],
    "verify --session": ["verify", *DEMO],
    "verify --json": ["verify", *DEMO, "--json"],
    "playbook list": ["playbook", "list"],
    "playbook list --json": ["playbook", "list", "--json"],
    "playbook check": ["playbook", "check", str(REPO / "playbooks/post-sunset-recovery.toml")],
    "checklist --session": ["checklist", *DEMO],
    "checklist --out": ["checklist", "--inventory", OUT + "/inventory.json", "--verification",
                        OUT + "/verification.json", "--out", "{w}/cl"],
    "session new": ["session", "new", "acme", "--customer", "Acme", "--company-id", "101",
                    "--playbook", "{w}/with-call.toml", *S],
    "session list": ["session", "list", *S],
    "session list --json": ["session", "list", "--json", *S],
    "session show": ["session", "show", "demo", *S],
    "session show --json": ["session", "show", "demo", "--json", *S],
    "session export": ["session", "export", "demo", *S],
    "session item": ["session", "item", "demo", "app-installed", "--company-id", "101",
                     "--note", "seen in the portal", *S],
    "session owner": ["session", "owner", "demo", "--role", "company_admin", "--person",
                      "Dana", *S],
    "session override": ["session", "override", "demo", "--scope", "project", "--tool", "rfi",
                         "--level", "readonly", "--reason", "read only", *S],
    "session history": ["session", "history", "demo", *S],
    "session diff": ["session", "diff", "demo", "3", "3", *S],
    "session playbook": ["session", "playbook", "demo", *S],
}
"""One case per command that prints to stdout (``tui`` and ``demo`` without --headless
draw a screen instead; ``session step`` needs a custom step: see its own case)."""


def _run(
    argv: list[str], work: Path, base: str, prelude: str = ""
) -> subprocess.CompletedProcess[str]:
    filled = [arg.format(w=work, base=base) for arg in argv]
    env = {**os.environ, "CLOSED_PIPE_PRELUDE": prelude, "APP_SECRET": APP_SECRET,
           "ACME_SECRET": "tsa-secret-acme-erp-5b9e1f7a3c2d"}
    return subprocess.run(
        [sys.executable, "-c", CLOSED_STDOUT, *filled], capture_output=True, text=True,
        timeout=120, env=env, cwd=work,
    )


def _assert_quiet(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 0, result.stderr
    assert not [sign for sign in FAILURE_SIGNS if sign in result.stderr], result.stderr


@pytest.mark.parametrize("name", list(CASES))
def test_a_closed_pipe_ends_quietly(name: str, work: Path, emulator_base: str) -> None:
    prelude = PLAY_THE_BROWSER if name == "login" else ""
    _assert_quiet(_run(CASES[name], work, emulator_base, prelude))


def test_session_step_on_a_closed_pipe(work: Path, emulator_base: str) -> None:
    new = ["session", "new", "acme", "--customer", "A", "--playbook", "{w}/with-call.toml", *S]
    _assert_quiet(_run(new, work, emulator_base))
    step = ["session", "step", "acme", "kickoff-call", "--done", *S]
    _assert_quiet(_run(step, work, emulator_base))


def test_every_command_has_a_closed_pipe_case() -> None:
    """A new command must be added here: the list is checked against the parser."""
    import argparse

    def leaves(parser: argparse.ArgumentParser, prefix: str) -> Iterator[str]:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    nested = [a for a in sub._actions
                              if isinstance(a, argparse._SubParsersAction)]
                    if nested:
                        yield from leaves(sub, f"{prefix}{name} ")
                    else:
                        yield f"{prefix}{name}"

    covered = {" ".join(a for a in argv if not a.startswith("-") and "{" not in a)
               for argv in CASES.values()}
    screens = {"tui", "session step"}  # tui draws a screen; session step: its own test
    missing = [
        command for command in leaves(build_parser(), "")
        if command not in screens and not any(c.startswith(command) for c in covered)
    ]
    assert not missing, f"add a closed-pipe case for: {missing}"
