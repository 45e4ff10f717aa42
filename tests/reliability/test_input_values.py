"""Wrong values in untrusted files (issue 13, items 6 and 7): refused with exit 2 and a
message naming the file and the field (or line) that holds the bad value.

Each case once passed or crashed: a Procore user called ``ERP Sync (old)`` made the demo
exit 70, ``latency_ms = 1e309`` made it hang, ``company_id = 1e3`` became the id 1000 and
an id past 64 bits was sent to Procore. The table at the end feeds every kind of input file
the same set of bad numbers through the real command that reads it.
"""

from __future__ import annotations

import json
import re
import threading
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from dmsa_migrate.cli import EXIT_INTERNAL
from tests.reliability.conftest import CliRecorder, Run
from tests.reliability.setups import demo_text

RAW = "__raw_value__"
"""Placeholder written into a document, then replaced by the raw literal under test (TOML
and JSON writers cannot spell ``1e3`` as a float literal or ``1e309`` at all)."""


def guarded(cli: CliRecorder, *argv: str | Path) -> Run:
    """Run a command that once hung on these inputs; a run still going after two minutes
    fails the test instead of blocking the suite."""
    result: list[Run] = []
    worker = threading.Thread(target=lambda: result.append(cli(*argv)), daemon=True)
    worker.start()
    worker.join(timeout=120)
    if not result:
        pytest.fail(f"{' '.join(map(str, argv))} did not end (hung on bad input)")
    return result[0]


def assert_located(run: Run, path: Path, field: str) -> None:
    """Exit 2, no traceback, and a message naming the file and the field (or its line)."""
    assert run.code != EXIT_INTERNAL, run.err
    assert "Traceback" not in run.err
    assert run.code == 2, (run.code, run.err)
    assert str(path) in run.err, run.err
    assert field in run.err or re.search(re.escape(str(path)) + r":\d+", run.err), run.err


def world_with(tmp_path: Path, old: str, new: str, count: int = 1) -> Path:
    text = demo_text()
    assert old in text, old
    path = tmp_path / "world.toml"
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return path


# ----------------------------------------------------------------- labels from user names


def test_a_service_account_user_named_with_punctuation_runs_the_demo(
    cli: CliRecorder, tmp_path: Path, restore_environ: None
) -> None:
    world = world_with(tmp_path, 'name = "ERP Sync"\n', 'name = "ERP Sync (old)"\n')
    out = tmp_path / "out"
    run = cli("demo", "--headless", "--world", world, "--out", out)
    assert run.code in (0, 1), run.err
    labels = {a["label"] for a in json.loads((out / "inventory.json").read_text())["accounts"]}
    assert "erp-sync-old" in labels


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["ERP Sync (old)"], ["erp-sync-old"]),
        (["Zoë's bot!", "Zoë's bot?"], ["zoe-s-bot", "zoe-s-bot-2"]),
        (["🤖🤖"], ["tsa-acct-0"]),
        (["Directory Admin"], ["directory-admin-2"]),
        (["x" * 200], ["x" * 80]),
    ],
    ids=["parentheses", "same name twice", "no letters", "reserved", "long"],
)
def test_derived_labels_are_valid_and_unique(names: list[str], expected: list[str]) -> None:
    from dmsa_migrate.inventory.demo import DemoServiceAccount, demo_accounts

    accounts = [
        DemoServiceAccount(f"tsa-acct-{i}", "s", 101, 9000 + i, name)
        for i, name in enumerate(names)
    ]
    built = demo_accounts(accounts, None, lambda label, _secret: "env:X")
    assert [entry.label for entry in built.accounts] == expected


def test_a_label_that_is_truly_invalid_is_bad_input(cli: CliRecorder, tmp_path: Path) -> None:
    accounts = tmp_path / "accounts.toml"
    accounts.write_text(
        '[[accounts]]\nlabel = "(old) ERP"\nclient_id = "tsa-erp-1"\n'
        'client_secret = "env:X"\ncompany_id = 101\n',
        encoding="utf-8",
    )
    run = cli("inventory", "--accounts", accounts, "--no-live")
    assert_located(run, accounts, "accounts.0.label")


def test_a_malformed_client_id_in_a_world_is_located(
    cli: CliRecorder, tmp_path: Path, restore_environ: None
) -> None:
    world = world_with(tmp_path, '"tsa-cedar-docs-93e5b2c8"', '"t s"')
    run = cli("demo", "--headless", "--world", world, "--out", tmp_path / "out")
    assert_located(run, world, "service_accounts.2.client_id")


# ----------------------------------------------------------------- floats and ids in a world


