"""``dmsa-migrate scan PATH``: Procore credentials (redacted) and endpoints in a source tree."""

from __future__ import annotations

import argparse
import json
from typing import Any

from dmsa_migrate.cli._options import add_out_option
from dmsa_migrate.errors import EXIT_FINDINGS, EXIT_OK


def register(subparsers: Any) -> None:
    """Register ``scan``."""
    parser = subparsers.add_parser(
        "scan",
        help="secret and endpoint scan of a source tree",
        description=(
            "Find Procore credentials (always shown redacted) and the Procore endpoints the "
            "code calls. Exit 1 when a credential is found that is neither marked with "
            "'dmsa-migrate:ignore' nor in the baseline."
        ),
    )
    parser.add_argument("path", metavar="PATH")
    add_out_option(parser, "scan result (JSON)")
    parser.add_argument("--baseline", metavar="FILE",
                        help="accepted findings: a baseline file or an earlier scan result")
    parser.add_argument("--write-baseline", metavar="FILE",
                        help="write every current finding's fingerprint to FILE")
    parser.add_argument("--include-tests", action="store_true",
                        help="count calls in test and mock files as the integration's usage "
                        "(they are always reported, as test evidence)")
    parser.add_argument("--sarif", metavar="FILE",
                        help="also write the findings as SARIF 2.1.0 (code-scanning upload)")
    parser.add_argument("--json", action="store_true", help="print the JSON result on stdout")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Scan, write what was asked, print the summary; exit 1 on new credentials."""
    from dmsa_migrate.cli._progress import progress_display
    from dmsa_migrate.fileio import atomic_write_json
    from dmsa_migrate.inventory.scan import load_baseline, scan_tree
    from dmsa_migrate.models.scan import Baseline
    from dmsa_migrate.secrets import redact

    accepted = load_baseline(args.baseline) if args.baseline else set()
    with progress_display("scan") as show:
        outcome = scan_tree(args.path, baseline=accepted, on_progress=show,
                            include_tests=args.include_tests)
    report = outcome.report
    data = report.model_dump(by_alias=True, mode="json")
    if args.out:
        atomic_write_json(args.out, data)
    if args.sarif:
        from dmsa_migrate import __version__
        from dmsa_migrate.inventory.scan.sarif import scan_sarif

        atomic_write_json(args.sarif, scan_sarif(report, __version__))
    if args.write_baseline:
        baseline = Baseline(fingerprints=sorted({f.fingerprint for f in report.secrets}))
        atomic_write_json(args.write_baseline, baseline.model_dump(by_alias=True))
    if args.json:
        print(redact(json.dumps(data, indent=2, ensure_ascii=False)))
    else:
        for line in _summary(report):
            print(redact(line))
    return EXIT_FINDINGS if report.new_secrets else EXIT_OK


def _summary(report: Any) -> list[str]:
    lines = [f"scanned {report.files_scanned} file(s) under {report.root} "
             f"({report.files_skipped} skipped)"]
    for finding in report.secrets:
        state = " [baseline]" if finding.baselined else ""
        lines.append(
            f"{finding.file}:{finding.line}: {finding.kind} {finding.key} = {finding.redacted} "
            f"({finding.length} chars) fingerprint {finding.fingerprint}{state}"
        )
    if report.ignored or report.baselined:
        lines.append(f"{report.ignored} ignored inline, {report.baselined} in the baseline")
    for endpoint in report.endpoints:
        lines.append(_endpoint_line(endpoint))
    for spot in report.blind_spots:
        lines.append(f"{spot.file}:{spot.line}: blind spot: {spot.call} ({spot.reason})")
    lines.append(report.coverage.summary)
    return lines


def _endpoint_line(endpoint: Any) -> str:
    method = endpoint.method if endpoint.method_inferred else f"{endpoint.method}?"
    tool = f"{endpoint.tool} {endpoint.scope} {endpoint.level}" if endpoint.tool else (
        "mapped, no tool" if endpoint.known else "not in the permission map")
    flag = "  SUNSET /vapid/ path" if endpoint.deprecated else ""
    test = "  [test evidence]" if endpoint.evidence == "test" else ""
    return (f"{endpoint.file}:{endpoint.line}: {method} {endpoint.template}  ({tool}; "
            f"{endpoint.found_by}, {endpoint.confidence} confidence){flag}{test}")
