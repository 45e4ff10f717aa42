"""Step 1 — Inventory: the old accounts, their evidence, and what each could reach.

The consultant adds or imports accounts (secrets as references, or typed into a password
field and kept in memory only), sets the Directory credential, imports the API Call
Activity Report and scans the integration's code, then runs the inventory with live
progress. The result is a tree: account → company → project → tool levels, each with the
sources that say so (live, directory, activity, scan).
"""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Static, Tree

from dmsa_migrate.errors import DmsaError
from dmsa_migrate.models.accounts import AccountEntry, AccountsFile, DirectorySection
from dmsa_migrate.models.inventory import Inventory
from dmsa_migrate.secrets import mask_client_id
from dmsa_migrate.tui import runners
from dmsa_migrate.tui.provenance import NodeRef, evidence_lines
from dmsa_migrate.tui.screens.base import StepPane
from dmsa_migrate.tui.screens.modals import Field, FormModal
from dmsa_migrate.tui.widgets.progress import RunProgress, RunStats
from dmsa_migrate.tui.widgets.table import Col, Row, SmartTable
from dmsa_migrate.tui.widgets.tones import tone

STATUS_TONE = {"active": "success", "rejected": "error", "unverified": "warning"}
ACCOUNT_COLUMNS = (
    Col("Account", min=10, shrink=True),
    Col("Client id", priority=2),
    Col("Secret", min=8, shrink=True, priority=3),
    Col("Company"),
    Col("Status"),
    Col("Sources", min=6, shrink=True, priority=1),
)


def levels_text(levels: dict[str, str]) -> str:
    """``rfi standard, daily_log readonly`` (tools at none left out)."""
    shown = [f"{tool} {level}" for tool, level in sorted(levels.items()) if level != "none"]
    return ", ".join(shown) if shown else "no tool permissions"


def project_label(project: Any) -> Text:
    """A project's line in the tree, short enough for 80 columns: id, name, how many tools,
    sources (the levels themselves are in the evidence pane)."""
    text = Text(f"{project.id} {project.name}")
    if not project.active:
        text.append(" (inactive)", style="dim")
    tools = sum(1 for level in project.permissions.values() if level != "none")
    text.append(f" · {tools} tools " if tools else " · no tools ")
    text.append_text(sources_text(list(project.sources)))
    return text


def sources_text(sources: list[str]) -> Text:
    return Text(f"[{', '.join(sources)}]" if sources else "[no source]", style="dim")


