"""The words of each checklist item: why it has its status, what to do, and where in Procore.

Why code and not playbook templates: the customer's admin needs sentences with names and
numbers ("1 of 8 projects the old account reached is not permitted: Airport Parking
Structure (1008)"), levels in Procore's spelling ("needs Standard, has Read-only") and the
click path in Procore. Templates over fact values can only print the tool's own
vocabulary (codes, keys, yes/no), so each built-in item *kind* has a writer here; a
playbook picks one with ``kind`` (default: the item id). Items of other kinds use the
playbook's own ``action`` and ``description``.

A writer also says when the evidence does not allow "done" (:attr:`Words.hold`): the
evidence holds an error, the check needs an earlier run that does not exist, or the step
that would tell has not run. :mod:`.build` keeps such an item open whatever its
conditions or a sign-off say.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from dmsa_migrate.checklist.words import level_name, tool_name
from dmsa_migrate.conditions import UNKNOWN, FactValues
from dmsa_migrate.models.checklist import StatusDetail
from dmsa_migrate.models.verification import CompanyVerification, Finding, PermissionGap

WEBHOOK_UPDATE_CUTOFF = dt.date(2026, 6, 30)
"""Project Users/Vendors webhook 'update' events stop (procore-facts 1.2)."""

ALWAYS_CONTRADICTS = frozenset({"company_not_read"})
"""A partial read of the company contradicts every verification-backed item."""


@dataclass(frozen=True)
class Situation:
    """What the writers know about one company."""

    facts: FactValues
    checked: CompanyVerification | None
    previous_run: str | None
    names: dict[int, tuple[str, bool]]
    old_users: list[str]
    company: str
    sunset: dt.date
    today: dt.date

    @property
    def after_sunset(self) -> bool:
        return self.today >= self.sunset

    @property
    def days_since_sunset(self) -> int:
        return (self.today - self.sunset).days

    def fact(self, name: str) -> object:
        return self.facts.get(name, UNKNOWN)

    def projects(self, ids: Iterable[int], limit: int = 6) -> str:
        """``Harbor Tower (1001), Airport Parking Structure (1008) and 2 more``."""
        ordered = sorted(set(ids))
        shown = []
        for project_id in ordered[:limit]:
            name = self.names.get(project_id, ("", None))[0]
            shown.append(f"{name} ({project_id})" if name else f"project {project_id}")
        rest = len(ordered) - limit
        return ", ".join(shown) + (f" and {rest} more" if rest > 0 else "")

    def findings(self, *codes: str) -> list[Finding]:
        if self.checked is None:
            return []
        return [f for f in self.checked.findings if not codes or f.code in codes]

    def errors(self) -> list[Finding]:
        return [f for f in self.findings() if f.severity == "error"]


@dataclass(frozen=True)
class Words:
    """A writer's answer: the why (evidence in words), the action and the place id."""

    why: str
    action: str = ""
    place: str = ""
    hold: StatusDetail = ""
    codes: list[str] = field(default_factory=list)
    user: str = ""
    """The Directory user the place's path names (default: the app's user)."""


Writer = Callable[[Situation, str], Words]


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def _is(value: object) -> bool:
    return value is True


def _not_verified(sit: Situation, action: str, place: str) -> Words:
    return Words(
        f"Not checked yet: the app's install in {sit.company or 'this company'} has not been "
        "verified.",
        action,
        place,
        "waiting_for_evidence",
    )


def _contradiction(sit: Situation, codes: Iterable[str]) -> list[Finding]:
    wanted = set(codes) | ALWAYS_CONTRADICTS
    return [f for f in sit.errors() if f.code in wanted]


def _error_sentence(findings: list[Finding]) -> str:
    """The errors in the customer's words (never the codes)."""
    words = {
        "app_not_installed": "the app is not installed",
        "app_disconnected": "the app is disconnected",
        "projects_missing": "projects the old account reached are not permitted",
        "permission_gaps": "tool permissions are below what the integration needs",
        "permitted_projects_reset": "projects permitted earlier are no longer permitted",
        "company_not_read": "the company could not be read completely",
    }
    said = sorted({words.get(f.code, "the verification found an error") for f in findings})
    return "; ".join(said)


# ---------------------------------------------------------------- the writers


