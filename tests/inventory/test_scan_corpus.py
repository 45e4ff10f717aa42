"""The code scan on a corpus of small integrations written the ways real ones are.

Each folder of ``tests/inventory/corpus/`` is one integration in one shape (a Python SDK of
wrapper classes, a Go connector with URL constants, a Node connector with path options and
``versionPath``, a Rails client of ``list``/``create`` wrappers, a C# client with a class per
endpoint, Java, PHP, plain scripts, a TypeScript axios client) and carries ``truth.toml``:
every (method, path) its code calls, read by hand. Its tests and mocks call other endpoints
on purpose, and commented-out calls name others still: none of those may count.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

from dmsa_migrate.cli import main
from dmsa_migrate.inventory.scan import scan_tree
from dmsa_migrate.models.common import LEVEL_ORDER
from dmsa_migrate.models.scan import ScanReport
from dmsa_migrate.permissions.map import PermissionMap, build_map
from dmsa_migrate.permissions.unknown_method import explain_call
from tests.inventory.conftest import CORPUS

DOCS = Path(__file__).resolve().parents[2] / "docs" / "inventory.md"
INTEGRATIONS = sorted(path.name for path in CORPUS.iterdir() if path.is_dir())
Pair = tuple[str, str]


def _pair(method: str, template: str) -> Pair:
    """Parameter names are the permission map's business: compare the shape only."""
    return method.upper(), re.sub(r"\{[^}]*\}", "{}", template)


def truth(name: str) -> set[Pair]:
    data = tomllib.loads((CORPUS / name / "truth.toml").read_text(encoding="utf-8"))
    return {_pair(*line.split(" ", 1)) for line in data["endpoints"]}


def found(report: ScanReport, evidence: str = "code") -> set[Pair]:
    return {_pair(e.method, e.template) for e in report.endpoints if e.evidence == evidence}


@dataclass
class Score:
    name: str
    expected: int
    reported: int
    right: int

    @property
    def recall(self) -> float:
        return self.right / self.expected

    @property
    def precision(self) -> float:
        return self.right / self.reported if self.reported else 1.0


def score(name: str) -> Score:
    expected = truth(name)
    reported = found(scan_tree(CORPUS / name).report)
    return Score(name, len(expected), len(reported), len(expected & reported))


@pytest.fixture(scope="module")
def scores() -> list[Score]:
    return [score(name) for name in INTEGRATIONS]


def test_the_corpus_covers_every_shape_and_language() -> None:
    suffixes = {p.suffix for p in CORPUS.rglob("*") if p.is_file()}
    assert {".py", ".go", ".js", ".ts", ".rb", ".cs", ".java", ".php", ".sh"} <= suffixes
    assert len(INTEGRATIONS) >= 9


def test_recall_and_precision_meet_the_goal(scores: list[Score]) -> None:
    right = sum(s.right for s in scores)
    recall = right / sum(s.expected for s in scores)
    precision = right / sum(s.reported for s in scores)
    assert recall >= 0.9, [(s.name, s.recall) for s in scores]
    assert precision >= 0.95, [(s.name, s.precision) for s in scores]
    assert all(s.recall >= 0.8 for s in scores), [(s.name, s.recall) for s in scores]


def test_docs_table_shows_the_measured_scores(scores: list[Score]) -> None:
    text = DOCS.read_text(encoding="utf-8")
    for s in scores:
        row = f"| {s.name} | {s.right}/{s.expected} | {s.right}/{s.reported} |"
        assert row in text, f"docs/inventory.md: update the corpus table row: {row}"


def test_tests_and_mocks_are_evidence_apart_and_not_usage() -> None:
    report = scan_tree(CORPUS / "python-sdk").report
    tests = [e for e in report.endpoints if e.evidence == "test"]
    assert {e.file for e in tests} == {"tests/test_rfis.py"}
    assert ("DELETE", "/rest/v1.0/projects/{}/drawings/{}") in found(report, "test")
    used = {_pair(u.method, u.template) for u in report.usage}
    assert used == truth("python-sdk")
    counted = scan_tree(CORPUS / "python-sdk", include_tests=True).report
    assert ("DELETE", "/rest/v1.0/projects/{}/drawings/{}") in {
        _pair(u.method, u.template) for u in counted.usage
    }


def test_commented_out_calls_and_assignments_are_not_calls() -> None:
    everything = set()
    for name in INTEGRATIONS:
        report = scan_tree(CORPUS / name).report
        everything |= {e.template for e in report.endpoints}
    assert "/rest/v1.0/projects/{project_id}/drawings" not in everything  # node, rails comments
    assert "/rest/v1.0/projects/{project_id}/schedule" not in everything  # assigned, never called
    go = {e.template for e in scan_tree(CORPUS / "go-connector").report.endpoints}
    assert not any(t.endswith("/submittals") for t in go)  # a commented-out Go constant


def test_each_endpoint_names_its_call_site_how_it_was_found_and_a_confidence() -> None:
    report = scan_tree(CORPUS / "go-connector").report
    by_pair = {_pair(e.method, e.template): e for e in report.endpoints}
    post = by_pair[("POST", "/rest/v1.0/projects/{}/timecard_entries")]
    assert (post.file, post.line) == ("procore/timecards.go", 17)  # the call, not the constant
    assert post.found_by == "wrapper" and post.confidence == "high"
    assert "procore/urls.go:10" in post.via
    csharp = scan_tree(CORPUS / "csharp-client").report
    create = next(e for e in csharp.endpoints if e.method == "POST")
    assert (create.file, create.found_by) == ("Procore.Client/Requests/Rfis.cs", "class-member")
    assert "Procore.Client/ProcoreClient.cs:20" in create.via
    node = scan_tree(CORPUS / "node-connector").report
    mine = [e for e in node.endpoints if e.evidence == "code"]
    assert {e.found_by for e in mine} == {"wrapper"}  # path options through the app's wrappers
    submittals = next(e for e in mine if e.template.endswith("/submittals"))
    assert submittals.template.startswith("/rest/v1.1/")  # its versionPath option
    assert "src/constants.js:1" in submittals.via  # BASE_URL
    axios = scan_tree(CORPUS / "ts-axios").report
    assert {(e.found_by, e.confidence) for e in axios.endpoints} == {("base+relative", "medium")}


