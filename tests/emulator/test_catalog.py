"""Catalog mode: documented operations the world does not model answer, with tool levels.

The small world's DMSA app has ``rfi = standard`` on its permitted projects (1001, 1003;
a manual Directory edit gives it ``rfi = admin`` on 1003) and ``directory = readonly`` at
company level; nothing else. The emulator's own module → tool table (emulator/tools.py)
says what each operation needs.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable

from dmsa_migrate.emulator import oas

from . import oas_reference as ref
from .conftest import Api, small_world


def _call(api: Api, method: str, path: str, token: str, company: int = 101) -> tuple[int, str]:
    headers = {"Authorization": f"Bearer {token}", "Procore-Company-Id": str(company)}
    response = api.http.request(method, path, headers=headers, json={})
    return response.status_code, response.text


def test_a_read_the_dmsa_holds_answers_in_the_documented_shape(api: Api) -> None:
    token = api.token("dmsa-client", "dmsa-secret")
    path = "/rest/v1.0/projects/1001/rfis/filter_options/priority"
    status, text = _call(api, "GET", path, token)
    assert status == 200, text
    body = json.loads(text)
    assert body and not ref.problems(body, ref.success_schema(ref.find("GET", path)))
    # A company-level read the DMSA holds (directory = readonly): the current company user.
    status, text = _call(api, "GET", "/rest/v1.0/companies/101/me", token)
    assert status == 200, text
    me = json.loads(text)
    assert not ref.problems(me, ref.success_schema(ref.find("GET", "/rest/v1.0/companies/101/me")))
    assert api.emu.stats.catalog == 2


def test_tool_levels_are_enforced_per_operation(api: Api) -> None:
    token = api.token("dmsa-client", "dmsa-secret")
    # rfi = standard: create is allowed (documented 201), delete needs admin.
    assert _call(api, "POST", "/rest/v1.0/projects/1001/rfis", token)[0] == 201
    reply = "/rest/v1.0/projects/{}/rfis/55/replies/7"
    assert _call(api, "DELETE", reply.format(1001), token)[0] == 403
    # On 1003 a manual Directory edit gave admin on rfi: delete is allowed there.
    assert _call(api, "DELETE", reply.format(1003), token)[0] in (200, 204)
    # No submittal_logs level at all: even a read is refused.
    status, text = _call(api, "GET", "/rest/v1.0/projects/1001/submittals", token)
    assert status == 403 and "permission" in text


def test_catalog_keeps_visibility_rules(api: Api) -> None:
    token = api.token("dmsa-client", "dmsa-secret")
    status, text = _call(api, "GET", "/rest/v1.0/projects/1002/rfis", token)
    assert status == 403 and "outside access scope" in text
    assert _call(api, "GET", "/rest/v1.0/projects/2001/rfis", "bob-token")[0] == 404
    # Disconnected install in company 202: the header check answers first.
    assert _call(api, "GET", "/rest/v1.0/projects/2001/rfis", token, company=202)[0] == 403
    # Unauthenticated: 401 as on modelled routes.
    assert _call(api, "GET", "/rest/v1.0/projects/1001/rfis", "nope")[0] == 401


def test_a_person_reads_by_the_membership_template(api: Api) -> None:
    # Bob's membership on 1001 has rfi = readonly, daily_log = standard.
    assert _call(api, "GET", "/rest/v1.0/projects/1001/rfis", "bob-token")[0] == 200
    assert _call(api, "POST", "/rest/v1.0/projects/1001/rfis", "bob-token")[0] == 403


def test_undocumented_paths_still_404(api: Api) -> None:
    status, text = _call(api, "GET", "/rest/v1.0/projects/1001/not_a_resource", "bob-token")
    assert status == 404 and "No route matches" in text


def test_a_world_can_turn_catalog_mode_off(make_api: Callable[..., Api]) -> None:
    world = small_world()
    off = world.model_copy(update={"world": world.world.model_copy(update={"catalog": False})})
    api = make_api(off)
    assert _call(api, "GET", "/rest/v1.0/projects/1001/rfis", "bob-token")[0] == 404


def test_packaged_catalog_is_the_build_script_output_for_the_reference() -> None:
    """The emulator's data file is derived from the reference, never edited by hand."""
    import importlib.util

    source = ref.require_reference()
    spec = importlib.util.spec_from_file_location(
        "build_emulator_catalog", ref.REPO_ROOT / "scripts" / "build_emulator_catalog.py"
    )
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    rows = script.build_rows(source.read_text(encoding="utf-8").splitlines())
    packaged = ref.REPO_ROOT / "src" / "dmsa_migrate" / "emulator" / "data" / oas.DATA_FILE
    assert json.loads(gzip.decompress(packaged.read_bytes())) == json.loads(
        json.dumps(rows)
    ), "rebuild: python scripts/build_emulator_catalog.py"
    assert len(oas.catalog().operations) == len(ref.operations())
