"""Re-verification: compare with an earlier ``verification.json``.

Why: Procore resets a DMSA's permitted projects on every app update or reinstall, and never
says so. Projects that were permitted at the previous verification and are not any more are
the signature of that reset, so they get their own finding (``permitted_projects_reset``).
"""

from __future__ import annotations

from array import array
from typing import cast

from dmsa_migrate.models.verification import UNREAD_CODE, CompanyVerification, Verification
from dmsa_migrate.verify import findings as F


def previously_permitted(company: CompanyVerification) -> set[int]:
    """The projects the app was permitted on then (older files: matched plus extra)."""
    if company.permitted_projects:
        return set(company.permitted_projects)
    return set(company.matched_projects) | set(company.extra_projects)


def slim_company(company: CompanyVerification) -> CompanyVerification:
    """What a comparison with this earlier result needs of it: its status, the projects
    it was permitted on, and whether it was read (fleet runs keep only this of a previous
    run of 1,000 companies, instead of every list of every company).

    The permitted projects are kept as a machine-int array (8 bytes an id instead of a
    list's 36): a fleet's previous run holds 100,000 of them for the whole run. The
    company was validated as it was read, and a slim company is only compared with, never
    written (the session's copy is streamed from the file itself), so it is built without
    validating again.
    """
    return CompanyVerification.model_construct(
        id=company.id, name=company.name, installed=company.installed, status=company.status,
        in_inventory=company.in_inventory,
        # read only as a sequence of ids (previously_permitted), never as a list
        permitted_projects=cast(list[int], array("q", sorted(previously_permitted(company)))),
        findings=[f for f in company.findings if f.code == UNREAD_CODE],
    )


def apply_previous(current: Verification, previous: Verification) -> None:
    """Record lost projects per company and add the reset finding where it applies."""
    current.previous_generated_at = previous.generated_at or None
    before = {company.id: company for company in previous.companies}
    for company in current.companies:
        apply_previous_company(company, before.get(company.id), previous.generated_at)


def apply_previous_company(
    company: CompanyVerification, earlier: CompanyVerification | None, previous_at: str
) -> None:
    """One company against its earlier result (fleet runs do this as each company ends)."""
    if earlier is None or earlier.status != "installed" or company.lost_projects:
        return  # nothing to compare, or already compared (a resumed company)
    if company.unread_reason() or earlier.unread_reason():
        return  # an unread company's empty lists are no news: never "lost" or "reset"
    lost = previously_permitted(earlier) - set(company.permitted_projects)
    company.lost_projects = sorted(lost)
    if not lost or company.status != "installed":
        # Disconnected or uninstalled since: that finding already says everything.
        return
    when = f" at {previous_at}" if previous_at else ""
    company.findings.append(F.finding(
        F.PERMITTED_PROJECTS_RESET,
        f"{len(lost)} project(s) permitted{when} are no longer permitted: "
        f"{F.id_list(lost)} (an app update or reinstall resets permitted projects)",
        lost,
    ))
