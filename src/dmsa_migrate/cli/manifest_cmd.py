"""``dmsa-migrate manifest`` (step 2) and ``manifest diff OLD NEW``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from dmsa_migrate.cli._options import add_out_option
from dmsa_migrate.cli._session import add_session_options, engagement_for, report_run
from dmsa_migrate.cli.routes_cmd import add_map_option

if TYPE_CHECKING:
    from dmsa_migrate.manifest.generate import GeneratedManifest


def register(subparsers: Any) -> None:
    """Register ``manifest`` and ``manifest diff``."""
    manifest = subparsers.add_parser(
        "manifest", help="step 2: generate or diff a DMSA manifest",
        description="Write a v4.1 DMSA manifest from an inventory and usage evidence. With "
        "--out, the reasons for every permission go to a sidecar NAME.explain.json.",
    )
    manifest.add_argument(
        "--inventory", metavar="FILE",
        help="inventory.json from step 1 (default: the session's last inventory)",
    )
    manifest.add_argument(
        "--usage", action="append", default=[], metavar="FILE",
        help="usage evidence: an API Call Activity Report CSV, or JSON usage entries "
        "(a list, or an object with a 'usage' list); repeatable",
    )
    manifest.add_argument(
        "--mode", choices=("mirror", "least-privilege"), default=None,
        help="mirror the old access, or narrow it to the observed usage (default: the "
        "session playbook's mode, else least-privilege when there is usage evidence, "
        "else mirror)",
    )
    add_out_option(manifest, "manifest")
    add_map_option(manifest)
    manifest.add_argument("--explain", action="store_true", help="print every permission's reason")
    manifest.add_argument(
        "--allow-wider", action="store_true",
        help="least-privilege: grant what the usage needs even above the old access",
    )
    manifest.add_argument("--instruction-notes", metavar="TEXT", help="post-installation notes")
    manifest.add_argument("--instruction-url", metavar="URL", help="post-installation page URL")
    manifest.add_argument(
        "--instruction-label", metavar="TEXT", help="post-installation page label"
    )
    add_session_options(manifest, "manifest")
    manifest.set_defaults(handler=_generate)
    manifest_sub = manifest.add_subparsers(dest="manifest_command", metavar="ACTION")
    diff = manifest_sub.add_parser(
        "diff", help="compare two manifests; exit 1 if NEW widens",
        description="Added, removed, raised and lowered permissions per scope and tool. Reads "
        "v4.1 and legacy v3.x manifests. Exit 1 when NEW widens access over OLD.",
    )
    diff.add_argument("old", metavar="OLD")
    diff.add_argument("new", metavar="NEW")
    diff.add_argument("--json", action="store_true", help="print the result as JSON")
    diff.set_defaults(handler=_diff)


def _generate(args: argparse.Namespace) -> int:
    from dmsa_migrate.engagement import ManifestRequest, generate
    from dmsa_migrate.errors import InputError
    from dmsa_migrate.fileio import atomic_write_text, refuse_special_targets

    if not args.inventory and not args.session:
        raise InputError(
            "manifest: --inventory FILE or --session NAME is required "
            "(or use 'manifest diff OLD NEW')"
        )
    if args.out:  # before the work: a refused sidecar must not leave half a result behind
        refuse_special_targets(Path(args.out), explain_path(Path(args.out)))
    engagement = engagement_for(args)
    outcome = generate(engagement, ManifestRequest(
        inventory=args.inventory, usage=args.usage, mode=args.mode, map_files=args.map_files,
        allow_wider=args.allow_wider, instruction_notes=args.instruction_notes,
        instruction_url=args.instruction_url, instruction_label=args.instruction_label,
    ))
    result = outcome.result
    report: TextIO = sys.stderr
    if args.out:
        out = Path(args.out)
        atomic_write_text(out, outcome.text)
        sidecar = explain_path(out)
        atomic_write_text(sidecar, outcome.explain_text)
        report = sys.stdout
        print(f"wrote {out} ({result.explanation.mode}) and {sidecar}", file=report)
    else:
        print(outcome.text, end="")
    _report(result, report, explain=args.explain)
    report_run(args, outcome.run)
    return 0


def explain_path(out: Path) -> Path:
    """``manifest.json`` → ``manifest.explain.json`` beside it."""
    stem = out.name[: -len(".json")] if out.name.endswith(".json") else out.name
    return out.with_name(f"{stem}.explain.json")


def _report(result: GeneratedManifest, stream: TextIO, *, explain: bool) -> None:
    explanation = result.explanation
    if explain:
        for reason in explanation.permissions:
            print(f"{reason.scope}.{reason.tool} = {reason.level}: {reason.reason}", file=stream)
            for item in reason.evidence:
                print(f"    {item.label} -> {item.level} [{', '.join(item.sources)}]",
                      file=stream)
        for reason in explanation.not_granted:
            print(f"{reason.scope}.{reason.tool} left out: {reason.reason}", file=stream)
    for finding in explanation.findings:
        print(f"{finding.severity}: [{finding.code}] {finding.message}", file=stream)


def _diff(args: argparse.Namespace) -> int:
    from dmsa_migrate.manifest.diff import diff_files, render_diff

    result = diff_files(args.old, args.new)
    if args.json:
        print(json.dumps(result.model_dump(mode="json", by_alias=True), indent=2))
    else:
        print(render_diff(result))
    return 1 if result.widens else 0
