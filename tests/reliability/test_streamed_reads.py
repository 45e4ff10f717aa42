"""Step outputs read a list element at a time (issue 18) judge bad files as the whole-file
reader does: every mutant of test_bad_input's inventory and verification seeds gets the same
located message from the streamed reader as from ``load_inventory`` / ``load_verification``,
and every file one of them accepts, the other reads to the same result.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given

from dmsa_migrate.artifacts import (
    StreamedFile,
    load_inventory,
    load_verification,
    stream_inventory,
    stream_verification,
)
from dmsa_migrate.errors import FileFormatError
from dmsa_migrate.models.inventory import Inventory
from dmsa_migrate.models.verification import Verification
from tests.reliability import mutations as mut
from tests.reliability.conftest import CliRecorder
from tests.reliability.test_bad_input import FAST, json_cases, write

READERS: dict[str, tuple[Callable[[Path], Any], Callable[[Path], StreamedFile[Any, Any]], str]] = {
    "inventory": (load_inventory, stream_inventory, "accounts"),
    "verification": (load_verification, stream_verification, "companies"),
}
CASES = {
    "inventory": json_cases("inventory", Inventory, (("accounts", 0, "label"),)),
    "verification": json_cases("verification", Verification, (("companies", 0, "id"),)),
}


def outcome_of(read: Callable[[], Any]) -> Any:
    try:
        return read()
    except FileFormatError as exc:
        return ("error", str(exc))


def streamed_whole(stream: StreamedFile[Any, Any], listing: str) -> Any:
    items = list(stream.items())
    assert stream.header is not None
    return stream.header.model_copy(update={listing: items})


@pytest.mark.parametrize("name", sorted(READERS))
def test_streamed_reader_judges_every_mutant_as_the_whole_file_reader(
    tmp_path: Path, outputs: dict[str, Path], name: str
) -> None:
    load, stream, listing = READERS[name]

    @FAST
    @given(mutant=CASES[name](outputs))
    def check(mutant: mut.Mutant) -> None:
        path = write(tmp_path, mutant, ".json")
        whole = outcome_of(lambda: load(path))
        streamed = outcome_of(lambda: streamed_whole(stream(path), listing))
        assert streamed == whole, mutant
        if isinstance(whole, tuple):
            assert str(path) in whole[1]

    check()


@pytest.fixture
def streamed_only(monkeypatch: pytest.MonkeyPatch) -> Callable[[int], None]:
    """Good files must be read by the stream itself: the whole-file fallback is switched
    off, and the read window made tiny so every value straddles many reads (a number cut
    by a read must not become a shorter number)."""
    from dmsa_migrate import artifacts, jsonstream

    def no_fallback(*_args: Any) -> Any:
        raise AssertionError("the streamed reader fell back to reading the file whole")

    def arm(chunk: int) -> None:
        monkeypatch.setattr(artifacts, "_load", no_fallback)
        monkeypatch.setattr(jsonstream, "CHUNK", chunk)

    return arm


@pytest.mark.parametrize("chunk", [1, 7, 4096])
@pytest.mark.parametrize("name", sorted(READERS))
def test_streamed_reader_reads_good_files_in_any_layout(
    tmp_path: Path, outputs: dict[str, Path], name: str, chunk: int,
    streamed_only: Callable[[int], None],
) -> None:
    """The tool's indented file, the same data minified, with CRLF line ends, and with the
    list before the schema: the stream reads each to what the whole-file reader gives."""
    load, stream, listing = READERS[name]
    data = json.loads(outputs[name].read_text(encoding="utf-8"))
    reordered = {listing: data[listing], **{k: v for k, v in data.items() if k != listing}}
    layouts = {
        "indented": outputs[name].read_bytes(),
        "minified": json.dumps(data, separators=(",", ":")).encode(),
        "crlf": outputs[name].read_bytes().replace(b"\n", b"\r\n"),
        "list first": json.dumps(reordered, ensure_ascii=False).encode(),
    }
    expected = load(outputs[name])
    assert getattr(expected, listing), "the seed has elements to stream"
    streamed_only(chunk)
    for label, content in layouts.items():
        path = tmp_path / f"{label}.json"
        path.write_bytes(content)
        assert streamed_whole(stream(path), listing) == expected, label


def test_verify_names_a_bad_inventory_file_and_field(
    cli: CliRecorder, tmp_path: Path, outputs: dict[str, Path]
) -> None:
    """The real command: verify reads the inventory streamed, and a bad account is exit 2
    with the file, line and field path, before any request."""
    data = json.loads(outputs["inventory"].read_text(encoding="utf-8"))
    data["accounts"][-1]["status"] = "maybe"
    path = tmp_path / "inventory.json"
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    run = cli("verify", "--inventory", path, "--dmsa", "x", "--dmsa-secret", "env:NOPE_X")
    last = len(data["accounts"]) - 1
    assert run.code == 2, run.err
    assert f"{path}:" in run.err and f"accounts.{last}.status" in run.err, run.err
    assert "Traceback" not in run.err
