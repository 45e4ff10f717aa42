"""Regenerate every example output in the docs from a real run of the tool (or check them).

Usage (from the repository root)::

    .venv/bin/python scripts/docs_examples.py          # rewrite the examples in place
    .venv/bin/python scripts/docs_examples.py --check  # exit 1 with a diff if any is stale

Why: an example typed by hand drifts the moment the tool changes, and a reader following the
docs literally then sees something else. Here the *command* written in the doc is the source
of truth; its output is always what the tool printed.

How a page marks an example (Markdown, invisible when rendered)::

    <!-- example: user-guide-inventory -->
    ```console
    $ dmsa-migrate inventory --accounts accounts.toml --out inventory.json
    (output: replaced on every run)
    ```

Inside such a block every line starting with ``$ `` is a command (``\\`` continues it on the
next line) and the lines up to the next command are its output. Commands understood:

* ``dmsa-migrate …``: run in-process through the real entry point;
* ``dmsa-migrate emulator serve …``: started as a real server in a child process; the
  commands after it reach it on the port the doc names;
* ``echo $?``: the previous command's exit code;
* ``cat FILE`` and ``sed -n '/FROM/,/TO/p' FILE``: a file, or an excerpt of it, that the run
  wrote (FROM and TO are read as plain text once ``\\`` escapes and a leading ``^`` are
  dropped);
* ``export …``: shown, not run (the fixture secrets are already set).

Marker options: ``head=N`` keeps the first N lines of each output and ``tail=N`` the last N,
with one ``…`` line for what is left out; ``setup=NAME`` first calls :data:`SETUPS` ``[NAME]``
(e.g. writing the broken inputs of the bad-input examples from the run's own good files).

``<!-- example-file: PATH -->`` before a fenced block writes that block, as shown, to PATH in
the work folder: the accounts file a page shows is the one its commands read.

Every page runs in :data:`PAGES` order in one fresh work folder (an example sees the files
the examples before it wrote), with ``HOME`` pointed into it, the demo world's fixture
secrets in the environment variables the docs name (:data:`SECRET_ENV`) and the fixture
files of :data:`FIXTURES`. Files the examples write under ``docs/examples/`` of the work
folder replace the repository's ``docs/examples/``.

What is normalised, and nothing else (:func:`normalise`): the work folder's path (shown as
the relative path, and its home as ``~``), the loopback port a server really got (shown as
the port the doc's command names), timestamps (date and time of day) of the run's own clock
(within a day of now; shown as :data:`SHOWN_NOW`; bare dates are kept), durations
(``1.23 s`` → ``0.1 s``) and the tool's version (shown as ``0.0.0``). Everything else,
counts and request numbers included, is what the run printed.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import difflib
import io
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PAGES = (
    "README.md",
    "docs/user-guide.md",
    "docs/verify.md",
    "docs/checklist.md",
    "docs/sessions.md",
    "docs/inventory.md",
    "docs/manifest.md",
    "docs/playbooks.md",
    "docs/permission-map.md",
    "docs/emulator.md",
    "docs/consultant-guide.md",
    "docs/tui.md",
    "docs/reliability.md",
    "docs/performance.md",
)
"""The pages with examples, in the order they run (later pages reuse earlier outputs)."""

SECRET_ENV = {
    "ACME_SECRET": ("service_accounts", "tsa-acme-erp-sync-6c1f0e2d"),
    "BAYVIEW_SECRET": ("service_accounts", "tsa-bayview-reporting-0a4d77b1"),
    "CEDAR_SECRET": ("service_accounts", "tsa-cedar-docs-93e5b2c8"),
    "DMSA_SECRET": ("apps", "dmsa-acme-sync-2f6b8d4e1a9c"),
    "PROCORE_ADMIN_TOKEN": ("user_tokens", "42"),
}
"""Environment variable the docs name -> the demo world's fixture row holding its value."""