@pytest.mark.parametrize("value", ["1e309", "inf", "nan", "-inf", "1e300", "-1"])
def test_a_world_latency_that_is_not_a_sane_number_is_refused(
    cli: CliRecorder, tmp_path: Path, restore_environ: None, value: str
) -> None:
    world = world_with(tmp_path, "latency_ms = 0\n", f"latency_ms = {value}\n")
    run = guarded(cli, "demo", "--headless", "--world", world, "--out", tmp_path / "out")
    assert_located(run, world, "limits.latency_ms")
    assert not (tmp_path / "out" / "inventory.json").exists()


def test_a_float_company_id_is_named_where_it_is(
    cli: CliRecorder, tmp_path: Path, restore_environ: None
) -> None:
    """Not at ``directory.0.company_id`` (the first row that then pointed nowhere)."""
    world = world_with(tmp_path, "[[companies]]\nid = 101\n", "[[companies]]\nid = 1e3\n")
    run = guarded(cli, "demo", "--headless", "--world", world, "--out", tmp_path / "out")
    assert_located(run, world, "companies.0.id")
    assert "companies.0.id: must be a whole number, not 1000.0" in run.err
    assert "directory." not in run.err and "projects." not in run.err


# ----------------------------------------------------------------- every file kind, one table


@dataclass(frozen=True)
class FileKind:
    """An input file the tool reads: a valid seed, how to write it, the command reading it."""

    name: str
    suffix: str
    seed: Callable[[dict[str, Path]], Any]
    dump: Callable[[Any], str]
    argv: Callable[[Path, Path, dict[str, Path]], list[str | Path]]


def _accounts_seed(_outputs: dict[str, Path]) -> Any:
    return {"accounts": [{"label": "erp", "client_id": "tsa-erp-1", "client_secret": "env:X",
                          "company_id": 101, "user_id": 9001}]}


def _json_seed(name: str) -> Callable[[dict[str, Path]], Any]:
    return lambda outputs: json.loads(outputs[name].read_text(encoding="utf-8"))


KINDS = {
    "world": FileKind(
        "world", ".toml", lambda _o: tomllib.loads(demo_text()), tomli_w.dumps,
        lambda f, tmp, _o: ["demo", "--headless", "--world", f, "--out", tmp / "out"],
    ),
    "accounts": FileKind(
        "accounts", ".toml", _accounts_seed, tomli_w.dumps,
        lambda f, _t, _o: ["inventory", "--accounts", f, "--no-live"],
    ),
    "inventory": FileKind(
        "inventory", ".json", _json_seed("inventory"), json.dumps,
        lambda f, _t, _o: ["manifest", "--inventory", f],
    ),
    "verification": FileKind(
        "verification", ".json", _json_seed("verification"), json.dumps,
        lambda f, tmp, o: ["checklist", "--inventory", o["inventory"], "--verification", f,
                           "--out", tmp / "checklist"],
    ),
}

BAD_NUMBERS = {
    "float id": ("1e3", "must be a whole number"),
    "id past 64 bits": ("18446744073709551617", "less than or equal to 9223372036854775807"),
    "negative id": ("-5", "greater than 0"),
    "zero id": ("0", "greater than 0"),
    "boolean id": ("true", "must be a whole number"),
    "id as text": ('"101"', "valid integer"),
}
"""A bad value for an id, and words the message must hold."""

ID_FIELDS = {
    "world": [("companies", 0, "id"), ("projects", 2, "company_id"),
              ("installations", 0, "permitted_projects", 1), ("world", "login_user")],
    "accounts": [("accounts", 0, "company_id"), ("accounts", 0, "user_id")],
    "inventory": [("accounts", 0, "companies", 0, "id"), ("accounts", 0, "user", "id")],
    "verification": [("companies", 0, "id"), ("companies", 0, "matched_projects", 0)],
}


def _set(doc: Any, path: tuple[str | int, ...], value: Any) -> None:
    for part in path[:-1]:
        doc = doc.setdefault(part, {}) if isinstance(part, str) else doc[part]
    doc[path[-1]] = value


def _bad_file(kind: FileKind, outputs: dict[str, Path], folder: Path,
              path: tuple[str | int, ...], literal: str) -> Path:
    doc = kind.seed(outputs)
    _set(doc, path, RAW)
    text = kind.dump(doc)
    assert text.count(json.dumps(RAW)) == 1
    target = folder / f"{kind.name}{kind.suffix}"
    target.write_text(text.replace(json.dumps(RAW), literal), encoding="utf-8")
    return target


ID_CASES = [
    pytest.param(kind, path, bad, id=f"{kind}:{'.'.join(map(str, path))}:{bad}")
    for kind, paths in ID_FIELDS.items()
    for path in paths
    for bad in BAD_NUMBERS
]


