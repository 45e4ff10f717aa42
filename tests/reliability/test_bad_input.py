"""Bad input: every malformed file gets exit 2 and a message naming the file and the field
or line, never a traceback nor an internal error (exit 70).

Hypothesis breaks valid seeds (tests/reliability/mutations.py) and each broken file is fed
to the real command that reads it, in-process through ``dmsa_migrate.cli.main``.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
import tomllib
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from dmsa_migrate import runtime
from dmsa_migrate.cli import EXIT_INTERNAL
from dmsa_migrate.emulator.world import World
from dmsa_migrate.models.accounts import AccountsFile
from dmsa_migrate.models.inventory import Inventory
from dmsa_migrate.models.manifest import ManifestV41
from dmsa_migrate.models.playbook import Playbook
from dmsa_migrate.models.verification import Verification
from tests.reliability import mutations as mut
from tests.reliability.conftest import CliRecorder
from tests.reliability.setups import demo_text

FAST = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
_counter = itertools.count()


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Should a file ever pass validation, the command talks to the built-in emulator, never
    to the internet (and the test then fails on its exit code)."""
    monkeypatch.setattr(
        runtime, "connection_from_options", lambda *a, **k: runtime.emulator_connection("demo")
    )


def write(folder: Path, mutant: mut.Mutant, suffix: str) -> Path:
    path = folder / f"case-{next(_counter)}{suffix}"
    path.write_bytes(mutant.data)
    return path


def assert_model_rejects(model: type[BaseModel], mutant: mut.Mutant) -> None:
    """The guard run before the command: a structural mutant must be one the model itself
    refuses, so a valid file can never pose as bad input (and the tool be blamed for
    accepting it). Syntax and encoding mutants are checked against the parser instead."""
    if mutant.doc is not None:
        assert mut.model_rejects(model, mutant.doc), f"the model accepts {mutant!r}"
    elif mutant.kind == "not utf-8":
        with pytest.raises(UnicodeDecodeError):
            mutant.data.decode("utf-8")


def assert_rejected(cli: CliRecorder, argv: list[Any], path: Path, mutant: mut.Mutant) -> None:
    run = cli(*argv)
    assert run.code != EXIT_INTERNAL, run.err
    assert "Traceback" not in run.err
    assert run.code == 2, (run.code, run.err, mutant)
    assert str(path) in run.err, (run.err, mutant)
    names_line = re.search(re.escape(str(path)) + r":\d+", run.err)
    if mutant.field is None:
        assert names_line, (run.err, mutant)
    else:
        assert names_line or mutant.field in run.err, (run.err, mutant)
        assert mutant.field in run.err, (run.err, mutant)


# -- seeds -----------------------------------------------------------------------------------

ACCOUNTS: dict[str, Any] = {
    "accounts": [
        {"label": "acme-erp-sync", "client_id": "tsa-acme-erp-sync-6c1f0e2d",
         "client_secret": "env:ACME_SECRET", "company_id": 101, "user_id": 9001},
        {"label": "bayview", "client_id": "tsa-bayview-reporting-0a4d77b1",
         "client_secret": "file:/run/secrets/bayview", "company_id": 202},
    ],
    "directory": {"token": "env:PROCORE_ADMIN_TOKEN"},
}
WORLD: dict[str, Any] = tomllib.loads(demo_text())
PLAYBOOK: dict[str, Any] = tomllib.loads(
    (Path(__file__).parents[2] / "playbooks" / "standard-data-connector.toml").read_text()
)
ACTIVITY = (
    resources.files("dmsa_migrate.emulator").joinpath("worlds", "demo-activity.csv").read_text()
)

Runner = Callable[[Path, dict[str, Path], Path], list[Any]]


def toml_cases(
    model: type[BaseModel], seed: dict[str, Any], required: tuple[mut.Path_, ...]
) -> st.SearchStrategy[Any]:
    assert not mut.model_rejects(model, seed), "the seed itself must be valid"
    return st.one_of(
        mut.structural(model, seed, mut.toml_dump, unknown_keys=True, required=required),
        mut.textual(mut.toml_dump(seed), mut.TOML_BREAKERS).filter(_not_toml),
    )


def _not_toml(mutant: mut.Mutant) -> bool:
    """A syntax mutant counts only if TOML itself refuses it (a breaker inside a string
    would not break anything)."""
    try:
        tomllib.loads(mutant.data.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError):
        return True
    return False


# -- TOML inputs -------------------------------------------------------------------------------


@FAST
@given(mutant=toml_cases(
    AccountsFile, ACCOUNTS, (("accounts", 0, "label"), ("accounts", 1, "company_id"))))
def test_malformed_accounts_files(cli: CliRecorder, tmp_path: Path, mutant: mut.Mutant) -> None:
    assert_model_rejects(AccountsFile, mutant)
    path = write(tmp_path, mutant, ".toml")
    assert_rejected(cli, ["inventory", "--accounts", path, "--no-live"], path, mutant)


@FAST
@given(mutant=toml_cases(World, WORLD, (("companies", 0, "id"), ("projects", 3, "company_id"))))
def test_malformed_world_files(cli: CliRecorder, tmp_path: Path, mutant: mut.Mutant) -> None:
    assert_model_rejects(World, mutant)
    path = write(tmp_path, mutant, ".toml")
    argv = ["demo", "--headless", "--world", path, "--out", tmp_path / "out"]
    assert_rejected(cli, argv, path, mutant)


