"""The bad-input generator itself: every value it offers is one the model refuses.

Why test a test helper: the bad-input suite once offered ``1.5`` as an "impossible" value
for every field whose seed was an int, and ``spike_window_s`` is a float, so a valid world
posed as bad input and the tool was blamed for accepting it.
"""

from __future__ import annotations

import copy
import tomllib
from typing import Any

import pytest
from pydantic import BaseModel

from dmsa_migrate.emulator.world import Limits, World
from dmsa_migrate.models.accounts import AccountsFile
from dmsa_migrate.models.playbook import Playbook
from tests.reliability import mutations as mut
from tests.reliability.setups import demo_text
from tests.reliability.test_bad_input import ACCOUNTS, PLAYBOOK

WORLD = tomllib.loads(demo_text())


@pytest.mark.parametrize(
    ("model", "seed"),
    [(World, WORLD), (AccountsFile, ACCOUNTS), (Playbook, PLAYBOOK)],
    ids=["world", "accounts", "playbook"],
)
def test_every_offered_value_is_refused_by_the_model(
    model: type[BaseModel], seed: dict[str, Any]
) -> None:
    offered = 0
    for path in mut.leaves(seed):
        for value in mut.impossible_values(model, seed, path, mut._get(seed, path)):
            doc = copy.deepcopy(seed)
            mut._get(doc, path[:-1])[path[-1]] = value
            assert mut.model_rejects(model, doc), (path, value)
            offered += 1
    assert offered > 50  # the generator does reach the file's fields


def test_float_and_bounded_fields_get_values_from_their_declaration() -> None:
    seed = {"limits": {"spike_window_s": 10, "spike": 25}}
    window = mut.impossible_values(World, seed, ("limits", "spike_window_s"), 10)
    assert 1.5 not in window, "a float field accepts 1.5"
    assert 0 in window, "spike_window_s is declared > 0"
    spike = mut.impossible_values(World, seed, ("limits", "spike"), 25)
    assert 1.5 in spike and 0 in spike  # an int field declared >= 1
    assert Limits.model_fields["spike"].annotation is int