@pytest.mark.parametrize(("kind", "path", "bad"), ID_CASES)
def test_every_file_kind_refuses_bad_ids(
    cli: CliRecorder, outputs: dict[str, Path], tmp_path: Path, restore_environ: None,
    kind: str, path: tuple[str | int, ...], bad: str,
) -> None:
    literal, words = BAD_NUMBERS[bad]
    target = _bad_file(KINDS[kind], outputs, tmp_path, path, literal)
    before = target.read_bytes()
    run = guarded(cli, *KINDS[kind].argv(target, tmp_path, outputs))
    field = ".".join(map(str, path))
    assert_located(run, target, field)
    assert field in run.err and words in run.err, run.err
    assert target.read_bytes() == before


FLOAT_FIELDS = [
    ("world", ("limits", "latency_ms")), ("world", ("limits", "spike_window_s")),
    ("world", ("limits", "token_lifetime_s")), ("world", ("faults", "error_rate")),
    ("world", ("faults", "drop_rate")),
]
NOT_FINITE = ["inf", "-inf", "nan", "1e309", "1e300"]


@pytest.mark.parametrize(
    ("kind", "path", "literal"),
    [
        pytest.param(kind, path, literal, id=f"{'.'.join(path)}={literal}")
        for kind, path in FLOAT_FIELDS
        for literal in NOT_FINITE
    ],
)
def test_every_float_field_refuses_infinite_and_absurd_values(
    cli: CliRecorder, outputs: dict[str, Path], tmp_path: Path, restore_environ: None,
    kind: str, path: tuple[str, ...], literal: str,
) -> None:
    target = _bad_file(KINDS[kind], outputs, tmp_path, path, literal)
    run = guarded(cli, *KINDS[kind].argv(target, tmp_path, outputs))
    assert_located(run, target, ".".join(path))
    assert ".".join(path) in run.err


COUNT_FIELDS = [
    ("inventory", ("usage", 0, "count")),
    ("inventory", ("accounts", 0, "companies", 0, "projects", 0, "id")),
]


@pytest.mark.parametrize("literal", ["1e309", "Infinity", "NaN", "2.5", "-3"])
@pytest.mark.parametrize(("kind", "path"), COUNT_FIELDS, ids=lambda v: str(v))
def test_json_numbers_that_are_not_whole_or_finite_are_refused(
    cli: CliRecorder, outputs: dict[str, Path], tmp_path: Path,
    kind: str, path: tuple[str | int, ...], literal: str,
) -> None:
    doc = KINDS[kind].seed(outputs)
    if path[0] == "usage" and not doc.get("usage"):
        doc["usage"] = [{"method": "GET", "template": "/rest/v1.0/projects", "count": 1}]
    target = tmp_path / f"{kind}.json"
    _set(doc, path, RAW)
    target.write_text(json.dumps(doc, indent=2).replace(json.dumps(RAW), literal), "utf-8")
    run = cli(*KINDS[kind].argv(target, tmp_path, outputs))
    assert_located(run, target, ".".join(map(str, path)))


# ----------------------------------------------------------------- schema versions


def _versioned(outputs: dict[str, Path], folder: Path, name: str, old: str, new: str) -> Path:
    text = outputs[name].read_text(encoding="utf-8")
    assert old in text, old
    target = folder / f"{name}.json"
    target.write_text(text.replace(old, new, 1), encoding="utf-8")
    return target


@pytest.mark.parametrize("kind", ["inventory", "verification"])
def test_a_step_output_of_an_unknown_version_is_refused(
    cli: CliRecorder, outputs: dict[str, Path], tmp_path: Path, kind: str
) -> None:
    bad = _versioned(
        outputs, tmp_path, kind, f'"dmsa-migrate/{kind}/1"', f'"dmsa-migrate/{kind}/99"'
    )
    argv = KINDS[kind].argv(bad, tmp_path, outputs)
    run = cli(*argv)
    assert_located(run, bad, "schema")
    assert f"dmsa-migrate/{kind}/99" in run.err and f"dmsa-migrate/{kind}/1" in run.err


@pytest.mark.parametrize("version", ["99", "4.9", "42", "3.x"])
def test_a_manifest_of_an_unknown_schema_version_is_refused(
    cli: CliRecorder, outputs: dict[str, Path], tmp_path: Path, version: str
) -> None:
    bad = _versioned(
        outputs, tmp_path, "manifest", '"schema_version": "4.1"', f'"schema_version": "{version}"'
    )
    run = cli("manifest", "diff", outputs["manifest"], bad)
    assert_located(run, bad, "schema_version")
    assert version in run.err and "4.1" in run.err


def test_a_session_of_a_newer_schema_is_refused_and_kept(
    cli: CliRecorder, tmp_path: Path
) -> None:
    sessions = tmp_path / "sessions"
    assert cli("session", "new", "acme", "--customer", "Acme", "--sessions-dir", sessions).code == 0
    path = sessions / "acme" / "session.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"(?m)^schema_version = \d+$", "schema_version = 99", text), "utf-8")
    before = path.read_bytes()
    run = cli("session", "show", "acme", "--sessions-dir", sessions)
    assert_located(run, path, "schema")
    assert "99" in run.err and "reads up to" in run.err
    assert path.read_bytes() == before


