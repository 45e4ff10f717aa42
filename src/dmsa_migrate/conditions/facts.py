"""The fact catalogue: every name a playbook condition may read, in one place.

A fact is one value about one customer company, computed from the step outputs
(inventory, manifest, verification). Each :class:`Fact` says its name, its type, what it
means and how it is computed, and carries the function that computes it; docs/playbooks.md
shows the same table (a test keeps the two in step).

Why per company: the checklist is handed to each company's admin, so every item's status
is decided per company. Facts of integration-wide outputs (the manifest, the usage list)
have the same value for every company.

A fact whose step has not run yet is :data:`UNKNOWN`, so a condition that needs it says
"not enough evidence" instead of a wrong "no".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from dmsa_migrate.conditions.language import UNKNOWN, FactType
from dmsa_migrate.models.common import LEVEL_ORDER
from dmsa_migrate.models.inventory import Inventory, InventoryAccount, InventoryCompany
from dmsa_migrate.models.verification import CompanyVerification, Verification


@dataclass(frozen=True)
class Evidence:
    """The step outputs a checklist is built from; ``None`` when that step has not run.

    ``manifest`` is the v4.1 manifest as a model or a plain dict: only ``permissions``
    (``company``/``project`` maps of tool → level) and ``post_installation_instruction``
    are read, so both shapes work.
    """

    inventory: Inventory | None = None
    manifest: Any = None
    verification: Verification | None = None

    def company_ids(self) -> list[int]:
        """Every company the evidence mentions, in ascending id order."""
        ids: set[int] = set()
        if self.inventory is not None:
            ids.update(c.id for a in self.inventory.accounts for c in a.companies)
        if self.verification is not None:
            ids.update(c.id for c in self.verification.companies)
        return sorted(ids)


@dataclass(frozen=True)
class _Scope:
    """What a fact function sees: the evidence, narrowed to one company."""

    evidence: Evidence
    company_id: int

    @property
    def accounts(self) -> list[tuple[InventoryAccount, InventoryCompany]]:
        inventory = self.evidence.inventory
        if inventory is None:
            return []
        return [
            (account, company)
            for account in inventory.accounts
            for company in account.companies
            if company.id == self.company_id
        ]

    @property
    def checked(self) -> CompanyVerification | None:
        verification = self.evidence.verification
        if verification is None:
            return None
        return next((c for c in verification.companies if c.id == self.company_id), None)


Compute = Callable[[_Scope], object]


@dataclass(frozen=True)
class Fact:
    """One named fact: its type, meaning, provenance and how to compute it."""

    name: str
    type: FactType
    description: str
    computed_from: str
    compute: Compute


# ---------------------------------------------------------------- helpers


def _needs_inventory(function: Callable[[_Scope], object]) -> Compute:
    def wrapped(scope: _Scope) -> object:
        return UNKNOWN if scope.evidence.inventory is None else function(scope)

    return wrapped


def _needs_company_check(function: Callable[[CompanyVerification], object]) -> Compute:
    def wrapped(scope: _Scope) -> object:
        checked = scope.checked
        return UNKNOWN if checked is None else function(checked)

    return wrapped


def _get(container: Any, key: str) -> Any:
    if container is None:
        return None
    if isinstance(container, Mapping):
        return container.get(key)
    return getattr(container, key, None)


def manifest_levels(manifest: Any) -> tuple[dict[str, str], dict[str, str]]:
    """The company and project tool → level maps of a manifest model or dict."""
    permissions = _get(manifest, "permissions")
    company = _get(permissions, "company") or {}
    project = _get(permissions, "project") or {}
    return {str(k): str(v) for k, v in dict(company).items()}, {
        str(k): str(v) for k, v in dict(project).items()
    }


def _needs_manifest(function: Callable[[dict[str, str], dict[str, str], Any], object]) -> Compute:
    def wrapped(scope: _Scope) -> object:
        manifest = scope.evidence.manifest
        if manifest is None:
            return UNKNOWN
        company, project = manifest_levels(manifest)
        return function(company, project, manifest)

    return wrapped


def _project_ids(scope: _Scope, *, active_only: bool = False) -> list[int]:
    return sorted(
        {
            project.id
            for _, company in scope.accounts
            for project in company.projects
            if project.active or not active_only
        }
    )


def _tools(levels: Mapping[str, str]) -> set[str]:
    return {tool for tool, level in levels.items() if level != "none"}


def _old_levels(scope: _Scope) -> tuple[dict[str, str], dict[str, str]]:
    """The widest level of each tool the old accounts held in this company."""
    company_levels: dict[str, str] = {}
    project_levels: dict[str, str] = {}
    for _, company in scope.accounts:
        _merge(company_levels, company.permissions)
        for project in company.projects:
            _merge(project_levels, project.permissions)
    return company_levels, project_levels


def _merge(into: dict[str, str], levels: Mapping[str, str]) -> None:
    for tool, level in levels.items():
        if LEVEL_ORDER[level] > LEVEL_ORDER.get(into.get(tool, "none"), 0):
            into[tool] = level


def _covers(granted: Mapping[str, str], needed: Mapping[str, str]) -> bool:
    return all(
        LEVEL_ORDER.get(granted.get(tool, "none"), 0) >= LEVEL_ORDER[level]
        for tool, level in needed.items()
    )


def _covers_old_access(scope: _Scope) -> object:
    manifest = scope.evidence.manifest
    if manifest is None or scope.evidence.inventory is None:
        return UNKNOWN
    company, project = manifest_levels(manifest)
    old_company, old_project = _old_levels(scope)
    return _covers(company, old_company) and _covers(project, old_project)


def _company_name(scope: _Scope) -> object:
    checked = scope.checked
    if checked is not None and checked.name:
        return checked.name
    return next((company.name for _, company in scope.accounts if company.name), "")


def _findings(severity: str) -> Compute:
    return _needs_company_check(lambda c: sum(1 for f in c.findings if f.severity == severity))


# ---------------------------------------------------------------- the catalogue

_INV = "inventory.json: the accounts' entries for this company"
_VER = "verification.json: this company's entry"
_MAN = "manifest.json (the whole integration)"

CATALOGUE: tuple[Fact, ...] = (
    # company
    Fact(
        "company.id",
        "int",
        "the Procore company id",
        "the company being evaluated",
        lambda s: s.company_id,
    ),
    Fact(
        "company.name",
        "str",
        "the company name ('' when no output names it)",
        "verification name, else inventory name",
        _company_name,
    ),
    Fact(
        "company.in_inventory",
        "bool",
        "an old account reached this company",
        "inventory.json accounts[].companies[].id",
        _needs_inventory(lambda s: bool(s.accounts)),
    ),
    Fact(
        "company.installed",
        "bool",
        "the DMSA app is installed and connected here",
        f"{_VER}: installed",
        _needs_company_check(lambda c: c.installed),
    ),
    Fact(
        "company.disconnected",
        "bool",
        "a company admin disconnected the app",
        f"{_VER}: status == 'disconnected'",
        _needs_company_check(lambda c: c.status == "disconnected"),
    ),
    Fact(
        "company.install_status",
        "str",
        "installed, disconnected or not_installed",
        f"{_VER}: status",
        _needs_company_check(lambda c: c.status),
    ),
    # inventory
    Fact(
        "inventory.accounts_count",
        "int",
        "old service accounts that reached this company",
        _INV,
        _needs_inventory(lambda s: len(s.accounts)),
    ),
    Fact(
        "inventory.active_accounts_count",
        "int",
        "old accounts that still authenticated (status active)",
        f"{_INV}: status",
        _needs_inventory(lambda s: sum(1 for a, _ in s.accounts if a.status == "active")),
    ),
    Fact(
        "inventory.rejected_accounts_count",
        "int",
        "old accounts whose credentials were refused (sunset or revoked)",
        f"{_INV}: status",
        _needs_inventory(lambda s: sum(1 for a, _ in s.accounts if a.status == "rejected")),
    ),
    Fact(
        "inventory.old_user_known",
        "bool",
        "the old account's Directory user is known (so it can be deactivated)",
        f"{_INV}: accounts[].user",
        _needs_inventory(lambda s: any(a.user is not None for a, _ in s.accounts)),
    ),
    Fact(
        "inventory.found_by_scan",
        "bool",
        "the secret scan found an old credential in the integration's code or config",
        f"{_INV}: 'scan' in accounts[].sources",
        _needs_inventory(lambda s: any("scan" in a.sources for a, _ in s.accounts)),
    ),
    Fact(
        "inventory.sources",
        "list[str]",
        "where the old access was learnt from",
        f"{_INV}: union of companies[].sources and companies[].projects[].sources (an "
        "account's 'scan' or 'activity' source says nothing about its access)",
        _needs_inventory(lambda s: sorted({
            x for _, c in s.accounts
            for x in (*c.sources, *(y for p in c.projects for y in p.sources))
        })),
    ),
    Fact(
        "inventory.projects",
        "list[int]",
        "ids of the projects the old accounts reached",
        f"{_INV}: companies[].projects[].id",
        _needs_inventory(_project_ids),
    ),
    Fact(
        "inventory.projects_count",
        "int",
        "number of projects the old accounts reached",
        f"{_INV}: distinct companies[].projects[].id",
        _needs_inventory(lambda s: len(_project_ids(s))),
    ),
    Fact(
        "inventory.active_projects_count",
        "int",
        "of those, projects still active",
        f"{_INV}: projects[].active",
        _needs_inventory(lambda s: len(_project_ids(s, active_only=True))),
    ),
    Fact(
        "inventory.directory_admin",
        "bool",
        "an old account was a company Directory admin",
        f"{_INV}: companies[].directory_admin",
        _needs_inventory(lambda s: any(c.directory_admin for _, c in s.accounts)),
    ),
    Fact(
        "inventory.add_to_new_projects",
        "bool",
        "an old account was added to new projects automatically",
        f"{_INV}: companies[].add_to_new_projects",
        _needs_inventory(lambda s: any(c.add_to_new_projects for _, c in s.accounts)),
    ),
    Fact(
        "inventory.company_tools",
        "list[str]",
        "company-level tools the old access held",
        f"{_INV}: companies[].permissions keys (level not none)",
        _needs_inventory(lambda s: sorted(_tools(_old_levels(s)[0]))),
    ),
    Fact(
        "inventory.project_tools",
        "list[str]",
        "project-level tools the old access held",
        f"{_INV}: projects[].permissions keys (level not none)",
        _needs_inventory(lambda s: sorted(_tools(_old_levels(s)[1]))),
    ),
    Fact(
        "inventory.usage_count",
        "int",
        "endpoints the integration is known to call",
        "inventory.json usage (whole integration)",
        _needs_inventory(lambda s: len(s.evidence.inventory.usage) if s.evidence.inventory else 0),
    ),
    Fact(
        "inventory.uses_webhooks",
        "bool",
        "the integration calls the Webhooks API",
        "inventory.json usage[].template contains '/webhooks'",
        _needs_inventory(
            lambda s: any(
                "/webhooks" in u.template
                for u in (s.evidence.inventory.usage if s.evidence.inventory else [])
            )
        ),
    ),
    # manifest
    Fact(
        "manifest.present",
        "bool",
        "a manifest has been generated",
        _MAN,
        lambda s: s.evidence.manifest is not None,
    ),
    Fact(
        "manifest.company_tools",
        "list[str]",
        "company-level tools the manifest requests",
        f"{_MAN}: permissions.company keys",
        _needs_manifest(lambda c, p, m: sorted(c)),
    ),
    Fact(
        "manifest.project_tools",
        "list[str]",
        "project-level tools the manifest requests",
        f"{_MAN}: permissions.project keys",
        _needs_manifest(lambda c, p, m: sorted(p)),
    ),
    Fact(
        "manifest.permissions_count",
        "int",
        "tools requested, company plus project",
        f"{_MAN}: size of both maps",
        _needs_manifest(lambda c, p, m: len(c) + len(p)),
    ),
    Fact(
        "manifest.admin_tools_count",
        "int",
        "tools requested at admin level",
        f"{_MAN}: entries equal to 'admin'",
        _needs_manifest(lambda c, p, m: sum(1 for v in (*c.values(), *p.values()) if v == "admin")),
    ),
    Fact(
        "manifest.company_directory_admin",
        "bool",
        "the manifest asks for company Directory admin (broad; avoid unless needed)",
        f"{_MAN}: permissions.company.directory == 'admin'",
        _needs_manifest(lambda c, p, m: c.get("directory") == "admin"),
    ),
    Fact(
        "manifest.read_only",
        "bool",
        "every requested tool is read-only",
        f"{_MAN}: every level == 'readonly'",
        _needs_manifest(lambda c, p, m: all(v == "readonly" for v in (*c.values(), *p.values()))),
    ),
    Fact(
        "manifest.has_post_installation_instruction",
        "bool",
        "the manifest tells the installing admin what to do next",
        f"{_MAN}: post_installation_instruction not empty",
        _needs_manifest(
            lambda c, p, m: bool(str(_get(m, "post_installation_instruction") or "").strip())
        ),
    ),
    Fact(
        "manifest.covers_old_access",
        "bool",
        "the manifest grants every tool at least at the level the old access held here",
        f"{_MAN} compared with {_INV}",
        _covers_old_access,
    ),
    # verification
    Fact(
        "verification.present",
        "bool",
        "the verify step has run",
        "verification.json given",
        lambda s: s.evidence.verification is not None,
    ),
    Fact(
        "verification.company_checked",
        "bool",
        "the verify step checked this company",
        "verification.json companies[].id",
        lambda s: UNKNOWN if s.evidence.verification is None else s.checked is not None,
    ),
    Fact(
        "verification.ok",
        "bool",
        "the whole verification found no gap in any company",
        "verification.json ok",
        lambda s: UNKNOWN if s.evidence.verification is None else s.evidence.verification.ok,
    ),
    Fact(
        "verification.matched_projects",
        "list[int]",
        "permitted projects the old account had",
        f"{_VER}: matched_projects",
        _needs_company_check(lambda c: sorted(c.matched_projects)),
    ),
    Fact(
        "verification.matched_projects_count",
        "int",
        "how many projects matched",
        f"{_VER}: len(matched_projects)",
        _needs_company_check(lambda c: len(c.matched_projects)),
    ),
    Fact(
        "verification.missing_projects",
        "list[int]",
        "projects the old account reached that the app is not permitted on",
        f"{_VER}: missing_projects",
        _needs_company_check(lambda c: sorted(c.missing_projects)),
    ),
    Fact(
        "verification.missing_projects_count",
        "int",
        "how many projects are missing",
        f"{_VER}: len(missing_projects)",
        _needs_company_check(lambda c: len(c.missing_projects)),
    ),
    Fact(
        "verification.extra_projects",
        "list[int]",
        "projects the app is permitted on that the old account never reached",
        f"{_VER}: extra_projects",
        _needs_company_check(lambda c: sorted(c.extra_projects)),
    ),
    Fact(
        "verification.extra_projects_count",
        "int",
        "how many projects are extra",
        f"{_VER}: len(extra_projects)",
        _needs_company_check(lambda c: len(c.extra_projects)),
    ),
    Fact(
        "verification.permission_gaps_count",
        "int",
        "tools granted below what is needed (the manifest's levels, else the old access)",
        f"{_VER}: len(permission_gaps)",
        _needs_company_check(lambda c: len(c.permission_gaps)),
    ),
    Fact(
        "verification.gap_tools",
        "list[str]",
        "the tools with a permission gap",
        f"{_VER}: permission_gaps[].tool",
        _needs_company_check(lambda c: sorted({g.tool for g in c.permission_gaps})),
    ),
    Fact(
        "verification.errors_count",
        "int",
        "findings of severity error",
        f"{_VER}: findings[].severity",
        _findings("error"),
    ),
    Fact(
        "verification.warnings_count",
        "int",
        "findings of severity warning",
        f"{_VER}: findings[].severity",
        _findings("warning"),
    ),
    Fact(
        "verification.finding_codes",
        "list[str]",
        "codes of every finding (e.g. to test for a manual Directory edit)",
        f"{_VER}: findings[].code",
        _needs_company_check(lambda c: sorted({f.code for f in c.findings})),
    ),
)

FACTS: dict[str, Fact] = {fact.name: fact for fact in CATALOGUE}
FACT_TYPES: dict[str, FactType] = {fact.name: fact.type for fact in CATALOGUE}
"""Fact name → type: what :func:`compile_condition` checks names and types against."""

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+)\}")


class FactValues(Mapping[str, object]):
    """Every fact's value for one company (``UNKNOWN`` where evidence is missing)."""

    def __init__(self, company_id: int, values: dict[str, object]) -> None:
        self.company_id = company_id
        self._values = values

    def __getitem__(self, name: str) -> object:
        return self._values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def render(self, template: str) -> str:
        """Fill ``{fact.name}`` placeholders: lists comma-joined, booleans yes/no."""
        return _PLACEHOLDER.sub(lambda m: format_value(self._values.get(m[1], UNKNOWN)), template)


def format_value(value: object) -> str:
    """How a fact value reads in an evidence sentence."""
    if value is UNKNOWN:
        return "unknown"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value) if value else "none"
    return str(value)


def template_facts(template: str) -> list[str]:
    """The fact names an evidence template refers to, in order of appearance."""
    return [match[1] for match in _PLACEHOLDER.finditer(template)]


def facts_for_company(evidence: Evidence, company_id: int) -> FactValues:
    """Compute every fact of the catalogue for one company."""
    scope = _Scope(evidence, company_id)
    return FactValues(company_id, {fact.name: fact.compute(scope) for fact in CATALOGUE})