OTHER_ENV = {"APP_ID": "dmsa-acme-sync-2f6b8d4e1a9c"}
"""Plain (not secret) variables the docs' commands use."""

WORLDS = ROOT / "src" / "dmsa_migrate" / "emulator" / "worlds"
FIXTURES = {
    "work/activity.csv": WORLDS / "demo-activity.csv",
    "work/erp-sync": WORLDS / "demo-integration",
    "erp-sync": WORLDS / "demo-integration",
    "work/playbooks": ROOT / "playbooks",
    "work/tests/manifest/fixtures/openapi_small.json":
        ROOT / "tests" / "manifest" / "fixtures" / "openapi_small.json",
}
"""Work-folder path -> repository file or folder copied there before the first page runs."""

SHOWN_NOW = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)
"""How the run's own clock is shown: a fixed instant, so examples do not change daily."""

SHOWN_VERSION = "0.0.0"

MARKER = re.compile(r"^<!-- example: (?P<name>[\w.-]+)(?P<opts>(?: [\w-]+=\S+)*) -->$")
FILE_MARKER = re.compile(r"^<!-- example-file: (?P<path>[\w./-]+) -->$")


@dataclass
class Block:
    """One fenced block after a marker: where it is, and its command lines."""

    page: str
    name: str
    options: dict[str, str]
    start: int  # index of the opening fence line
    end: int  # index of the closing fence line
    commands: list[str] = field(default_factory=list)  # the typed lines, continuations kept


@dataclass
class Run:
    """The state shared by every example of one regeneration."""

    root: Path  # the temporary folder: work/ is the current folder, home/ is HOME
    ports: dict[str, str] = field(default_factory=dict)  # real port -> port the doc shows
    bases: dict[str, str] = field(default_factory=dict)  # doc port -> real port
    servers: list[subprocess.Popen[str]] = field(default_factory=list)
    last_code: int = 0

    @property
    def work(self) -> Path:
        return self.root / "work"


# --- normalisation: the one place where a run's output is changed -------------------------

_STAMP = re.compile(
    r"\b(\d{4}-\d{2}-\d{2})([T ])(\d{2}:\d{2})(:\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?(?!\d)"
)


def normalise(text: str, run: Run) -> str:
    """Make one run's output comparable with the next; see the module docstring."""
    text = text.replace(str(run.work) + os.sep, "").replace(str(run.work), ".")
    text = text.replace(str(run.root / "home"), "~")
    for real, shown in run.ports.items():
        text = text.replace(f"127.0.0.1:{real}", f"127.0.0.1:{shown}")
    text = _STAMP.sub(_shown_stamp, text)
    text = re.sub(r"(?<![\w.])\d+\.\d+ ?s\b", "0.1 s", text)
    from dmsa_migrate import __version__

    return re.sub(rf"(?<![\w.]){re.escape(__version__)}(?![\w.])", SHOWN_VERSION, text)


def _shown_stamp(match: re.Match[str]) -> str:
    """A timestamp within a day of now is the run's own clock: show :data:`SHOWN_NOW`.

    Bare dates are never changed: due dates, ``--today`` and the world's dates are results.
    """
    try:
        day = dt.date.fromisoformat(match.group(1))
    except ValueError:
        return match.group(0)
    if abs((day - dt.datetime.now(dt.UTC).date()).days) > 1:
        return match.group(0)  # a fixed time of the world or of an input
    shown = SHOWN_NOW.date().isoformat() + match.group(2) + SHOWN_NOW.strftime("%H:%M")
    if match.group(4):
        shown += ":00"
    if match.group(5):
        shown += "Z" if match.group(5) == "Z" else "+00:00"
    return shown


# --- reading the pages ---------------------------------------------------------------------