def test_a_scan_baseline_of_an_unknown_version_is_refused(
    cli: CliRecorder, tmp_path: Path
) -> None:
    baseline = tmp_path / "baseline.json"
    baseline.write_text('{"schema": "dmsa-migrate/scan-baseline/99", "fingerprints": []}', "utf-8")
    (tmp_path / "code").mkdir()
    run = cli("scan", tmp_path / "code", "--baseline", baseline)
    assert_located(run, baseline, "schema")
    assert "scan-baseline/99" in run.err


# ----------------------------------------------------------------- session numbers


@pytest.mark.parametrize(
    ("key", "value", "field"),
    [
        ("revision", "1e3", "revision"),
        ("revision", "-1", "revision"),
        ("company_ids", "[101.0]", "company_ids.0"),
        ("company_ids", "[18446744073709551617]", "company_ids.0"),
        ("company_ids", "[true]", "company_ids.0"),
    ],
)
def test_bad_numbers_in_a_session_file_are_located(
    cli: CliRecorder, tmp_path: Path, key: str, value: str, field: str
) -> None:
    sessions = tmp_path / "sessions"
    assert cli("session", "new", "acme", "--customer", "Acme", "--sessions-dir", sessions).code == 0
    path = sessions / "acme" / "session.toml"
    text, found = re.subn(rf"(?m)^{key} = .*$", f"{key} = {value}",
                          path.read_text(encoding="utf-8"), count=1)
    assert found == 1
    path.write_text(text, encoding="utf-8")
    before = path.read_bytes()
    run = cli("session", "show", "acme", "--sessions-dir", sessions)
    assert_located(run, path, field)
    assert field in run.err
    assert path.read_bytes() == before


# ----------------------------------------------------------------- CSV routes, scan FILE


@pytest.mark.parametrize(
    "route", ['"/rest/v1.0/projects\nx"', '"/rest/v1.0/pro\x00jects"', '"/rest/v1.0/a b"',
              '"/rest/v1.0/projects\x1b[2J"'],
    ids=["newline", "NUL", "space", "ESC"],
)
def test_a_route_cell_with_a_break_or_control_is_refused(
    cli: CliRecorder, outputs: dict[str, Path], tmp_path: Path, route: str
) -> None:
    report = tmp_path / "activity.csv"
    report.write_text(
        "Date,HTTP Method,Normalized Route,Response Code,Count\n"
        "2025-01-02,GET,/rest/v1.0/projects,200,4\n"
        f"2025-01-02,GET,{route},200,5\n",
        encoding="utf-8",
    )
    run = cli("manifest", "--inventory", outputs["inventory"], "--usage", report)
    assert_located(run, report, "Normalized Route")
    assert f"{report}:3:" in run.err and "Normalized Route" in run.err


def test_a_route_with_a_newline_in_inventory_json_is_refused(
    cli: CliRecorder, outputs: dict[str, Path], tmp_path: Path
) -> None:
    doc = json.loads(outputs["inventory"].read_text(encoding="utf-8"))
    doc["usage"] = [{"method": "GET", "template": "/rest/v1.0/projects\n# injected",
                     "source": "scan"}]
    bad = tmp_path / "inventory.json"
    bad.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    run = cli("manifest", "--inventory", bad)
    assert_located(run, bad, "usage.0.template")


def test_scan_of_one_file_scans_that_file_whatever_its_name(
    cli: CliRecorder, tmp_path: Path
) -> None:
    notes = tmp_path / "deploy-notes.txt"
    notes.write_text(
        'curl "https://api.procore.com/rest/v1.0/projects/5/rfis"\n', encoding="utf-8"
    )
    run = cli("scan", notes)
    assert run.code == 0, run.err
    assert "scanned 1 file(s)" in run.out
    assert "/rest/v1.0/projects/{project_id}/rfis" in run.out or "rfis" in run.out


def test_scan_refuses_a_device_and_skips_a_fifo_in_a_tree(
    cli: CliRecorder, tmp_path: Path
) -> None:
    import os

    run = cli("scan", "/dev/zero")
    assert run.code == 2 and "a folder or a regular file" in run.err
    tree = tmp_path / "code"
    tree.mkdir()
    os.mkfifo(tree / "pipe.py")
    (tree / "app.py").write_text('get("/rest/v1.0/projects")\n', encoding="utf-8")
    run = guarded(cli, "scan", tree)
    assert run.code == 0, run.err
    assert "scanned 1 file(s)" in run.out and "(1 skipped)" in run.out
