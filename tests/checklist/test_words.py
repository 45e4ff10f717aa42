"""Procore's words as shipped data: every name and path has a source; the writers use them."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from importlib import resources

import pytest

from dmsa_migrate.checklist import render
from dmsa_migrate.checklist.words import level_name, place, place_ids, tool, tool_name
from dmsa_migrate.models.session import ItemState

from .conftest import demo_checklist


def _data() -> dict[str, dict[str, dict[str, object]]]:
    text = resources.files("dmsa_migrate.checklist").joinpath("data/procore_ui.toml")
    return tomllib.loads(text.read_text("utf-8"))


@pytest.mark.parametrize("section", ["tools", "places"])
def test_every_entry_names_its_source(section: str) -> None:
    entries = _data()[section]
    assert entries
    for key, entry in entries.items():
        source = str(entry.get("source", ""))
        assert source.strip(), f"{section}.{key} has no source"
        assert source.startswith(("D:", "IMG:")), f"{section}.{key}: {source}"


def test_inferred_paths_are_marked_and_documented_ones_are_not() -> None:
    assert place("company_directory_user").inferred is True
    assert place("permitted_projects").inferred is False
    assert place("permitted_projects", app="Acme Sync").text == (
        "Company Tools > Admin > App Management > Acme Sync > Permissions > Permitted Projects"
    )


def test_tool_keys_read_as_procore_names_never_as_keys() -> None:
    assert tool_name("submittal_logs") == "Submittals"
    assert tool_name("rfi") == "RFIs"
    assert tool("home").inferred is True
    assert tool_name("some_new_tool") == "Some New Tool"
    assert (level_name("readonly"), level_name("standard")) == ("Read-only", "Standard")


def test_every_place_a_row_points_to_is_shipped(checklist: object) -> None:
    sources = {row.where_source for row in demo_checklist().items if row.where_source}
    known = {place(place_id).source for place_id in place_ids()}
    assert sources and sources <= known


def test_markdown_shows_untrusted_values_as_text() -> None:
    state = ItemState(
        item_id="health-checked", company_id=101,
        owner="[click](http://evil.invalid) <img src=x> **boss** | pipe",
        evidence_note="`rm -rf` _x_",
    )
    text = render(demo_checklist(states=[state], today=dt.date(2025, 2, 15)), "md")
    assert "\\[click\\](http://evil.invalid) \\<img src=x> \\*\\*boss\\*\\* \\| pipe" in text
    assert not re.search(r"(?<!\\)<img", text) and not re.search(r"(?<!\\)\[click", text)
    assert "\\`rm -rf\\` \\_x\\_" in text
