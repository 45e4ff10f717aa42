"""``dmsa-migrate routes explain|import-openapi``: ask and extend the permission map."""

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
        "(plus confidence, basis and the map entry that matched).",
    )
    explain.add_argument("method", metavar="METHOD")
    explain.add_argument("path", metavar="PATH", help="a URL, template or Activity Report route")
    add_map_option(explain)
    explain.set_defaults(handler=_explain)
    openapi = routes_sub.add_parser(
        "import-openapi", help="extend the map from Procore's OAS",
        description="Map every operation of Procore's OpenAPI document (JSON) to its area's "
        "tool and a level by method, and write an override file. Without --out it goes to "
        "the user's config folder (permission-maps/openapi.toml), where every command finds it.",
    )
    openapi.add_argument("file", metavar="FILE")
    add_out_option(openapi, "override file")
    openapi.set_defaults(handler=_import_openapi)


def _explain(args: argparse.Namespace) -> int:
    from dmsa_migrate.permissions.map import build_map

    permission_map = build_map(args.map_files)
    explanation = permission_map.explain(args.method, args.path)
    print(json.dumps(explanation.model_dump(mode="json"), indent=2))
    return 0


def _import_openapi(args: argparse.Namespace) -> int:
    from pathlib import Path

    import tomli_w

    from dmsa_migrate.fileio import atomic_write_text
    from dmsa_migrate.paths import config_dir
    from dmsa_migrate.permissions.map import build_map, parse_map_text
    from dmsa_migrate.permissions.openapi import import_openapi, read_openapi

    permission_map = build_map(include_user_files=False)
    result = import_openapi(read_openapi(args.file), args.file, permission_map)
    text = _header(args.file) + tomli_w.dumps(result.as_map_data(Path(args.file).name))
    parse_map_text(text, "generated override")  # never write a file the map would refuse
    out = Path(args.out) if args.out else config_dir() / "permission-maps" / "openapi.toml"
    atomic_write_text(out, text)
    skipped = sum(result.unknown_areas.values())
    print(
        f"wrote {len(result.routes)} entries for {result.operations} operations to {out}"
        + (f" ({skipped} skipped: unknown API area)" if skipped else "")
    )
    for area, count in sorted(result.unknown_areas.items()):
        print(f"unknown API area {area!r}: {count} operation(s) not mapped; add an [[areas]] "
              "entry to an override file", file=sys.stderr)
    return 0


def _header(source: str) -> str:
    return (
        f"# Permission-map override generated from {source} by `dmsa-migrate routes "
        "import-openapi`.\n# Entries are `fallback`: hand-checked map entries still win. "
        "Edit freely; see docs/permission-map.md.\n\n"
    )
