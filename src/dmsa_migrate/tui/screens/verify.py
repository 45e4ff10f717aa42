"""Step 3 — Verify: each company's DMSA install next to the old account's access.

One row per company: install status, a coverage bar (green matched, red missing, yellow
extra projects; then matched/needed and +extra), permission gaps and findings, so the
state is seen at a glance. Below,
the highlighted company's findings with what to do; ``enter`` drills down to every
project and gap, and, when the session has a signed-in user's token reference, the
projects that user sees next to the app's (the CLI's ``--user-token``). ``l`` compares
with the previous run (projects lost after an app update); ``f`` opens the fleet table
(every company, sortable and filterable: :mod:`dmsa_migrate.tui.widgets.fleet_table`).
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Static

from dmsa_migrate.models.verification import CompanyVerification, Verification
from dmsa_migrate.secrets import mask_client_id, shown_reference_text
from dmsa_migrate.tui import runners
from dmsa_migrate.tui.screens.base import StepPane
from dmsa_migrate.tui.screens.modals import Field, FormModal, TextModal
from dmsa_migrate.tui.widgets.coverage import coverage_text, coverage_tones
from dmsa_migrate.tui.widgets.progress import RunProgress, RunStats
from dmsa_migrate.tui.widgets.table import Col, Row, SmartTable
from dmsa_migrate.tui.widgets.tones import tone

STATUS_TONE = {"installed": "success", "disconnected": "error", "not_installed": "error"}
SEVERITY_TONE = {"error": "error", "warning": "warning", "info": "muted"}
COMPANY_COLUMNS = (
    Col("Company", min=12, shrink=True),
    Col("Install"),
    Col("Coverage", min=12, shrink=True),
    Col("Gaps"),
    Col("Findings"),
)
BAR_WIDTH = 12


def project_names(workspace: Any) -> dict[int, str]:
    """Project id → name, from the inventory (verify lists ids)."""
    names: dict[int, str] = {}
    if workspace.inventory is not None:
        for account in workspace.inventory.accounts:
            for company in account.companies:
                for project in company.projects:
                    names[project.id] = project.name
    return names


def named(ids: list[int], names: dict[int, str]) -> str:
    return ", ".join(f"{i} {names.get(i, '')}".strip() for i in ids) or "none"


def company_report(company: CompanyVerification, names: dict[int, str]) -> str:
    """The drill-down text of one company."""
    unread = company.unread_reason()
    if unread:  # nothing read: no project lists that would read as lost
        return "\n".join([
            f"{company.name} ({company.id}) — unread", "", f"Could not be read: {unread}",
            "Run verify again (r); nothing is claimed about its projects until then.",
        ])
    lines = [
        f"{company.name} ({company.id}) — {company.status}",
        f"DMSA user: {company.dmsa_user_id or '—'} {company.dmsa_user_name}",
        "",
        f"Matched ({len(company.matched_projects)}): {named(company.matched_projects, names)}",
        f"Missing ({len(company.missing_projects)}): {named(company.missing_projects, names)}",
        f"Extra ({len(company.extra_projects)}): {named(company.extra_projects, names)}",
    ]
    if company.lost_projects:
        lines.append(f"Lost since the last run: {named(company.lost_projects, names)}")
    lines += ["", "Permission gaps:"]
    for gap in company.permission_gaps:
        where = f" on {named(gap.projects, names)}" if gap.projects else ""
        lines.append(f"  {gap.scope}.{gap.tool}: needs {gap.needed}, granted {gap.granted}{where}")
    if not company.permission_gaps:
        lines.append("  none")
    lines += ["", *user_comparison_lines(company, names), "", "Findings:"]
    for finding in company.findings:
        lines.append(f"  [{finding.severity}] {finding.code}: {finding.message}")
        if finding.action:
            lines.append(f"      what to do: {finding.action}")
    if not company.findings:
        lines.append("  none")
    return "\n".join(lines)


def user_comparison_lines(company: CompanyVerification, names: dict[int, str]) -> list[str]:
    """Procore's cross-check: the projects a signed-in user sees next to the app's."""
    comparison = company.user_comparison
    if comparison is None:
        return ["User comparison: not run (k: add a signed-in user's token reference)"]
    who = comparison.user_name or "the user"
    if comparison.user_id is not None:
        who += f" (user {comparison.user_id})"
    return [
        f"User comparison with {who}: sees {len(comparison.user_projects)}, "
        f"the app {len(comparison.app_projects)}, both {len(comparison.both)}",
        f"  App only ({len(comparison.app_only)}): {named(comparison.app_only, names)}",
        f"  User only ({len(comparison.user_only)}): {named(comparison.user_only, names)}",
    ]


def compare_runs(previous: Verification | None, current: Verification) -> str:
    """What changed since the previous verification, per company."""
    if previous is None:
        return "No earlier run in this session: run verify again after the next change."
    before = {c.id: c for c in previous.companies}
    lines = [f"Previous run {previous.generated_at} → this run {current.generated_at}", ""]
    for company in current.companies:
        old = before.get(company.id)
        if old is None:
            lines.append(f"{company.id} {company.name}: new in this run ({company.status})")
            continue
        unread = company.unread_reason() or old.unread_reason()
        if unread:
            run = "this run" if company.unread_reason() else "the previous run"
            lines.append(f"{company.id} {company.name}: unread in {run} ({unread})")
            continue
        changes = []
        if old.status != company.status:
            changes.append(f"status {old.status} → {company.status}")
        gained = sorted(set(company.matched_projects) - set(old.matched_projects))
        lost = sorted(set(old.matched_projects) - set(company.matched_projects))
        if gained:
            changes.append(f"now matched: {', '.join(map(str, gained))}")
        if lost:
            changes.append(f"no longer matched: {', '.join(map(str, lost))}")
        if len(old.permission_gaps) != len(company.permission_gaps):
            changes.append(
                f"permission gaps {len(old.permission_gaps)} → {len(company.permission_gaps)}"
            )
        lines.append(f"{company.id} {company.name}: {'; '.join(changes) or 'unchanged'}")
    return "\n".join(lines)


class VerifyPane(StepPane):
    """The verify step."""

    kind = "verify"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "run", "Run verify"),
        Binding("k", "credentials", "DMSA credential"),
        Binding("enter", "drill", "Details", show=False),
        Binding("l", "compare", "Compare last run"),
        Binding("f", "fleet", "Fleet table", show=False),
    ]

    def compose(self) -> ComposeResult:
        yield Static("", id="verify-info", classes="pane-info", markup=False)
        yield RunProgress()
        yield SmartTable(id="companies", classes="fill")
        with VerticalScroll(id="company-findings-scroll", classes="findings"):
            yield Static("", id="company-findings", markup=False)

    @property
    def companies(self) -> list[CompanyVerification]:
        verification = self.workspace.verification
        return list(verification.companies) if verification is not None else []

    def refresh_view(self) -> None:
        if not self.is_mounted:
            return
        credentials = self.workspace.session.credentials
        client = mask_client_id(credentials.dmsa_client_id) if credentials.dmsa_client_id else "—"
        reference = shown_reference_text(credentials.secret_refs.get("dmsa_secret", "")) or "—"
        user = credentials.secret_refs.get(runners.USER_TOKEN)
        if user:
            reference += f" · user token {shown_reference_text(user)}"
        verification = self.workspace.verification
        state = (
            "not run yet: r runs it"
            if verification is None
            else ("OK" if verification.ok else "gaps found")
            + f" · {verification.requests} requests"
        )
        self.query_one("#verify-info", Static).update(
            f"DMSA client {client} · secret {reference} (k) · {state}"
        )
        rows: list[Row] = []
        for company in self.companies:
            errors = sum(1 for f in company.findings if f.severity == "error")
            findings = f"{len(company.findings)} ({errors} errors)" if errors else str(
                len(company.findings))
            rows.append((str(company.id), [
                f"{company.id} {company.name}",
                Text(company.status, style=tone(self.app, STATUS_TONE.get(company.status, ""))),
                coverage_text(len(company.matched_projects), len(company.missing_projects),
                              len(company.extra_projects), width=BAR_WIDTH,
                              tones=coverage_tones(self.app)),
                str(len(company.permission_gaps)) if company.permission_gaps else "",
                Text(findings, style=tone(self.app, "error") if errors else ""),
            ]))
        self.query_one("#companies", SmartTable).set_rows(COMPANY_COLUMNS, rows)
        self._draw_findings()

    def _current(self) -> CompanyVerification | None:
        key = self.query_one("#companies", SmartTable).current_key()
        return next((c for c in self.companies if str(c.id) == key), None)

    def _draw_findings(self) -> None:
        company = self._current()
        widget = self.query_one("#company-findings", Static)
        self.query_one("#company-findings-scroll").display = company is not None
        if company is None:
            return
        text = Text(f"{company.name}: ", style="bold")
        if not company.findings:
            text.append("no findings", style=tone(self.app, "success"))
        for finding in company.findings:
            text.append(f"\n{finding.message}", tone(self.app, SEVERITY_TONE[finding.severity]))
            if finding.action:
                text.append(f" → {finding.action}", style=tone(self.app, "muted"))
        widget.update(text)

    @on(DataTable.RowHighlighted, "#companies")
    def _highlighted(self) -> None:
        self._draw_findings()

    @on(DataTable.RowSelected, "#companies")
    def _selected(self) -> None:
        self.action_drill()

    # ------------------------------------------------------------ actions

    def action_run(self) -> None:
        """Verify the install in every company with the DMSA credential (c cancels)."""
        self.run_verify()

    @work(group="verify-prepare", exclusive=True, exit_on_error=False)
    async def run_verify(self) -> None:
        credentials = self.workspace.session.credentials
        reference = credentials.secret_refs.get("dmsa_secret", "")
        if not credentials.dmsa_client_id or not reference:
            if not await self._ask_credentials():
                return
            reference = self.workspace.session.credentials.secret_refs.get("dmsa_secret", "")
        if not await self._ask_typed("dmsa_secret", "DMSA client secret"):
            return
        if not await self._ask_typed(runners.USER_TOKEN, "Signed-in user's token"):
            return

        async def job(stats: RunStats) -> Verification:
            def on_progress(progress: Any) -> None:
                stats.done, stats.total = progress.done, progress.total
                stats.stage = progress.message

            return await runners.run_verify(self.workspace, stats.on_event, on_progress)

        def done(verification: Verification) -> None:
            status, summary = runners.verification_status(verification)
            self.notify_run(f"Verify: {summary}",
                            "information" if status == "done" else "warning")

        self.start_run("verify", job, done)

    async def _ask_typed(self, name: str, title: str) -> bool:
        """For a ``prompt`` reference not typed yet in this TUI: a password field."""
        reference = self.workspace.session.credentials.secret_refs.get(name, "")
        if reference != "prompt" or name in self.workspace.prompted:
            return True
        values = await self.app.push_screen_wait(FormModal(
            title, [Field("secret", "Secret (kept in memory only, never saved)", kind="secret")],
        ))
        if values is None:
            return False
        self.workspace.prompted[name] = values["secret"]
        return True

    def action_credentials(self) -> None:
        """Enter the DMSA client id and its secret (reference, or typed for this run)."""
        self.edit_credentials()

    @work(group="verify-prepare", exclusive=True, exit_on_error=False)
    async def edit_credentials(self) -> None:
        await self._ask_credentials()

    async def _ask_credentials(self) -> bool:
        credentials = self.workspace.session.credentials
        user_ref = credentials.secret_refs.get(runners.USER_TOKEN, "")
        values = await self.app.push_screen_wait(FormModal(
            "DMSA credential",
            [
                Field("client_id", "DMSA client id", credentials.dmsa_client_id,
                      kind="client_id"),
                Field("reference", "Secret reference (or leave empty and type it)",
                      credentials.secret_refs.get("dmsa_secret", ""), "env:DMSA_SECRET",
                      kind="reference", required=False),
                Field("typed", "…or type the secret (kept in memory only, never saved)",
                      kind="secret", required=False),
                Field("user_token",
                      "Signed-in user's token reference (optional): compare the projects "
                      "they see", user_ref, "env:PROCORE_USER_TOKEN", kind="reference",
                      required=False),
            ],
            note="The app's client id and secret from the Developer Portal. The session "
            "stores the references only.",
        ))
        if values is None:
            return False
        reference = values["reference"] or "prompt"
        if reference == "prompt" and values["typed"]:
            self.workspace.prompted["dmsa_secret"] = values["typed"]
        user_token = values["user_token"]
        workspace = self.workspace

        def change() -> None:
            session = workspace.session
            session.credentials = session.credentials.model_copy(
                update={"dmsa_client_id": values["client_id"]}
            )
            workspace.store.set_secret_ref(session, "dmsa_secret", reference)
            if user_token:
                workspace.store.set_secret_ref(session, runners.USER_TOKEN, user_token)
            else:
                workspace.store.remove_secret_ref(session, runners.USER_TOKEN)

        return await self.save(change, "DMSA credential saved (reference only)")

    def action_drill(self) -> None:
        """Every matched, missing and extra project and gap of the highlighted company."""
        company = self._current()
        if company is None:
            self.notify("Run verify first (r)", severity="warning")
            return
        text = company_report(company, project_names(self.workspace))
        self.app.push_screen(TextModal(f"{company.name} ({company.id})", text))

    def action_fleet(self) -> None:
        """Every company as a sortable, filterable fleet table (the CLI's --summary rows)."""
        from dmsa_migrate.tui.widgets.fleet_table import FleetScreen
        from dmsa_migrate.verify.fleet import fleet_rows

        verification = self.workspace.verification
        if verification is None:
            self.notify("Run verify first (r)", severity="warning")
            return
        self.app.push_screen(FleetScreen(fleet_rows(verification)))

    def action_compare(self) -> None:
        """What changed since the previous verify run."""
        verification = self.workspace.verification
        if verification is None:
            self.notify("Run verify first (r)", severity="warning")
            return
        text = compare_runs(self.workspace.previous_verification, verification)
        self.app.push_screen(TextModal("Compared with the last run", text))
