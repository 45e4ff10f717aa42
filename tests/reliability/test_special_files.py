"""Issue 13, items 3 and 4, through every door: no input is read unless it is a regular
file within its cap, and no output (nor a sidecar: ``.explain.json``, ``.partial``, the
fleet summary, a checklist format) is written over a device, a FIFO or a symlink.

A FIFO read would block for ever, so each run goes in a thread with a deadline; a run
that blocks is unblocked (a writer opens the FIFO) and reported as a failure.
"""

from __future__ import annotations

import contextlib
import os
import stat
import threading
from pathlib import Path

import pytest

from tests.reliability.conftest import CliRecorder, Run
from tests.reliability.setups import Inputs

DEADLINE_S = 60


def run_bounded(cli: CliRecorder, argv: list[object], fifos: list[Path]) -> Run:
    """``cli(*argv)`` in a thread; fails the test if it blocks on one of ``fifos``."""
    runs: list[Run] = []
    worker = threading.Thread(target=lambda: runs.append(cli(*argv)), daemon=True)
    worker.start()
    worker.join(timeout=DEADLINE_S)
    if worker.is_alive():
        for fifo in fifos:  # let a blocked reader (or writer) go so the suite can end
            with contextlib.suppress(OSError):
                os.close(os.open(fifo, os.O_RDWR | os.O_NONBLOCK))
        worker.join(timeout=10)
        pytest.fail(f"{' '.join(map(str, argv))}: blocked on a FIFO")
    return runs[0]


ACCOUNT = '[[accounts]]\nlabel = "erp"\nclient_id = "tsa-erp-1"\n' \
    'client_secret = "env:X"\ncompany_id = 101\n'


def _input_doors(tmp: Path, bad: Path, outputs: dict[str, Path]) -> dict[str, list[object]]:
    """Each kind of input file, given as ``bad``, through the command that reads it."""
    inv, ver, man = outputs["inventory"], outputs["verification"], outputs["manifest"]
    good = tmp / "ok.toml"  # written by the tests (this also only lists the doors)
    verify = ["verify", "--dmsa", "dmsa-app", "--dmsa-secret", "env:X"]
    return {
        "secret file": ["login", "--client-id", "x", "--client-secret", f"file:{bad}", "--oob"],
        "accounts": ["inventory", "--accounts", bad, "--no-live"],
        "activity csv": ["inventory", "--accounts", good, "--no-live", "--activity", bad],
        "inventory": ["manifest", "--inventory", bad],
        "usage": ["manifest", "--inventory", inv, "--usage", bad],
        "map override": ["manifest", "--inventory", inv, "--map", bad],
        "verify inventory": [*verify, "--inventory", bad],
        "verify manifest": [*verify, "--inventory", inv, "--manifest", bad],
        "previous verification": [*verify, "--inventory", inv, "--previous", bad],
        "verification": ["checklist", "--inventory", inv, "--verification", bad,
                         "--out", tmp / "c"],
        "manifest diff": ["manifest", "diff", bad, man],
        "world": ["emulator", "serve", "--world", bad, "--port", "0"],
        "demo world": ["demo", "--headless", "--world", bad, "--out", tmp / "d"],
        "playbook": ["playbook", "check", bad],
        "session playbook": ["session", "new", "acme", "--customer", "A", "--playbook", bad,
                             "--sessions-dir", tmp / "s"],
        "openapi": ["routes", "import-openapi", bad, "--out", tmp / "catalog.json"],
        "scan baseline": ["scan", tmp, "--baseline", bad],
        "scan root": ["scan", bad],
        "verification -> checklist": ["checklist", "--inventory", bad, "--verification", ver,
                                      "--out", tmp / "c"],
    }


DOORS = list(_input_doors(Path("."), Path("x"), {"inventory": Path(), "verification": Path(),
                                                 "manifest": Path()}))


@pytest.mark.parametrize("kind", ["/dev/zero", "/dev/urandom", "fifo"])
@pytest.mark.parametrize("door", DOORS)
def test_no_input_is_read_from_a_device_or_fifo(
    cli: CliRecorder, outputs: dict[str, Path], tmp_path: Path, door: str, kind: str
) -> None:
    bad = Path(kind)
    if kind == "fifo":
        bad = tmp_path / "input.fifo"
        os.mkfifo(bad)
    (tmp_path / "ok.toml").write_text(ACCOUNT, encoding="utf-8")
    argv = _input_doors(tmp_path, bad, outputs)[door]
    run = run_bounded(cli, argv, [bad] if kind == "fifo" else [])
    assert run.code == 2, run.err
    assert "regular file" in run.err, run.err
    assert str(bad) in run.err


@pytest.mark.parametrize(
    ("door", "what"),
    [("accounts", "an accounts file"), ("playbook", "a playbook"),
     ("map override", "a permission-map file")],
)
def test_config_files_are_capped_at_16_mib(
    cli: CliRecorder, outputs: dict[str, Path], tmp_path: Path, door: str, what: str
) -> None:
    """The caps docs/security.md lists are the ones enforced (a sparse file: no disk used)."""
    big = tmp_path / "big.toml"
    with big.open("wb") as handle:
        handle.truncate(16 * 1024 * 1024 + 1)
    run = cli(*_input_doors(tmp_path, big, outputs)[door])
    assert run.code == 2, run.err
    assert f"{what} may be at most 16 MiB" in run.err


