"""Step 4: the per-company sunset checklist and its exports (md, html, json, csv).

Public API (the CLI, the headless demo and the TUI all call these)::

    checklist = build_checklist(playbook, Evidence(inventory, manifest, verification),
                                today=date, states=session.checklist, customer="Acme")
    paths = write_exports(checklist, ["md", "html", "json", "csv"], out_dir)

:func:`load_inventory`, :func:`load_verification` and :func:`load_manifest_permissions`
read the step outputs with errors that name the file and field.
"""

from __future__ import annotations

from dmsa_migrate.checklist.build import OWNER_LABELS, build_checklist, iso_time
from dmsa_migrate.checklist.exports import FORMATS, parse_formats, render, write_exports
from dmsa_migrate.checklist.inputs import (
    load_inventory,
    load_manifest_permissions,
    load_verification,
)
from dmsa_migrate.checklist.render_data import render_csv, render_json
from dmsa_migrate.checklist.render_html import render_html
from dmsa_migrate.checklist.render_md import render_markdown
from dmsa_migrate.conditions import Evidence

__all__ = [
    "FORMATS",
    "OWNER_LABELS",
    "Evidence",
    "build_checklist",
    "iso_time",
    "load_inventory",
    "load_manifest_permissions",
    "load_verification",
    "parse_formats",
    "render",
    "render_csv",
    "render_html",
    "render_json",
    "render_markdown",
    "write_exports",
]
