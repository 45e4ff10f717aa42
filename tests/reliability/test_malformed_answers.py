"""Procore answers of the wrong shape end as a Procore error, never an internal one.

Found by pointing ``--api-base`` at a server answering ``[]`` where ``/rest/v1.0/me`` sends
an object: the inventory ended in ``internal error: TypeError`` (exit 70). Here the
emulator's answers are bent on their way to the client, one field or item at a time (an id
that is a word, ``true``, a fraction or negative; a list item that is a string; an object
where a list belongs and the reverse), and inventory and verify run through the real CLI:
each must finish (exit 0 or 1) or stop as a Procore error naming the request (exit 3).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dmsa_migrate.emulator import Emulator, generate_world
from dmsa_migrate.emulator.generate import ADMIN_TOKEN
from tests.reliability.conftest import CliRecorder
from tests.reliability.test_faults import DMSA_ID, DMSA_SECRET, serve

ROUTES = [
    r"^/rest/v1\.0/me$",
    r"^/rest/v1\.0/companies$",
    r"^/rest/v1\.1/projects$",
    r"^/rest/v1\.0/settings/permissions$",
    r"^/rest/v1\.[03]/companies/\d+/users(/\d+)?$",
    r"^/rest/v1\.0/companies/\d+/users/\d+/project_assignments$",
    r"^/rest/v1\.0/companies/\d+/permission_templates(/\d+)?$",
    r"^/rest/v1\.0/projects/\d+/users$",
]

SHAPES: list[Any] = ["abc", True, 1.5, -4, None, "", 2**70, {"x": 1}, [1], 0]
"""What a field, an item or the whole body is replaced with."""


def bend(body: Any, where: str, value: Any) -> Any:
    """``body`` with one thing replaced by ``value``: the whole body, the first item of a
    list, or one field (``id``, ``name``, or the field the route's readers rely on)."""
    if where == "body":
        return value
    target = body[0] if isinstance(body, list) and body else body
    if where == "item" and isinstance(body, list) and body:
        return [value, *body[1:]]
    if isinstance(target, dict):
        keys = [k for k in ("id", "project_id", "name", "tools", "user_access_levels",
                            "permission_template", "company_permission_template_id") if k in target]
        if keys:
            target[keys[hash(where) % len(keys)] if where == "field" else keys[0]] = value
    return body


class Bent(httpx.AsyncBaseTransport):
    """Bends the JSON answers of one route on their way to the client."""

    def __init__(self, inner: httpx.AsyncBaseTransport, route: str, where: str,
                 value: Any) -> None:
        self.inner, self.route, self.where, self.value = inner, re.compile(route), where, value
        self.bent = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if response.status_code != 200 or not self.route.search(request.url.path):
            return response
        await response.aread()
        body = bend(json.loads(response.content), self.where, self.value)
        self.bent += 1
        headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
        return httpx.Response(200, headers=headers, content=json.dumps(body).encode())


def _accounts(folder: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    lines = []
    for company_id in (101, 102):
        monkeypatch.setenv(f"TSA_{company_id}", f"tsa-secret-{company_id}")
        lines += ["[[accounts]]", f'label = "erp-{company_id}"',
                  f'client_id = "tsa-{company_id}"', f'client_secret = "env:TSA_{company_id}"',
                  f"company_id = {company_id}", f"user_id = {9000 + company_id - 100}", ""]
    monkeypatch.setenv("ADMIN_TOKEN", ADMIN_TOKEN)
    monkeypatch.setenv("DMSA_SECRET", DMSA_SECRET)
    path = folder / "accounts.toml"
    path.write_text("\n".join([*lines, "[directory]", 'token = "env:ADMIN_TOKEN"']) + "\n",
                    encoding="utf-8")
    return path


def _ends_well(run: Any) -> None:
    assert run.code in (0, 1, 3), run.err
    assert "internal error" not in run.err and "Traceback" not in run.err, run.err


WORLDS = {"before the sunset": "2025-02-15T12:00:00Z", "after the sunset": "2025-06-01T12:00:00Z"}
"""Before 2025-03-18 the old accounts still sign in (live reads); after, the inventory is
rebuilt from the Company Directory: two different sets of readers."""


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(route=st.sampled_from(ROUTES), where=st.sampled_from(["body", "item", "field", "id"]),
       value=st.sampled_from(SHAPES), now=st.sampled_from(sorted(WORLDS.values())))
def test_bent_answers_end_as_results_or_procore_errors(
    cli: CliRecorder, tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch, route: str, where: str, value: Any, now: str,
) -> None:
    folder = tmp_path_factory.mktemp("bent")
    accounts = _accounts(folder, monkeypatch)
    world = generate_world(2, 4, now=now)

    def wrap(inner: httpx.AsyncBaseTransport, _emulator: Emulator) -> httpx.AsyncBaseTransport:
        return Bent(inner, route, where, value)

    # the inventory on bent answers
    serve(monkeypatch, world, wrap)
    _ends_well(cli("inventory", "--accounts", accounts, "--out", folder / "bent.json"))
    # verify on bent answers, from an inventory read on healthy ones
    serve(monkeypatch, world)
    inventory = folder / "inventory.json"
    assert cli("inventory", "--accounts", accounts, "--out", inventory).code in (0, 1)
    serve(monkeypatch, world, wrap)
    _ends_well(cli("verify", "--inventory", inventory, "--dmsa", DMSA_ID,
                   "--dmsa-secret", "env:DMSA_SECRET", "--out", folder / "v.json"))
