"""Step 2 — Manifest: the proposed DMSA permissions, why each is there, and the findings.

One row per scope and tool: level, where it comes from (old access, observed usage, the
playbook, or a consultant's override with its reason). The consultant can switch between
mirroring the old access and least privilege, override a level (the reason is required
and recorded in the session's audit log), preview the JSON to paste into the Developer
Portal, save it to a file, and diff it against an earlier manifest.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any, ClassVar

from rich.markup import escape
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Static

from dmsa_migrate.errors import DmsaError, InputError
from dmsa_migrate.models.manifest import PermissionReason, manifest_dict
from dmsa_migrate.models.session import ManifestOverride
from dmsa_migrate.tui import runners
from dmsa_migrate.tui.screens.base import StepPane
from dmsa_migrate.tui.screens.modals import Field, FormModal, TextModal
from dmsa_migrate.tui.widgets.progress import RunProgress, RunStats
from dmsa_migrate.tui.widgets.table import Col, Row, SmartTable
from dmsa_migrate.tui.widgets.tones import tone

SEVERITY_TONE = {"error": "error", "warning": "warning", "info": "muted"}
SEVERITY_MARK = {"error": "✖", "warning": "▲", "info": "·"}
PERMISSION_COLUMNS = (
    Col("Scope"),
    Col("Tool", min=10, shrink=True),
    Col("Level"),
    Col("From", min=6, shrink=True, priority=1),
    Col("Reason", min=12, shrink=True),
)
FINDING_COLUMNS = (Col("Severity"), Col("Finding", min=20, shrink=True, wrap=True))
LEVELS = ("readonly", "standard", "admin", "none")
BASIS_LABELS = {
    "old-access": "old access",
    "usage": "usage",
    "kept-no-usage-evidence": "old, no usage",
    "usage-beyond-old-access": "usage > old",
    "required": "playbook",
    "override": "override",
}
"""Short names for where a level comes from (the detail line gives the full reason)."""


class ManifestRow:
    """One permission as the table shows it."""

    def __init__(
        self, scope: str, tool: str, level: str, provenance: str, reason: str,
        evidence: list[str],
    ) -> None:
        self.scope, self.tool, self.level = scope, tool, level
        self.provenance, self.reason, self.evidence = provenance, reason, evidence

    @property
    def key(self) -> str:
        """The row's key in the table: ``company.directory``."""
        return f"{self.scope}.{self.tool}"


def manifest_rows(
    reasons: list[PermissionReason], overrides: list[ManifestOverride]
) -> list[ManifestRow]:
    """The generator's permissions with the session's overrides on top."""
    rows: dict[tuple[str, str], ManifestRow] = {}
    for reason in reasons:
        rows[(reason.scope, reason.tool)] = ManifestRow(
            reason.scope, reason.tool, reason.level, reason.basis, reason.reason,
            [f"{e.label} → {e.level} [{', '.join(e.sources)}]" for e in reason.evidence],
        )
    for override in overrides:
        previous = rows.get((override.scope, override.tool))
        was = f" (generated: {previous.level})" if previous else ""
        rows[(override.scope, override.tool)] = ManifestRow(
            override.scope, override.tool, override.level, "override",
            f"{override.reason} — {override.by or 'consultant'}{was}",
            previous.evidence if previous else [],
        )
    return [rows[key] for key in sorted(rows)]