def _install(sit: Situation, status: str) -> Words:
    codes = [f.code for f in _contradiction(sit, ("app_not_installed", "app_disconnected"))]
    company = sit.company or "this company"
    if sit.checked is None:
        return _not_verified(
            sit, "Install the app, then choose its permitted projects.", "install_app"
        )
    if sit.checked.status == "disconnected":
        return Words(
            f"A company admin disconnected the app: Procore refuses every call in {company} "
            "(\"App is not connected to this company\").",
            "Reconnect the app, then check its permitted projects (they may need choosing "
            "again).",
            "app_management",
            "contradicted",
            codes,
        )
    if not sit.checked.installed:
        reach = sit.fact("inventory.projects_count")
        where = f" on {_plural(int(reach), 'project')}" if isinstance(reach, int) and reach else ""
        return Words(
            f"The app is not installed in {company}, where the old service account "
            f"worked{where}.",
            "Install the app (Install Custom App with the App Version Key, or from the "
            "Marketplace), then choose its permitted projects.",
            "install_app",
            "contradicted",
            codes,
        )
    return Words(
        f"The app is installed and connected in {company}.",
        "",
        "app_management",
        "contradicted" if codes else "",
        codes,
    )


def _permitted_projects(sit: Situation, status: str) -> Words:
    if status == "not_applicable":
        return Words("The old service account reached no project in this company.")
    if sit.checked is None:
        return _not_verified(sit, "Choose the app's permitted projects.", "permitted_projects")
    missing = sorted(sit.checked.missing_projects)
    lost = sorted(sit.checked.lost_projects)
    total = sit.fact("inventory.projects_count")
    codes = [f.code for f in _contradiction(sit, ("projects_missing", "permitted_projects_reset"))]
    if missing:
        of = f" of {total}" if isinstance(total, int) and total else ""
        verb = "is" if len(missing) == 1 else "are"
        why = (
            f"{len(missing)}{of} projects the old account reached {verb} not permitted: "
            f"{sit.projects(missing)}."
        )
        if lost:
            why += f" Permitted at the previous check but not now: {sit.projects(lost)}."
        action = f"Add {sit.projects(missing)} to the app's permitted projects."
        return Words(why, action, "permitted_projects", "contradicted" if codes else "", codes)
    if not sit.checked.installed:
        return Words(
            "No project can be permitted while the app is not installed or connected.",
            "Install or reconnect the app, then choose its permitted projects.",
            "permitted_projects",
            "contradicted",
            codes,
        )
    why = (
        f"All {_plural(int(total), 'project')} the old account reached are permitted."
        if isinstance(total, int) and total
        else "Every project the old account reached is permitted."
    )
    extra = sorted(sit.checked.extra_projects)
    if extra:
        why += (
            f" Also permitted, though the old account never reached them: "
            f"{sit.projects(extra)} (keep only if the integration needs them)."
        )
    return Words(why, "", "permitted_projects", "contradicted" if codes else "", codes)


def _gap_words(sit: Situation, gap: PermissionGap) -> str:
    where = "company level" if gap.scope == "company" else (
        f"on {sit.projects(gap.projects, limit=3)}" if gap.projects else "project level"
    )
    return (
        f"{tool_name(gap.tool)} needs {level_name(gap.needed)}, has "
        f"{level_name(gap.granted)} ({where})"
    )


def _permissions(sit: Situation, status: str) -> Words:
    if sit.checked is None:
        return _not_verified(sit, "", "manifest_permissions")
    gaps = sit.checked.permission_gaps
    codes = [f.code for f in _contradiction(sit, ("permission_gaps",))]
    if not gaps:
        if not sit.checked.installed:
            return Words(
                "The app's tool permissions cannot be checked while it is not installed or "
                "connected.",
                "",
                "manifest_permissions",
                "contradicted",
                codes,
            )
        return Words(
            "The app's tool permissions are at least what the integration used before.",
            "",
            "manifest_permissions",
            "contradicted" if codes else "",
            codes,
        )
    why = (
        f"{_plural(len(gaps), 'tool permission')} below what the integration needs: "
        + "; ".join(_gap_words(sit, gap) for gap in gaps)
        + "."
    )
    edits = sit.findings("manual_directory_edit")
    if edits:
        templates, projects = _edit_details(edits)
        label = " and ".join(f"'{name}'" for name in templates) or "hand-set permission"
        where = f" on {sit.projects(projects)}" if projects else ""
        return Words(
            why + f" The {label} template set by hand on the app's user causes it.",
            f"Remove the {label} template from the app's user{where}; the app's own "
            "permissions then apply.",
            "project_directory_user",
            "contradicted",
            codes or ["permission_gaps"],
        )
    tools = sorted({tool_name(gap.tool) for gap in gaps})
    named = ", ".join(tools[:4]) + (f" and {len(tools) - 4} more" if len(tools) > 4 else "")
    return Words(
        why,
        f"Raise {named} in the app's permissions, promote a new app version, and have the "
        "company admin accept the update in App Management.",
        "manifest_permissions",
        "contradicted",
        codes or ["permission_gaps"],
    )


