"""The scan as SARIF 2.1.0, for code-scanning dashboards (GitHub, GitLab, Azure DevOps).

Why: a CI job that scans an integration's repository wants its findings where reviewers
already look, one annotation per line, not a JSON file of our own shape. The SARIF file is
built from the same :class:`~dmsa_migrate.models.scan.ScanReport` as ``--out`` and holds no
more: a credential's value never appears (only its kind, the name it is assigned to, its
length and the masked form the report shows), so the file may be uploaded as is.

What becomes a result:

* each credential (``error``; ``note`` with ``baselineState: unchanged`` when the baseline
  accepts it), fingerprinted with the scan's own fingerprint so a dashboard follows it
  across line moves;
* each call of a sunset ``/vapid/`` path (``warning``);
* each endpoint the permission map does not know (``note``): the manifest cannot derive a
  tool from it;
* each blind spot (``note``): a Procore-bound call the scan could not resolve.
"""

from __future__ import annotations

from typing import Any

from dmsa_migrate.models.scan import BlindSpot, EndpointFinding, ScanReport, SecretFinding

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT_KEY = "dmsaMigrateFingerprint/v1"

_RULES: dict[str, tuple[str, str]] = {
    "procore-client-secret": (
        "A Procore client secret in the code",
        "Move it to a secret store and rotate it; the DMSA app's secret belongs in the "
        "integration's secret settings, never in the repository."),
    "procore-client-id": (
        "A Procore client id in the code",
        "Not a secret by itself, but it names the old service account this code uses: "
        "list it in the migration inventory."),
    "procore-access-token": (
        "A Procore access token in the code",
        "Revoke it and read tokens at run time."),
    "procore-refresh-token": (
        "A Procore refresh token in the code",
        "Revoke it (it can mint new access tokens) and keep it in a secret store."),
    "procore-vapid-endpoint": (
        "A call to a sunset /vapid/ path",
        "Procore retired the Vapid API: move the call to its /rest/ equivalent."),
    "procore-unmapped-endpoint": (
        "An endpoint the permission map does not know",
        "No DMSA tool permission can be derived from it; check the path, or refresh the "
        "map (dmsa-migrate routes import-openapi)."),
    "procore-blind-spot": (
        "A Procore call whose path the scan could not resolve",
        "Its endpoint is missing from the usage evidence; add it by hand or record the "
        "integration's traffic (dmsa-migrate record)."),
}


def scan_sarif(report: ScanReport, version: str) -> dict[str, Any]:
    """The SARIF log of one scan (one run, the rules it uses, its results)."""
    results = [_secret_result(finding) for finding in report.secrets]
    for endpoint in report.endpoints:
        if endpoint.evidence == "code":
            results.extend(_endpoint_results(endpoint))
    results.extend(_blind_spot_result(spot) for spot in report.blind_spots)
    used = sorted({result["ruleId"] for result in results})
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "dmsa-migrate",
                "version": version,
                "rules": [_rule(rule_id) for rule_id in used],
            }},
            "originalUriBaseIds": {"SRCROOT": {"description": {
                "text": "the folder the scan was given"}}},
            "results": results,
        }],
    }


def _rule(rule_id: str) -> dict[str, Any]:
    short, help_text = _RULES[rule_id]
    return {"id": rule_id, "shortDescription": {"text": short}, "help": {"text": help_text}}


def _location(file: str, line: int) -> list[dict[str, Any]]:
    return [{"physicalLocation": {
        "artifactLocation": {"uri": file.replace("\\", "/"), "uriBaseId": "SRCROOT"},
        "region": {"startLine": max(1, line)},
    }}]


def _secret_result(finding: SecretFinding) -> dict[str, Any]:
    words = finding.kind.replace("_", " ")
    text = (f"Procore {words} assigned to {finding.key}: {finding.redacted} "
            f"({finding.length} chars)")
    result: dict[str, Any] = {
        "ruleId": f"procore-{finding.kind.replace('_', '-')}",
        "level": "note" if finding.baselined else (
            "warning" if finding.kind == "client_id" else "error"),
        "message": {"text": text},
        "locations": _location(finding.file, finding.line),
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
    }
    if finding.baselined:
        result["baselineState"] = "unchanged"
    return result


def _endpoint_results(endpoint: EndpointFinding) -> list[dict[str, Any]]:
    call = f"{endpoint.method} {endpoint.template}"
    out: list[dict[str, Any]] = []
    if endpoint.deprecated:
        out.append({"ruleId": "procore-vapid-endpoint", "level": "warning",
                    "message": {"text": f"{call} calls the sunset Vapid API"},
                    "locations": _location(endpoint.file, endpoint.line)})
    if not endpoint.known:
        out.append({"ruleId": "procore-unmapped-endpoint", "level": "note",
                    "message": {"text": f"{call} is not in the permission map"},
                    "locations": _location(endpoint.file, endpoint.line)})
    return out


def _blind_spot_result(spot: BlindSpot) -> dict[str, Any]:
    return {"ruleId": "procore-blind-spot", "level": "note",
            "message": {"text": f"{spot.call}: {spot.reason}"},
            "locations": _location(spot.file, spot.line)}
