"""The readable summary of a verification: one block per company, then the verdict.

Plain text (no rich) so it reads the same in a terminal, a CI log and a test.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from dmsa_migrate.models.verification import CompanyVerification, Verification
from dmsa_migrate.verify.findings import id_list
from dmsa_migrate.verify.fleet import FleetTally

_MARK = {"error": "✗", "warning": "!", "info": "·"}


def _ids(ids: list[int]) -> str:
    return f"{len(ids)}" + (f"  ({id_list(ids, 10)})" if ids else "")


def render_company(company: CompanyVerification) -> list[str]:
    """The lines of one company's block."""
    title = f"{company.name} ({company.id})" if company.name else f"company {company.id}"
    unread = company.unread_reason()
    if unread:  # nothing is known about its projects: no counts that read as "lost"
        return [title, "-" * len(title), f"  install           unread: {unread}",
                *_finding_lines(company)]
    lines = [title, "-" * len(title), f"  install           {company.status}"]
    if company.status == "installed":
        if company.dmsa_user_name or company.dmsa_user_id:
            lines.append(f"  app user          {company.dmsa_user_name} ({company.dmsa_user_id})")
        lines.append(f"  permitted         {_ids(company.permitted_projects)}")
        lines.append(f"  matched           {_ids(company.matched_projects)}")
    lines.append(f"  missing           {_ids(company.missing_projects)}")
    if company.status == "installed":
        lines.append(f"  extra             {_ids(company.extra_projects)}")
    if company.lost_projects:
        lines.append(f"  lost since prev.  {_ids(company.lost_projects)}")
    if company.permission_gaps:
        lines.append(
            "  permission gaps   scope    tool                 granted -> needed   projects"
        )
        for gap in company.permission_gaps:
            where = id_list(gap.projects, 8) if gap.projects else "(company)"
            lines.append(
                f"                    {gap.scope:<8} {gap.tool:<20} {gap.granted:>8} -> "
                f"{gap.needed:<9} {where}"
            )
    else:
        lines.append("  permission gaps   none")
    if company.user_comparison is not None:
        uc = company.user_comparison
        lines.append(
            f"  user {uc.user_name or uc.user_id}: sees {len(uc.user_projects)}, both "
            f"{len(uc.both)}, app only {_ids(uc.app_only)}, user only {len(uc.user_only)}"
        )
    return lines + _finding_lines(company)


def _finding_lines(company: CompanyVerification) -> list[str]:
    lines = []
    for item in company.findings:
        lines.append(f"  {_MARK[item.severity]} {item.severity:<7} [{item.code}] {item.message}")
        if item.severity != "info" and item.action:
            lines.append(f"            what to do: {item.action}")
    return lines


def render_summary(verification: Verification) -> str:
    """Every company's block and a one-line verdict."""
    return "\n".join(summary_lines(verification))


def summary_lines(
    verification: Verification,
    companies: Iterable[CompanyVerification] | None = None,
    tally: FleetTally | None = None,
) -> Iterator[str]:
    """:func:`render_summary` a line at a time. A streamed run gives its companies as
    read back from the file (``companies``) and its counts (``tally``), so a fleet's
    summary is printed without holding its results."""
    counted = FleetTally() if tally is None else None
    for company in verification.companies if companies is None else companies:
        yield from render_company(company)
        yield ""
        if counted is not None:
            counted.add(company)
    counts = tally or counted
    assert counts is not None
    verdict = "OK: nothing blocks the sunset" if verification.ok else "NOT OK: fix the errors above"
    unread = [str(company_id) for company_id in counts.unread]
    if not verification.complete or unread:
        verdict = f"INCOMPLETE: unread companies {', '.join(unread)}" if unread else (
            "INCOMPLETE: some companies could not be read")
    yield (
        f"{verdict} — {len(counts.rows)} companies, {counts.errors} errors, "
        f"{counts.warnings} warnings, {counts.gaps} permission gaps, "
        f"{verification.requests} requests"
    )