class ManifestPane(StepPane):
    """The manifest step."""

    kind = "manifest"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "run", "Generate"),
        Binding("m", "mode", "Switch mode"),
        Binding("o", "override", "Override level"),
        Binding("j", "preview", "JSON preview"),
        Binding("C", "copy_manifest", "Copy manifest JSON"),
        Binding("w", "save_as", "Save as…"),
        Binding("v", "open_saved", "Open saved file…", show=False),
        Binding("f", "diff", "Diff"),
    ]

    def __init__(self, workspace: Any) -> None:
        super().__init__(workspace)
        self.rows: list[ManifestRow] = []
        self.saved: list[Path] = []

    def compose(self) -> ComposeResult:
        yield Static("", id="manifest-info", classes="pane-info", markup=False)
        yield RunProgress()
        yield SmartTable(id="permissions", classes="fill")
        yield Static("", id="permission-detail", classes="detail")
        yield SmartTable(id="manifest-findings", classes="findings")

    @property
    def mode(self) -> str:
        explanation = self.workspace.explanation
        if explanation is not None:
            return explanation.mode
        return self.workspace.playbook.manifest.mode or "auto"

    def refresh_view(self) -> None:
        if not self.is_mounted:
            return
        workspace = self.workspace
        explanation = workspace.explanation
        overrides = workspace.session.manifest_overrides
        self.rows = manifest_rows(explanation.permissions if explanation else [], overrides)
        table_rows: list[Row] = []
        for row in self.rows:
            level = Text(row.level, style=tone(self.app, "error") if row.level == "admin" else "")
            source = Text(BASIS_LABELS.get(row.provenance, row.provenance),
                          style=tone(self.app, "accent") if row.provenance == "override" else "")
            table_rows.append((row.key, [row.scope, row.tool, level, source, row.reason]))
        self.query_one("#permissions", SmartTable).set_rows(PERMISSION_COLUMNS, table_rows)
        info = self.query_one("#manifest-info", Static)
        if workspace.manifest is None:
            info.update("Not generated yet: r generates the manifest from the inventory.")
        else:
            permissions = workspace.manifest.permissions
            info.update(
                f"Mode: {self.mode} (m switches) · {len(permissions.company)} company and "
                f"{len(permissions.project)} project permissions · {len(overrides)} overrides"
            )
        self._draw_findings()
        self._draw_detail()

    def _draw_findings(self) -> None:
        """Every finding of the last run (info included), in a table that scrolls."""
        explanation = self.workspace.explanation
        findings = explanation.findings if explanation else []
        rows: list[Row] = []
        for index, finding in enumerate(findings):
            mark = Text(f"{SEVERITY_MARK[finding.severity]} {finding.severity}",
                        style=tone(self.app, SEVERITY_TONE[finding.severity]))
            rows.append((str(index), [mark, finding.message]))
        widget = self.query_one("#manifest-findings", SmartTable)
        widget.set_rows(FINDING_COLUMNS, rows)
        widget.display = explanation is not None

    def _current(self) -> ManifestRow | None:
        key = self.query_one("#permissions", SmartTable).current_key()
        return next((row for row in self.rows if row.key == key), None)

    def _draw_detail(self) -> None:
        row = self._current()
        detail = self.query_one("#permission-detail", Static)
        detail.display = row is not None
        if row is None:
            return
        head = escape(f"{row.scope}.{row.tool} = {row.level}")
        lines = [f"[b]{head}[/b] {escape(f'({row.provenance}): {row.reason}')}"]
        lines += [f"  {escape(line)}" for line in row.evidence[:4]]
        if len(row.evidence) > 4:
            lines.append(f"  … and {len(row.evidence) - 4} more endpoints")
        detail.update("\n".join(lines))

    @on(DataTable.RowHighlighted, "#permissions")
    def _highlighted(self) -> None:
        self._draw_detail()

    # ------------------------------------------------------------ actions

    def action_run(self, mode: str | None = None) -> None:
        """Generate the manifest (CPU work in a thread) and record it."""

        async def job(stats: RunStats) -> Any:
            return await runners.run_manifest(self.workspace, mode)

        def done(result: Any) -> None:
            status, summary = runners.manifest_status(result)
            self.notify_run(f"Manifest: {summary}",
                            "information" if status == "done" else "warning")

        self.start_run("manifest", job, done)

    def action_mode(self) -> None:
        """Switch between mirror and least-privilege, and regenerate."""
        new = "least-privilege" if self.mode == "mirror" else "mirror"
        self.action_run(new)

    @work(group="manifest-edit", exclusive=True, exit_on_error=False)
    async def action_override(self) -> None:
        """Override the highlighted permission's level, with a reason (audited)."""
        row = self._current()
        if row is None:
            self.notify("Generate the manifest first (r)", severity="warning")
            return
        values = await self.app.push_screen_wait(
            FormModal(
                f"Override {row.scope}.{row.tool} (now {row.level})",
                [
                    Field("level", "New level", row.level if row.level in LEVELS else "readonly",
                          kind="select", choices=tuple((lv, lv) for lv in LEVELS)),
                    Field("reason", "Reason (recorded in the session)", "",
                          "customer confirmed no writes"),
                ],
            )
        )
        if values is None:
            return
        store, session = self.workspace.store, self.workspace.session
        ok = await self.save(
            lambda: store.override_manifest_level(
                session, row.scope, row.tool, values["level"], values["reason"]  # type: ignore[arg-type]
            ),
            f"Override recorded: {row.scope}.{row.tool} = {values['level']}",
        )
        if ok:
            self.action_run(self.mode if self.mode != "auto" else None)

    def action_preview(self) -> None:
        """Show manifest.json as it will be pasted into the Developer Portal."""
        manifest = self.workspace.manifest
        if manifest is None:
            self.notify("Generate the manifest first (r)", severity="warning")
            return
        self.app.push_screen(
            TextModal("manifest.json (v4.1) — c copies it",
                      json.dumps(manifest_dict(manifest), indent=2))
        )

    def action_copy_manifest(self) -> None:
        """Copy manifest.json, ready to paste into the Developer Portal's manifest editor."""
        manifest = self.workspace.manifest
        if manifest is None:
            self.notify("Generate the manifest first (r)", severity="warning")
            return
        self.app.copy_text(json.dumps(manifest_dict(manifest), indent=2), "the manifest JSON")

    @work(group="manifest-edit", exclusive=True, exit_on_error=False)
    async def action_save_as(self) -> None:
        """Write manifest.json (and its .explain.json) to a path of your choice."""
        if self.workspace.manifest is None:
            self.notify("Generate the manifest first (r)", severity="warning")
            return
        default = str(self.workspace.store.exports_folder(self.workspace.session)
                      / "manifest.json")
        values = await self.app.push_screen_wait(
            FormModal("Save manifest", [Field("path", "File", default)])
        )
        if values is None:
            return
        try:
            written = await asyncio.to_thread(_write_manifest, self.workspace, values["path"])
        except DmsaError as exc:
            self.app.show_error(exc)
            return
        self.saved = [written, explain_path(written)]
        self.notify(f"Saved {written} (v opens it or its folder)", timeout=6)

    def action_open_saved(self) -> None:
        """Open the manifest saved with w (or its folder)."""
        if not self.saved:
            self.notify("Save the manifest first (w)", severity="warning")
            return
        self.open_one_of(self.saved)

    @work(group="manifest-edit", exclusive=True, exit_on_error=False)
    async def action_diff(self) -> None:
        """Diff the manifest against the previous one or any manifest file."""
        workspace = self.workspace
        if workspace.manifest is None:
            self.notify("Generate the manifest first (r)", severity="warning")
            return
        previous = workspace.folder / "manifest.previous.json"
        values = await self.app.push_screen_wait(
            FormModal("Diff against", [Field(
                "path", "Earlier manifest (v4.1 or v3.x)",
                str(previous) if previous.exists() else "", "old-manifest.json",
            )])
        )
        if values is None:
            return
        try:
            text = await asyncio.to_thread(_diff_text, workspace, values["path"])
        except DmsaError as exc:
            self.app.show_error(exc)
            return
        self.app.push_screen(TextModal(f"Diff: {Path(values['path']).name} → current", text))


