"""Measure how much of Procore's API the permission map attributes, and how often it names
the right tool where the tool is certain.

Usage (from the repository root)::

    .venv/bin/python scripts/measure_permission_map.py [--reference DIR] [--sample N] [--seed S]

Two figures, each on every operation of the reference catalog and on a seeded random sample:

* **attributed**: ``routes explain`` answers ``known`` (a tool, or "no tool permission");
* **right tool where certain**: on operations whose *path* names one tool's objects
  unambiguously (``/rfis`` is the RFI tool, ``/punch_items`` the Punch List, …), the tool
  the map names is that one. The truth comes from path words only, never from the module
  table the map is built from, so a wrong module rule shows up here. A wrong tool named with
  confidence ``medium`` or ``high`` is counted apart: the goal is none.

Run it before and after a change to the map; the figures go into the change's report.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from dmsa_migrate.permissions.map import build_map  # noqa: E402

DEFAULT_REFERENCE = ROOT.parent / "shared" / "reference" / "procore-oas"

# Path words that name exactly one tool's objects (checked in this order; first hit wins).
CERTAIN_TOOL_WORDS: tuple[tuple[str, str], ...] = (
    (r"/rfis(/|$)", "rfi"),
    (r"/submittals(/|$)", "submittal_logs"),
    (r"/punch_items(/|$)", "punch_list"),
    (r"/daily_logs?(/|$)|/(manpower|notes|weather|delivery|visitor|call|safety_violation|"
     r"accident|waste|dumpster|quantity|productivity|plan_revision|work|delay|"
     r"inspection|equipment)_logs(/|$)", "daily_log"),
    (r"/budget_(views|line_items|modifications|changes)(/|$)", "budgeting"),
    (r"/(work_order|purchase_order)_contracts(/|$)", "commitments"),
    (r"/prime_contracts?(/|$)", "prime_contracts"),
    (r"/change_events(/|$)", "change_events"),
    (r"/direct_costs(/|$)", "direct_costs"),
    (r"/coordination_issues(/|$)", "coordination_issues"),
    (r"/meetings(/|$)", "meetings"),
    (r"/drawing_(areas|sets|revisions|uploads)(/|$)|/drawings(/|$)", "drawings"),
    (r"/observations/items(/|$)", "observations"),
    (r"/incidents(/|$)", "incidents"),
    (r"/timesheets(/|$)", "timesheets"),
    (r"/timecard_entries(/|$)", "timecard"),
    (r"/webhooks/", "webhooks_api"),
    (r"/image_categories(/|$)|/images(/|$)", "images"),
    (r"/specification_sections(/|$)", "specifications"),
    (r"/action_plans(/|$)", "action_plans"),
    (r"/checklist/lists(/|$)", "checklists"),
)


def certain_tool(path: str) -> str | None:
    """The tool a path names without doubt, else ``None``."""
    for pattern, tool in CERTAIN_TOOL_WORDS:
        if re.search(pattern, path):
            return tool
    return None


def measure(operations: list[dict[str, str]]) -> dict[str, object]:
    """Attributed share and right-tool share of these operations."""
    pmap = build_map(include_user_files=False)
    attributed = 0
    certain = right = confident_wrong = 0
    wrong: list[str] = []
    for op in operations:
        answer = pmap.explain(op["method"], op["path"])
        attributed += answer.known
        truth = certain_tool(op["path"])
        if truth is None:
            continue
        certain += 1
        if answer.tool == truth:
            right += 1
            continue
        if answer.tool is not None and answer.confidence in ("medium", "high"):
            confident_wrong += 1
        wrong.append(f"{op['method']} {op['path']}: {answer.tool} (want {truth})")
    return {
        "operations": len(operations),
        "attributed": attributed,
        "attributed_share": round(attributed / len(operations), 4) if operations else 0,
        "certain": certain,
        "right_tool": right,
        "right_tool_share": round(right / certain, 4) if certain else 0,
        "confident_wrong": confident_wrong,
        "wrong_examples": wrong[:15],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reference", type=Path, default=DEFAULT_REFERENCE)
    parser.add_argument("--sample", type=int, default=230)
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args(argv)
    catalog = json.loads((args.reference / "catalog.json").read_text("utf-8"))
    sample = random.Random(args.seed).sample(catalog, min(args.sample, len(catalog)))
    report = {"all": measure(catalog), "sample": measure(sample)}
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