def find_blocks(page: str, lines: list[str]) -> list[Block | tuple[str, int, int]]:
    """The marked blocks of a page, in order: examples and example files (path, start, end)."""
    found: list[Block | tuple[str, int, int]] = []
    for index, line in enumerate(lines):
        marker, file_marker = MARKER.match(line), FILE_MARKER.match(line)
        if not (marker or file_marker):
            continue
        start = index + 1
        if start >= len(lines) or not lines[start].startswith("```"):
            raise SystemExit(f"{page}:{index + 1}: a marker must be followed by a fenced block")
        end = start + 1
        while end < len(lines) and not lines[end].startswith("```"):
            end += 1
        if end == len(lines):
            raise SystemExit(f"{page}:{start + 1}: the fenced block is not closed")
        if file_marker:
            found.append((file_marker["path"], start, end))
            continue
        assert marker is not None
        options = dict(o.split("=", 1) for o in marker["opts"].split())
        block = Block(page, marker["name"], options, start, end)
        block.commands = typed_commands(lines[start + 1 : end])
        if not block.commands:
            raise SystemExit(f"{page}:{index + 1}: example {block.name} has no '$ ' command")
        found.append(block)
    return found


def typed_commands(body: list[str]) -> list[str]:
    """The ``$ `` lines of a block with their ``\\`` continuation lines, as typed."""
    commands: list[str] = []
    continuing = False
    for line in body:
        if continuing:
            commands[-1] += "\n" + line
        elif line.startswith("$ "):
            commands.append(line)
        else:
            continue
        continuing = line.endswith("\\")
    return commands


# --- running ----------------------------------------------------------------------------------


def run_command(typed: str, run: Run, options: dict[str, str]) -> list[str]:
    """Run one typed command the way a shell would show it; return its output lines."""
    line = typed[2:].replace("\\\n", " ")
    words = shlex.split(line.split("  #", 1)[0])
    if words[:1] == ["export"]:
        return []
    if words == ["echo", "$?"]:
        return [str(run.last_code)]
    if words[:1] == ["cat"]:
        return (run.work / words[1]).read_text(encoding="utf-8").splitlines()
    if words[:2] == ["sed", "-n"]:
        return _sed_range(words[2], run.work / words[3])
    if words[:1] != ["dmsa-migrate"]:
        raise SystemExit(f"cannot run {line!r}: only dmsa-migrate, echo $?, cat, sed, export")
    argv = [_expand(word, run) for word in words[1:]]
    serving = argv[:2] == ["emulator", "serve"]
    output = _serve(argv, run) if serving else _in_process(argv, run)
    return shortened(normalise(output, run).splitlines(), options)


def shortened(lines: list[str], options: dict[str, str]) -> list[str]:
    """Apply a marker's ``head=N`` / ``tail=N``: the lines left out become one ``…``."""
    head, tail = int(options.get("head", 0)), int(options.get("tail", 0))
    if not (head or tail) or len(lines) <= head + tail:
        return lines
    return [*lines[:head], "…", *(lines[-tail:] if tail else [])]


def _sed_range(script: str, path: Path) -> list[str]:
    """``sed -n '/FROM/,/TO/p' FILE``: the first FROM line through the next TO line."""
    match = re.fullmatch(r"/(.+)/,/(.+)/p", script)
    if match is None:
        raise SystemExit(f"sed script {script!r}: only '/FROM/,/TO/p' is understood")
    first, last = (re.sub(r"\\(.)", r"\1", part).lstrip("^") for part in match.groups())
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if first in line)
    end = next((i for i in range(start + 1, len(lines)) if last in lines[i]), len(lines))
    return lines[start : end + 1]


def _expand(word: str, run: Run) -> str:
    """Shell variables and the doc's loopback port, as the shell and the server would."""
    word = re.sub(r"\$(\w+)", lambda m: os.environ.get(m[1], m[0]), word)
    for shown, real in run.bases.items():
        word = word.replace(f"127.0.0.1:{shown}", f"127.0.0.1:{real}")
    return word