_QUOTED = re.compile(r"'([^']{1,80})'")
_PROJECT_IDS = re.compile(r"projects?(?:\(s\))? ((?:\d+(?:, )?)+)")


def _edit_details(edits: list[Finding]) -> tuple[list[str], list[int]]:
    """Template names and project ids of manual-edit findings (from their fields or message)."""
    templates = sorted({name for f in edits for name in _QUOTED.findall(f.message)})
    projects = {p for f in edits for p in f.projects}
    if not projects:
        for f in edits:
            for match in _PROJECT_IDS.finditer(f.message):
                projects.update(int(part) for part in match[1].split(", ") if part.isdigit())
    return templates, sorted(projects)


def _manual_edits(sit: Situation, status: str) -> Words:
    if sit.checked is None:
        return _not_verified(sit, "", "project_directory_user")
    edits = sit.findings("manual_directory_edit")
    errors = _contradiction(sit, [f.code for f in sit.errors()])
    codes = sorted({f.code for f in (*edits, *errors)})
    if edits:
        templates, projects = _edit_details(edits)
        label = (
            "the " + " and ".join(f"'{name}'" for name in templates) + " template"
            if templates
            else "a permission template"
        )
        where = f" on {sit.projects(projects)}" if projects else ""
        return Words(
            f"{label[0].upper()}{label[1:]} was set by hand on the app's Directory user{where}: "
            "it overrides the app's permissions there, and later permission changes do not "
            "reach it.",
            f"Remove {label} from the app's user{where}.",
            "project_directory_user" if projects else "company_directory_user",
            "contradicted",
            codes,
        )
    if errors:
        return Words(
            "Cannot be confirmed while the verification reports errors here: "
            f"{_error_sentence(errors)}.",
            "Fix those first (see the other items), then verify again.",
            "company_directory_user",
            "contradicted",
            codes,
        )
    return Words(
        "No permission template set by hand on the app's Directory user.",
        "",
        "company_directory_user",
    )


def _reverify(sit: Situation, status: str) -> Words:
    if sit.checked is None:
        return _not_verified(sit, "Verify the install, then again after every app update.", "")
    reset = sit.findings("permitted_projects_reset")
    errors = sit.errors()
    codes = sorted({f.code for f in (*reset, *errors)})
    if reset:
        lost = sorted({p for f in reset for p in f.projects}) or sorted(sit.checked.lost_projects)
        return Words(
            f"{_plural(len(lost), 'project')} permitted at the previous check "
            f"({(sit.previous_run or '')[:10]}) no longer permitted, as after an app update: "
            f"{sit.projects(lost)}.",
            f"Choose {sit.projects(lost)} again in the app's permitted projects, then verify "
            "again.",
            "permitted_projects",
            "contradicted",
            codes,
        )
    if sit.previous_run is None:
        return Words(
            "Not yet possible: this is the first verification of this company, so there is no "
            "earlier one to compare with.",
            "Verify again after the next app update (Procore resets permitted projects on "
            "every update).",
            "",
            "not_yet_possible",
            codes,
        )
    if errors:
        return Words(
            f"Verified again, but with errors: {_error_sentence(errors)}.",
            "Fix those first (see the other items), then verify again.",
            "",
            "contradicted",
            codes,
        )
    return Words(
        f"Verified again against the check of {sit.previous_run[:10]}: no permitted project "
        "was lost.",
        "",
    )


def _credentials(sit: Situation, status: str) -> Words:
    if sit.after_sunset:
        why = (
            f"Since {sit.sunset.isoformat()} the old service account gets no token, so every "
            "call the integration makes with it fails. Switching restores the integration."
        )
    else:
        days = (sit.sunset - sit.today).days
        why = (
            f"The old service account stops working on {sit.sunset.isoformat()} (in "
            f"{_plural(days, 'day')})."
        )
    return Words(
        why,
        "Switch the integration to the app's client id and secret (from the Developer "
        "Portal) and send the Procore-Company-Id header on every call.",
        "integration_config",
    )


def _webhooks(sit: Situation, status: str) -> Words:
    if status == "not_applicable":
        return Words("The integration uses no webhooks (none found in its code or activity).")
    cutoff = WEBHOOK_UPDATE_CUTOFF.isoformat()
    stop = "stopped" if sit.today >= WEBHOOK_UPDATE_CUTOFF else "stop"
    return Words(
        "Webhooks created under the old account keep its identity; Project Users and Project "
        f"Vendors 'update' events {stop} on {cutoff}.",
        "Re-create the webhooks under the app (Webhooks API at Standard) and replace Project "
        "Users/Vendors 'update' triggers with Company Users/Vendors ones.",
        "webhooks",
    )


