"""``scan``: planted credentials in many file types, endpoints, ignore marker, baseline."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from dmsa_migrate.cli import main
from dmsa_migrate.inventory.scan import scan_tree
from tests.inventory.conftest import FIXTURES

PLANTED_SECRETS = {
    ".env": "9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c",
    "config/settings.yaml": "Yq3vN8pL2xR7tK5wM1zB4cF6hJ9dG0sA",
    "config/appsettings.json": "Zx9Wv8Ut7Sr6Qp5On4Ml3Kj2Ih1Gf0Ed",
    "config/legacy.ini": "Lm3Nb5Vc7Xz9As1Df2Gh4Jk6Pq8Wr0Et",
    "config/app.config": "Tg5Yh6Uj7Ik8Ol9Pa0Sd1Fg2Hj3Kl4Zx",
    "src/client.ts": "Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0Lz9Xc",
    "lib/ProcoreApi.cs": "Mn2Bv4Cx6Zl8Kj0Hg1Fd3Sa5Qp7Wo9Ei",
    "lib/Procore.java": "Rt5Yu6Io7Pa8Sd9Fg0Hj1Kl2Zx3Cv4Bn",
    "lib/procore.rb": "Vb7Nm8Qw9Er0Ty1Ui2Op3As4Df5Gh6Jk",
}
IGNORED_SECRET = "Hk4Jm7Np2Qr5St8Uv1Wx3Yz6Ab9Cd0Ef"
VENDORED_SECRET = "Pp1Oo2Ii3Uu4Yy5Tt6Rr7Ee8Ww9Qq0Aa"
BINARY_SECRET = "Ab1Cd2Ef3Gh4Ij5Kl6Mn7Op8Qr9St0Uv"
EVERY_PLANTED = [*PLANTED_SECRETS.values(), IGNORED_SECRET, VENDORED_SECRET, BINARY_SECRET]


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """The fixture integration plus a vendored copy and a binary file (both to be skipped)."""
    root = tmp_path / "integration"
    shutil.copytree(FIXTURES / "integration", root)
    (root / "vendor" / "procore-sdk").mkdir(parents=True)
    (root / "vendor" / "procore-sdk" / "client.py").write_text(
        f'CLIENT_SECRET = "{VENDORED_SECRET}"  # procore\n'
    )
    (root / "src" / "blob.py").write_bytes(
        b"PK\x03\x04\x00procore client_secret = '" + BINARY_SECRET.encode() + b"'\n"
    )
    return root


def test_finds_every_planted_credential_in_many_file_types(tree: Path) -> None:
    report = scan_tree(tree).report
    files = {finding.file for finding in report.secrets if finding.kind == "client_secret"}
    assert files == set(PLANTED_SECRETS)
    assert len({Path(f).suffix or f for f in files}) >= 6
    assert report.ignored == 1
    ids = {f.file: f.redacted for f in report.secrets if f.kind == "client_id"}
    assert ids[".env"] == "tsa-…2d"
    dumped = report.model_dump_json()
    assert not any(secret in dumped for secret in EVERY_PLANTED)


def test_finds_endpoints_with_methods_and_flags_vapid(tree: Path) -> None:
    report = scan_tree(tree).report
    calls = {(e.method, e.template, e.file) for e in report.endpoints if e.method_inferred}
    assert ("GET", "/rest/v1.0/projects/{project_id}/rfis", "src/sync.py") in calls
    assert ("POST", "/rest/v1.0/projects/{project_id}/daily_logs", "src/sync.py") in calls
    assert ("PATCH", "/rest/v1.1/projects/{project_id}/submittals/{id}", "src/client.ts") in calls
    assert ("POST", "/rest/v1.0/projects/{project_id}/documents", "lib/ProcoreApi.cs") in calls
    assert ("GET", "/rest/v1.0/folders", "lib/ProcoreApi.cs") in calls
    assert ("GET", "/rest/v1.0/projects/{project_id}/observations/items",
            "lib/Procore.java") in calls
    assert ("DELETE", "/rest/v1.0/projects/{project_id}/images/{id}", "lib/procore.rb") in calls
    vapid = [e for e in report.endpoints if e.template.startswith("/vapid/")]
    assert vapid and all(e.deprecated for e in vapid)
    usage = {(u.method, u.template): u for u in report.usage}
    assert usage[("GET", "/rest/v1.0/projects/{project_id}/rfis")].locations == ["src/sync.py:12"]


def test_fingerprints_stay_stable_when_lines_move(tree: Path) -> None:
    before = {f.file: f.fingerprint for f in scan_tree(tree).report.secrets}
    env = tree / ".env"
    env.write_text("\n\n# moved down\n" + env.read_text())
    after_report = scan_tree(tree).report
    after = {f.file: f.fingerprint for f in after_report.secrets}
    assert after == before
    assert {f.line for f in after_report.secrets if f.file == ".env"} == {5, 6}


def test_cli_never_prints_a_secret_and_honours_the_baseline(
    tree: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "scan.json"
    baseline = tmp_path / "baseline.json"
    code = main(["scan", str(tree), "--out", str(out), "--write-baseline", str(baseline)])
    printed = capsys.readouterr()
    assert code == 1
    assert "src/sync.py:12: GET /rest/v1.0/projects/{project_id}/rfis" in printed.out
    assert "config/settings.yaml:4: client_secret client_secret = «redacted»" in printed.out
    everything = printed.out + printed.err + out.read_text() + baseline.read_text()
    assert not any(secret in everything for secret in EVERY_PLANTED)
    assert out.stat().st_mode & 0o777 == 0o600

    code = main(["scan", str(tree), "--baseline", str(baseline), "--json"])
    printed = capsys.readouterr()
    assert code == 0
    data = json.loads(printed.out)
    assert data["baselined"] == len(data["secrets"]) > 0
    assert not any(secret in printed.out + printed.err for secret in EVERY_PLANTED)

    (tree / "config" / "new.yaml").write_text(
        'procore:\n  client_secret: "Ee5Rr6Tt7Yy8Uu9Ii0Oo1Pp2Aa3Ss4Dd"\n'
    )
    code = main(["scan", str(tree), "--baseline", str(out)])  # an earlier report works too
    printed = capsys.readouterr()
    assert code == 1
    assert "config/new.yaml:2" in printed.out and "Ee5Rr6Tt7Yy8" not in printed.out


def test_placeholders_and_references_are_not_findings(tmp_path: Path) -> None:
    (tmp_path / "settings.py").write_text(
        "# procore settings\n"
        'PROCORE_CLIENT_SECRET = os.environ["PROCORE_CLIENT_SECRET"]\n'
        'client_secret = "your-client-secret-here"\n'
        'client_secret = "${PROCORE_SECRET}"\n'
        "client_secret = settings.secret_value_from_vault\n"
    )
    (tmp_path / "other.env").write_text("CLIENT_SECRET=Aq1Sw2De3Fr4Gt5Hy6Ju7Ki8Lo9Pl0Mk\n")
    report = scan_tree(tmp_path).report
    assert report.secrets == []  # the .env one has no Procore context


@pytest.mark.parametrize(
    ("path", "test"),
    [
        ("tests/test_rfis.py", True), ("procore/client_test.go", True),
        ("spec/sync_spec.rb", True), ("src/__mocks__/api.js", True),
        ("src/app.spec.ts", True), ("Procore.Client.Tests/Helpers.cs", True),
        ("src/test/java/com/acme/ClientTest.java", True), ("tests/ApiTest.php", True),
        ("src/latest/sync.py", False), ("lib/contest.py", False), ("app/specs.rb", False),
        ("src/attestation/sign.go", False), ("procore/client.go", False),
    ],
)
def test_test_and_mock_files_are_told_apart(path: str, test: bool) -> None:
    from dmsa_migrate.inventory.scan.walk import is_test_path

    assert is_test_path(path) is test


@pytest.mark.parametrize(
    ("name", "line"),
    [
        ("Sync.kt", 'val url = "https://api.procore.com/rest/v1.0/projects/$projectId/rfis"'),
        ("Sync.groovy", 'def url = "/rest/v1.0/projects/${projectId}/rfis"'),
        ("Sync.swift", 'let url = "https://api.procore.com/rest/v1.0/projects/\\(projectId)/rfis"'),
    ],
)
def test_string_interpolation_of_other_languages_is_a_parameter(
    tmp_path: Path, name: str, line: str
) -> None:
    """Files without a parser are read line by line: their interpolations are ids too, so
    the permission map can name the endpoint (not a literal ``$projectId`` segment)."""
    (tmp_path / name).write_text(f"// procore\n{line}\n", encoding="utf-8")
    (endpoint,) = scan_tree(tmp_path).report.endpoints
    assert endpoint.template == "/rest/v1.0/projects/{project_id}/rfis"
    assert endpoint.known


def test_a_base_option_beside_a_url_is_not_an_sdk_endpoint_config(tmp_path: Path) -> None:
    """Only a first argument that is an object is read as Procore's JS SDK config; a call
    that gives its URL first keeps that URL."""
    (tmp_path / "a.js").write_text(
        'const procore = require("@procore/js-sdk");\n'
        'http.get("/rest/v1.0/projects/" + id + "/rfis", { base: "/me" });\n'
        'client.get({ base: "/projects/{project_id}/tasks", params: { project_id: 1 } });\n',
        encoding="utf-8",
    )
    found = {e.template for e in scan_tree(tmp_path).report.endpoints}
    assert found == {"/rest/v1.0/projects/{project_id}/rfis",
                     "/rest/v1.0/projects/{project_id}/tasks"}


def test_a_generated_method_the_map_does_not_hold_is_a_blind_spot(tmp_path: Path) -> None:
    """A method named like a generated operation that Procore's document (as the map holds
    it) does not have, such as one from a newer document, is said, not dropped."""
    (tmp_path / "sync.py").write_text(
        "import procore_sdk\n"
        "api = procore_sdk.CorePortfolioProjectsApi(client)\n"
        "api.rest_v10_projects_get(1, company_id=1)\n"
        "api.rest_v10_projects_project_id_teleporters_get(1, 2)\n",
        encoding="utf-8",
    )
    report = scan_tree(tmp_path).report
    assert [(e.method, e.template, e.found_by) for e in report.endpoints] == [
        ("GET", "/rest/v1.0/projects", "operation-name")]
    (spot,) = report.blind_spots
    assert spot.line == 4 and "names no operation" in spot.reason
    assert report.coverage.summary == "resolved 1 of 2 call sites"


def test_self_referring_maps_and_loops_end_with_what_can_be_known(tmp_path: Path) -> None:
    """Scanned code is untrusted: a mapping whose values read the mapping by a computed key,
    and a loop whose list reads its own variable, would fan out at every step if followed;
    they are read once and the rest is a hole."""
    entries = "".join(f'    "k{i}": D[name] + "/x{i}",\n' for i in range(12))
    (tmp_path / "evil.py").write_text(
        "import requests\n"
        f"D = {{\n{entries}    \"rfis\": \"/projects/{{pid}}/rfis\",\n}}\n"
        "def f(name, pid):\n"
        "    requests.get('https://api.procore.com/rest/v1.0' + D[name])\n"
        "    for x in [x + '/a', x + '/b', x + '/c', x + '/d']:\n"
        "        requests.get('https://api.procore.com/rest/v1.0/projects/1/' + x)\n",
        encoding="utf-8",
    )
    report = scan_tree(tmp_path).report
    assert "/rest/v1.0/projects/{project_id}/rfis" in {e.template for e in report.endpoints}
    assert report.coverage.call_sites == 2


def test_wrappers_that_each_call_the_next_twice_are_read_within_a_budget(
    tmp_path: Path,
) -> None:
    """25 wrappers, each calling the next in two places, are 2^25 readings of one call site
    if every path is followed; the scan reads a bounded number and goes on to the rest of
    the tree (here, a plain call beside them)."""
    chain = "".join(
        f"def w{i}(p):\n    return w{i + 1}(p + '/x') if p else w{i + 1}(p + '/y')\n"
        for i in range(25))
    (tmp_path / "wrap.py").write_text(
        "import requests\n" + chain
        + "def w25(p):\n    return requests.get('https://api.procore.com/rest/v1.0' + p)\n"
        "w0('/rfis')\n"
        "requests.get('https://api.procore.com/rest/v1.0/projects/7/rfis')\n",
        encoding="utf-8",
    )
    report = scan_tree(tmp_path).report
    assert "/rest/v1.0/projects/{project_id}/rfis" in {e.template for e in report.endpoints}