def _in_process(argv: list[str], run: Run) -> str:
    """The real entry point, stdout and stderr in one stream as a terminal shows them."""
    from dmsa_migrate.cli import main
    from dmsa_migrate.secrets import REDACTOR

    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):
        try:
            run.last_code = main(argv)
        except SystemExit as exc:  # argparse's own exits (usage errors, --help)
            run.last_code = exc.code if isinstance(exc.code, int) else 2
    REDACTOR.clear()
    return buffer.getvalue()


def _serve(argv: list[str], run: Run) -> str:
    """Start ``emulator serve`` for real; later commands reach it on the doc's port."""
    shown = argv[argv.index("--port") + 1] if "--port" in argv else "0"
    if "--port" in argv:
        argv[argv.index("--port") + 1] = "0"
    else:
        argv += ["--port", "0"]
    server = subprocess.Popen(
        [sys.executable, "-m", "dmsa_migrate", *argv],
        cwd=run.work, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    run.servers.append(server)
    assert server.stdout is not None
    first = server.stdout.readline()
    real = re.search(r"127\.0\.0\.1:(\d+)", first)
    if real is None:
        raise SystemExit(f"emulator serve printed {first!r}, not its address")
    run.ports[real[1]] = shown
    run.bases[shown] = real[1]
    run.last_code = 0
    return first


@contextlib.contextmanager
def fresh_run() -> Iterator[Run]:
    """A temporary work folder, home, environment and fixtures; servers stopped at the end."""
    saved_env, saved_cwd = dict(os.environ), Path.cwd()
    with tempfile.TemporaryDirectory(prefix="dmsa-docs-") as folder:
        run = Run(Path(folder).resolve())
        (run.root / "home").mkdir()
        run.work.mkdir()
        _install_fixtures(run)
        for name in list(os.environ):
            if name.startswith(("XDG_", "DMSA_")):
                del os.environ[name]
        os.environ.update(HOME=str(run.root / "home"), COLUMNS="100", **OTHER_ENV)
        os.environ.update(_fixture_secrets())
        os.chdir(run.work)
        try:
            yield run
        finally:
            os.chdir(saved_cwd)
            os.environ.clear()
            os.environ.update(saved_env)
            for server in run.servers:
                server.terminate()
                server.wait(timeout=10)


def _install_fixtures(run: Run) -> None:
    for target, source in FIXTURES.items():
        destination = run.root / target
        destination.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, destination)
        else:
            shutil.copyfile(source, destination)


def _fixture_secrets() -> dict[str, str]:
    """The demo world's fixture values for the variables the docs export."""
    from dmsa_migrate.emulator import load_world

    world = load_world("demo")
    values: dict[str, str] = {}
    for name, (table, key) in SECRET_ENV.items():
        if table == "service_accounts":
            values[name] = next(
                a.client_secret for a in world.service_accounts if a.client_id == key
            )
        elif table == "apps":
            values[name] = next(a.client_secret for a in world.apps if a.client_id == key)
        else:
            values[name] = next(t.token for t in world.user_tokens if str(t.user_id) == key)
    return values


# --- setups: inputs an example needs that no documented command writes --------------------


def _edited(source: Path, target: Path, old: str, new: str) -> None:
    """Write ``source`` to ``target`` with the first ``old`` replaced (it must be there)."""
    text = source.read_text(encoding="utf-8")
    if old not in text:
        raise SystemExit(f"setup: {old!r} is not in {source}; update the setup")
    target.write_text(text.replace(old, new, 1), encoding="utf-8")


def broken_playbook(work: Path) -> None:
    """mine.toml: the ERP playbook with one condition's fact misspelled."""
    _edited(ROOT / "playbooks" / "erp-integration.toml", work / "mine.toml",
            "company.installed", "company.instaled")