def test_a_scanned_tree_with_fifos_and_device_links_is_scanned(
    cli: CliRecorder, tmp_path: Path
) -> None:
    """A FIFO named b.py and .gitignore once hung the scan; a link to /dev/zero ended in
    exit 70 (MemoryError); a link out of the tree read /etc/passwd. All are skipped now."""
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "a.py").write_text('PROCORE_URL = "https://api.procore.com"\n', encoding="utf-8")
    fifos = [tree / "b.py", tree / ".gitignore"]
    for fifo in fifos:
        os.mkfifo(fifo)
    (tree / "c.py").symlink_to("/dev/zero")
    (tree / "d.env").symlink_to("/etc/passwd")
    (tree / "e.py").symlink_to(tree / "a.py")  # inside the tree: still read
    run = run_bounded(cli, ["scan", tree, "--json"], fifos)
    assert run.code == 0, run.err
    assert '"files_scanned": 2' in run.out
    assert "root:" not in run.out


# ----------------------------------------------------------------- 4. outputs


def _special(tmp: Path, name: str, kind: str) -> Path:
    target = tmp / name
    if kind == "fifo":
        os.mkfifo(target)
    else:
        (tmp / "elsewhere").write_text("keep", encoding="utf-8")
        target.symlink_to(tmp / "elsewhere")
    return target


def _output_doors(
    tmp: Path, inputs: Inputs, outputs: dict[str, Path]
) -> dict[str, tuple[list[object], str]]:
    """Each written file and sidecar: the command, and the file name made special."""
    inv, ver = outputs["inventory"], outputs["verification"]
    verify = ["verify", "--inventory", inv, "--dmsa", "dmsa-app", "--dmsa-secret", "env:X"]
    good = tmp / "ok.toml"
    return {
        "inventory --out": (["inventory", "--accounts", good, "--no-live", "--out",
                             tmp / "inv.json"], "inv.json"),
        "manifest --out": (["manifest", "--inventory", inv, "--out", tmp / "m.json"], "m.json"),
        "manifest sidecar": (["manifest", "--inventory", inv, "--out", tmp / "m.json"],
                             "m.explain.json"),
        "verify --out": ([*verify, "--out", tmp / "v.json"], "v.json"),
        "verify journal": ([*verify, "--out", tmp / "v.json"], "v.json.partial"),
        "verify summary": ([*verify, "--summary", tmp / "fleet"], "fleet.csv"),
        "scan --out": (["scan", inputs.code, "--out", tmp / "scan.json"], "scan.json"),
        "scan --write-baseline": (["scan", inputs.code, "--write-baseline", tmp / "b.json"],
                                  "b.json"),
        "routes import-openapi": (["routes", "import-openapi", tmp / "oas.json", "--out",
                                   tmp / "cat.json"], "cat.json"),
        "session export": (["session", "export", "acme", "--sessions-dir", tmp / "s", "--out",
                            tmp / "export.json"], "export.json"),
        "record --out": (["record", "--upstream", "http://127.0.0.1:9", "--out",
                          tmp / "usage.json"], "usage.json"),
        **{f"checklist.{fmt}": (["checklist", "--inventory", inv, "--verification", ver,
                                 "--out", tmp], f"checklist.{fmt}")
           for fmt in ("md", "html", "json", "csv")},
        "demo --headless": (["demo", "--headless", "--out", tmp], "checklist.csv"),
    }


OUT_DOORS = list(_output_doors(Path("."), Inputs(*[Path()] * 5),
                               {"inventory": Path(), "verification": Path()}))


@pytest.mark.parametrize("kind", ["fifo", "symlink"])
@pytest.mark.parametrize("door", OUT_DOORS)
def test_no_output_replaces_a_fifo_or_symlink(
    cli: CliRecorder, inputs: Inputs, outputs: dict[str, Path], tmp_path: Path,
    door: str, kind: str, restore_environ: None,
) -> None:
    """Refused with exit 2 before anything is written: the special file is still what it
    was, a link's target is untouched, and no other file of the result was left behind."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "ok.toml").write_text(ACCOUNT, encoding="utf-8")
    (out / "oas.json").write_text('{"openapi": "3.0.0", "paths": {}}', encoding="utf-8")
    if door == "session export":
        assert cli("session", "new", "acme", "--customer", "A",
                   "--sessions-dir", out / "s").code == 0
    argv, name = _output_doors(out, inputs, outputs)[door]
    target = _special(out, name, kind)
    before = {p.name for p in out.iterdir()}
    run = run_bounded(cli, argv, [target] if kind == "fifo" else [])
    assert run.code == 2, run.err
    assert name in run.err and ("FIFO" in run.err or "symbolic link" in run.err)
    info = target.lstat()
    assert stat.S_ISFIFO(info.st_mode) if kind == "fifo" else stat.S_ISLNK(info.st_mode)
    if kind == "symlink":
        assert (out / "elsewhere").read_text(encoding="utf-8") == "keep"
    assert {p.name for p in out.iterdir()} == before, "half a result was written"
