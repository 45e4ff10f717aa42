"""Finding codes of the verify step: stable names, severities and "what to do" texts.

Why one module: the codes are an interface. Playbooks test for them
(``'manual_directory_edit' in verification.finding_codes``), docs/verify.md explains each,
and a test keeps the three in step. Severity decides the exit code: any ``error`` (or any
permission gap) makes the verification not ``ok`` and ``verify`` exit 1.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from dmsa_migrate.models.verification import Finding, Severity


@dataclass(frozen=True)
class Code:
    """One finding code: its severity and what the customer or developer should do."""

    code: str
    severity: Severity
    summary: str
    action: str


APP_NOT_INSTALLED = Code(
    "app_not_installed", "error",
    "the app is not installed in a company where an old account worked",
    "A company admin installs the app: Company Tools > Admin > App Management > Install App "
    "(Marketplace, or Install Custom App with the App Version Key), then chooses the permitted "
    "projects.",
)
APP_DISCONNECTED = Code(
    "app_disconnected", "error",
    "the app is installed but disconnected (403 \"App is not connected to this company\")",
    "A company admin reconnects the app in App Management, then checks its permitted "
    "projects (they may need to be chosen again).",
)
PROJECTS_MISSING = Code(
    "projects_missing", "error",
    "active projects the old account reached are not permitted projects of the app",
    "A company admin adds these projects under App Management > the app > Permissions > "
    "Permitted Projects. Until then the integration loses data on them.",
)
INACTIVE_PROJECTS_MISSING = Code(
    "inactive_projects_missing", "warning",
    "inactive projects the old account reached are not permitted",
    "Permit them only if the integration still reads archived projects; otherwise no action.",
)
EXTRA_PROJECTS = Code(
    "extra_projects", "warning",
    "the app is permitted on projects the old account never reached",
    "Review: remove them from the permitted projects unless the integration should now cover "
    "them (new reach means new data leaving Procore).",
)
PERMISSION_GAPS = Code(
    "permission_gaps", "error",
    "the app's effective tool levels are below what is needed",
    "If a Directory template on the app's user causes it, remove the template (see "
    "manual_directory_edit). Otherwise raise the tool in the manifest, publish an app update, "
    "and have the company admin accept it.",
)
MANUAL_DIRECTORY_EDIT = Code(
    "manual_directory_edit", "warning",
    "the app's Directory user carries a permission template set by hand",
    "A company admin removes the template from the app's user (Company or Project Directory) so "
    "the manifest applies. Procore advises against editing the DMSA user by hand: manifest "
    "changes do not reach a hand-set template.",
)
DMSA_DIRECTORY_ADMIN = Code(
    "dmsa_directory_admin", "warning",
    "the app holds Admin on the company Directory",
    "Procore warns against it: Directory admin sees every project, not only permitted ones. "
    "Lower the manifest's company directory level unless the integration manages users.",
)
ADD_TO_NEW_PROJECTS_OFF = Code(
    "add_to_new_projects_off", "warning",
    "the old account covered every project, but the app is not added to new projects",
    "Future projects are not permitted automatically. Either the company admin adds each new "
    "project to the app's permitted projects, or ticks 'Add to all new projects' on the app's "
    "Directory user (which needs a default project template: reconcile it by hand after "
    "every manifest change).",
)
ADD_TO_NEW_PROJECTS_UNKNOWN = Code(
    "add_to_new_projects_unknown", "info",
    "the old account covered every project; whether the app is added to new projects is unknown",
    "The app cannot read the Company Directory, so ask the company admin to check 'Add to all "
    "new projects' on the app's Directory user.",
)
PERMITTED_PROJECTS_RESET = Code(
    "permitted_projects_reset", "error",
    "projects permitted at the previous verification are no longer permitted",
    "This is what an app update or reinstall does: Procore does not carry permitted projects "
    "over. A company admin chooses them again in App Management > Permissions.",
)
DIRECTORY_NOT_READABLE = Code(
    "directory_not_readable", "info",
    "the app cannot read the Company Directory; one permission check per project was used",
    "Nothing is wrong with the install. Manual template edits are inferred from levels; add "
    "company 'directory: readonly' to the manifest for an exact and cheaper check.",
)
NO_OLD_ACCOUNT = Code(
    "no_old_account", "info",
    "the app is installed in a company the inventory has no old account for",
    "Check that this company is meant to use the integration; all its permitted projects are "
    "listed as extra.",
)
APP_REACHES_BEYOND_USER = Code(
    "app_reaches_beyond_user", "warning",
    "the app reaches projects the compared user cannot see",
    "If the integration shows Procore data to its users, make sure it filters by each user's "
    "own access, so nobody sees another project's or company's data through the app.",
)
COMPANY_NOT_READ = Code(
    "company_not_read", "error",
    "the company could not be read after retries (partial result)",
    "Run verify again; if it keeps failing, the message names the failing request.",
)

REPLAY_FORBIDDEN = Code(
    "replay_forbidden", "error",
    "(--replay) Procore answered 403 to reads the integration makes, sent with the app's token",
    "Raise the app's manifest level on the tool each refused read needs (Developer Portal > "
    "the app > Manifest), publish the version and have the company admin update the install; "
    "if a hand-set template on the app's Directory user is the cause, remove it.",
)

ALL_CODES: tuple[Code, ...] = (
    APP_NOT_INSTALLED, APP_DISCONNECTED, PROJECTS_MISSING, INACTIVE_PROJECTS_MISSING,
    EXTRA_PROJECTS, PERMISSION_GAPS, MANUAL_DIRECTORY_EDIT, DMSA_DIRECTORY_ADMIN,
    ADD_TO_NEW_PROJECTS_OFF, ADD_TO_NEW_PROJECTS_UNKNOWN, PERMITTED_PROJECTS_RESET,
    DIRECTORY_NOT_READABLE, NO_OLD_ACCOUNT, APP_REACHES_BEYOND_USER, COMPANY_NOT_READ,
    REPLAY_FORBIDDEN,
)


def finding(code: Code, message: str, projects: Iterable[int] = ()) -> Finding:
    """A :class:`Finding` of ``code`` with a specific message and the projects concerned."""
    return Finding(
        code=code.code,
        severity=code.severity,
        message=message,
        action=code.action,
        projects=sorted(set(projects)),
    )


def id_list(ids: Iterable[int], limit: int = 12) -> str:
    """``1001, 1002, … (+3 more)``: short enough for a one-line message."""
    ordered = sorted(set(ids))
    shown = ", ".join(str(i) for i in ordered[:limit])
    rest = len(ordered) - limit
    return f"{shown} (+{rest} more)" if rest > 0 else shown