def broken_inputs(work: Path) -> None:
    """One broken copy of each kind of input file, made from the run's own good files."""
    import json

    _edited(work / "accounts.toml", work / "bad-accounts.toml",
            "company_id = 101", 'company_id = "one-o-one"')
    _edited(WORLDS / "demo.toml", work / "bad-world.toml", "spike = 25", "spike 25")
    _edited(work / "activity.csv", work / "bad-activity.csv",
            "2025-02-01,200,GET,/v1.0/prime_contracts", "2025-02-01,abc,GET,/v1.0/prime_contracts")
    verification = json.loads((work / "verification.json").read_text(encoding="utf-8"))
    verification["companies"][2]["missing_projects"][0] = "3001a"
    (work / "bad-verification.json").write_text(json.dumps(verification, indent=2) + "\n")
    inventory = (work / "inventory.json").read_bytes()
    if b"Harbor Tower" not in inventory:
        raise SystemExit("setup: 'Harbor Tower' is not in inventory.json; update the setup")
    # a name saved as Latin-1 by some other tool: one byte that is not UTF-8
    (work / "bad-inventory.json").write_bytes(inventory.replace(b"Tower", b"T\xf6wer", 1))


SETUPS = {"broken-playbook": broken_playbook, "broken-inputs": broken_inputs}


# --- regenerating -----------------------------------------------------------------------------


def regenerate(root: Path = ROOT) -> dict[Path, str]:
    """Every page and example file as the tool writes it now: path -> new text."""
    results: dict[Path, str] = {}
    with fresh_run() as run:
        for page in PAGES:
            path = root / page
            lines = path.read_text(encoding="utf-8").splitlines()
            results[path] = "\n".join(_regenerate_page(page, lines, run)) + "\n"
        exported = run.work / "docs" / "examples"
        if exported.is_dir():
            for produced in sorted(exported.iterdir()):
                text = normalise(produced.read_text(encoding="utf-8"), run)
                results[root / "docs" / "examples" / produced.name] = text
    return results


def _regenerate_page(page: str, lines: list[str], run: Run) -> list[str]:
    output = list(lines)
    for found in reversed(_run_blocks(page, lines, run)):
        start, end, body = found
        output[start + 1 : end] = body
    return output


def _run_blocks(page: str, lines: list[str], run: Run) -> list[tuple[int, int, list[str]]]:
    """Run a page's marked blocks in order; return each block's new body."""
    bodies: list[tuple[int, int, list[str]]] = []
    for found in find_blocks(page, lines):
        if isinstance(found, tuple):
            target, start, end = found
            destination = run.work / target
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_text("\n".join(lines[start + 1 : end]) + "\n", encoding="utf-8")
            continue
        if "setup" in found.options:
            SETUPS[found.options["setup"]](run.work)
        body: list[str] = []
        for typed in found.commands:
            body += typed.splitlines()
            body += run_command(typed, run, found.options)
        bodies.append((found.start, found.end, body))
    return bodies


def stale(root: Path = ROOT) -> str:
    """A unified diff of every file whose examples no longer match the tool ('' if none)."""
    chunks: list[str] = []
    for path, new in regenerate(root).items():
        old = path.read_text(encoding="utf-8") if path.exists() else ""
        if old != new:
            name = str(path.relative_to(root))
            chunks += difflib.unified_diff(
                old.splitlines(keepends=True), new.splitlines(keepends=True),
                fromfile=f"{name} (in the repository)", tofile=f"{name} (the tool now)",
            )
    return "".join(chunks)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--check", action="store_true",
        help="change nothing; exit 1 with a unified diff when an example is stale",
    )
    args = parser.parse_args(argv)
    if args.check:
        diff = stale()
        if diff:
            sys.stdout.write(diff)
            print("docs examples are stale: run python scripts/docs_examples.py", file=sys.stderr)
            return 1
        return 0
    for path, new in regenerate().items():
        if not path.exists() or path.read_text(encoding="utf-8") != new:
            path.write_text(new, encoding="utf-8")
            print(f"updated {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    raise SystemExit(main())