def _write_manifest(workspace: Any, path: str) -> Path:
    from dmsa_migrate.fileio import atomic_write_json, refuse_special_targets

    target = Path(path).expanduser()
    if target.is_dir():
        raise InputError(f"{target} is a folder: give a file name such as manifest.json")
    refuse_special_targets(target, explain_path(target))
    atomic_write_json(target, manifest_dict(workspace.manifest))
    atomic_write_json(
        explain_path(target), workspace.explanation.model_dump(mode="json", by_alias=True)
    )
    return target


def explain_path(manifest: Path) -> Path:
    """``manifest.explain.json`` beside ``manifest.json``."""
    stem = manifest.name[: -len(".json")] if manifest.name.endswith(".json") else manifest.name
    return manifest.with_name(f"{stem}.explain.json")


def _diff_text(workspace: Any, path: str) -> str:
    from dmsa_migrate.manifest.diff import diff_manifests, render_diff
    from dmsa_migrate.manifest.load import load_manifest, parse_manifest

    current = parse_manifest(json.dumps(manifest_dict(workspace.manifest)), "current")
    diff = diff_manifests(load_manifest(Path(path).expanduser()), current)
    header = "Widens access." if diff.widens else "Does not widen access."
    return f"{header}\n\n{render_diff(diff)}"
