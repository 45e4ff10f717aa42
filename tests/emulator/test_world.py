"""World files: built-ins load, bad files name file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from dmsa_migrate.emulator import generate_world, load_world, parse_world
from dmsa_migrate.emulator.world import check_references
from dmsa_migrate.errors import FileFormatError

from .conftest import SMALL_WORLD


@pytest.mark.parametrize("name", ["demo", "post-sunset"])
def test_builtin_worlds_load(name: str) -> None:
    world = load_world(name)
    assert world.companies and world.projects
    assert check_references(world) == []


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "world.toml"
    path.write_text(text)
    return path


def test_unknown_key_names_file_line_and_field(tmp_path: Path) -> None:
    text = SMALL_WORLD.replace('name = "Harbor Tower"', 'name = "Harbor Tower"\ncolour = "red"')
    path = _write(tmp_path, text)
    with pytest.raises(FileFormatError) as caught:
        load_world(path)
    line = text.splitlines().index('colour = "red"') + 1
    assert caught.value.line == line
    assert str(path) in str(caught.value)
    assert "projects.0.colour: unknown key" in str(caught.value)


def test_bad_level_is_rejected(tmp_path: Path) -> None:
    text = SMALL_WORLD.replace('daily_log = "standard"', 'daily_log = "superuser"')
    with pytest.raises(FileFormatError, match=r"templates\.0\.levels\.daily_log"):
        load_world(_write(tmp_path, text))


def test_membership_with_company_template_names_its_line() -> None:
    text = SMALL_WORLD.replace(
        "project_id = 1002\ntemplate_id = 501", "project_id = 1002\ntemplate_id = 502"
    )
    with pytest.raises(FileFormatError) as caught:
        parse_world(text, "w.toml")
    assert "memberships.1.template_id: template is not of type 'project'" in str(caught.value)
    assert caught.value.line == text.splitlines().index("template_id = 502") + 1


def test_project_of_missing_company_is_rejected() -> None:
    text = SMALL_WORLD.replace("id = 2001\ncompany_id = 202", "id = 2001\ncompany_id = 999")
    with pytest.raises(FileFormatError, match=r"projects\.5\.company_id: no such company"):
        parse_world(text, "w.toml")


def test_duplicate_ids_are_rejected() -> None:
    text = SMALL_WORLD.replace("id = 1002\n", "id = 1001\n")
    with pytest.raises(FileFormatError, match=r"projects\.1\.id: duplicate id 1001"):
        parse_world(text, "w.toml")


def test_permitted_project_of_another_company_is_rejected() -> None:
    text = SMALL_WORLD.replace("permitted_projects = [1001, 1003]", "permitted_projects = [2001]")
    with pytest.raises(FileFormatError, match="belongs to another company"):
        parse_world(text, "w.toml")


def test_toml_syntax_error_names_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "[world]\nname = \n")
    with pytest.raises(FileFormatError) as caught:
        load_world(path)
    assert caught.value.line == 2


def test_missing_file_is_a_file_error(tmp_path: Path) -> None:
    with pytest.raises(FileFormatError, match="no such file"):
        load_world(tmp_path / "absent.toml")


def test_faults_and_float_limits_parse() -> None:
    text = SMALL_WORLD + "\n[faults]\nerror_rate = 0.1\ndrop_rate = 0.05\nseed = 7\n"
    text = text.replace("max_per_page = 100", "max_per_page = 100\nspike_window_s = 0.5")
    world = parse_world(text, "w.toml")
    assert world.faults.error_rate == 0.1 and world.faults.seed == 7
    assert world.limits.spike_window_s == 0.5


def test_fault_rate_above_one_is_rejected() -> None:
    with pytest.raises(FileFormatError, match=r"faults\.error_rate"):
        parse_world(SMALL_WORLD + "\n[faults]\nerror_rate = 1.5\n", "w.toml")


def test_generated_world_is_deterministic_and_coherent() -> None:
    first = generate_world(companies=4, projects_per_company=30)
    second = generate_world(companies=4, projects_per_company=30)
    assert first == second
    assert check_references(first) == []
    assert len(first.projects) == 120
    assert len(first.installations) == 4 and len(first.service_accounts) == 4