class InventoryPane(StepPane):
    """The inventory step."""

    kind = "inventory"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "run", "Run inventory"),
        Binding("a", "add_account", "Add account"),
        Binding("e", "edit_account", "Edit account"),
        Binding("i", "import_accounts", "Import accounts"),
        Binding("d", "directory", "Directory credential"),
        Binding("u", "activity", "Activity report", show=False),
        Binding("s", "scan", "Scan code", show=False),
    ]

    def __init__(self, workspace: Any) -> None:
        super().__init__(workspace)
        self.accounts: AccountsFile | None = None
        self.evidence = runners.OfflineEvidence()

    def compose(self) -> ComposeResult:
        yield Static("", id="inventory-inputs", classes="pane-info", markup=False)
        yield SmartTable(id="accounts")
        yield Static("No accounts yet: a adds one, i imports an accounts file.",
                     id="accounts-empty", classes="empty-note")
        yield RunProgress()
        yield Tree("Access", id="access-tree")
        yield Static("", id="evidence", markup=False)

    def on_mount(self) -> None:
        self.query_one(Tree).show_root = False
        self.load_inputs()

    @work(group="inventory-inputs", exclusive=True, exit_on_error=False)
    async def load_inputs(self) -> None:
        """Read the accounts file and the imported evidence (IO in a thread)."""
        try:
            self.accounts = await asyncio.to_thread(runners.load_accounts_file, self.workspace)
            self.evidence = await asyncio.to_thread(runners.load_evidence, self.workspace)
        except DmsaError as exc:
            self.app.show_error(exc)
        self.refresh_view()

    # ------------------------------------------------------------ drawing

    def refresh_view(self) -> None:
        if not self.is_mounted:
            return
        self._draw_inputs()
        self._draw_accounts()
        self._draw_tree(self.workspace.inventory)

    def _draw_inputs(self) -> None:
        directory = self.accounts.directory if self.accounts is not None else None
        if directory is None:
            where = "none (d to set one)"
        elif directory.token is not None:
            where = f"token {directory.token}"
        elif directory.login:
            where = "login token"
        else:
            where = f"DMSA {mask_client_id(directory.client_id or '')}"
        evidence = self.evidence
        activity = f"{len(evidence.activity)} report(s)" if evidence.activity else "none (u)"
        scan = (
            f"{len(evidence.scan_usage)} endpoints, {evidence.scan_secrets} secrets found"
            if evidence.scan_root
            else "not run (s)"
        )
        self.query_one("#inventory-inputs", Static).update(
            f"Directory: {where} · Activity: {activity} · Scan: {scan}"
        )

    def _draw_accounts(self) -> None:
        table = self.query_one("#accounts", SmartTable)
        results = {a.label: a for a in (self.workspace.inventory or Inventory()).accounts}
        entries = self.accounts.accounts if self.accounts is not None else []
        rows: list[Row] = []
        for entry in entries:
            found = results.get(entry.label)
            status = (
                Text(found.status, style=tone(self.app, STATUS_TONE.get(found.status, "")))
                if found
                else Text("not run", style="dim")
            )
            rows.append((entry.label, [
                entry.label,
                mask_client_id(entry.client_id),
                entry.client_secret,
                str(entry.company_id),
                status,
                ", ".join(found.sources) if found else "",
            ]))
        table.set_rows(ACCOUNT_COLUMNS, rows)
        table.set_class(not entries, "-empty")
        self.query_one("#accounts-empty", Static).display = not entries

    def _draw_tree(self, inventory: Inventory | None) -> None:
        tree: Tree[NodeRef] = self.query_one(Tree)
        tree.clear()
        self.query_one("#evidence", Static).display = inventory is not None
        if inventory is None:
            tree.root.add_leaf(Text("Not run yet: r runs the inventory", style="dim"))
            return
        for account in inventory.accounts:
            self._add_account(tree, account, expand=len(inventory.accounts) == 1)
        self._draw_evidence(NodeRef(inventory.accounts[0].label) if inventory.accounts
                            else None)

    def _add_account(self, tree: Tree[NodeRef], account: Any, expand: bool) -> None:
        label = Text(f"{account.label} ", style="bold")
        label.append(account.status, style=tone(self.app, STATUS_TONE.get(account.status, "")))
        if account.status_reason:
            label.append(f" — {account.status_reason}", style="dim")
        node = tree.root.add(label, data=NodeRef(account.label), expand=True)
        if account.user is not None:
            node.add_leaf(Text(f"Directory user {account.user.id} {account.user.name}"),
                          data=NodeRef(account.label))
        for company in account.companies:
            title = Text(f"{company.name} ({company.id}) · {len(company.projects)} projects ")
            title.append_text(sources_text(list(company.sources)))
            if company.directory_admin:
                title.append(" Directory admin", style=tone(self.app, "warning"))
            branch = node.add(title, data=NodeRef(account.label, company.id), expand=expand)
            branch.add_leaf(Text(f"company: {levels_text(dict(company.permissions))}"),
                            data=NodeRef(account.label, company.id))
            for project in company.projects:
                branch.add_leaf(project_label(project),
                                data=NodeRef(account.label, company.id, project.id))
        if not account.companies:
            node.add_leaf(Text("no access could be read for this account",
                               style=tone(self.app, "error")), data=NodeRef(account.label))

    def _draw_evidence(self, ref: NodeRef | None) -> None:
        """The evidence pane: where the highlighted node's facts come from."""
        inventory = self.workspace.inventory
        if inventory is None or ref is None:
            return
        first, *rest = evidence_lines(inventory, ref)
        text = Text(first, style="bold")
        for line in rest:
            text.append("\n" + line)
        self.query_one("#evidence", Static).update(text)

    @on(Tree.NodeHighlighted, "#access-tree")
    def _node_highlighted(self, event: Tree.NodeHighlighted[NodeRef]) -> None:
        self._draw_evidence(event.node.data)

    # ------------------------------------------------------------ run

    def action_run(self) -> None:
        """Run the inventory with live progress (c cancels)."""

        async def job(stats: RunStats) -> Inventory:
            def on_progress(progress: Any) -> None:
                stats.done, stats.total = progress.done, progress.total
                stats.stage = f"{progress.stage} {progress.label}".strip()

            return await runners.run_inventory(self.workspace, stats.on_event, on_progress)

        def done(inventory: Inventory) -> None:
            status, summary = runners.inventory_status(inventory)
            self.notify_run(f"Inventory: {summary}",
                            "information" if status == "done" else "warning")

        self.start_run("inventory", job, done)

    # ------------------------------------------------------------ accounts

    def _selected(self) -> AccountEntry | None:
        if self.accounts is None or not self.accounts.accounts:
            return None
        key = self.query_one("#accounts", SmartTable).current_key()
        return next((a for a in self.accounts.accounts if a.label == key), None)

    def action_add_account(self) -> None:
        """Add an old service account (secret as a reference or typed, never saved)."""
        self.edit_account(None)

    def action_edit_account(self) -> None:
        """Edit the highlighted account."""
        entry = self._selected()
        if entry is None:
            self.notify("No account to edit: a adds one", severity="warning")
            return
        self.edit_account(entry)

    @work(group="inventory-edit", exclusive=True, exit_on_error=False)
    async def edit_account(self, entry: AccountEntry | None) -> None:
        form = FormModal(
            "Edit account" if entry else "Add account",
            [
                Field("label", "Label (unique)", entry.label if entry else "", "acme-erp-sync"),
                Field("client_id", "Client id", entry.client_id if entry else "",
                      kind="client_id"),
                Field("client_secret", "Client secret reference (or leave empty and type it)",
                      entry.client_secret if entry else "", "env:ACME_SECRET",
                      kind="reference", required=False),
                Field("typed", "…or type the secret (kept in memory only, never saved)",
                      kind="secret", required=False),
                Field("company_id", "Company id", str(entry.company_id) if entry else ""),
                Field("user_id", "Directory user id (optional)",
                      str(entry.user_id or "") if entry else "", required=False),
            ],
        )
        values = await self.app.push_screen_wait(form)
        if values is None:
            return
        reference = values["client_secret"] or "prompt"
        if reference == "prompt" and values["typed"]:
            self.workspace.prompted[f"accounts[{values['label']}].client_secret"] = values["typed"]
        try:
            new = AccountEntry.model_validate({
                "label": values["label"],
                "client_id": values["client_id"],
                "client_secret": reference,
                "company_id": int(values["company_id"]) if values["company_id"].isdigit() else 0,
                "user_id": int(values["user_id"]) if values["user_id"].isdigit() else None,
            })
        except ValueError as exc:
            self.app.show_error(_form_error(exc))
            return
        accounts = list(self.accounts.accounts) if self.accounts is not None else []
        if entry is not None:
            accounts = [new if a.label == entry.label else a for a in accounts]
        else:
            accounts.append(new)
        await self._save_accounts(accounts, self.accounts.directory if self.accounts else None,
                                  f"Account {new.label} saved (secret: reference only)")

    async def _save_accounts(
        self, accounts: list[AccountEntry], directory: DirectorySection | None, message: str
    ) -> None:
        try:
            updated = AccountsFile(accounts=accounts, directory=directory)
        except ValueError as exc:
            self.app.show_error(_form_error(exc))
            return
        ok = await self.save(lambda: runners.save_accounts(self.workspace, updated), message)
        if ok:
            self.accounts = updated
            self.refresh_view()

    @work(group="inventory-edit", exclusive=True, exit_on_error=False)
    async def action_import_accounts(self) -> None:
        """Import an accounts file (copied into the session, references only)."""
        from dmsa_migrate.inventory.accounts import load_accounts

        values = await self.app.push_screen_wait(
            FormModal("Import accounts file", [Field("path", "Accounts file", "",
                                                      "accounts.toml")])
        )
        if values is None:
            return
        try:
            imported = await asyncio.to_thread(load_accounts, values["path"])
        except DmsaError as exc:
            self.app.show_error(exc)
            return
        await self._save_accounts(
            list(imported.accounts), imported.directory,
            f"Imported {len(imported.accounts)} accounts from {values['path']}",
        )

    @work(group="inventory-edit", exclusive=True, exit_on_error=False)
    async def action_directory(self) -> None:
        """Set the credential that reads the Company Directory (an admin's token)."""
        current = self.accounts.directory if self.accounts is not None else None
        values = await self.app.push_screen_wait(
            FormModal(
                "Directory credential",
                [
                    Field("token", "Admin user token reference", (current.token or "")
                          if current else "", "env:PROCORE_ADMIN_TOKEN", kind="reference",
                          required=False),
                    Field("typed", "…or type the token (kept in memory only)", kind="secret",
                          required=False),
                ],
                note="Since the sunset, old credentials get no token: their access is read "
                "from the Company Directory with a company admin's token.",
            )
        )
        if values is None:
            return
        if not self.accounts:
            self.notify("Add or import the accounts first", severity="warning")
            return
        reference = values["token"] or "prompt"
        if reference == "prompt" and values["typed"]:
            self.workspace.prompted["directory.token"] = values["typed"]
        await self._save_accounts(
            list(self.accounts.accounts), DirectorySection(token=reference),
            "Directory credential saved (reference only)",
        )

    # ------------------------------------------------------------ evidence

    @work(group="inventory-edit", exclusive=True, exit_on_error=False)
    async def action_activity(self) -> None:
        """Import Procore's API Call Activity Report (CSV) as usage evidence."""
        values = await self.app.push_screen_wait(
            FormModal("Import API Call Activity Report",
                      [Field("path", "CSV file", "", "activity.csv")],
                      note="Developer Portal → Integration Health → Download CSV Report.")
        )
        if values is None:
            return
        try:
            self.evidence = await asyncio.to_thread(
                runners.import_activity, self.workspace, values["path"]
            )
        except DmsaError as exc:
            self.app.show_error(exc)
            return
        self.notify(f"Activity report imported: {len(self.evidence.usage())} endpoints")
        self.refresh_view()

    @work(group="inventory-edit", exclusive=True, exit_on_error=False)
    async def action_scan(self) -> None:
        """Scan the integration's source folder for credentials and endpoints."""
        values = await self.app.push_screen_wait(
            FormModal("Scan the integration's code", [Field("path", "Folder", "", "src/")],
                      note="Secrets found are shown redacted and never stored.")
        )
        if values is None:
            return
        try:
            self.evidence = await asyncio.to_thread(
                runners.scan_folder, self.workspace, values["path"]
            )
        except DmsaError as exc:
            self.app.show_error(exc)
            return
        self.notify(
            f"Scan: {len(self.evidence.scan_usage)} endpoints, "
            f"{self.evidence.scan_secrets} credentials found (redacted)"
        )
        self.refresh_view()

    @on(DataTable.RowSelected, "#accounts")
    def _account_chosen(self) -> None:
        self.action_edit_account()


def _form_error(exc: Exception) -> DmsaError:
    from pydantic import ValidationError

    from dmsa_migrate.errors import InputError

    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "value"
        message = str(first.get("msg", "invalid")).removeprefix("Value error, ")
        return InputError(f"{where}: {message}")
    return InputError(str(exc))
