"""Fixtures of the reliability suite: CLI runs recorded for searching, DEBUG logs to a file."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from dmsa_migrate.cli import main
from dmsa_migrate.emulator import Emulator, load_world, serve_in_thread
from tests.reliability.setups import Inputs, set_canary_env, write_inputs

DEBUG_LOGGERS = ("dmsa_migrate", "httpx", "httpcore")
"""The tool's loggers, and the HTTP stack's, which would be the first to print a header."""


@dataclass
class Run:
    """One CLI run: its arguments, exit code and captured output."""

    argv: list[str]
    code: int
    out: str
    err: str


@dataclass
class CliRecorder:
    """Runs ``dmsa_migrate.cli.main`` in-process and keeps every run's output."""

    capsys: pytest.CaptureFixture[str]
    runs: list[Run] = field(default_factory=list)

    def __call__(self, *argv: str | Path) -> Run:
        args = [str(a) for a in argv]
        self.capsys.readouterr()
        code = main(args)
        captured = self.capsys.readouterr()
        run = Run(args, code, captured.out, captured.err)
        self.runs.append(run)
        return run


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> CliRecorder:
    """``cli("inventory", ...)`` → :class:`Run`; ``cli.runs`` keeps them all."""
    return CliRecorder(capsys)


@pytest.fixture
def debug_log(tmp_path: Path) -> Iterator[Path]:
    """Every record of the tool's (and httpx's) loggers at DEBUG, written to a file."""
    path = tmp_path / "logs" / "debug.log"
    path.parent.mkdir()
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    saved = []
    for name in DEBUG_LOGGERS:
        logger = logging.getLogger(name)
        saved.append((logger, logger.level))
        logger.setLevel(logging.DEBUG)
        logger.addHandler(handler)
    try:
        yield path
    finally:
        for logger, level in saved:
            logger.removeHandler(handler)
            logger.setLevel(level)
        handler.close()


@pytest.fixture
def restore_environ() -> Iterator[None]:
    """The demo exports its fixture secrets into ``os.environ``; put it back afterwards."""
    saved = dict(os.environ)
    yield
    for name in set(os.environ) - set(saved):
        del os.environ[name]
    os.environ.update(saved)


@pytest.fixture
def inputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Inputs:
    set_canary_env(monkeypatch)
    return write_inputs(tmp_path / "inputs")


@pytest.fixture
def procore(inputs: Inputs) -> Iterator[str]:
    """The canary world served over real HTTP on loopback: the tool's real network path."""
    with serve_in_thread(Emulator(load_world(inputs.world))) as base_url:
        yield base_url


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The current folder of the runs, so a stray file written to "." is searched too."""
    folder = tmp_path / "cwd"
    folder.mkdir(mode=0o700)
    monkeypatch.chdir(folder)
    return folder


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    """Valid inventory, manifest and verification files from one headless demo run."""
    from dmsa_migrate.pipeline import run_headless_demo

    saved = dict(os.environ)
    folder = tmp_path_factory.mktemp("demo-out")
    paths = run_headless_demo("demo", folder).paths
    os.environ.clear()
    os.environ.update(saved)
    yield {name: Path(path) for name, path in paths.items()}
