"""``dmsa-migrate routes explain|coverage|import-openapi``: ask, measure and refresh the
permission map."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from dmsa_migrate.cli._options import add_out_option


def add_map_option(parser: argparse.ArgumentParser) -> None:
    """``--map FILE``: an extra override file (besides the user's config-folder files)."""
    parser.add_argument(
        "--map", action="append", default=[], metavar="FILE", dest="map_files",
        help="an extra permission-map override file (TOML); repeatable",
    )


def register(subparsers: Any) -> None:
    """Register ``routes explain`` and ``routes import-openapi``."""
    routes = subparsers.add_parser("routes", help="the endpoint → permission map")
    routes_sub = routes.add_subparsers(dest="routes_command", metavar="ACTION", required=True)
    explain = routes_sub.add_parser(
        "explain", help="tool, scope and level of one endpoint",
        description="Print one JSON object: method, path, template, tool, scope, level, known "
        "(plus operation, summary, rule, confidence, basis and the map entry that matched).",
    )
    explain.add_argument("method", metavar="METHOD")
    explain.add_argument("path", metavar="PATH", help="a URL, template or Activity Report route")
    add_map_option(explain)
    explain.set_defaults(handler=_explain)
    coverage = routes_sub.add_parser(
        "coverage", help="share of Procore's operations the map attributes",
        description="Explain every operation of the operation catalog and print the share "
        "attributed (a tool, or no tool permission needed) and the unknown ones.",
    )
    coverage.add_argument("--by", choices=["module"], help="one line per API module")
    coverage.add_argument("--json", action="store_true", help="print JSON")
    add_map_option(coverage)
    coverage.set_defaults(handler=_coverage)
    openapi = routes_sub.add_parser(
        "import-openapi", help="refresh the map from Procore's OpenAPI document",
        description="Apply the map's rules (area -> tool, summary verb and description -> "
        "level) to every operation of Procore's combined OpenAPI document (JSON) and write "
        "an operation catalog that replaces the packaged one's operations. Without --out it "
        "goes to the user's config folder (permission-maps/openapi.json), where every command "
        "finds it; with --out FILE.json use it with --map FILE.json.",
    )
    openapi.add_argument("file", metavar="FILE")
    add_out_option(openapi, "operation catalog (.json)")
    openapi.set_defaults(handler=_import_openapi)


def _explain(args: argparse.Namespace) -> int:
    from dmsa_migrate.permissions.map import build_map

    permission_map = build_map(args.map_files)
    explanation = permission_map.explain(args.method, args.path)
    print(json.dumps(explanation.model_dump(mode="json"), indent=2))
    return 0


def _coverage(args: argparse.Namespace) -> int:
    from dmsa_migrate.permissions.coverage import coverage_report, render_coverage
    from dmsa_migrate.permissions.map import build_map

    report = coverage_report(build_map(args.map_files), by_module=args.by == "module")
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(render_coverage(report))
    return 0


def _import_openapi(args: argparse.Namespace) -> int:
    from pathlib import Path

    from dmsa_migrate.errors import InputError
    from dmsa_migrate.fileio import atomic_write_text
    from dmsa_migrate.paths import config_dir
    from dmsa_migrate.permissions.catalog import catalog_json, parse_catalog_text
    from dmsa_migrate.permissions.map import build_map
    from dmsa_migrate.permissions.openapi import import_openapi, read_openapi

    out = Path(args.out) if args.out else config_dir() / "permission-maps" / "openapi.json"
    if out.suffix.lower() != ".json":
        raise InputError(f"--out {out}: an operation catalog is JSON; name it *.json")
    areas = list(build_map().areas.values())  # [[areas]] of the user's own override files
    result = import_openapi(read_openapi(args.file), args.file, areas)
    text = catalog_json(result.catalog)
    parse_catalog_text(text, "generated catalog")  # never write a file the map would refuse
    atomic_write_text(out, text, private=True)
    unknown = result.operations - result.attributed
    print(
        f"wrote {result.operations} operations ({result.attributed} attributed, "
        f"{unknown} unknown) to {out}"
    )
    for area, count in sorted(result.unknown_areas.items()):
        print(f"unknown API area {area!r}: {count} operation(s) without a tool; add an "
              "[[areas]] entry to an override file and import again", file=sys.stderr)
    return 0