def test_blind_spots_and_the_coverage_line() -> None:
    report = scan_tree(CORPUS / "scripts").report
    assert [(b.file, b.line) for b in report.blind_spots] == [("sync_rfis.py", 31)]
    assert "other" in report.blind_spots[0].reason
    assert report.coverage.summary == "resolved 4 of 5 call sites"


def test_another_hosts_look_alike_paths_are_not_procore_calls() -> None:
    report = scan_tree(CORPUS / "erp-sync").report
    assert {e.file for e in report.endpoints} == {"erp_sync/procore.py"}  # none from erp.py
    [spot] = report.blind_spots
    assert (spot.file, spot.line) == ("erp_sync/procore.py", 25)
    assert "base_url" in spot.reason and "erp.acme-builders.example.net" in spot.reason


def test_unknown_method_is_never_reported_as_get(tmp_path: Path) -> None:
    (tmp_path / "client.py").write_text(
        "import procore_http\n"
        "def sync(client, project_id):\n"
        "    client.send(f'/rest/v1.0/projects/{project_id}/rfis', verb=CONFIGURED)\n"
    )
    report = scan_tree(tmp_path).report
    assert [(e.method, e.method_inferred, e.confidence) for e in report.endpoints] == [
        ("UNKNOWN", False, "low")
    ]
    names = build_map(include_user_files=False)
    writes = [names.explain(verb, "/rest/v1.0/projects/7/rfis") for verb in ("POST", "PATCH")]
    highest = max((w.level for w in writes if w.level), key=LEVEL_ORDER.__getitem__)
    assert report.endpoints[0].level == highest != "readonly"  # read as a possible write


def test_cli_prints_blind_spots_and_coverage(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["scan", str(CORPUS / "scripts")])
    printed = capsys.readouterr().out
    assert code == 0
    assert "sync_rfis.py:31: blind spot: requests.post" in printed
    assert "resolved 4 of 5 call sites" in printed
    # the placeholder's name is the permission map's ({id}, {rfi_id} …)
    replies = r"sync_rfis.py:19: POST /rest/v1.0/projects/\{project_id\}/rfis/\{\w+\}/replies"
    assert re.search(replies, printed)


def test_hostile_code_is_read_without_failing(tmp_path: Path) -> None:
    chain = "\n".join(f'X{i} = X{i - 1} + "/a"' for i in range(1, 3000))
    nested = "(" * 6 + '"/rest/v1.0/me"' + ")" * 6
    too_deep = "(" * 2000 + '"/rest/v1.0/users"' + ")" * 2000
    (tmp_path / "deep.py").write_text(
        f'import requests\nX0 = "/rest/v1.0/projects"\n{chain}\n'
        f"requests.get(X2999)\nrequests.get({nested})\nrequests.get({too_deep})\n"
        "requests.post(X5 + '/rfis')\n"
    )
    (tmp_path / "broken.js").write_text("fetch(`/rest/v1.0/${ {{{ ` + ))) ;;\n\x00\x01")
    report = scan_tree(tmp_path).report
    found = {(e.method, e.template) for e in report.endpoints}
    assert ("GET", "/rest/v1.0/me") in found
    assert ("POST", "/rest/v1.0/projects/a/a/a/a/a/rfis") in found
    assert report.coverage.call_sites >= 3


def _needed(names: PermissionMap, pairs: set[Pair]) -> dict[tuple[str, str], str]:
    """(scope, tool) → the highest level the endpoints need, as the manifest reads them."""
    needed: dict[tuple[str, str], str] = {}
    for method, template in pairs:
        answer = explain_call(names, method, template)
        if answer.tool and answer.level:
            key = (answer.scope, answer.tool)
            if LEVEL_ORDER[answer.level] > LEVEL_ORDER.get(needed.get(key, "none"), 0):
                needed[key] = answer.level
    return needed


@pytest.mark.parametrize("name", INTEGRATIONS)
def test_every_tool_the_code_needs_is_found_at_its_level(name: str) -> None:
    names = build_map(include_user_files=False)
    data = tomllib.loads((CORPUS / name / "truth.toml").read_text(encoding="utf-8"))
    true_pairs = {(line.split(" ", 1)[0], line.split(" ", 1)[1]) for line in data["endpoints"]}
    report = scan_tree(CORPUS / name, permission_map=names).report
    used = {(u.method, u.template) for u in report.usage}
    assert _needed(names, used) == _needed(names, true_pairs)


def test_integrations_side_by_side_in_one_tree_keep_their_endpoints(tmp_path: Path) -> None:
    """A monorepo: one service's wrapper named ``get`` must not capture another service's
    ``procore.get(…)`` on an axios instance, nor a router's ``router.get(…)``."""
    import shutil

    for copy in ("a", "b"):
        for name in INTEGRATIONS:
            shutil.copytree(CORPUS / name, tmp_path / copy / name)
    report = scan_tree(tmp_path).report
    expected = set().union(*(truth(name) for name in INTEGRATIONS))
    assert found(report) == expected
    spots = {(b.file.split("/", 2)[2], b.line) for b in report.blind_spots}
    assert spots == {("sync_rfis.py", 31), ("erp_sync/procore.py", 25)}
