"""Procore's official JavaScript SDK (``@procore/js-sdk``) against ``emulator serve``.

A client nobody here wrote: ``.ci/run`` installs the SDK from the npm registry into
``.cache/js-sdk`` (ignored by git; ``DMSA_JS_SDK_DIR`` points elsewhere), and
``js_sdk/check.js`` drives it over loopback: tokens (the SDK's authorization-code helper,
then client credentials), ``/oauth/token/info``, companies, projects paginated by
``Link rel="next"``, ``/me``, a tool endpoint, and the 401/403/404 error shapes. Skipped,
with the reason, where node or the package is missing.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dmsa_migrate.emulator import load_world

REPO = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("js_sdk") / "check.js"
SDK_DIR = Path(os.environ.get("DMSA_JS_SDK_DIR", REPO / ".cache" / "js-sdk"))
COMPANY = 101

pytestmark = pytest.mark.loopback


def _require_sdk() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the @procore/js-sdk compatibility check needs it")
    if not (SDK_DIR / "node_modules" / "@procore" / "js-sdk" / "package.json").is_file():
        pytest.skip(
            f"@procore/js-sdk is not installed in {SDK_DIR} (.ci/run installs it with npm; "
            "or: npm install --prefix .cache/js-sdk @procore/js-sdk)"
        )
    return node


@pytest.fixture
def served() -> Iterator[str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "dmsa_migrate", "emulator", "serve", "--world", "demo",
         "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        assert line.startswith("listening on http://127.0.0.1:"), line
        yield line.removeprefix("listening on ")
    finally:
        proc.terminate()
        proc.wait(timeout=60)


@pytest.fixture
def seen(served: str) -> dict[str, Any]:
    node = _require_sdk()
    app = load_world("demo").apps[0]
    result = subprocess.run(
        [node, str(SCRIPT), served, str(SDK_DIR), app.client_id, app.client_secret,
         str(COMPANY)],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert result.stdout.strip(), result.stderr
    data: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    assert "crashed" not in data, data["crashed"]
    return data


def test_sdk_tokens_and_token_info(seen: dict[str, Any]) -> None:
    assert seen["user_token"] == {"has_access": True, "has_refresh": True}
    assert seen["dmsa_token"]["token_type"] == "bearer" and seen["dmsa_token"]["expires_in"] > 0
    assert seen["token_info"]["application_uid"] == load_world("demo").apps[0].client_id


def test_sdk_reads_companies_me_and_every_page_of_projects(seen: dict[str, Any]) -> None:
    world = load_world("demo")
    installed = sorted(i.company_id for i in world.installations if i.status == "installed")
    assert sorted(seen["companies"]) == installed
    assert seen["me"]["id"] == next(
        i.user_id for i in world.installations if i.company_id == COMPANY
    )
    permitted = next(i.permitted_projects for i in world.installations if i.company_id == COMPANY)
    active = {p.id for p in world.projects if p.active}
    expected = sorted(p for p in permitted if p in active)
    assert sorted(seen["projects"]["ids"]) == expected
    assert seen["projects"]["total"] == len(expected)
    assert seen["projects"]["pages"] == -(-len(expected) // 2)
    first = seen["first_page_headers"]
    assert 'rel="next"' in first["link"] and 'rel="first"' not in first["link"]
    assert first["per-page"] == "2" and "x-rate-limit-remaining" in first


def test_sdk_reaches_a_tool_endpoint(seen: dict[str, Any]) -> None:
    assert seen["tool"] == {"status": 200, "is_list": True}


def test_sdk_sees_procore_error_shapes(seen: dict[str, Any]) -> None:
    assert seen["error_401"] == {
        "status": 401, "body": {"errors": "The access token is invalid"}
    }
    assert seen["error_403"]["status"] == 403
    assert seen["error_403"]["body"] == {
        "errors": "You do not have permission to perform this action"
    }
    assert seen["error_404"]["status"] == 404 and "errors" in seen["error_404"]["body"]