@FAST
@given(mutant=toml_cases(Playbook, PLAYBOOK, (("playbook", "id"), ("checklist", 0, "title"))))
def test_malformed_playbooks(cli: CliRecorder, tmp_path: Path, mutant: mut.Mutant) -> None:
    assert_model_rejects(Playbook, mutant)
    path = write(tmp_path, mutant, ".toml")
    assert_rejected(cli, ["playbook", "check", path], path, mutant)


# -- activity CSV ------------------------------------------------------------------------------

CSV_BAD_CELLS = {
    0: ("Date", st.sampled_from(["yesterday", "2025-13-45", "02/01/2025"])),
    1: ("Response Code", st.sampled_from(["OK", "2000", "-1", "abc"])),
    2: ("HTTP Method", st.sampled_from(["FETCH", "G ET", "123"])),
    3: ("Normalized Route", st.sampled_from(["not a route", "", "https://"])),
    4: ("Count", st.sampled_from(["many", "1.5", "-3", "1e3"])),
}


@st.composite
def activity_cases(draw: st.DrawFn) -> mut.Mutant:
    lines = ACTIVITY.strip().split("\n")
    kind = draw(st.sampled_from(["bad cell", "missing column", "text"]))
    if kind == "text":
        return draw(mut.textual(ACTIVITY, ("Date,HTTP Method",)).filter(
            lambda m: m.kind == "not utf-8"))
    if kind == "missing column":
        column = draw(st.integers(0, 4))
        header = lines[0].split(",")
        header.pop(column)
        lines[0] = ",".join(header)
        # Without "HTTP Method" the file is no longer recognisable as a report: line 1 then.
        return mut.Mutant(("\n".join(lines) + "\n").encode(), kind, None)
    row = draw(st.integers(1, len(lines) - 1))
    column = draw(st.sampled_from(sorted(CSV_BAD_CELLS)))
    name, values = CSV_BAD_CELLS[column]
    cells = lines[row].split(",")
    cells[column] = draw(values)
    lines[row] = ",".join(cells)
    return mut.Mutant(("\n".join(lines) + "\n").encode(), kind, name)


@FAST
@given(mutant=activity_cases())
def test_malformed_activity_reports(
    cli: CliRecorder, tmp_path: Path, outputs: dict[str, Path], mutant: mut.Mutant
) -> None:
    path = write(tmp_path, mutant, ".csv")
    argv = ["manifest", "--inventory", outputs["inventory"], "--usage", path]
    assert_rejected(cli, argv, path, mutant)


# -- JSON outputs read back --------------------------------------------------------------------


def json_cases(
    name: str, model: type[BaseModel], required: tuple[mut.Path_, ...],
    read: Callable[[mut.Path_], bool] = lambda _p: True,
) -> Callable[[dict[str, Path]], Any]:
    def cases(outputs: dict[str, Path]) -> st.SearchStrategy[mut.Mutant]:
        import json

        text = outputs[name].read_text(encoding="utf-8")
        seed = json.loads(text)
        assert not mut.model_rejects(model, _read_part(model, seed)), "the seed must be valid"
        return st.one_of(
            mut.structural(model, seed, mut.json_dump, unknown_keys=False, required=required,
                           skip=lambda p: not read(p)),
            mut.truncated_json(text),
            mut.textual(text, ("{",)).filter(lambda m: m.kind == "not utf-8"),
        )

    return cases


def _read_part(model: type[BaseModel], doc: Any) -> Any:
    """The keys of ``doc`` that ``model`` reads (a manifest carries more than diff reads)."""
    return {key: value for key, value in doc.items() if key in model.model_fields}


class ManifestReadByDiff(ManifestV41):
    """``manifest diff`` requires ``schema_version``, which the writer's model defaults."""

    schema_version: Literal["4.1"]


JSON_MODELS: dict[str, type[BaseModel]] = {
    "inventory": Inventory, "verification": Verification, "manifest": ManifestReadByDiff,
}

JSON_INPUTS: dict[str, tuple[Callable[[dict[str, Path]], Any], Runner]] = {
    "inventory": (
        json_cases("inventory", Inventory, (("accounts", 0, "label"),)),
        lambda path, good, _tmp: ["manifest", "--inventory", path],
    ),
    "verification": (
        json_cases("verification", Verification, (("companies", 0, "id"),)),
        lambda path, good, tmp: ["checklist", "--inventory", good["inventory"],
                                 "--verification", path, "--today", "2025-02-15",
                                 "--out", tmp / "checklist"],
    ),
    "manifest": (
        # diff reads the schema version and the permissions; the rest is passed through
        json_cases("manifest", ManifestReadByDiff, (("schema_version",),),
                   read=lambda p: p[0] in ("schema_version", "permissions")),
        lambda path, good, _tmp: ["manifest", "diff", path, good["manifest"]],
    ),
}


@pytest.mark.parametrize("name", sorted(JSON_INPUTS))
def test_malformed_json_outputs_read_back(
    cli: CliRecorder, tmp_path: Path, outputs: dict[str, Path], name: str
) -> None:
    cases, command = JSON_INPUTS[name]

    @FAST
    @given(mutant=cases(outputs))
    def check(mutant: mut.Mutant) -> None:
        model = JSON_MODELS[name]
        if mutant.doc is not None:
            mutant = dataclasses.replace(mutant, doc=_read_part(model, mutant.doc))
        assert_model_rejects(model, mutant)
        path = write(tmp_path, mutant, ".json")
        assert_rejected(cli, command(path, outputs, tmp_path), path, mutant)

    check()