def _old_user(sit: Situation, status: str) -> Words:
    users = ", ".join(sit.old_users)
    if sit.fact("inventory.old_user_known") is False or not users:
        why = "The old account's Directory user has not been identified yet."
        action = "Find the old service account's user in the Company Directory and deactivate it."
    else:
        why = f"The old service account's Directory user is {users}."
        action = f"Deactivate {users} in the Company Directory once the app works."
    if sit.after_sunset:
        why += (
            f" It cannot sign in since {sit.sunset.isoformat()}, but keeps its permissions "
            "until deactivated."
        )
    return Words(why, action, "company_directory_user", user=users or "the old account's user")


def _old_secrets(sit: Situation, status: str) -> Words:
    found = sit.fact("inventory.found_by_scan")
    why = (
        "The secret scan found the old client secret in the integration's code or configuration."
        if found is True
        else "The old client secret may still be stored with the integration."
    )
    return Words(
        why,
        "Delete the old client secret from code, configuration, CI variables and vaults.",
        "integration_config",
    )


def _health(sit: Situation, status: str) -> Words:
    return Words(
        "Integration Health looks back 14 days: it shows whether the app's calls in this company "
        "succeed (no 401, 403 or missing Procore-Company-Id).",
        "After the switch, check Integration Health and download the API Call Activity Report.",
        "integration_health",
    )


def _recover_access(sit: Situation, status: str) -> Words:
    count = sit.fact("inventory.projects_count")
    sources = sit.fact("inventory.sources")
    said = {"directory": "the Company Directory", "activity": "the API Call Activity Report",
            "live": "the old account itself", "scan": "the integration's code"}
    if status == "blocked" or count in (0, UNKNOWN):
        return Words(
            "The projects the old account reached could not be recovered: its credentials no "
            "longer work.",
            "Give an admin's token that can read the Company Directory (the API Call Activity "
            "Report names no project), then run the inventory again.",
            "integration_health",
            "waiting_for_evidence" if count is UNKNOWN else "",
        )
    named = [said.get(str(s), str(s)) for s in sources] if isinstance(sources, list) else []
    where = ", ".join(named[:-1]) + " and " + named[-1] if len(named) > 1 else "".join(named)
    return Words(f"{_plural(int(str(count)), 'project')} recovered from {where}.", "")


def _new_projects(sit: Situation, status: str) -> Words:
    automatic = sit.fact("inventory.add_to_new_projects")
    if automatic is True:
        why = "The old account was added to every new project automatically."
    elif automatic is False:
        why = "The old account was not added to new projects automatically."
    else:
        why = "Whether the old account was added to new projects is not known."
    return Words(
        why + " Procore does not add new projects to the app's permitted projects by itself.",
        "Decide whether new projects should be permitted for the app; if so, tick 'Add to all "
        "new projects' on the app's Directory user or add each new project.",
        "company_directory_user",
    )


def _erp_rights(sit: Situation, status: str) -> Words:
    tools = sit.fact("manifest.company_tools")
    names = ", ".join(tool_name(t) for t in tools) if isinstance(tools, list) and tools else "none"
    return Words(
        f"Company tools the app requests: {names}. An ERP connector needs Admin, Directory "
        "(Admin) and ERP Integrations (Admin).",
        "" if status == "done" else "Add the missing company tools at Admin to the app's "
        "permissions and promote a new version.",
        "manifest_permissions",
    )


WRITERS: dict[str, Writer] = {
    "app-installed": _install,
    "permitted-projects": _permitted_projects,
    "permissions-granted": _permissions,
    "no-manual-directory-edits": _manual_edits,
    "reverify-after-update": _reverify,
    "credentials-switched": _credentials,
    "webhooks-moved": _webhooks,
    "old-user-deactivated": _old_user,
    "old-secrets-deleted": _old_secrets,
    "health-checked": _health,
    "old-access-recovered": _recover_access,
    "new-projects-decided": _new_projects,
    "erp-admin-rights": _erp_rights,
}
"""Item kind → writer. Kinds are the item ids of the shipped playbooks."""

RESTORES = frozenset(
    {"app-installed", "permitted-projects", "permissions-granted", "credentials-switched",
     "old-access-recovered"}
)
"""Kinds whose open items keep a post-sunset integration down (the rest is clean-up)."""


def write(kind: str, sit: Situation, status: str) -> Words | None:
    """The words of an item of ``kind``, or None for kinds without a writer."""
    writer = WRITERS.get(kind)
    return None if writer is None else writer(sit, status)
