"""Atomic, private writes and reads whose errors name the file and line."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from pydantic import BaseModel, ConfigDict, ValidationError

from dmsa_migrate import fileio
from dmsa_migrate.errors import FileFormatError, StorageError


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_atomic_write_creates_private_file_and_folder(tmp_path: Path) -> None:
    target = tmp_path / "new" / "inventory.json"
    fileio.atomic_write_json(target, {"a": 1})
    assert fileio.read_json(target) == {"a": 1}
    assert _mode(target) == 0o600
    assert _mode(target.parent) == 0o700


def test_failed_write_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "session.toml"
    fileio.atomic_write_text(target, "old = 1\n")

    def broken_replace(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(StorageError, match=r"session\.toml"):
        fileio.atomic_write_text(target, "new = 2\n")
    assert target.read_text() == "old = 1\n"
    assert [p.name for p in tmp_path.iterdir()] == ["session.toml"], "temp file left behind"


def test_toml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "world.toml"
    path.write_text('[world]\nname = "x"\nnow = \n')
    with pytest.raises(FileFormatError) as caught:
        fileio.read_toml(path)
    assert caught.value.line == 3
    assert str(caught.value).startswith(f"{path}:3: invalid TOML")


def test_json_syntax_error_names_line(tmp_path: Path) -> None:
    path = tmp_path / "inventory.json"
    path.write_text('{\n  "accounts": [\n    1,\n  ]\n}\n')
    with pytest.raises(FileFormatError) as caught:
        fileio.read_json(path)
    assert caught.value.line == 4


def test_missing_file_is_input_error(tmp_path: Path) -> None:
    with pytest.raises(FileFormatError, match="no such file"):
        fileio.read_text(tmp_path / "absent.toml")


class _Project(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: int
    company_id: int


class _World(BaseModel):
    model_config = ConfigDict(extra="forbid")
    projects: list[_Project]


def test_validation_failure_points_at_the_line_of_the_bad_field() -> None:
    text = (
        "[[projects]]\nid = 1\ncompany_id = 101\n\n"
        "[[projects]]\nid = 2\ncompany_id = \"oops\"\n"
    )
    data = fileio.parse_toml(text, "w.toml")
    with pytest.raises(ValidationError) as caught:
        _World.model_validate(data)
    error = fileio.validation_failure("w.toml", text, caught.value.errors())
    assert error.line == 7
    assert "projects.1.company_id" in str(error)


def test_unknown_key_is_named() -> None:
    text = "[[projects]]\nid = 1\ncompany_id = 101\ncolour = \"red\"\n"
    with pytest.raises(ValidationError) as caught:
        _World.model_validate(fileio.parse_toml(text, "w.toml"))
    error = fileio.validation_failure("w.toml", text, caught.value.errors())
    assert str(error) == "w.toml:4: projects.0.colour: unknown key"
