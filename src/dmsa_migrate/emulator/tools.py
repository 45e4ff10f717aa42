"""The emulator's own table from an OAS module to the tool whose level an operation needs.

Why its own table: the emulator is an independent witness of Procore's permission rules.
If it read the migration tool's permission map, a wrong entry there would make the emulator
agree with the mistake. This table is built from the reference alone
(procore-api-surface.md section 4, "Endpoint family → tool + minimum level", and the tool
keys seen in manifests, section 3): module → (tool key, whether writes need ``admin``).

Levels (INFERRED where the reference has no explicit statement, as that section says): a
read needs ``readonly``; a write needs ``standard`` on collaborative tools (RFIs,
Submittals, Punch List, Documents, Photos, Daily Log, …) and ``admin`` on tools whose UI
reserves creation to admins (Commitments, Prime Contracts, Meetings, Drawings, Bidding,
Directory edits); every delete needs ``admin``. A module absent from the table needs no
tool level (identity, company settings, the caller's own permissions): visibility only.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ToolRule:
    tool: str
    admin_writes: bool = False
    free_reads: bool = False
    """Reads need only visibility (Portfolio and project configuration: any member)."""


MODULE_TOOLS: dict[str, ToolRule] = {
    "RFI": ToolRule("rfi"),
    "Submittals": ToolRule("submittal_logs"),
    "Punch List": ToolRule("punch_list"),
    "Daily Log": ToolRule("daily_log"),
    "Documents": ToolRule("documents"),
    "Photos": ToolRule("images"),
    "Drawings": ToolRule("drawings", admin_writes=True),
    "Specifications": ToolRule("specification_sections", admin_writes=True),
    "Meetings": ToolRule("meetings", admin_writes=True),
    "Emails": ToolRule("emails"),
    "Schedule (Legacy)": ToolRule("schedule"),
    "Scheduling": ToolRule("schedule"),
    "Tasks": ToolRule("tasks"),
    "Inspections": ToolRule("checklists"),
    "Observations": ToolRule("observations"),
    "Incidents": ToolRule("incidents"),
    "Action Plans": ToolRule("action_plans"),
    "Coordination Issues": ToolRule("coordination_issues"),
    "BIM": ToolRule("bim"),
    "Document Markup": ToolRule("drawings"),
    "Forms": ToolRule("forms"),
    "Custom - Configurable Tools": ToolRule("generic_tool"),
    "Budget": ToolRule("budgeting", admin_writes=True),
    "Commitments": ToolRule("commitments", admin_writes=True),
    "Prime Contracts": ToolRule("prime_contracts", admin_writes=True),
    "Change Events": ToolRule("change_events"),
    "Change Orders": ToolRule("change_orders", admin_writes=True),
    "Direct Costs": ToolRule("direct_costs"),
    "Invoices": ToolRule("commitments", admin_writes=True),
    "Payments": ToolRule("payments", admin_writes=True),
    "Contracts": ToolRule("commitments", admin_writes=True),
    "Estimating": ToolRule("estimating", admin_writes=True),
    "Bid Management": ToolRule("bidding", admin_writes=True),
    "Bid Board": ToolRule("bid_board", admin_writes=True),
    "Field Productivity": ToolRule("timesheets"),
    "Equipment": ToolRule("equipment"),
    "Resource Planning": ToolRule("resource_planning"),
    "Directory": ToolRule("directory", admin_writes=True),
    "Project": ToolRule("admin", admin_writes=True, free_reads=True),
    "Project-Level Configuration": ToolRule("admin", admin_writes=True, free_reads=True),
    "Work Breakdown Structure": ToolRule("admin", admin_writes=True),
    "Cost Catalog": ToolRule("cost_catalog", admin_writes=True),
    "Webhooks": ToolRule("admin", admin_writes=True),
    "App Marketplace": ToolRule("app_management", admin_writes=True),
    "Portfolio": ToolRule("home", admin_writes=True, free_reads=True),
    "Reports": ToolRule("reports"),
    "Workflows": ToolRule("admin", admin_writes=True),
    "File Access & Storage": ToolRule("documents"),
}


def needed_level(module: str, method: str, is_read: bool) -> tuple[str, str] | None:
    """(tool key, level) an operation of ``module`` needs, or None when it needs none."""
    rule = MODULE_TOOLS.get(module)
    if rule is None:
        return None
    if is_read:
        return None if rule.free_reads else (rule.tool, "readonly")
    if method.upper() == "DELETE" or rule.admin_writes:
        return rule.tool, "admin"
    return rule.tool, "standard"
